"""nbgrader assignment pages: teachers create, release, follow and map to the gradebook; students
download the release, hand in their notebooks and see their result.

Plain server-rendered forms over the same services as ``/assignments``. A teacher creates an
assignment by uploading the files of a ``notebooks/course/source/<name>/`` folder.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import UploadFile

from content_service.api.deps import OptionalPrincipalDep, SessionDep, SettingsDep
from content_service.errors import ServiceError, UnprocessableError
from content_service.models.assignments import SubmissionRecord
from content_service.models.people import (
    ClassMembershipRecord,
    Role,
    SchoolClassRecord,
    UserRecord,
)
from content_service.schemas.assignments import (
    AssignmentCreate,
    AssignmentGradebook,
    SubmissionCreate,
)
from content_service.schemas.common import PageParams
from content_service.services import assignment_gradebook
from content_service.services import assignments as assignments_service
from content_service.services.access import Principal
from content_service.web.pages import render

router = APIRouter(prefix="/pages/assignments", include_in_schema=False)
_PAGE = PageParams(limit=100, offset=0)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # per file; the whole body is limited by the middleware


def _login() -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


async def _user(session: AsyncSession, principal: Principal) -> UserRecord | None:
    return await session.get(UserRecord, principal.user_id)


def _invalid(exc: ValidationError) -> UnprocessableError:
    """A schema refusal as a service error naming the field."""
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first["loc"])
    return UnprocessableError(f"{field}: {first['msg']}", code="validation_error")


async def _classes(session: AsyncSession, principal: Principal) -> list[SchoolClassRecord]:
    """The classes the caller works with: taught or attended; a school admin sees them all."""
    query = select(SchoolClassRecord).order_by(col(SchoolClassRecord.name))
    if principal.role is Role.SCHOOL_ADMIN:
        query = query.where(SchoolClassRecord.school_id == principal.school_id)
    else:
        query = query.where(
            col(SchoolClassRecord.id).in_(
                select(ClassMembershipRecord.class_id).where(
                    ClassMembershipRecord.user_id == principal.user_id
                )
            )
        )
    return list((await session.exec(query)).unique().all())


async def _read_form(
    request: Request, keys: tuple[str, ...]
) -> tuple[dict[str, str], list[tuple[str, bytes]]]:
    """The form's text fields and uploaded files, read while the upload files are open."""
    async with request.form() as form:
        fields = {k: str(form.get(k) or "").strip() for k in keys}
        uploads = [
            (upload.filename or "", await upload.read(MAX_UPLOAD_BYTES + 1))
            for upload in form.getlist("files")
            if isinstance(upload, UploadFile)
        ]
    return fields, uploads


def _files(uploads: list[tuple[str, bytes]]) -> dict[str, str]:
    files: dict[str, str] = {}
    for filename, content in uploads:
        name = filename.rsplit("/", 1)[-1]  # a folder upload sends "bai1/bai1.ipynb"
        if not name:
            continue
        if len(content) > MAX_UPLOAD_BYTES:
            raise UnprocessableError(f"files: {name} is larger than 20 MB", code="file_too_large")
        files[name] = base64.b64encode(content).decode("ascii")
    return files


async def _list_page(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    *,
    error: ServiceError | None = None,
    form: dict[str, Any] | None = None,
) -> Response:
    classes = await _classes(session, principal)
    by_class = []
    for klass in classes:
        rows, _ = await assignments_service.list_assignments(
            session=session, principal=principal, class_id=klass.id, page=_PAGE
        )
        by_class.append((klass, rows))
    mine: dict[uuid.UUID, SubmissionRecord] = {}
    if principal.role is Role.STUDENT:
        found = await session.exec(
            select(SubmissionRecord).where(SubmissionRecord.student_id == principal.user_id)
        )
        mine = {s.assignment_id: s for s in found.all()}
    user = await _user(session, principal)
    response = render(
        request,
        "assignments/list.html",
        user_language=user.language if user else None,
        user=user,
        by_class=by_class,
        mine=mine,
        staff=principal.is_staff,
        error=error,
        form=form or {},
    )
    if error is not None:
        response.status_code = error.status_code
    return response


