"""The page shell: log in, log out, and a home page per role."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from content_service.api.deps import OptionalPrincipalDep, SessionDep, SettingsDep, credentials
from content_service.api.routes.auth import set_session_cookie
from content_service.errors import AuthenticationError
from content_service.models.people import Role, SchoolRecord, UserRecord
from content_service.services import auth as auth_service
from content_service.web.i18n import choose_language, translate

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
router = APIRouter(include_in_schema=False)


def _task(key: str, href: str) -> dict[str, str]:
    return {"key": key, "href": href}


_ITEMS = _task("task.items", "/pages/items")
_QUIZZES = _task("task.quizzes", "/pages/quizzes")
_ASSIGNMENTS = _task("assignments.task", "/pages/assignments")
_SURVEYS = _task("surveys.task", "/pages/surveys")
_RECORDS = _task("task.records", "/pages/records")
_LIBRARY = _task("task.library", "/pages/library")
_SEARCH = _task("task.search", "/thu-vien/tim-kiem")
_CALIBRATION = _task("task.calibration", "/pages/calibration")
_TOKENS = _task("task.teacher.tokens", "/me/tokens")
_API = _task("task.researcher.api", "/docs")

_TASKS: dict[Role, list[dict[str, str]]] = {
    Role.STUDENT: [
        _QUIZZES, _ASSIGNMENTS, _SURVEYS, _RECORDS, _LIBRARY, _SEARCH,
        _task("task.student.profile", "/me"), _task("task.admissions", "/pages/admissions/me"),
    ],
    Role.PARENT: [
        _RECORDS, _task("task.parent.children", "/me"),
        _task("task.admissions", "/pages/admissions/me"),
    ],
    Role.TEACHER: [
        _ITEMS, _task("task.items.new", "/pages/items/new"), _QUIZZES, _ASSIGNMENTS, _SURVEYS,
        _RECORDS,
        _CALIBRATION, _SEARCH, _LIBRARY, _task("task.teacher.classes", "/schools"), _TOKENS,
    ],
    Role.RESEARCHER: [_CALIBRATION, _ITEMS, _SEARCH, _API, _TOKENS],
    Role.LIBRARIAN: [
        _SEARCH, _LIBRARY, _task("task.review_queue", "/resources?status=submitted"),
        _task("task.library.stats", "/library/statistics.csv"),
        _task("task.librarian.api", "/docs"), _TOKENS,
    ],
    Role.SCHOOL_ADMIN: [
        _RECORDS, _ITEMS, _SURVEYS, _CALIBRATION, _LIBRARY, _SEARCH,
        _task("task.admin.users", "/users"), _task("task.admin.audit", "/audit"),
        _task("admissions.task.manage", "/pages/admissions"),
    ],
    Role.SYSTEM_ADMIN: [
        _task("admissions.task.manage", "/pages/admissions"),
        _task("task.admin.users", "/users"), _task("task.admin.audit", "/audit"),
        _task("task.admissions.api", "/docs#/admissions"), _ITEMS, _CALIBRATION, _SEARCH,
    ],
}  # fmt: skip


def render(
    request: Request, template: str, *, user_language: str | None = None, **context: Any
) -> HTMLResponse:
    lang = choose_language(request, user_language)

    def t(key: str, **values: object) -> str:
        return translate(key, lang, **values)

    response = templates.TemplateResponse(request, template, {"lang": lang, "t": t, **context})
    if request.query_params.get("lang") == lang:
        response.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax")
    return response


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request) -> HTMLResponse:
    return render(request, "login.html", user=None, error=False, username="")


@router.post("/login", response_model=None)
async def login_submit(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
) -> Response:
    try:
        token, _user, _ = await auth_service.login(
            session=session,
            username=username,
            password=password,
            lifetime=timedelta(seconds=settings.SESSION_MAX_AGE_SECONDS),
        )
    except AuthenticationError:
        response = render(request, "login.html", user=None, error=True, username=username)
        response.status_code = 401
        return response
    redirect = RedirectResponse("/", status_code=303)
    set_session_cookie(redirect, settings=settings, token=token)
    return redirect


@router.post("/logout")
async def logout_submit(
    request: Request, session: SessionDep, settings: SettingsDep
) -> RedirectResponse:
    token = credentials(request)
    if token:
        await auth_service.logout(session=session, token=token)
    redirect = RedirectResponse("/login", status_code=303)
    redirect.delete_cookie(settings.SESSION_COOKIE_NAME, path="/")
    return redirect


@router.get("/", response_class=HTMLResponse, response_model=None)
async def home(request: Request, principal: OptionalPrincipalDep, session: SessionDep) -> Response:
    if principal is None:
        return RedirectResponse("/login", status_code=303)
    user = await session.get(UserRecord, principal.user_id)
    school = await session.get(SchoolRecord, principal.school_id) if principal.school_id else None
    assert user is not None  # the principal was just loaded from this user
    return render(
        request,
        "home.html",
        user_language=user.language,
        user=user,
        school=school,
        tasks=_TASKS[principal.role],
    )
