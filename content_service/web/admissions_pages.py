"""Admissions pages: the Department's (or a school's) rounds, uploads, allocation, cut-offs,
the supplementary round, answer-sheet scoring and the deferred-acceptance comparison; and for a
student or parent, "my results" with the reason for every wish. Vietnamese first, plain forms.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from content_service.api.deps import OptionalPrincipalDep, SessionDep
from content_service.errors import ServiceError, UnprocessableError
from content_service.models.admissions import AdmissionRoundRecord
from content_service.models.people import Role, UserRecord
from content_service.schemas.admissions import RoundCreate
from content_service.schemas.common import PageParams
from content_service.services import admissions as admissions_service
from content_service.services import admissions_sheets as sheets_service
from content_service.services import admissions_supplementary as supplementary_service
from content_service.services.access import Principal
from content_service.web.pages import render

router = APIRouter(prefix="/pages/admissions", include_in_schema=False)
_PAGE = PageParams(limit=200, offset=0)
_MANAGERS = (Role.SYSTEM_ADMIN, Role.SCHOOL_ADMIN)
_APPLICANTS = (Role.STUDENT, Role.PARENT)
Action = Callable[[Principal, uuid.UUID], Awaitable[str]]
CsvFile = Annotated[UploadFile | None, File(description="UTF-8 CSV")]


def _login() -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


def _lines(exc: ServiceError) -> list[str]:
    return [line.strip() for line in str(exc.detail).split("; ") if line.strip()]


async def _render(
    request: Request,
    session: SessionDep,
    principal: Principal,
    template: str,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    user = await session.get(UserRecord, principal.user_id)
    response = render(
        request, template, user_language=user.language if user else None, user=user, **context
    )
    response.status_code = status_code
    return response


async def _forbidden(request: Request, session: SessionDep, principal: Principal) -> Response:
    return await _render(
        request, session, principal, "admissions/error.html", status_code=403,
        error_key="admissions.forbidden", errors=[],
    )  # fmt: skip


@router.get("", response_class=HTMLResponse, response_model=None)
async def admissions_home(
    request: Request, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    if principal.role in _APPLICANTS:
        return RedirectResponse("/pages/admissions/me", status_code=303)
    if principal.role not in _MANAGERS:
        return await _forbidden(request, session, principal)
    return await _rounds(request, session, principal, errors=[])


async def _rounds(
    request: Request,
    session: SessionDep,
    principal: Principal,
    *,
    errors: list[str],
    status_code: int = 200,
) -> Response:
    rounds, _ = await admissions_service.list_rounds(
        session=session, principal=principal, page=_PAGE
    )
    return await _render(
        request, session, principal, "admissions/rounds.html", status_code=status_code,
        rounds=rounds, errors=errors, department=principal.is_system_admin,
    )  # fmt: skip


@router.post("/rounds", response_class=HTMLResponse, response_model=None)
async def create_round_submit(
    request: Request,
    principal: OptionalPrincipalDep,
    session: SessionDep,
    name: Annotated[str, Form(max_length=200)],
    rule_date: Annotated[str, Form(max_length=10)],
    admission_year: Annotated[str, Form(max_length=4)],
    kind: Annotated[str, Form(max_length=10)] = "grade10",
    grade: Annotated[str, Form(max_length=2)] = "10",
) -> Response:
    if principal is None:
        return _login()
    if principal.role not in _MANAGERS:
        return await _forbidden(request, session, principal)
    try:
        data = RoundCreate.model_validate(
            {"name": name, "kind": kind, "grade": int(grade) if grade.isdigit() else grade,
             "rule_date": rule_date,
             "admission_year": admission_year}
        )  # fmt: skip
        round_ = await admissions_service.create_round(
            session=session, principal=principal, data=data
        )
    except ValidationError as error:
        lines = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()]
        return await _rounds(request, session, principal, errors=lines, status_code=422)
    except ServiceError as exc:
        await session.rollback()
        return await _rounds(
            request, session, principal, errors=_lines(exc), status_code=exc.status_code
        )
    return RedirectResponse(f"/pages/admissions/rounds/{round_.id}", status_code=303)


async def _round_page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    round_id: uuid.UUID,
    *,
    errors: list[str],
    done: str = "",
    status_code: int = 200,
) -> Response:
    try:
        round_ = await admissions_service.get_round(
            session=session, principal=principal, round_id=round_id
        )
    except ServiceError as exc:
        return await _render(
            request, session, principal, "admissions/error.html", status_code=exc.status_code,
            error_key="", errors=_lines(exc),
        )  # fmt: skip
    schools = await admissions_service.list_schools(
        session=session, principal=principal, round_id=round_id
    )
    applicants, total = await admissions_service.list_applicants(
        session=session, principal=principal, round_id=round_id, page=_PAGE
    )
    return await _render(
        request, session, principal, "admissions/round.html", status_code=status_code,
        round=round_, schools=schools, applicants=applicants, total=total, errors=errors,
        done=done, cutoffs=_cutoff_table(round_), supplementary=_phase_two(round_),
    )  # fmt: skip


def _cutoff_table(round_: AdmissionRoundRecord) -> list[dict[str, Any]]:
    """Cut-offs grouped by school, each school's rounds in the order they ran."""
    by_school: dict[str, list[dict[str, Any]]] = {}
    for row in round_.cutoffs:
        by_school.setdefault(str(row.get("school")), []).append(row)
    return [{"school": code, "rows": rows} for code, rows in sorted(by_school.items())]