@router.get("", response_class=HTMLResponse, response_model=None)
async def assignment_list(
    request: Request, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    return await _list_page(request, session, principal)


@router.post("", response_class=HTMLResponse, response_model=None)
async def assignment_create_form(
    request: Request, principal: OptionalPrincipalDep, session: SessionDep, settings: SettingsDep
) -> Response:
    if principal is None:
        return _login()
    fields, uploads = await _read_form(request, ("class_id", "name", "title", "subject"))
    try:
        try:
            data = AssignmentCreate.model_validate(fields | {"files": _files(uploads)})
        except ValidationError as exc:
            raise _invalid(exc) from None
        record = await assignments_service.create_assignment(
            session=session, principal=principal, settings=settings, data=data
        )
    except ServiceError as exc:
        await session.rollback()
        return await _list_page(request, session, principal, error=exc, form=fields)
    return RedirectResponse(f"/pages/assignments/{record.id}", status_code=303)


async def _detail_page(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    assignment_id: uuid.UUID,
    *,
    error: ServiceError | None = None,
) -> Response:
    record = await assignments_service.get_assignment(
        session=session, principal=principal, assignment_id=assignment_id
    )
    records, _ = await assignments_service.list_submissions(
        session=session, principal=principal, assignment_id=assignment_id, page=_PAGE
    )
    rows = await assignments_service.submission_views(
        session=session, principal=principal, submissions=records
    )
    names: dict[uuid.UUID, str] = {}
    if rows:
        found = await session.exec(
            select(UserRecord).where(col(UserRecord.id).in_([s.student_id for s in rows]))
        )
        names = {u.id: u.full_name or u.username for u in found.all()}
    klass = await session.get(SchoolClassRecord, record.class_id)
    user = await _user(session, principal)
    response = render(
        request,
        "assignments/teacher.html" if principal.is_staff else "assignments/student.html",
        user_language=user.language if user else None,
        user=user,
        assignment=record,
        klass=klass,
        submissions=rows,
        submission=rows[0] if rows else None,
        names=names,
        error=error,
    )
    if error is not None:
        response.status_code = error.status_code
    return response


@router.get("/{assignment_id}", response_class=HTMLResponse, response_model=None)
async def assignment_detail(
    request: Request, assignment_id: uuid.UUID, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    return await _detail_page(request, session, principal, assignment_id)


async def _act(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    assignment_id: uuid.UUID,
    action: Callable[[], Awaitable[None]],
) -> Response:
    """Run a page action; on a refusal, roll back and show the page with the reason."""
    try:
        await action()
    except ServiceError as exc:
        await session.rollback()
        return await _detail_page(request, session, principal, assignment_id, error=exc)
    return RedirectResponse(f"/pages/assignments/{assignment_id}", status_code=303)


@router.post("/{assignment_id}/release", response_class=HTMLResponse, response_model=None)
async def assignment_release_form(
    request: Request, assignment_id: uuid.UUID, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()

    async def release() -> None:
        await assignments_service.release_assignment(
            session=session, principal=principal, assignment_id=assignment_id
        )

    return await _act(request, session, principal, assignment_id, release)


@router.post("/{assignment_id}/feedback", response_class=HTMLResponse, response_model=None)
async def assignment_feedback_form(
    request: Request, assignment_id: uuid.UUID, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()

    async def release() -> None:
        await assignments_service.release_feedback(
            session=session, principal=principal, assignment_id=assignment_id
        )

    return await _act(request, session, principal, assignment_id, release)


@router.post("/{assignment_id}/gradebook", response_class=HTMLResponse, response_model=None)
async def assignment_gradebook_form(
    request: Request, assignment_id: uuid.UUID, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    fields, _ = await _read_form(request, ("subject", "semester", "column"))

    async def map_column() -> None:
        try:
            data = AssignmentGradebook.model_validate(
                fields
                | {"semester": int(fields["semester"]) if fields["semester"].isdigit() else 0}
            )
        except ValidationError as exc:
            raise _invalid(exc) from None
        await assignment_gradebook.set_gradebook(
            session=session, principal=principal, assignment_id=assignment_id, data=data
        )

    return await _act(request, session, principal, assignment_id, map_column)


@router.post("/{assignment_id}/submit", response_class=HTMLResponse, response_model=None)
async def assignment_submit_form(
    request: Request, assignment_id: uuid.UUID, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    _, uploads = await _read_form(request, ())

    async def hand_in() -> None:
        try:
            data = SubmissionCreate(files=_files(uploads))
        except ValidationError as exc:
            raise _invalid(exc) from None
        await assignments_service.submit(
            session=session, principal=principal, assignment_id=assignment_id, data=data
        )

    return await _act(request, session, principal, assignment_id, hand_in)
