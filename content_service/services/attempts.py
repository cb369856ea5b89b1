"""Attempts: start, resume, save answers, submit (by the student or at the deadline), review.

The server owns the clock: every deadline is computed here from the quiz's timing and the
student's extension (``content_service.delivery.clock``). Answers are saved one by one with one
conditional upsert each (``quiz_answer`` keyed by attempt and question; a row changes only for a
higher client sequence number, and only while the attempt is open), so a re-sent answer never
duplicates or overwrites a newer one. An attempt past its deadline and grace is submitted with
what was saved, lazily by whoever touches it first, or by the job queued for its deadline.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col
from sqlmodel import select as sm_select
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.delivery.answers import check_response
from content_service.delivery.clock import (
    AttemptWindow,
    TimingRules,
    WindowError,
    attempt_window,
    check_can_start,
)
from content_service.delivery.draws import PoolShortageError, draw_from_pools
from content_service.delivery.results_report import ItemOutcome, results_report
from content_service.delivery.review import ReviewPolicy, Visibility, review_visibility
from content_service.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ServiceError,
    UnprocessableError,
)
from content_service.jobs import enqueue
from content_service.models.base import as_utc, utcnow
from content_service.models.people import Role
from content_service.models.quizzes import (
    AnswerRecord,
    AttemptRecord,
    AttemptStatus,
    QuizMode,
    QuizRecord,
    QuizSelection,
)
from content_service.schemas.quizzes import (
    AnswerFeedback,
    AnswerInput,
    AnswerResult,
    AttemptPublic,
    ChoiceView,
    QuestionView,
    SavedAnswer,
)
from content_service.services import quizzes as quizzes_service
from content_service.services.access import Principal, require_role
from content_service.services.audit import record_audit
from item_bank.items import Item, ItemKind
from item_bank.rendering import render_item
from item_bank.scoring import ScoreResult, score_response
from item_bank.templates import Variant, draw_variant, shuffled_choices

FINISH_JOB = "quizzes.finish_attempt"
_ANSWERS = AnswerRecord.__table__  # type: ignore[attr-defined]
_ATTEMPTS = AttemptRecord.__table__  # type: ignore[attr-defined]


def _attempt_not_found(attempt_id: uuid.UUID | str) -> NotFoundError:
    return NotFoundError(f"attempt {attempt_id} not found", code="attempt_not_found")


def _closed(attempt_id: uuid.UUID | str) -> ConflictError:
    return ConflictError(
        f"attempt {attempt_id} is submitted or past its deadline: no more answers",
        code="attempt_closed",
    )


# -- the attempt token ----------------------------------------------------------------------------


def _signature(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()[:32]


def attempt_token(secret: str, attempt: AttemptRecord, mode: QuizMode) -> str:
    """A signed token naming the attempt, its mode, question count and deadline (the fast path).

    The deadline (``accept_until``, whole seconds since the epoch, 0 for none) lets the save path
    notice a token past its time without reading the database; the database still has the last
    word, since an extension or an early submission changes the attempt after the token was made.
    """
    accept_until = int(as_utc(attempt.accept_until).timestamp()) if attempt.accept_until else 0
    payload = f"{attempt.id}.{mode.value}.{len(attempt.questions)}.{accept_until}"
    return f"{payload}.{_signature(secret, payload)}"


@dataclass(frozen=True, slots=True)
class TokenClaims:
    attempt_id: uuid.UUID
    mode: QuizMode
    question_count: int
    accept_until: datetime | None

    def expired(self, now: datetime) -> bool:
        """Whether the token's deadline has passed (by the server clock)."""
        return self.accept_until is not None and now > self.accept_until


def read_attempt_token(secret: str, token: str) -> TokenClaims | None:
    """The claims of a valid token, else ``None``."""
    payload, _, signature = token.rpartition(".")
    if not hmac.compare_digest(_signature(secret, payload), signature):
        return None
    fields = payload.split(".")
    if len(fields) != 4:  # a token of an older format: the caller logs in instead
        return None
    attempt_id, mode, count, accept_until = fields
    return TokenClaims(
        uuid.UUID(attempt_id),
        QuizMode(mode),
        int(count),
        datetime.fromtimestamp(int(accept_until), UTC) if int(accept_until) else None,
    )