def _phase_two(round_: AdmissionRoundRecord) -> dict[str, Any]:
    return supplementary_service.phase_two(round_) or {"status": "closed"}


@router.get("/rounds/{round_id}", response_class=HTMLResponse, response_model=None)
async def round_page(
    request: Request,
    round_id: uuid.UUID,
    principal: OptionalPrincipalDep,
    session: SessionDep,
    done: str = "",
) -> Response:
    if principal is None:
        return _login()
    return await _round_page(request, session, principal, round_id, errors=[], done=done[:80])


async def _act(
    request: Request,
    session: SessionDep,
    principal: Principal | None,
    round_id: uuid.UUID,
    action: Action,
) -> Response:
    """Run a form's action; on success back to the round page with a note, else show why."""
    if principal is None:
        return _login()
    try:
        done = await action(principal, round_id)
    except ServiceError as exc:
        await session.rollback()
        return await _round_page(
            request, session, principal, round_id, errors=_lines(exc), status_code=exc.status_code
        )
    return RedirectResponse(f"/pages/admissions/rounds/{round_id}?done={done}", status_code=303)


async def _text(file: UploadFile | None) -> str:
    if file is None or not file.filename:
        raise UnprocessableError("file: choose a CSV file", code="no_file")
    try:
        text = (await file.read()).decode("utf-8")
    except UnicodeDecodeError:
        raise UnprocessableError("file: the CSV is not UTF-8", code="bad_csv") from None
    if "\x00" in text:  # PostgreSQL text cannot hold U+0000
        raise UnprocessableError("file: contains a NUL character", code="bad_csv")
    return text


@router.post("/rounds/{round_id}/schools", response_class=HTMLResponse, response_model=None)
async def schools_submit(
    request: Request,
    round_id: uuid.UUID,
    principal: OptionalPrincipalDep,
    session: SessionDep,
    file: CsvFile = None,
) -> Response:
    async def action(who: Principal, rid: uuid.UUID) -> str:
        await admissions_service.get_round(session=session, principal=who, round_id=rid)
        data = admissions_service.schools_from_csv(await _text(file))
        await admissions_service.set_schools(
            session=session, principal=who, round_id=rid, data=data
        )
        return "schools"

    return await _act(request, session, principal, round_id, action)


@router.post("/rounds/{round_id}/applicants", response_class=HTMLResponse, response_model=None)
async def applicants_submit(
    request: Request,
    round_id: uuid.UUID,
    principal: OptionalPrincipalDep,
    session: SessionDep,
    file: CsvFile = None,
) -> Response:
    async def action(who: Principal, rid: uuid.UUID) -> str:
        round_ = await admissions_service.get_round(session=session, principal=who, round_id=rid)
        text = await _text(file)
        try:
            rows = admissions_service.parse_applicants_csv(text, round_.kind)
        except ValueError as error:
            raise UnprocessableError(f"file: {error}", code="bad_csv") from None
        await admissions_service.add_applicants(
            session=session, principal=who, round_id=rid, rows=rows
        )
        return "applicants"

    return await _act(request, session, principal, round_id, action)


