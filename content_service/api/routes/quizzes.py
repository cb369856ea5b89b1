"""/quizzes: definitions, assignment to classes, extensions, starting attempts, results."""

from __future__ import annotations

import time
import uuid

from fastapi import APIRouter, Response, status
from fastapi.responses import PlainTextResponse

from content_service.api.deps import PageDep, PrincipalDep, SessionDep, SettingsDep
from content_service.delivery.ratelimit import RateLimiter
from content_service.errors import RateLimitedError
from content_service.models.quizzes import QuizRecord
from content_service.schemas.adaptive import AdaptiveAnswerInput, AdaptiveResultPublic
from content_service.schemas.common import Page
from content_service.schemas.quizzes import (
    AssignmentCreate,
    AttemptPublic,
    AttemptSummary,
    ExtensionCreate,
    ExtensionPublic,
    QuizCreate,
    QuizProgress,
    QuizPublic,
    QuizResults,
    QuizSpecPublic,
)
from content_service.services import adaptive_attempts, quiz_reports
from content_service.services import attempts as attempts_service
from content_service.services import quizzes as quizzes_service

router = APIRouter(prefix="/quizzes", tags=["quizzes"])

# Per student: a burst of 5 starts, then one every 2 seconds (a stuck retry loop, not a class).
START_LIMIT = RateLimiter(rate=0.5, burst=5)


def _public(quiz: QuizRecord, model: type[QuizPublic] = QuizPublic) -> QuizPublic:
    data = model.model_validate(quiz, from_attributes=True)
    data.question_count = quizzes_service.question_count(quiz)
    return data


@router.post("", response_model=QuizSpecPublic, status_code=status.HTTP_201_CREATED)
async def create_quiz(data: QuizCreate, principal: PrincipalDep, session: SessionDep) -> QuizPublic:
    """Create a draft quiz of your school (teachers and school admins)."""
    quiz = await quizzes_service.create_quiz(session=session, principal=principal, data=data)
    return _public(quiz, QuizSpecPublic)