# -- timing ------------------------------------------------------------------------------------


def timing_rules(quiz: QuizRecord) -> TimingRules:
    return TimingRules(
        opens_at=as_utc(quiz.opens_at) if quiz.opens_at else None,
        closes_at=as_utc(quiz.closes_at) if quiz.closes_at else None,
        time_limit_seconds=quiz.time_limit_seconds,
        grace_seconds=quiz.grace_seconds,
    )


def window_of(attempt: AttemptRecord, quiz: QuizRecord) -> AttemptWindow:
    return AttemptWindow(
        deadline=as_utc(attempt.deadline) if attempt.deadline else None,
        grace_seconds=quiz.grace_seconds,
    )


# -- items of an attempt --------------------------------------------------------------------------


def question_seed(seed: int, position: int) -> int:
    return (seed * 1_000_003 + position) % (2**62)


@dataclass(frozen=True, slots=True)
class DeliveredQuestion:
    """One question of an attempt: the pinned item, its variant and its option order."""

    key: str
    version_id: str
    item: Item  # the variant's instantiated item when parameterised
    variant: Variant | None
    choice_order: tuple[str, ...]
    content_hash: str = ""  # of the pinned version: with the order, names what the student sees


async def delivered_questions(
    session: AsyncSession, attempt: AttemptRecord
) -> list[DeliveredQuestion]:
    items = await quizzes_service.load_items(session, [q["version_id"] for q in attempt.questions])
    delivered = []
    for position, question in enumerate(attempt.questions):
        item, pinned_hash = items[question["version_id"]]
        variant = (
            draw_variant(item, question_seed(attempt.seed, position))
            if item.template_variables
            else None
        )
        delivered.append(
            DeliveredQuestion(
                key=question["key"],
                version_id=question["version_id"],
                item=variant.item if variant else item,
                variant=variant,
                choice_order=tuple(question.get("choices", ())),
                content_hash=pinned_hash,
            )
        )
    return delivered


# Rendering (Markdown, maths, sanitising) is most of the CPU time of starting an attempt, and
# every student of a fixed test sees the same pinned versions: keep the views of plain
# (non-parameterised) questions per version content and option order.
_VIEWS: dict[tuple[str, str, tuple[str, ...]], QuestionView] = {}
_VIEWS_KEPT = 4096


def question_view(question: DeliveredQuestion) -> QuestionView:
    """What the student sees: stem and options in the attempt's order, never the key."""
    if question.variant is not None or not question.content_hash:
        return _render_view(question)
    key = (question.version_id, question.content_hash, question.choice_order)
    view = _VIEWS.get(key)
    if view is None:
        if len(_VIEWS) >= _VIEWS_KEPT:
            _VIEWS.clear()
        view = _VIEWS[key] = _render_view(question)
    return view.model_copy(update={"key": question.key})


def _render_view(question: DeliveredQuestion) -> QuestionView:
    item = question.item
    order = question.choice_order if len(question.choice_order) == len(item.choices) else None
    rendered = render_item(item, choice_order=order, with_key=False)
    return QuestionView(
        key=question.key,
        kind=item.kind.value,
        stem_html=rendered.stem_html,
        choices=[ChoiceView(identifier=i, html=body) for i, body in rendered.choices],
        max_choices=item.max_choices if item.kind is ItemKind.MULTIPLE_RESPONSE else 1,
        points=item.points,
    )


def _correct_response(item: Item) -> list[str]:
    if item.correct:
        return list(item.correct)
    if item.numeric_keys:
        return [str(k.value) for k in item.numeric_keys if k.score >= 1.0]
    if item.text_answers:
        return [a.text for a in item.text_answers if a.score >= 1.0]
    return []


def score_question(question: DeliveredQuestion, response: Any) -> ScoreResult:
    """Score one response; a response that does not fit the item scores zero."""
    try:
        return score_response(question.item, response)
    except (ValueError, TypeError):
        return ScoreResult(0.0, question.item.points, False)


def feedback_for(question: DeliveredQuestion, response: Any) -> AnswerFeedback:
    result = score_question(question, response)
    return AnswerFeedback(
        question=question.key,
        score=None if result.needs_manual_scoring else result.score,
        max_score=result.max_score,
        correct=result.correct,
        correct_response=_correct_response(question.item),
        feedback=list(result.feedback),
        explanation=question.item.rationale or "",
    )


