"""Records pages: the teacher's score grid, a student's grades and transcripts, verification.

Vietnamese first. The grid is a plain form (works without JavaScript); a locked gradebook asks
for a reason. The verification page is public: anyone holding a transcript PDF may check it.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from content_service.api.deps import OptionalPrincipalDep, SessionDep, SettingsDep
from content_service.errors import ServiceError
from content_service.models.gradebook import GradebookKind
from content_service.models.people import Role, UserRecord
from content_service.schemas.common import PageParams
from content_service.schemas.gradebook import GradebookSheet
from content_service.services import gradebook as gradebook_service
from content_service.services import gradebook_access, gradebook_primary
from content_service.services import transcripts as transcripts_service
from content_service.services.access import Principal
from content_service.services.signing import key_provider
from content_service.web.pages import render

router = APIRouter(prefix="/pages/records", include_in_schema=False)
_PAGE = PageParams(limit=200, offset=0)
MAX_PDF_BYTES = 5 * 1024 * 1024


def _login() -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


async def _user(session: SessionDep, principal: Principal) -> UserRecord | None:
    return await session.get(UserRecord, principal.user_id)


def _error_text(exc: ServiceError) -> list[str]:
    if isinstance(exc.detail, list):
        return [
            f"{e.get('row', e.get('entry', ''))} {e.get('column', '')}: {e.get('message', '')}"
            for e in exc.detail
        ]
    return [str(exc.detail)]


@router.get("", response_class=HTMLResponse, response_model=None)
async def records_home(
    request: Request, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    user = await _user(session, principal)
    books: list[Any] = []
    if principal.role in (Role.TEACHER, Role.SCHOOL_ADMIN):
        books, _ = await gradebook_service.list_gradebooks(
            session=session, principal=principal, page=_PAGE
        )
    students = sorted(principal.children) if principal.role is Role.PARENT else []
    if principal.role is Role.STUDENT:
        students = [principal.user_id]
    children = [await session.get(UserRecord, s) for s in students]
    return render(
        request,
        "records/home.html",
        user_language=user.language if user else None,
        user=user,
        books=books,
        children=[c for c in children if c is not None],
    )


async def _grid(
    request: Request,
    session: SessionDep,
    principal: Principal,
    gradebook_id: uuid.UUID,
    *,
    errors: list[str],
    saved: bool,
    status_code: int = 200,
) -> Response:
    sheet = await gradebook_service.get_sheet(
        session=session, principal=principal, gradebook_id=gradebook_id
    )
    user = await _user(session, principal)
    response = render(
        request,
        "records/grid.html",
        user_language=user.language if user else None,
        user=user,
        sheet=sheet,
        traits=await _trait_names(session, sheet),
        errors=errors,
        saved=saved,
    )
    response.status_code = status_code
    return response


async def _trait_names(session: SessionDep, sheet: GradebookSheet) -> dict[str, str]:
    """Column key -> quality or competency name, for the headers of a traits book."""
    if sheet.gradebook.kind != GradebookKind.PRIMARY_TRAITS:
        return {}
    klass = await gradebook_access.get_class_record(session, sheet.gradebook.class_id)
    rules = gradebook_access.primary_rules_for(klass)
    return {
        f"{period}_{trait.code}": trait.name for period in ("gk", "ck") for trait in rules.traits
    }


@router.get("/classes/{class_id}/primary-year", response_class=HTMLResponse, response_model=None)
async def primary_year_page(
    request: Request, class_id: uuid.UUID, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    """Year-end results of a primary class (TT27), for its teachers and the school's admins."""
    if principal is None:
        return _login()
    results = await gradebook_primary.class_primary_year_results(
        session=session, principal=principal, class_id=class_id
    )
    klass = await gradebook_access.get_class_record(session, class_id)
    user = await _user(session, principal)
    return render(
        request,
        "records/primary_year.html",
        user_language=user.language if user else None,
        user=user,
        klass=klass,
        results=results,
    )


@router.get("/gradebooks/{gradebook_id}", response_class=HTMLResponse, response_model=None)
async def grid_page(
    request: Request, gradebook_id: uuid.UUID, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    saved = request.query_params.get("saved") == "1"
    return await _grid(request, session, principal, gradebook_id, errors=[], saved=saved)


@router.post("/gradebooks/{gradebook_id}", response_class=HTMLResponse, response_model=None)
async def grid_submit(
    request: Request, gradebook_id: uuid.UUID, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    form = await request.form()
    entries: list[tuple[uuid.UUID, str, object]] = []
    for name, value in form.multi_items():
        kind, _, rest = name.partition(":")
        student, _, column = rest.partition(":")
        if kind != "cell" or not isinstance(value, str):
            continue
        try:
            entries.append((uuid.UUID(student), column, value.strip() or None))
        except ValueError:
            continue
    reason = str(form.get("reason") or "").strip() or None
    try:
        await gradebook_service.save_scores(
            session=session,
            principal=principal,
            gradebook_id=gradebook_id,
            entries=entries,
            reason=reason,
        )
    except ServiceError as exc:
        await session.rollback()
        return await _grid(
            request,
            session,
            principal,
            gradebook_id,
            errors=_error_text(exc),
            saved=False,
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/pages/records/gradebooks/{gradebook_id}?saved=1", status_code=303)


@router.get("/students/{student_id}", response_class=HTMLResponse, response_model=None)
async def student_page(
    request: Request, student_id: uuid.UUID, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    grades = await gradebook_service.student_gradebooks(
        session=session, principal=principal, student_id=student_id
    )
    transcripts, _ = await transcripts_service.list_transcripts(
        session=session, principal=principal, student_id=student_id, page=_PAGE
    )
    student = await session.get(UserRecord, student_id)
    user = await _user(session, principal)
    return render(
        request,
        "records/student.html",
        user_language=user.language if user else None,
        user=user,
        student=student,
        grades=grades,
        transcripts=transcripts,
    )


@router.get("/verify", response_class=HTMLResponse, response_model=None)
async def verify_page(
    request: Request, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    user = await _user(session, principal) if principal else None
    return render(request, "records/verify.html", user=user, result=None, error=None)


@router.post("/verify", response_class=HTMLResponse, response_model=None)
async def verify_submit(
    request: Request, principal: OptionalPrincipalDep, session: SessionDep, settings: SettingsDep
) -> Response:
    user = await _user(session, principal) if principal else None
    async with request.form() as form:  # closes the spooled upload afterwards
        upload = form.get("file")
        content = (
            b""
            if upload is None or isinstance(upload, str)
            else await upload.read(MAX_PDF_BYTES + 1)
        )
    if not content or len(content) > MAX_PDF_BYTES:
        response = render(
            request, "records/verify.html", user=user, result=None, error="records.verify.no_file"
        )
        response.status_code = 422
        return response
    result = await transcripts_service.verify_transcript(
        session=session, content=content, keys=key_provider(settings)
    )
    return render(request, "records/verify.html", user=user, result=result, error=None)
