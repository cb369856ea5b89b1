"""Quiz pages: the list, a quiz (students: start; staff: live progress and results), an attempt.

The attempt page is server-rendered and works as a plain form; ``quiz.js`` saves each answer as
it is given, keeps unsent answers in localStorage and re-sends them when the network returns,
and counts down the time the server says is left.
"""

from __future__ import annotations

import json
import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from content_service.api.deps import OptionalPrincipalDep, SessionDep, SettingsDep
from content_service.errors import ServiceError, UnprocessableError
from content_service.models.people import UserRecord
from content_service.schemas.adaptive import AdaptiveAnswerInput
from content_service.schemas.common import PageParams
from content_service.services import adaptive_attempts, quiz_reports
from content_service.services import attempts as attempts_service
from content_service.services import quizzes as quizzes_service
from content_service.services.access import Principal
from content_service.web.pages import render

router = APIRouter(prefix="/pages/quizzes", include_in_schema=False)
_PAGE = PageParams(limit=100, offset=0)


def _login() -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


async def _user(session: SessionDep, principal: Principal) -> UserRecord | None:
    return await session.get(UserRecord, principal.user_id)


def _error(request: Request, user: UserRecord | None, exc: ServiceError) -> Response:
    response = render(request, "quiz/error.html", user=user, message=exc.detail, code=exc.code)
    response.status_code = exc.status_code
    return response


@router.get("", response_class=HTMLResponse, response_model=None)
async def quiz_list(
    request: Request, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    rows, _ = await quizzes_service.list_quizzes(session=session, principal=principal, page=_PAGE)
    user = await _user(session, principal)
    return render(
        request,
        "quiz/list.html",
        user_language=user.language if user else None,
        user=user,
        quizzes=rows,
        staff=principal.is_staff,
    )


@router.get("/{quiz_id}/results.csv", response_model=None)
async def quiz_results_csv(
    request: Request,
    quiz_id: uuid.UUID,
    principal: OptionalPrincipalDep,
    session: SessionDep,
    kind: quiz_reports.CsvKind = "students",
) -> Response:
    """The teacher page's CSV download (students or items)."""
    if principal is None:
        return _login()
    try:
        text = await quiz_reports.results_csv(
            session=session, principal=principal, quiz_id=quiz_id, kind=kind
        )
    except ServiceError as exc:
        return _error(request, await _user(session, principal), exc)
    return Response(
        content=text.encode("utf-8-sig"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="quiz-{quiz_id}-{kind}.csv"'},
    )


@router.get("/{quiz_id}", response_class=HTMLResponse, response_model=None)
async def quiz_page(
    request: Request, quiz_id: uuid.UUID, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    user = await _user(session, principal)
    try:
        quiz = await quizzes_service.get_quiz(session=session, principal=principal, quiz_id=quiz_id)
        if principal.is_staff:
            report = await quiz_reports.teacher_report(
                session=session, principal=principal, quiz_id=quiz_id
            )
            return render(
                request,
                "quiz/teacher.html",
                user_language=user.language if user else None,
                user=user,
                quiz=quiz,
                progress=report.progress,
                results=report.results,
                counts=report.counts,
                abilities=report.adaptive,
                adaptive=quiz.selection == "adaptive",
            )
        attempts = await attempts_service.list_attempts(
            session=session, quiz=quiz, student_id=principal.user_id
        )
    except ServiceError as exc:
        return _error(request, user, exc)
    return render(
        request,
        "quiz/start.html",
        user_language=user.language if user else None,
        user=user,
        quiz=quiz,
        attempts=attempts,
        questions=quizzes_service.question_count(quiz),
    )


@router.post("/{quiz_id}/start", response_model=None)
async def quiz_start(
    request: Request, quiz_id: uuid.UUID, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    redraw = (await request.form()).get("redraw") == "1"
    try:
        attempt, _quiz, _created = await attempts_service.start_attempt(
            session=session, principal=principal, quiz_id=quiz_id, redraw=redraw
        )
    except ServiceError as exc:
        return _error(request, await _user(session, principal), exc)
    return RedirectResponse(f"/pages/quizzes/attempts/{attempt.id}", status_code=303)


@router.get("/attempts/{attempt_id}", response_class=HTMLResponse, response_model=None)
async def attempt_page(
    request: Request,
    attempt_id: uuid.UUID,
    principal: OptionalPrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    if principal is None:
        return _login()
    user = await _user(session, principal)
    try:
        attempt, quiz = await attempts_service.get_attempt(
            session=session, principal=principal, attempt_id=attempt_id
        )
        view = await attempts_service.attempt_view(
            session=session,
            principal=principal,
            attempt=attempt,
            quiz=quiz,
            secret=settings.SECRET_KEY,
        )
        view.adaptive = await adaptive_attempts.adaptive_progress(session, attempt, quiz)
        ability = (
            await adaptive_attempts.adaptive_result(
                session=session, principal=principal, quiz_id=quiz.id, attempt_id=attempt.id
            )
            if view.adaptive is not None and view.score is not None
            else None
        )
    except ServiceError as exc:
        return _error(request, user, exc)
    config = {
        "quizId": str(view.quiz_id),
        "adaptive": view.adaptive.model_dump() if view.adaptive else None,
        "attemptId": str(view.id),
        "token": view.token if view.mode == "test" else None,
        "mode": view.mode,
        "remaining": view.remaining_seconds,
        "answers": {
            a.question: {"sequence": a.sequence, "response": a.response} for a in view.answers
        },
    }
    return render(
        request,
        "quiz/attempt.html",
        user_language=user.language if user else None,
        user=user,
        view=view,
        saved={a.question: a.response for a in view.answers},
        review={r.question: r for r in view.review or []},
        ability=ability,
        config=json.dumps(config, ensure_ascii=False).replace("<", "\\u003c"),
    )


@router.post("/attempts/{attempt_id}/adaptive-answer", response_model=None)
async def adaptive_answer(
    request: Request, attempt_id: uuid.UUID, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    """The plain-form path of an adaptive answer (no JavaScript): answer, then see the next."""
    if principal is None:
        return _login()
    form = await request.form()
    question = str(form.get("question", ""))
    values = [str(v) for v in form.getlist(question)] if question else []
    response: object = (
        values if str(form.get("kind")) == "multiple_response" else next(iter(values), None)
    )
    user = await _user(session, principal)
    try:
        data = AdaptiveAnswerInput(
            question=question, sequence=int(str(form.get("sequence") or 1)), response=response
        )
    except ValueError:
        return _error(
            request, user, UnprocessableError("question: the form is incomplete", code="invalid")
        )
    try:
        attempt, quiz = await attempts_service.get_attempt(
            session=session, principal=principal, attempt_id=attempt_id
        )
        await adaptive_attempts.answer_adaptive(
            session=session,
            principal=principal,
            quiz_id=quiz.id,
            attempt_id=attempt.id,
            data=data,
        )
    except ServiceError as exc:
        return _error(request, user, exc)
    return RedirectResponse(f"/pages/quizzes/attempts/{attempt_id}", status_code=303)