# -- start -------------------------------------------------------------------------------------


async def _draw_versions(session: AsyncSession, quiz: QuizRecord, rng: random.Random) -> list[str]:
    if quiz.selection == QuizSelection.FIXED:
        return list(quiz.spec["version_ids"])
    if quiz.selection == QuizSelection.BLUEPRINT:
        from content_service.services import quiz_blueprints  # import cycle

        return await quiz_blueprints.draw_blueprint_versions(session, quiz.spec["blueprint"], rng)
    if quiz.selection == QuizSelection.ADAPTIVE:
        return []  # adaptive_attempts.begin_attempt chooses the first item
    rules = quizzes_service.pool_rules(quiz)
    try:
        return draw_from_pools(rules, await quizzes_service.pool_candidates(session, rules), rng)
    except PoolShortageError as exc:
        raise UnprocessableError(str(exc), code="pool_too_small") from exc


async def _build_questions(
    session: AsyncSession, quiz: QuizRecord, seed: int
) -> list[dict[str, Any]]:
    rng = random.Random(seed)  # noqa: S311 - reproducible draws, not secrets
    version_ids = await _draw_versions(session, quiz, rng)
    if quiz.shuffle_questions:
        rng.shuffle(version_ids)
    items = await quizzes_service.load_items(session, version_ids)
    questions = []
    for position, version_id in enumerate(version_ids):
        item = items[version_id].item
        order_rng = random.Random(question_seed(seed, position))  # noqa: S311
        choices = shuffled_choices(item, order_rng) if quiz.shuffle_choices else item.choices
        questions.append(
            {
                "key": f"q{position + 1}",
                "version_id": version_id,
                "choices": [c.identifier for c in choices],
            }
        )
    return questions


async def _attempts_of(
    session: AsyncSession, quiz_id: uuid.UUID, student_id: uuid.UUID
) -> list[AttemptRecord]:
    query = (
        sm_select(AttemptRecord)
        .where(AttemptRecord.quiz_id == quiz_id, AttemptRecord.student_id == student_id)
        .order_by(col(AttemptRecord.number))
    )
    return list((await session.exec(query)).all())


async def start_attempt(
    *,
    session: AsyncSession,
    principal: Principal,
    quiz_id: uuid.UUID,
    redraw: bool = False,
    now: datetime | None = None,
) -> tuple[AttemptRecord, QuizRecord, bool]:
    """Start an attempt, or resume the one in progress (``redraw``: practice only, a new set)."""
    now = now or utcnow()
    require_role(principal, Role.STUDENT)
    quiz = await quizzes_service.get_quiz(session=session, principal=principal, quiz_id=quiz_id)
    attempts = await _attempts_of(session, quiz.id, principal.user_id)
    for attempt in attempts:
        if attempt.status == AttemptStatus.IN_PROGRESS:
            if window_of(attempt, quiz).is_over(now) or (redraw and quiz.mode == QuizMode.PRACTICE):
                await finish_attempt(session=session, attempt=attempt, quiz=quiz, now=now)
            else:
                return attempt, quiz, False  # resume: another device, a reload, a double click
    extension = await quizzes_service.extension_for(session, quiz.id, principal.user_id)
    extra_seconds = extension.extra_seconds if extension else 0
    if quiz.mode == QuizMode.TEST:
        try:
            check_can_start(timing_rules(quiz), now=now, extension_seconds=extra_seconds)
        except WindowError as exc:
            raise ConflictError(str(exc), code=f"quiz_{exc.code}") from exc
        allowed = quiz.max_attempts
        if allowed is not None and len(attempts) >= allowed + (
            extension.extra_attempts if extension else 0
        ):
            raise ConflictError(
                f"all {len(attempts)} attempts of this quiz are used", code="no_attempts_left"
            )
    seed = secrets.randbits(62)
    window = attempt_window(
        timing_rules(quiz) if quiz.mode == QuizMode.TEST else TimingRules(),
        started_at=now,
        extension_seconds=extra_seconds,
    )
    attempt = AttemptRecord(
        quiz_id=quiz.id,
        student_id=principal.user_id,
        number=len(attempts) + 1,
        seed=seed,
        questions=await _build_questions(session, quiz, seed),
        started_at=now,
        deadline=window.deadline,
        accept_until=window.accept_until,
    )
    session.add(attempt)
    try:
        await session.flush()
    except IntegrityError as exc:  # the same student pressed start twice at once
        raise ConflictError("an attempt was just started: reload", code="attempt_started") from exc
    if quiz.selection == QuizSelection.ADAPTIVE:
        from content_service.services import adaptive_attempts  # import cycle

        await adaptive_attempts.begin_attempt(session=session, attempt=attempt, quiz=quiz)
    if window.accept_until is not None:
        enqueue(
            session,
            FINISH_JOB,
            {"attempt_id": str(attempt.id)},
            principal=principal,
            run_after=window.accept_until,
        )
    return attempt, quiz, True


