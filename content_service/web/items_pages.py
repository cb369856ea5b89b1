"""Item bank pages: the browser, an item with its history and reviews, the editor with a live
preview (static/items.js posts to ``POST /items/preview``), and the import page.

The editor works without JavaScript (the preview then shows after saving). It edits the fields
teachers change (stem, options and key, feedback, metadata); the other fields of the item (numeric
keys, template variables, QTI content) are kept as they are, from the hidden ``base`` document.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from content_service.api.deps import OptionalPrincipalDep, SessionDep
from content_service.errors import ServiceError, UnprocessableError
from content_service.models.items import ReviewDecision
from content_service.models.people import UserRecord
from content_service.schemas.common import PageParams
from content_service.services import item_imports
from content_service.services import items as items_service
from content_service.services.access import Principal
from content_service.web.pages import render
from item_bank.formats.json_items import item_from_dict
from item_bank.items import CognitiveLevel, ItemKind
from item_bank.rendering import render_item

router = APIRouter(prefix="/pages/items", include_in_schema=False)
CHOICE_LETTERS = "ABCDEF"
EDITOR_KINDS = ("single_choice", "multiple_response", "true_false", "open_response")
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
    rows, total = await items_service.list_items(
        session=session, principal=principal, page=page, **filters
    )
    facets = await items_service.facet_values(session=session, principal=principal)
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
        data = await upload.read(item_imports.MAX_IMPORT_BYTES + 1)
        report = await item_imports.import_file(
            session=session,
            principal=principal,
            filename=upload.filename or "upload",
            data=data,
            format=item_imports.ImportFormat(fmt)
            if fmt in item_imports.ImportFormat.__members__.values()
            else item_imports.ImportFormat.AUTO,
        )
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


def item_from_form(form: FormData) -> dict[str, Any]:
    """The item document the editor's fields describe, over the hidden ``base`` document."""
    try:
        base = json.loads(str(form.get("base") or "{}"))
    except json.JSONDecodeError:
        base = {}
    item: dict[str, Any] = dict(base) if isinstance(base, dict) else {}

    def text(name: str) -> str:
        return str(form.get(name) or "").strip()

    item["identifier"] = text("identifier") or item.get("identifier", "")
    item["kind"] = text("kind") or item.get("kind", "single_choice")
    item["stem"] = text("stem")
    for name in ("title", "rationale", "general_feedback"):
        if text(name):
            item[name] = text(name)
        else:
            item.pop(name, None)
    if item["kind"] in EDITOR_KINDS[:3]:
        old = {c.get("identifier"): c for c in base.get("choices", [])} if base else {}
        choices = []
        for letter in CHOICE_LETTERS:
            body = text(f"choice_{letter}")
            if not body:
                continue
            choice = dict(old.get(letter, {}), identifier=letter, text=body)
            feedback = text(f"feedback_{letter}")
            if feedback:
                choice["feedback"] = feedback
            else:
                choice.pop("feedback", None)
            if form.get(f"fixed_{letter}"):
                choice["fixed"] = True
            else:
                choice.pop("fixed", None)
            choices.append(choice)
        item["choices"] = choices
        item["correct"] = [str(v) for v in form.getlist("correct")]
        item["shuffle"] = bool(form.get("shuffle"))
        if item["kind"] == "multiple_response":
            item["max_choices"] = len(choices)
    metadata = dict(item.get("metadata") or {})
    for name in ("subject", "topic", "requirement_code", "cognitive_level"):
        if text(name):
            metadata[name] = text(name)
        else:
            metadata.pop(name, None)
    grade = text("grade")
    if grade.isdigit():
        metadata["grade"] = int(grade)
    else:
        metadata.pop("grade", None)
    item["metadata"] = metadata
    return item


def _editor_context(document: dict[str, Any]) -> dict[str, Any]:
    choices = {c.get("identifier"): c for c in document.get("choices", [])}
    return {
        "doc": document,
        "meta": document.get("metadata") or {},
        "choices": choices,
        "letters": CHOICE_LETTERS,
        "editor_kinds": EDITOR_KINDS,
        "base": json.dumps(document, ensure_ascii=False),
    }


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
        **_editor_context(document),
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
            **_editor_context(document),
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
        **_editor_context(document),
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
            **_editor_context(document),
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
