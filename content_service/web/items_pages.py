"""Item bank pages: the browser, an item with its history and reviews, the editor with a live
preview (static/items.js posts to ``POST /items/preview``), and the import page.

The editor works without JavaScript (the preview then shows after saving). It edits the fields
teachers change (stem, options and key, feedback, metadata); the other fields of the item (numeric
keys, template variables, QTI content) are kept as they are, from the hidden ``base`` document.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from content_service.api.deps import OptionalPrincipalDep, SessionDep
from content_service.errors import NotFoundError, ServiceError, UnprocessableError
from content_service.models.items import ReviewDecision
from content_service.models.jobs import JobStatus
from content_service.models.people import UserRecord
from content_service.schemas.common import PageParams
from content_service.services import item_imports, item_listing
from content_service.services import items as items_service
from content_service.services import jobs as jobs_service
from content_service.services.access import Principal
from content_service.web.item_form import editor_context, item_from_form
from content_service.web.pages import render
from item_bank.errors import ImportFormatError
from item_bank.formats.json_items import item_from_dict
from item_bank.items import CognitiveLevel, ItemKind
from item_bank.rendering import render_item

router = APIRouter(prefix="/pages/items", include_in_schema=False)
_FILTERS = ("subject", "grade", "topic", "cognitive_level", "kind", "status", "q")


def _login() -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


async def _user(session: SessionDep, principal: Principal) -> UserRecord | None:
    return await session.get(UserRecord, principal.user_id)


async def _page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    template: str,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    user = await _user(session, principal)
    response = render(
        request,
        template,
        user_language=user.language if user else None,
        user=user,
        levels=[(level.value, level.label_vi) for level in CognitiveLevel],
        kinds=[kind.value for kind in ItemKind],
        **context,
    )
    response.status_code = status_code
    return response


@router.get("", response_class=HTMLResponse, response_model=None)
async def browser(
    request: Request, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    params = request.query_params
    filters: dict[str, Any] = {name: params.get(name) or None for name in _FILTERS}
    grade = filters["grade"]
    filters["grade"] = int(grade) if grade and grade.isdigit() else None
    offset = int(params.get("offset", "0")) if params.get("offset", "0").isdigit() else 0
    page = PageParams(limit=50, offset=offset)
    rows, total = await item_listing.list_items(
        session=session, principal=principal, page=page, **filters
    )
    facets = await item_listing.facet_values(session=session, principal=principal)
    return await _page(
        request,
        session,
        principal,
        "items/browser.html",
        rows=rows,
        total=total,
        page=page,
        filters=filters,
        facets=facets,
    )


@router.get("/import", response_class=HTMLResponse, response_model=None)
async def import_page(
    request: Request, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    items_service.require_bank_user(principal)
    return await _page(request, session, principal, "items/import.html", report=None, error=None)


@router.post("/import", response_class=HTMLResponse, response_model=None)
async def import_submit(
    request: Request, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    async with request.form() as form:
        return await _import_form(request, session, principal, form)


async def _import_form(
    request: Request, session: SessionDep, principal: Principal, form: FormData
) -> Response:
    upload = form.get("file")
    fmt = str(form.get("format") or "auto")
    error: ServiceError | None = None
    report = None
    try:
        if not isinstance(upload, UploadFile):
            raise UnprocessableError("file: choose a file to import")
        result = await item_imports.import_upload(
            session=session,
            principal=principal,
            settings=request.app.state.settings,
            source=upload.file,
            filename=upload.filename or "upload",
            format=item_imports.ImportFormat(fmt)
            if fmt in item_imports.ImportFormat.__members__.values()
            else item_imports.ImportFormat.AUTO,
        )
        if isinstance(result, item_imports.ImportStarted):
            await session.commit()  # the job must exist before the page that follows it
            return RedirectResponse(f"/pages/items/import/jobs/{result.job.id}", status_code=303)
        report = result
    except ServiceError as exc:
        await session.rollback()
        error = exc
    return await _page(
        request,
        session,
        principal,
        "items/import.html",
        status_code=error.status_code if error else 200,
        report=report,
        error=error,
    )


@router.get("/import/jobs/{job_id}", response_class=HTMLResponse, response_model=None)
async def import_job_page(
    request: Request, job_id: uuid.UUID, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    """A background import: its status until it ends, then its report or its refusal."""
    if principal is None:
        return _login()
    items_service.require_bank_user(principal)
    job = await jobs_service.get_job(session=session, principal=principal, job_id=job_id)
    if job.kind != item_imports.JOB_KIND:
        raise NotFoundError(f"job {job_id} not found", code="job_not_found")
    finished = job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)
    return await _page(
        request,
        session,
        principal,
        "items/import.html",
        report=job.result if job.status == JobStatus.SUCCEEDED else None,
        error=UnprocessableError(job.error) if job.status == JobStatus.FAILED else None,
        job=job,
        refresh=not finished,
    )


@router.post("/preview", response_model=None)
async def preview_form(
    request: Request, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    """The editor's live preview: the posted form parsed as saving would, rendered with its key
    (the same answer as ``POST /items/preview``)."""
    if principal is None:
        return JSONResponse({"detail": "log in", "code": "not_authenticated"}, status_code=401)
    items_service.require_bank_user(principal)
    async with request.form() as form:
        document = item_from_form(form)
    try:
        item = item_from_dict(document, source="preview")
    except ImportFormatError as error:
        problems = [p.strip() for p in error.problem.split(";")]
        return JSONResponse({"html": "", "problems": problems})
    return JSONResponse({"html": render_item(item, with_key=True).as_html(), "problems": []})


def _preview(document: dict[str, Any]) -> str:
    try:
        return render_item(item_from_dict(document, source="editor"), with_key=True).as_html()
    except (ValueError, KeyError, TypeError):
        return ""


@router.get("/new", response_class=HTMLResponse, response_model=None)
async def new_item(
    request: Request, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    items_service.require_bank_user(principal)
    document: dict[str, Any] = {
        "identifier": "",
        "kind": "single_choice",
        "stem": "",
        "choices": [],
    }
    return await _page(
        request,
        session,
        principal,
        "items/editor.html",
        item_id=None,
        error=None,
        preview="",
        **editor_context(document),
    )


@router.post("/new", response_class=HTMLResponse, response_model=None)
async def create_item(
    request: Request, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    document = item_from_form(await request.form())
    try:
        record, _ = await items_service.create_item(
            session=session, principal=principal, document=document
        )
    except ServiceError as exc:
        await session.rollback()
        return await _page(
            request,
            session,
            principal,
            "items/editor.html",
            status_code=exc.status_code,
            item_id=None,
            error=exc,
            preview=_preview(document),
            **editor_context(document),
        )
    return RedirectResponse(f"/pages/items/{record.id}", status_code=303)


@router.get("/{item_id}", response_class=HTMLResponse, response_model=None)
async def item_detail(
    request: Request, item_id: uuid.UUID, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    view = await items_service.get_item(session=session, principal=principal, item_id=item_id)
    latest = view.latest
    rendered = render_item(items_service.item_of(latest), with_key=True).as_html()
    return await _page(
        request,
        session,
        principal,
        "items/detail.html",
        view=view,
        latest=latest,
        rendered=rendered,
        can_review=principal.user_id != latest.created_by,
        decisions=[d.value for d in ReviewDecision],
    )


@router.get("/{item_id}/edit", response_class=HTMLResponse, response_model=None)
async def edit_item(
    request: Request, item_id: uuid.UUID, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    view = await items_service.get_item(session=session, principal=principal, item_id=item_id)
    items_service.require_can_edit(principal, view.item)
    document = view.latest.content
    return await _page(
        request,
        session,
        principal,
        "items/editor.html",
        item_id=item_id,
        error=None,
        preview=_preview(document),
        **editor_context(document),
    )


@router.post("/{item_id}/edit", response_class=HTMLResponse, response_model=None)
async def save_item(
    request: Request, item_id: uuid.UUID, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    form = await request.form()
    document = item_from_form(form)
    try:
        await items_service.update_item(
            session=session,
            principal=principal,
            item_id=item_id,
            document=document,
            change_note=str(form.get("change_note") or "")[:2000],
        )
    except ServiceError as exc:
        await session.rollback()
        return await _page(
            request,
            session,
            principal,
            "items/editor.html",
            status_code=exc.status_code,
            item_id=item_id,
            error=exc,
            preview=_preview(document),
            **editor_context(document),
        )
    return RedirectResponse(f"/pages/items/{item_id}", status_code=303)


@router.post("/{item_id}/submit", response_model=None)
async def submit_item(
    item_id: uuid.UUID, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    await items_service.submit_item(session=session, principal=principal, item_id=item_id)
    return RedirectResponse(f"/pages/items/{item_id}", status_code=303)


@router.post("/{item_id}/versions/{version_id}/review", response_model=None)
async def review_version(
    request: Request,
    item_id: uuid.UUID,
    version_id: uuid.UUID,
    principal: OptionalPrincipalDep,
    session: SessionDep,
) -> Response:
    if principal is None:
        return _login()
    form = await request.form()
    decision = str(form.get("decision") or "comment")
    await items_service.review_version(
        session=session,
        principal=principal,
        version_id=version_id,
        decision=ReviewDecision(decision)
        if decision in ReviewDecision.__members__.values()
        else ReviewDecision.COMMENT,
        comment=str(form.get("comment") or "")[:5000],
    )
    return RedirectResponse(f"/pages/items/{item_id}", status_code=303)


@router.post("/{item_id}/versions/{version_id}/{action}", response_model=None)
async def change_version(
    item_id: uuid.UUID,
    version_id: uuid.UUID,
    action: str,
    principal: OptionalPrincipalDep,
    session: SessionDep,
) -> Response:
    if principal is None:
        return _login()
    change = {"publish": items_service.publish_version, "retire": items_service.retire_version}
    if action not in change:
        return Response(status_code=404)
    await change[action](session=session, principal=principal, version_id=version_id)
    return RedirectResponse(f"/pages/items/{item_id}", status_code=303)