async def apply_extension(
    *, session: AsyncSession, quiz: QuizRecord, student_id: uuid.UUID, extra_seconds: int
) -> None:
    """Move the deadline of the student's running attempt to include the extension."""
    for attempt in await _attempts_of(session, quiz.id, student_id):
        if attempt.status != AttemptStatus.IN_PROGRESS:
            continue
        window = attempt_window(
            timing_rules(quiz),
            started_at=as_utc(attempt.started_at),
            extension_seconds=extra_seconds,
        )
        attempt.deadline = window.deadline
        attempt.accept_until = window.accept_until
        session.add(attempt)
        if window.accept_until is not None:
            enqueue(
                session, FINISH_JOB, {"attempt_id": str(attempt.id)}, run_after=window.accept_until
            )


# -- reading -----------------------------------------------------------------------------------


async def get_attempt(
    *,
    session: AsyncSession,
    principal: Principal,
    attempt_id: uuid.UUID,
    now: datetime | None = None,
) -> tuple[AttemptRecord, QuizRecord]:
    """The caller's own attempt, or one of their school's (staff); submitted lazily if over."""
    attempt = await session.get(AttemptRecord, attempt_id)
    if attempt is None:
        raise _attempt_not_found(attempt_id)
    quiz = await session.get(QuizRecord, attempt.quiz_id)
    assert quiz is not None  # a foreign key
    if attempt.student_id != principal.user_id:
        staff = principal.is_system_admin or (
            principal.role in (Role.TEACHER, Role.SCHOOL_ADMIN, Role.RESEARCHER)
            and principal.school_id == quiz.school_id
        )
        if not staff:
            raise _attempt_not_found(attempt_id)  # never confirm someone else's attempt exists
    now = now or utcnow()
    if attempt.status == AttemptStatus.IN_PROGRESS and window_of(attempt, quiz).is_over(now):
        await finish_attempt(session=session, attempt=attempt, quiz=quiz, now=now)
    return attempt, quiz


async def saved_answers(session: AsyncSession, attempt_id: uuid.UUID) -> list[AnswerRecord]:
    rows = await session.exec(
        sm_select(AnswerRecord)
        .where(AnswerRecord.attempt_id == attempt_id)
        .order_by(col(AnswerRecord.question))
    )
    return list(rows.all())


def visibility(attempt: AttemptRecord, quiz: QuizRecord, now: datetime) -> Visibility:
    return review_visibility(
        review=ReviewPolicy(quiz.review),
        score_review=ReviewPolicy(quiz.score_review),
        submitted=attempt.status == AttemptStatus.SUBMITTED,
        now=now,
        closes_at=as_utc(quiz.closes_at) if quiz.closes_at else None,
    )


