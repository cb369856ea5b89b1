"""Survey pages: the list, the form (mobile first, skip logic in survey.js), the staff report.

The form works without JavaScript: every question is shown and the service drops answers to
questions the skip logic hides. With JavaScript, hidden questions are hidden and disabled.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from content_service.api.deps import OptionalPrincipalDep, SessionDep
from content_service.errors import ConflictError, ServiceError
from content_service.models.people import UserRecord
from content_service.models.surveys import SurveyRecord
from content_service.schemas.common import PageParams
from content_service.schemas.surveys import AnswerValue, Question, QuestionKind
from content_service.services import surveys as surveys_service
from content_service.services.access import Principal
from content_service.web.pages import render

router = APIRouter(prefix="/pages/surveys", include_in_schema=False)
_PAGE = PageParams(limit=100, offset=0)


def _login() -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


async def _user(session: SessionDep, principal: Principal) -> UserRecord | None:
    return await session.get(UserRecord, principal.user_id)


@router.get("", response_class=HTMLResponse, response_model=None)
async def survey_list(
    request: Request, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    rows, _ = await surveys_service.list_surveys(session=session, principal=principal, page=_PAGE)
    done = {
        s.id
        for s in rows
        if await surveys_service.has_responded(session=session, principal=principal, survey_id=s.id)
    }
    user = await _user(session, principal)
    return render(
        request,
        "surveys/list.html",
        user_language=user.language if user else None,
        user=user,
        surveys=rows,
        done=done,
        staff=principal.is_staff,
    )


def answers_from_form(questions: list[Question], form: FormData) -> dict[str, AnswerValue]:
    answers: dict[str, AnswerValue] = {}
    for question in questions:
        if question.kind is QuestionKind.MULTIPLE:
            chosen = [str(v) for v in form.getlist(question.id)]
            if chosen:
                answers[question.id] = chosen
            continue
        value = form.get(question.id)
        if not isinstance(value, str) or not value.strip():
            continue
        if question.kind is QuestionKind.LIKERT and value.isdigit():
            answers[question.id] = int(value)
        else:
            answers[question.id] = value.strip()
    return answers


async def _form_page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    survey: SurveyRecord,
    *,
    answers: dict[str, Any] | None = None,
    error: ServiceError | None = None,
    status_code: int = 200,
) -> Response:
    user = await _user(session, principal)
    responded = await surveys_service.has_responded(
        session=session, principal=principal, survey_id=survey.id
    )
    response = render(
        request,
        "surveys/form.html",
        user_language=user.language if user else None,
        user=user,
        survey=survey,
        questions=surveys_service.questions_of(survey),
        answers=answers or {},
        error=error,
        responded=responded,
    )
    response.status_code = status_code
    return response


@router.get("/{survey_id}", response_class=HTMLResponse, response_model=None)
async def survey_form(
    request: Request, survey_id: uuid.UUID, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    survey = await surveys_service.get_survey(
        session=session, principal=principal, survey_id=survey_id
    )
    return await _form_page(request, session, principal, survey)


@router.post("/{survey_id}", response_class=HTMLResponse, response_model=None)
async def survey_submit(
    request: Request, survey_id: uuid.UUID, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    survey = await surveys_service.get_survey(
        session=session, principal=principal, survey_id=survey_id
    )
    answers = answers_from_form(surveys_service.questions_of(survey), await request.form())
    try:
        await surveys_service.submit_response(
            session=session, principal=principal, survey_id=survey_id, answers=answers
        )
    except ServiceError as exc:
        await session.rollback()  # nothing of a refused answer is kept; reload what it expired
        survey = await surveys_service.get_survey(
            session=session, principal=principal, survey_id=survey_id
        )
        status_code = 409 if isinstance(exc, ConflictError) else exc.status_code
        return await _form_page(
            request, session, principal, survey, answers=answers, error=exc, status_code=status_code
        )
    return RedirectResponse(f"/pages/surveys/{survey_id}/thanks", status_code=303)


@router.get("/{survey_id}/thanks", response_class=HTMLResponse, response_model=None)
async def survey_thanks(
    request: Request, survey_id: uuid.UUID, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    user = await _user(session, principal)
    return render(
        request,
        "surveys/thanks.html",
        user_language=user.language if user else None,
        user=user,
    )


@router.get("/{survey_id}/report", response_class=HTMLResponse, response_model=None)
async def survey_report(
    request: Request,
    survey_id: uuid.UUID,
    principal: OptionalPrincipalDep,
    session: SessionDep,
) -> Response:
    if principal is None:
        return _login()
    report = await surveys_service.build_report(
        session=session, principal=principal, survey_id=survey_id
    )
    user = await _user(session, principal)
    return render(
        request,
        "surveys/report.html",
        user_language=user.language if user else None,
        user=user,
        report=report,
    )
