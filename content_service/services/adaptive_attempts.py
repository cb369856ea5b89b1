"""Adaptive (CAT) quizzes: the calibrated pool, the first item, each next item, the result.

The server decides every next question: the student answers the current question; the answer
is saved like any other (one idempotent upsert), scored, recorded in the CAT session, and the
next item is chosen from the pool pinned when the attempt started. The ability estimate, its
standard error and the item parameters live in ``quiz_adaptive_state`` and never reach the
browser while the attempt is open. The attempt is submitted when a stopping rule is met
(standard error or length); the result is the EAP ability with its standard error and the
number of correct answers.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.delivery.adaptive import (
    PoolItem,
    build_bank,
    new_session,
    response_category,
    resume_session,
    step_rng,
)
from content_service.delivery.draws import PoolRule
from content_service.errors import ConflictError, NotFoundError, UnprocessableError
from content_service.models.base import utcnow
from content_service.models.calibration import ItemParameterRecord, ParameterSetRecord
from content_service.models.people import Role
from content_service.models.quizzes import (
    AdaptiveStateRecord,
    AnswerRecord,
    AttemptRecord,
    AttemptStatus,
    QuizRecord,
    QuizSelection,
)
from content_service.schemas.adaptive import (
    AdaptiveAnswerInput,
    AdaptiveProgress,
    AdaptiveResultPublic,
    AdaptiveSpecInput,
)
from content_service.schemas.quizzes import AnswerInput
from content_service.services import attempts as attempts_service
from content_service.services import quizzes as quizzes_service
from content_service.services.access import Principal
from item_bank.templates import shuffled_choices

_NAMED = 10  # items named in a refusal before "and N more"


# -- the pool --------------------------------------------------------------------------------


def _rule(spec: Mapping[str, Any]) -> PoolRule:
    return PoolRule(
        count=1,
        subject=spec.get("subject") or "",
        grade=spec.get("grade"),
        topic=spec.get("topic") or "",
        cognitive_level=spec.get("cognitive_level") or "",
        tag=spec.get("tag") or "",
    )


async def _parameters(
    session: AsyncSession, version_ids: Sequence[str], set_id: uuid.UUID | None
) -> dict[str, ItemParameterRecord]:
    """Per version: its parameters in the given set, or in the most recently accepted set."""
    ids = [uuid.UUID(v) for v in version_ids]
    query = (
        select(ItemParameterRecord, ParameterSetRecord)
        .join(
            ParameterSetRecord, col(ParameterSetRecord.id) == ItemParameterRecord.parameter_set_id
        )
        .where(col(ItemParameterRecord.item_version_id).in_(ids))
        .order_by(
            col(ParameterSetRecord.accepted_at).desc(), col(ParameterSetRecord.version).desc()
        )
    )
    if set_id is not None:
        query = query.where(ItemParameterRecord.parameter_set_id == set_id)
    found: dict[str, ItemParameterRecord] = {}
    for parameters, _set in (await session.exec(query)).all():
        found.setdefault(str(parameters.item_version_id), parameters)  # the newest first
    return found


async def resolve_pool(session: AsyncSession, spec: Mapping[str, Any]) -> list[PoolItem]:
    """The calibrated pool of an adaptive spec, in version-id order.

    Raises
    ------
    UnprocessableError
        The parameter set does not exist, no published item matches the filter, or some
        matching items have no accepted parameters (they are named).
    """
    set_id = uuid.UUID(spec["parameter_set_id"]) if spec.get("parameter_set_id") else None
    if set_id is not None and await session.get(ParameterSetRecord, set_id) is None:
        raise UnprocessableError(
            f"adaptive.parameter_set_id: parameter set {set_id} not found",
            code="parameter_set_not_found",
        )
    rule = _rule(spec)
    candidates = sorted(
        (c for c in await quizzes_service.pool_candidates(session, [rule]) if rule.matches(c)),
        key=lambda c: c.version_id,
    )
    if not candidates:
        raise UnprocessableError(
            f"adaptive: no published item matches the pool ({rule.describe()})",
            code="pool_too_small",
        )
    found = await _parameters(session, [c.version_id for c in candidates], set_id)
    missing = [c.version_id for c in candidates if c.version_id not in found]
    if missing:
        versions = await quizzes_service.load_versions(session, missing[:_NAMED])
        named = [f"{versions[v].title or 'item'} (version {v})" for v in missing[:_NAMED]]
        more = f" and {len(missing) - _NAMED} more" if len(missing) > _NAMED else ""
        which = "in the chosen parameter set" if set_id else "accepted"
        raise UnprocessableError(
            f"adaptive: {len(missing)} item(s) of the pool have no {which} parameters: "
            + "; ".join(named)
            + more,
            code="no_parameters",
        )
    return [
        PoolItem(
            version_id=c.version_id,
            parameter_id=str(found[c.version_id].id),
            model=found[c.version_id].model,
            discrimination=float(found[c.version_id].discrimination),
            intercepts=tuple(float(d) for d in found[c.version_id].intercepts),
            guessing=float(found[c.version_id].guessing),
            area=c.topic,
        )
        for c in candidates
    ]


async def check_adaptive_spec(session: AsyncSession, data: AdaptiveSpecInput) -> dict[str, Any]:
    """The spec as stored in the quiz, once its pool is calibrated and usable."""
    spec = data.model_dump(mode="json")
    pool = await resolve_pool(session, spec)
    if data.content_blueprint:
        areas = {item.area for item in pool}
        unknown = sorted(set(data.content_blueprint) - areas)
        if unknown:
            raise UnprocessableError(
                f"adaptive.content_blueprint: no pool item on topic(s) {', '.join(unknown)}",
                code="blueprint_infeasible",
            )
    try:
        build_bank(pool, spec)
    except ValueError as exc:
        raise UnprocessableError(f"adaptive: {exc}", code="invalid_parameters") from exc
    return spec


# -- attempts --------------------------------------------------------------------------------


def _pool_of(state: AdaptiveStateRecord) -> list[PoolItem]:
    return [
        PoolItem(**(item | {"intercepts": tuple(item["intercepts"])}))
        for item in state.pool["items"]
    ]


async def _question(
    session: AsyncSession, quiz: QuizRecord, seed: int, position: int, version_id: str
) -> dict[str, Any]:
    item = (await quizzes_service.load_items(session, [version_id]))[version_id].item
    order_rng = random.Random(attempts_service.question_seed(seed, position))  # noqa: S311
    choices = shuffled_choices(item, order_rng) if quiz.shuffle_choices else item.choices
    return {
        "key": f"q{position + 1}",
        "version_id": version_id,
        "choices": [c.identifier for c in choices],
    }


async def begin_attempt(*, session: AsyncSession, attempt: AttemptRecord, quiz: QuizRecord) -> None:
    """Pin the pool, choose the first item and store the CAT state of a new attempt."""
    spec = quiz.spec["adaptive"]
    pool = await resolve_pool(session, spec)
    bank = build_bank(pool, spec)
    cat = new_session(bank, spec)
    first = cat.next_item(step_rng(attempt.seed, 0))
    if first is None:  # pragma: no cover - a non-empty pool always has a first item
        raise UnprocessableError("adaptive: the pool is empty", code="pool_too_small")
    version_id = pool[first].version_id
    attempt.questions = [await _question(session, quiz, attempt.seed, 0, version_id)]
    session.add(attempt)
    session.add(
        AdaptiveStateRecord(
            attempt_id=attempt.id,
            pool={"items": [asdict(item) for item in pool]},
            state=cat.to_dict(),
            theta=cat.theta,
            se=cat.se,
        )
    )
    await session.flush()


async def state_of(session: AsyncSession, attempt_id: uuid.UUID) -> AdaptiveStateRecord | None:
    query = select(AdaptiveStateRecord).where(AdaptiveStateRecord.attempt_id == attempt_id)
    return (await session.exec(query)).first()


def progress_of(
    attempt: AttemptRecord, quiz: QuizRecord, state: AdaptiveStateRecord
) -> AdaptiveProgress:
    open_ = attempt.status == AttemptStatus.IN_PROGRESS
    waiting = open_ and state.answered < len(attempt.questions)
    return AdaptiveProgress(
        current=attempt.questions[-1]["key"] if waiting else None,
        answered=state.answered,
        max_length=int(quiz.spec["adaptive"]["max_length"]),
        finished=not waiting,
    )


async def adaptive_progress(
    session: AsyncSession, attempt: AttemptRecord, quiz: QuizRecord
) -> AdaptiveProgress | None:
    """Which question is next (adaptive quizzes only; ``None`` for the others)."""
    if quiz.selection != QuizSelection.ADAPTIVE:
        return None
    state = await state_of(session, attempt.id)
    return progress_of(attempt, quiz, state) if state is not None else None


async def _locked_state(session: AsyncSession, attempt_id: uuid.UUID) -> AdaptiveStateRecord:
    # FOR UPDATE: two answers sent at once (a double click, a re-send) advance the test once.
    query = (
        select(AdaptiveStateRecord)
        .where(AdaptiveStateRecord.attempt_id == attempt_id)
        .with_for_update()
    )
    state = (await session.exec(query)).first()
    if state is None:  # pragma: no cover - created with the attempt
        raise NotFoundError(f"attempt {attempt_id} has no adaptive state", code="not_adaptive")
    return state


async def _saved_response(session: AsyncSession, attempt_id: uuid.UUID, key: str) -> Any:
    query = select(AnswerRecord).where(
        AnswerRecord.attempt_id == attempt_id, AnswerRecord.question == key
    )
    answer = (await session.exec(query)).first()
    return answer.response if answer is not None else None


async def answer_adaptive(
    *,
    session: AsyncSession,
    principal: Principal,
    quiz_id: uuid.UUID,
    attempt_id: uuid.UUID,
    data: AdaptiveAnswerInput,
    now: datetime | None = None,
) -> tuple[AttemptRecord, QuizRecord]:
    """Answer the current question; the server records it and chooses the next one.

    Re-sending the answer to a question already recorded changes nothing (idempotent).
    """
    now = now or utcnow()
    attempt, quiz = await attempts_service.get_attempt(
        session=session, principal=principal, attempt_id=attempt_id, now=now
    )
    if quiz.id != quiz_id or attempt.student_id != principal.user_id:
        raise NotFoundError(f"attempt {attempt_id} not found", code="attempt_not_found")
    if quiz.selection != QuizSelection.ADAPTIVE:
        raise ConflictError(f"quiz {quiz.id} is not adaptive", code="not_adaptive")
    state = await _locked_state(session, attempt.id)
    await session.refresh(attempt)  # the row as it is now that the state is locked
    keys = [q["key"] for q in attempt.questions]
    if data.question in keys[: state.answered]:
        return attempt, quiz  # already recorded: a re-send
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise ConflictError(
            f"attempt {attempt_id} is submitted or past its deadline: no more answers",
            code="attempt_closed",
        )
    if data.question != keys[-1]:
        raise UnprocessableError(
            f"question: {data.question!r} is not the current question ({keys[-1]})",
            code="unknown_question",
        )
    answer = AnswerInput(question=data.question, sequence=data.sequence, response=data.response)
    attempts_service.check_answers([answer], len(keys))
    connection = await session.connection()
    await attempts_service.write_answers(connection, attempt.id, [answer], now)
    await _record(session, attempt, quiz, state, now)
    return attempt, quiz


async def _record(
    session: AsyncSession,
    attempt: AttemptRecord,
    quiz: QuizRecord,
    state: AdaptiveStateRecord,
    now: datetime,
) -> None:
    """Score the saved answer to the current question, update theta, choose the next item."""
    spec = quiz.spec["adaptive"]
    current = (await attempts_service.delivered_questions(session, attempt))[-1]
    response = await _saved_response(session, attempt.id, current.key)
    result = attempts_service.score_question(current, response)
    pool = _pool_of(state)
    bank = build_bank(pool, spec)
    cat = resume_session(bank, state.state)
    index = bank.index_of(current.version_id)
    n_categories = int(bank.parameters.n_categories[index])
    cat.record(index, response_category(result.score, result.max_score, n_categories))
    following = cat.next_item(step_rng(attempt.seed, len(cat.items)))
    if following is not None:
        position = len(attempt.questions)
        entry = await _question(session, quiz, attempt.seed, position, pool[following].version_id)
        attempt.questions = [*attempt.questions, entry]
        session.add(attempt)
    state.state = cat.to_dict()
    state.answered = len(cat.items)
    state.number_correct += 1 if result.correct else 0
    state.theta, state.se = float(cat.theta), float(cat.se)
    state.stop_reason = cat.stop_reason or ""
    state.updated_at = now
    session.add(state)
    await session.flush()
    if following is None:
        await attempts_service.finish_attempt(
            session=session, attempt=attempt, quiz=quiz, now=now, by="adaptive"
        )


# -- results ---------------------------------------------------------------------------------


def result_of(
    attempt: AttemptRecord, state: AdaptiveStateRecord, *, show: bool
) -> AdaptiveResultPublic:
    return AdaptiveResultPublic(
        attempt_id=attempt.id,
        student_id=attempt.student_id,
        status=str(attempt.status),
        answered=state.answered,
        number_correct=state.number_correct,
        theta=round(state.theta, 4) if show else None,
        se=round(state.se, 4) if show else None,
        stop_reason=state.stop_reason,
    )


async def adaptive_result(
    *, session: AsyncSession, principal: Principal, quiz_id: uuid.UUID, attempt_id: uuid.UUID
) -> AdaptiveResultPublic:
    """Theta and SE of an attempt: staff always; its student once submitted and scores show."""
    attempt, quiz = await attempts_service.get_attempt(
        session=session, principal=principal, attempt_id=attempt_id
    )
    if quiz.id != quiz_id:
        raise NotFoundError(f"attempt {attempt_id} not found", code="attempt_not_found")
    state = await state_of(session, attempt.id)
    if state is None:
        raise ConflictError(f"quiz {quiz.id} is not adaptive", code="not_adaptive")
    if principal.user_id == attempt.student_id:
        show = (
            attempt.status == AttemptStatus.SUBMITTED
            and attempts_service.visibility(attempt, quiz, utcnow()).score
        )
    else:
        show = principal.role is not Role.STUDENT
    return result_of(attempt, state, show=show)


async def quiz_adaptive_results(
    session: AsyncSession, attempts: Sequence[AttemptRecord]
) -> dict[uuid.UUID, AdaptiveResultPublic]:
    """Per attempt id, its adaptive result (for staff pages and exports)."""
    ids = [a.id for a in attempts]
    if not ids:
        return {}
    rows = await session.exec(
        select(AdaptiveStateRecord).where(col(AdaptiveStateRecord.attempt_id).in_(ids))
    )
    states = {row.attempt_id: row for row in rows.all()}
    return {a.id: result_of(a, states[a.id], show=True) for a in attempts if a.id in states}