async def attempt_view(
    *,
    session: AsyncSession,
    principal: Principal,
    attempt: AttemptRecord,
    quiz: QuizRecord,
    secret: str,
    now: datetime | None = None,
    answers: Sequence[AnswerRecord] | None = None,
) -> AttemptPublic:
    """The attempt as its reader may see it now (a student: no key before the policy allows).

    ``answers``: the saved answers when the caller knows them (none, for a new attempt)."""
    now = now or utcnow()
    questions = await delivered_questions(session, attempt)
    if answers is None:
        answers = await saved_answers(session, attempt.id)
    is_student = principal.user_id == attempt.student_id
    seen = visibility(attempt, quiz, now) if is_student else Visibility(score=True, key=True)
    open_ = attempt.status == AttemptStatus.IN_PROGRESS
    review = None
    if seen.key and (not open_ or quiz.mode == QuizMode.PRACTICE):
        by_key = {a.question: a.response for a in answers}
        review = [
            feedback_for(q, by_key.get(q.key)) for q in questions if q.key in by_key or not open_
        ]
    return AttemptPublic(
        id=attempt.id,
        quiz_id=quiz.id,
        quiz_title=quiz.title,
        mode=QuizMode(quiz.mode),
        number=attempt.number,
        status=AttemptStatus(attempt.status),
        started_at=as_utc(attempt.started_at),
        deadline=as_utc(attempt.deadline) if attempt.deadline else None,
        submitted_at=as_utc(attempt.submitted_at) if attempt.submitted_at else None,
        remaining_seconds=window_of(attempt, quiz).remaining_seconds(now) if open_ else None,
        server_time=now,
        # adaptive answers go through the CAT step, never the token's fast path
        token=attempt_token(secret, attempt, QuizMode(quiz.mode))
        if open_ and is_student and quiz.selection != QuizSelection.ADAPTIVE
        else None,
        questions=[question_view(q) for q in questions],
        answers=[
            SavedAnswer(question=a.question, sequence=a.sequence, response=a.response)
            for a in answers
        ],
        score=attempt.score if seen.score else None,
        max_score=attempt.max_score if seen.score else None,
        review=review,
    )


# -- saving answers ------------------------------------------------------------------------------


def _upsert(dialect: str) -> Any:
    """INSERT the answer if the attempt is open; on conflict replace only an older sequence."""
    params = {
        "id": bindparam("id", type_=_ANSWERS.c.id.type),
        "attempt_id": bindparam("attempt_id", type_=_ANSWERS.c.attempt_id.type),
        "question": bindparam("question", type_=_ANSWERS.c.question.type),
        "sequence": bindparam("sequence", type_=_ANSWERS.c.sequence.type),
        "response": bindparam("response", type_=_ANSWERS.c.response.type),
        "saved_at": bindparam("saved_at", type_=_ANSWERS.c.saved_at.type),
    }
    is_open = exists().where(
        _ATTEMPTS.c.id == params["attempt_id"],
        _ATTEMPTS.c.status == AttemptStatus.IN_PROGRESS.value,
        or_(_ATTEMPTS.c.accept_until.is_(None), _ATTEMPTS.c.accept_until >= params["saved_at"]),
    )
    source = select(*params.values()).where(is_open)
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(_ANSWERS).from_select(list(params), source)
    return statement.on_conflict_do_update(
        index_elements=["attempt_id", "question"],
        set_={
            "sequence": statement.excluded.sequence,
            "response": statement.excluded.response,
            "saved_at": statement.excluded.saved_at,
        },
        where=_ANSWERS.c.sequence < statement.excluded.sequence,
    ).returning(_ANSWERS.c.sequence)  # a row back means stored (rowcount is unreliable here)


_STATEMENTS: dict[str, Any] = {}


def upsert_statement(dialect: str) -> Any:
    if dialect not in _STATEMENTS:
        _STATEMENTS[dialect] = _upsert(dialect)
    return _STATEMENTS[dialect]


def check_answers(answers: Sequence[AnswerInput], question_count: int) -> None:
    for index, answer in enumerate(answers):
        if (
            not answer.question.startswith("q")
            or not answer.question[1:].isdigit()
            or not (1 <= int(answer.question[1:]) <= question_count)
        ):
            raise UnprocessableError(
                f"answers[{index}].question: {answer.question!r} is not a question of this attempt",
                code="unknown_question",
            )
        problem = check_response(answer.response)
        if problem:
            raise UnprocessableError(
                f"answers[{index}].response {problem}", code="invalid_response"
            )


async def write_answers(
    connection: AsyncConnection,
    attempt_id: uuid.UUID,
    answers: Sequence[AnswerInput],
    now: datetime,
) -> list[bool]:
    """Upsert each answer; ``True`` where it was stored, ``False`` where it was not newer.

    Raises :class:`ConflictError` when the attempt is closed, :class:`NotFoundError` when
    it does not exist.
    """
    statement = upsert_statement(connection.dialect.name)
    stored = []
    for answer in answers:
        result = await connection.execute(
            statement,
            {
                "id": uuid.uuid4(),
                "attempt_id": attempt_id,
                "question": answer.question,
                "sequence": answer.sequence,
                "response": answer.response,
                "saved_at": now,
            },
        )
        written = result.first() is not None
        if not written:
            await _explain_refusal(connection, attempt_id, now)
        stored.append(written)
    return stored