@router.get("", response_model=Page[QuizPublic])
async def read_quizzes(
    principal: PrincipalDep, session: SessionDep, page: PageDep
) -> Page[QuizPublic]:
    """Staff: the school's quizzes; students: the published quizzes given to their classes."""
    rows, total = await quizzes_service.list_quizzes(
        session=session, principal=principal, page=page
    )
    return Page[QuizPublic](
        items=[_public(r) for r in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.get("/{quiz_id}", response_model=QuizPublic)
async def read_quiz(quiz_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> QuizPublic:
    """One quiz's settings (no questions: those come with an attempt)."""
    quiz = await quizzes_service.get_quiz(session=session, principal=principal, quiz_id=quiz_id)
    return _public(quiz)


@router.get("/{quiz_id}/spec", response_model=QuizSpecPublic)
async def read_quiz_spec(
    quiz_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> QuizPublic:
    """The full definition with its item versions or pool rules (staff)."""
    quiz = await quizzes_service.get_managed_quiz(
        session=session, principal=principal, quiz_id=quiz_id
    )
    return _public(quiz, QuizSpecPublic)


@router.post("/{quiz_id}/publish", response_model=QuizPublic)
async def publish_quiz(
    quiz_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> QuizPublic:
    """Publish the quiz: assigned students can see and start it."""
    quiz = await quizzes_service.publish_quiz(session=session, principal=principal, quiz_id=quiz_id)
    return _public(quiz)


@router.post("/{quiz_id}/assignments", status_code=status.HTTP_201_CREATED)
async def assign_quiz(
    quiz_id: uuid.UUID, data: AssignmentCreate, principal: PrincipalDep, session: SessionDep
) -> dict[str, str]:
    """Give the quiz to a class of the school."""
    record = await quizzes_service.assign_quiz(
        session=session, principal=principal, quiz_id=quiz_id, data=data
    )
    return {"quiz_id": str(record.quiz_id), "class_id": str(record.class_id)}


@router.put("/{quiz_id}/extensions", response_model=ExtensionPublic)
async def grant_extension(
    quiz_id: uuid.UUID, data: ExtensionCreate, principal: PrincipalDep, session: SessionDep
) -> ExtensionPublic:
    """Give a student extra time and attempts (a running attempt gets the time at once)."""
    record = await quizzes_service.grant_extension(
        session=session, principal=principal, quiz_id=quiz_id, data=data
    )
    return ExtensionPublic.model_validate(record, from_attributes=True)


@router.post("/{quiz_id}/attempts", response_model=AttemptPublic)
async def start_attempt(
    quiz_id: uuid.UUID,
    principal: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
    redraw: bool = False,
) -> AttemptPublic:
    """Start an attempt (201), or resume the one in progress (200). ``redraw``: practice only."""
    if not START_LIMIT.allow(principal.user_id, time.monotonic()):
        raise RateLimitedError("too many attempt starts: wait a moment", code="rate_limited")
    attempt, quiz, created = await attempts_service.start_attempt(
        session=session, principal=principal, quiz_id=quiz_id, redraw=redraw
    )
    view = await attempts_service.attempt_view(
        session=session,
        principal=principal,
        attempt=attempt,
        quiz=quiz,
        secret=settings.SECRET_KEY,
        answers=[] if created else None,  # a new attempt has none: no need to ask
    )
    view.adaptive = await adaptive_attempts.adaptive_progress(session, attempt, quiz)
    response.status_code = 201 if created else 200
    return view


@router.post("/{quiz_id}/attempts/{attempt_id}/adaptive-answer", response_model=AttemptPublic)
async def answer_adaptive_question(
    quiz_id: uuid.UUID,
    attempt_id: uuid.UUID,
    data: AdaptiveAnswerInput,
    principal: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
) -> AttemptPublic:
    """Answer the current question of an adaptive attempt; the server chooses the next one."""
    attempt, quiz = await adaptive_attempts.answer_adaptive(
        session=session, principal=principal, quiz_id=quiz_id, attempt_id=attempt_id, data=data
    )
    view = await attempts_service.attempt_view(
        session=session, principal=principal, attempt=attempt, quiz=quiz, secret=settings.SECRET_KEY
    )
    view.adaptive = await adaptive_attempts.adaptive_progress(session, attempt, quiz)
    return view


@router.get("/{quiz_id}/attempts/{attempt_id}/adaptive-result", response_model=AdaptiveResultPublic)
async def read_adaptive_result(
    quiz_id: uuid.UUID, attempt_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> AdaptiveResultPublic:
    """EAP ability, its standard error and the number correct (students: once released)."""
    return await adaptive_attempts.adaptive_result(
        session=session, principal=principal, quiz_id=quiz_id, attempt_id=attempt_id
    )


@router.get("/{quiz_id}/attempts", response_model=list[AttemptSummary])
async def read_quiz_attempts(
    quiz_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> list[AttemptSummary]:
    """Your attempts at this quiz (students), or every attempt (staff)."""
    quiz = await quizzes_service.get_quiz(session=session, principal=principal, quiz_id=quiz_id)
    student = principal.user_id if not principal.is_staff else None
    rows = await attempts_service.list_attempts(session=session, quiz=quiz, student_id=student)
    return [AttemptSummary.model_validate(r, from_attributes=True) for r in rows]


@router.get("/{quiz_id}/results", response_model=QuizResults)
async def read_quiz_results(
    quiz_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> QuizResults:
    """Scores per student and classical statistics per item (staff)."""
    return await quizzes_service.quiz_results(session=session, principal=principal, quiz_id=quiz_id)


@router.get("/{quiz_id}/results.csv", response_class=PlainTextResponse)
async def export_quiz_results(
    quiz_id: uuid.UUID,
    principal: PrincipalDep,
    session: SessionDep,
    kind: quiz_reports.CsvKind = "students",
) -> Response:
    """Results per student (``kind=students``) or per item (``kind=items``) as CSV (staff)."""
    text = await quiz_reports.results_csv(
        session=session, principal=principal, quiz_id=quiz_id, kind=kind
    )
    filename = f"quiz-{quiz_id}-{kind}.csv"
    return Response(
        content=text.encode("utf-8-sig"),  # the BOM makes Excel read Vietnamese correctly
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/{quiz_id}/progress", response_model=QuizProgress)
async def read_quiz_progress(
    quiz_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> QuizProgress:
    """Live progress of a running quiz: who started, how many answered, time left (staff)."""
    return await quizzes_service.quiz_progress(
        session=session, principal=principal, quiz_id=quiz_id
    )
