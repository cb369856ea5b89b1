"""/attempts: read, save answers, submit, and the QTI results report of one attempt.

Saving answers has two paths. With the attempt token (``X-Attempt-Token``, handed out with the
attempt, signed, carrying the deadline) a test's answers go to the answer batcher: no session
lookup, no ORM, and one multi-row conditional upsert and one COMMIT for all the saves arriving
together (``services.answer_batcher``); each request is answered after its batch is
committed. Without it (or in practice mode, which returns feedback) the request is
authenticated like any other and checked through the service.
"""

from __future__ import annotations

import time
import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from starlette.datastructures import State

from content_service.api.deps import PrincipalDep, SessionDep, SettingsDep, credentials
from content_service.db import session_scope
from content_service.delivery.ratelimit import RateLimiter
from content_service.errors import AuthenticationError, RateLimitedError
from content_service.models.base import utcnow
from content_service.models.quizzes import QuizMode
from content_service.schemas.quizzes import AnswerResult, AnswersInput, AnswersResult, AttemptPublic
from content_service.services import attempts as attempts_service
from content_service.services import auth as auth_service
from content_service.services.answer_batcher import AnswerBatcher

router = APIRouter(prefix="/attempts", tags=["attempts"])
# The answer-save route alone, which the app includes before every other router: it is the
# hottest path of a test (every student, every few seconds), and routes are matched in order.
answers_router = APIRouter(prefix="/attempts", tags=["attempts"])

# Per attempt: a burst of 120 saves (a reconnecting browser re-sends its queue), then 20/s.
ANSWER_LIMIT = RateLimiter(rate=20.0, burst=120)


@router.get("/{attempt_id}", response_model=AttemptPublic)
async def read_attempt(
    attempt_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, settings: SettingsDep
) -> AttemptPublic:
    """Your attempt (to resume it), with the server's remaining time; review when released."""
    attempt, quiz = await attempts_service.get_attempt(
        session=session, principal=principal, attempt_id=attempt_id
    )
    return await attempts_service.attempt_view(
        session=session, principal=principal, attempt=attempt, quiz=quiz, secret=settings.SECRET_KEY
    )


@answers_router.post("/{attempt_id}/answers", response_model=AnswersResult)
async def save_answers(
    attempt_id: uuid.UUID,
    data: AnswersInput,
    request: Request,
    x_attempt_token: Annotated[str | None, Header(max_length=200)] = None,
) -> AnswersResult:
    """Save answers; each replaces the saved one only if its sequence number is higher."""
    if not ANSWER_LIMIT.allow(attempt_id, time.monotonic()):
        raise RateLimitedError("too many answer saves: slow down", code="rate_limited")
    claims = token_claims(request.app.state.settings.SECRET_KEY, attempt_id, x_attempt_token)
    if claims is not None:
        return await save_with_token(request.app.state, attempt_id, data, claims)
    token = credentials(request)
    if not token:
        raise AuthenticationError("log in or send the attempt token", code="not_authenticated")
    async with session_scope(request.app.state.sessionmaker) as session:
        principal = await auth_service.authenticate(session=session, token=token)
        results, remaining = await attempts_service.save_answers(
            session=session, principal=principal, attempt_id=attempt_id, answers=data.answers
        )
    return AnswersResult(results=results, remaining_seconds=remaining)


def token_claims(
    secret: str, attempt_id: uuid.UUID, token: str | None
) -> attempts_service.TokenClaims | None:
    """The claims of an attempt token that lets this save skip the session: valid, for this
    attempt, in a test (practice answers get feedback, which needs the service)."""
    claims = attempts_service.read_attempt_token(secret, token) if token else None
    if claims is None or claims.attempt_id != attempt_id or claims.mode is not QuizMode.TEST:
        return None
    return claims


async def save_with_token(
    state: State, attempt_id: uuid.UUID, data: AnswersInput, claims: attempts_service.TokenClaims
) -> AnswersResult:
    """Save a test's answers on the token's word: through the batcher until the token's
    deadline, after it straight to the database (which knows whether an extension moved it)."""
    attempts_service.check_answers(data.answers, claims.question_count)
    now = utcnow()
    if not claims.expired(now):
        batcher: AnswerBatcher = state.answer_batcher
        stored = await batcher.save(attempt_id, data.answers, now)
    else:
        async with state.engine.begin() as connection:
            stored = await attempts_service.write_answers(connection, attempt_id, data.answers, now)
    return AnswersResult(
        results=[
            AnswerResult(question=a.question, sequence=a.sequence, saved=s)
            for a, s in zip(data.answers, stored, strict=True)
        ],
        remaining_seconds=None,
    )


@router.post("/{attempt_id}/submit", response_model=AttemptPublic)
async def submit_attempt(
    attempt_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, settings: SettingsDep
) -> AttemptPublic:
    """Submit your attempt; submitting again answers the same result."""
    attempt, quiz = await attempts_service.submit_attempt(
        session=session, principal=principal, attempt_id=attempt_id
    )
    return await attempts_service.attempt_view(
        session=session, principal=principal, attempt=attempt, quiz=quiz, secret=settings.SECRET_KEY
    )


@router.get(
    "/{attempt_id}/qti-result",
    response_class=Response,
    responses={200: {"content": {"application/xml": {}}}},
)
async def read_attempt_report(
    attempt_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> Response:
    """The attempt as a QTI 3.0 results report (staff; the student once the review is open)."""
    body = await attempts_service.results_report_of(
        session=session, principal=principal, attempt_id=attempt_id
    )
    return Response(
        body,
        media_type="application/xml",
        headers={"Content-Disposition": f'attachment; filename="attempt-{attempt_id}.xml"'},
    )