async def _explain_refusal(
    connection: AsyncConnection, attempt_id: uuid.UUID, now: datetime
) -> None:
    """Raise if the attempt is missing or closed; return if the answer was merely not newer."""
    row = (
        await connection.execute(
            select(_ATTEMPTS.c.status, _ATTEMPTS.c.accept_until).where(_ATTEMPTS.c.id == attempt_id)
        )
    ).first()
    error = refusal_of(attempt_id, None if row is None else (row.status, row.accept_until), now)
    if error is not None:
        raise error


def refusal_of(
    attempt_id: uuid.UUID, state: tuple[str, datetime | None] | None, now: datetime
) -> ServiceError | None:
    """Why answers to an attempt in ``state`` (status, accept_until; ``None``: no such attempt)
    were refused at ``now``, or ``None`` if they were merely not newer than the saved ones."""
    if state is None:
        return _attempt_not_found(attempt_id)
    status, accept_until = state
    if status != AttemptStatus.IN_PROGRESS.value or (accept_until and now > as_utc(accept_until)):
        return _closed(attempt_id)
    return None


async def save_answers(
    *,
    session: AsyncSession,
    principal: Principal,
    attempt_id: uuid.UUID,
    answers: Sequence[AnswerInput],
    now: datetime | None = None,
) -> tuple[list[AnswerResult], float | None]:
    """Save answers of the caller's own attempt (the checked path, with practice feedback)."""
    now = now or utcnow()
    attempt, quiz = await get_attempt(
        session=session, principal=principal, attempt_id=attempt_id, now=now
    )
    if attempt.student_id != principal.user_id:
        raise PermissionDeniedError("only the student answers their attempt", code="not_yours")
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise _closed(attempt_id)
    if quiz.selection == QuizSelection.ADAPTIVE:
        # The CAT records each answer as it chooses the next item; a later rewrite here would
        # make the stored answers disagree with the ability estimate.
        raise ConflictError(
            "an adaptive test is answered one question at a time: use "
            f"/quizzes/{quiz.id}/attempts/{attempt_id}/adaptive-answer",
            code="adaptive_attempt",
        )
    check_answers(answers, len(attempt.questions))
    connection = await session.connection()
    stored = await write_answers(connection, attempt.id, answers, now)
    feedback: dict[str, AnswerFeedback] = {}
    if quiz.mode == QuizMode.PRACTICE:  # review policy IMMEDIATELY
        questions = {q.key: q for q in await delivered_questions(session, attempt)}
        feedback = {a.question: feedback_for(questions[a.question], a.response) for a in answers}
    results = [
        AnswerResult(
            question=a.question, sequence=a.sequence, saved=s, feedback=feedback.get(a.question)
        )
        for a, s in zip(answers, stored, strict=True)
    ]
    return results, window_of(attempt, quiz).remaining_seconds(now)


# -- submitting --------------------------------------------------------------------------------


async def finish_attempt(
    *, session: AsyncSession, attempt: AttemptRecord, quiz: QuizRecord, now: datetime, by: str = ""
) -> None:
    """Close the attempt and score what was saved; a second call changes nothing."""
    if attempt.status == AttemptStatus.SUBMITTED:
        return
    over = window_of(attempt, quiz).is_over(now)
    # Claim the attempt first: of two concurrent submissions only one scores it.
    claimed = await session.exec(
        update(AttemptRecord)
        .where(col(AttemptRecord.id) == attempt.id, col(AttemptRecord.status) == "in_progress")
        .values(status=AttemptStatus.SUBMITTED.value)
    )
    if claimed.rowcount == 0:
        await session.refresh(attempt)
        return
    questions = {q.key: q for q in await delivered_questions(session, attempt)}
    answers = await saved_answers(session, attempt.id)
    total = 0.0
    for answer in answers:
        question = questions.get(answer.question)
        if question is None:
            continue
        result = score_question(question, answer.response)
        answer.score, answer.max_score, answer.correct = (
            result.score,
            result.max_score,
            result.correct,
        )
        total += result.score
        session.add(answer)
    attempt.status = AttemptStatus.SUBMITTED
    attempt.submitted_at = now
    attempt.submitted_by = by or ("deadline" if over else "student")
    attempt.score = round(total, 4)
    attempt.max_score = round(sum(q.item.points for q in questions.values()), 4)
    session.add(attempt)
    await session.flush()