@router.post("/rounds/{round_id}/allocation", response_class=HTMLResponse, response_model=None)
async def allocation_submit(
    request: Request, round_id: uuid.UUID, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    async def action(who: Principal, rid: uuid.UUID) -> str:
        _, job = await admissions_service.allocate(session=session, principal=who, round_id=rid)
        return "job" if job else "allocated"

    return await _act(request, session, principal, round_id, action)


@router.post(
    "/rounds/{round_id}/supplementary/open", response_class=HTMLResponse, response_model=None
)
async def supplementary_open_submit(
    request: Request, round_id: uuid.UUID, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    async def action(who: Principal, rid: uuid.UUID) -> str:
        await supplementary_service.open_supplementary(session=session, principal=who, round_id=rid)
        return "supplementary_open"

    return await _act(request, session, principal, round_id, action)


@router.post(
    "/rounds/{round_id}/supplementary/wishes", response_class=HTMLResponse, response_model=None
)
async def supplementary_wishes_submit(
    request: Request,
    round_id: uuid.UUID,
    principal: OptionalPrincipalDep,
    session: SessionDep,
    file: CsvFile = None,
) -> Response:
    async def action(who: Principal, rid: uuid.UUID) -> str:
        await admissions_service.get_round(session=session, principal=who, round_id=rid)
        text = await _text(file)
        try:
            rows = supplementary_service.parse_supplementary_csv(text)
        except ValueError as error:
            raise UnprocessableError(f"file: {error}", code="bad_csv") from None
        await supplementary_service.submit_supplementary_wishes(
            session=session, principal=who, round_id=rid, rows=rows
        )
        return "supplementary_wishes"

    return await _act(request, session, principal, round_id, action)


@router.post(
    "/rounds/{round_id}/supplementary/allocation",
    response_class=HTMLResponse,
    response_model=None,
)
async def supplementary_allocation_submit(
    request: Request, round_id: uuid.UUID, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    async def action(who: Principal, rid: uuid.UUID) -> str:
        _, job = await supplementary_service.allocate_supplementary(
            session=session, principal=who, round_id=rid
        )
        return "job" if job else "supplementary_allocated"

    return await _act(request, session, principal, round_id, action)


@router.post("/rounds/{round_id}/answer-sheets", response_class=HTMLResponse, response_model=None)
async def answer_sheets_submit(
    request: Request,
    round_id: uuid.UUID,
    principal: OptionalPrincipalDep,
    session: SessionDep,
    file: CsvFile = None,
    assembly_id: Annotated[str, Form(max_length=64)] = "",
    subject: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    async def action(who: Principal, rid: uuid.UUID) -> str:
        try:
            exam = uuid.UUID(assembly_id.strip())
        except ValueError:
            raise UnprocessableError(
                "assembly_id: not an exam id (a UUID)", code="bad_assembly_id"
            ) from None
        await sheets_service.score_answer_sheets(
            session=session, principal=who, round_id=rid, assembly_id=exam,
            subject=subject, text=await _text(file),
        )  # fmt: skip
        return "sheets"

    return await _act(request, session, principal, round_id, action)


@router.get("/rounds/{round_id}/comparison", response_class=HTMLResponse, response_model=None)
async def comparison_page(
    request: Request, round_id: uuid.UUID, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    try:
        round_ = await admissions_service.get_round(
            session=session, principal=principal, round_id=round_id
        )
        report = await admissions_service.compare(
            session=session, principal=principal, round_id=round_id
        )
    except ServiceError as exc:
        return await _render(
            request, session, principal, "admissions/error.html", status_code=exc.status_code,
            error_key="", errors=_lines(exc),
        )  # fmt: skip
    return await _render(
        request, session, principal, "admissions/comparison.html", round=round_, report=report
    )


async def _me(
    request: Request,
    session: SessionDep,
    principal: Principal,
    *,
    errors: list[str],
    done: str = "",
    status_code: int = 200,
) -> Response:
    results = await admissions_service.my_results(session=session, principal=principal)
    offers = await supplementary_service.my_offer(session=session, principal=principal)
    open_rounds = {r.id: (r, seats) for r, seats in offers}
    max_wishes = {r.id: supplementary_service.phase_two(r).get("max_wishes", 3) for r, _ in offers}
    return await _render(
        request, session, principal, "admissions/me.html", status_code=status_code,
        results=results, open_rounds=open_rounds, errors=errors, done=done,
        max_wishes=max_wishes,
    )  # fmt: skip


@router.get("/me", response_class=HTMLResponse, response_model=None)
async def my_results_page(
    request: Request, principal: OptionalPrincipalDep, session: SessionDep, done: str = ""
) -> Response:
    if principal is None:
        return _login()
    if principal.role not in _APPLICANTS:
        return await _forbidden(request, session, principal)
    return await _me(request, session, principal, errors=[], done=done[:80])


@router.post("/me/supplementary", response_class=HTMLResponse, response_model=None)
async def my_supplementary_submit(
    request: Request,
    principal: OptionalPrincipalDep,
    session: SessionDep,
    round_id: Annotated[uuid.UUID, Form()],
    applicant_code: Annotated[str, Form(max_length=64)],
    nv1: Annotated[str, Form(max_length=32)] = "",
    nv2: Annotated[str, Form(max_length=32)] = "",
    nv3: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    if principal is None:
        return _login()
    if principal.role not in _APPLICANTS:
        return await _forbidden(request, session, principal)
    wishes = [w.strip() for w in (nv1, nv2, nv3) if w.strip()]
    try:
        await supplementary_service.submit_supplementary_wishes(
            session=session, principal=principal, round_id=round_id,
            rows=[{"applicant_code": applicant_code, "wishes": wishes}],
        )  # fmt: skip
    except ServiceError as exc:
        await session.rollback()
        return await _me(
            request, session, principal, errors=_lines(exc), status_code=exc.status_code
        )
    return RedirectResponse("/pages/admissions/me?done=supplementary_wishes", status_code=303)