async def submit_attempt(
    *,
    session: AsyncSession,
    principal: Principal,
    attempt_id: uuid.UUID,
    now: datetime | None = None,
) -> tuple[AttemptRecord, QuizRecord]:
    """Submit the caller's attempt; submitting again returns the same result."""
    now = now or utcnow()
    attempt, quiz = await get_attempt(
        session=session, principal=principal, attempt_id=attempt_id, now=now
    )
    if attempt.student_id != principal.user_id:
        raise PermissionDeniedError("only the student submits their attempt", code="not_yours")
    if attempt.status == AttemptStatus.IN_PROGRESS:
        await finish_attempt(session=session, attempt=attempt, quiz=quiz, now=now, by="student")
        record_audit(
            session=session,
            actor=principal,
            action="attempt.submit",
            entity="quiz_attempt",
            entity_id=attempt.id,
        )
    return attempt, quiz


async def finish_overdue(*, session: AsyncSession, now: datetime | None = None) -> int:
    """Submit every attempt past its deadline and grace (the sweeper); returns how many."""
    now = now or utcnow()
    rows = await session.exec(
        sm_select(AttemptRecord).where(
            AttemptRecord.status == AttemptStatus.IN_PROGRESS,
            col(AttemptRecord.accept_until).is_not(None),
            col(AttemptRecord.accept_until) < now,
        )
    )
    count = 0
    for attempt in rows.all():
        quiz = await session.get(QuizRecord, attempt.quiz_id)
        assert quiz is not None
        await finish_attempt(session=session, attempt=attempt, quiz=quiz, now=now, by="deadline")
        count += 1
    return count


async def list_attempts(
    *, session: AsyncSession, quiz: QuizRecord, student_id: uuid.UUID | None = None
) -> list[AttemptRecord]:
    query = sm_select(AttemptRecord).where(AttemptRecord.quiz_id == quiz.id)
    if student_id is not None:
        query = query.where(AttemptRecord.student_id == student_id)
    return list((await session.exec(query.order_by(col(AttemptRecord.started_at)))).all())


async def answer_counts(
    session: AsyncSession, attempt_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    if not attempt_ids:
        return {}
    rows = await session.exec(
        sm_select(AnswerRecord.attempt_id, func.count())
        .where(col(AnswerRecord.attempt_id).in_(attempt_ids))
        .group_by(col(AnswerRecord.attempt_id))
    )
    return {attempt_id: int(count) for attempt_id, count in rows.all()}


async def results_report_of(
    *, session: AsyncSession, principal: Principal, attempt_id: uuid.UUID
) -> bytes:
    """The QTI results report of a submitted attempt (staff; its student once the key is out)."""
    attempt, quiz = await get_attempt(session=session, principal=principal, attempt_id=attempt_id)
    if attempt.status != AttemptStatus.SUBMITTED:
        raise ConflictError(f"attempt {attempt_id} is not submitted yet", code="attempt_open")
    if attempt.student_id == principal.user_id and not visibility(attempt, quiz, utcnow()).key:
        raise PermissionDeniedError(
            "the results of this test are not released yet", code="review_not_released"
        )
    questions = await delivered_questions(session, attempt)
    answers = {a.question: a for a in await saved_answers(session, attempt.id)}
    outcomes = []
    for position, question in enumerate(questions, start=1):
        answer = answers.get(question.key)
        outcomes.append(
            ItemOutcome(
                identifier=question.item.identifier,
                sequence_index=position,
                response=answer.response if answer else None,
                score=answer.score if answer else 0.0,
                max_score=question.item.points,
            )
        )
    return results_report(
        candidate_id=str(attempt.student_id),
        test_identifier=f"quiz-{quiz.id}",
        submitted_at=as_utc(attempt.submitted_at or utcnow()),
        score=attempt.score or 0.0,
        max_score=attempt.max_score or 0.0,
        items=outcomes,
    )
