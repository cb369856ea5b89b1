"""Quiz definitions: create, publish, assign to classes, extensions; who may see which quiz.

Staff of the quiz's school manage it (teachers and school admins); a student sees a quiz only
once it is published and assigned to one of their classes, and otherwise gets a 404, never a
hint that it exists.
"""

from __future__ import annotations

import json
import math
import threading
import uuid
import warnings
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
from cachetools import LRUCache
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.delivery.draws import Candidate, PoolRule, PoolShortageError, check_pools
from content_service.errors import ConflictError, NotFoundError, UnprocessableError
from content_service.models.base import utcnow
from content_service.models.items import ItemVersionRecord, VersionStatus
from content_service.models.people import (
    ClassMembershipRecord,
    Role,
    SchoolClassRecord,
    UserRecord,
)
from content_service.models.quizzes import (
    AnswerRecord,
    AttemptRecord,
    AttemptStatus,
    QuizAssignmentRecord,
    QuizExtensionRecord,
    QuizRecord,
    QuizSelection,
    QuizStatus,
)
from content_service.schemas.adaptive import AdaptiveSpecInput
from content_service.schemas.common import PageParams
from content_service.schemas.items import BlueprintInput
from content_service.schemas.quizzes import (
    AssignmentCreate,
    ExtensionCreate,
    ItemStatistic,
    PoolRuleInput,
    ProgressRow,
    QuizCreate,
    QuizProgress,
    QuizResults,
    StudentResult,
)
from content_service.services.access import Principal, require_role, require_school
from content_service.services.audit import record_audit
from item_bank.formats.json_items import item_from_dict
from item_bank.items import Item
from item_bank.psychometrics.ctt import ctt

MANAGERS = (Role.TEACHER, Role.SCHOOL_ADMIN)


def _not_found(quiz_id: uuid.UUID) -> NotFoundError:
    return NotFoundError(f"quiz {quiz_id} not found", code="quiz_not_found")


# -- items --------------------------------------------------------------------------------------


# Parsed items, per process. A version's content changes only while it is a draft, so the key
# is the version and its content hash; a frozen (published or retired) version never changes,
# so deliveries take it from here without reading its row again (an attempt start read every
# pinned version twice: a third of its CPU, bench/bench_answers.py).
class PinnedItem(NamedTuple):
    """A version's parsed item and its content hash (which names what a student was shown)."""

    item: Item
    content_hash: str


_ITEMS: LRUCache[tuple[str, str], Item] = LRUCache(maxsize=8192)
_FROZEN: LRUCache[str, PinnedItem] = LRUCache(maxsize=8192)
_FROZEN_STATUSES = frozenset({VersionStatus.PUBLISHED, VersionStatus.RETIRED})
_CACHE_LOCK = threading.Lock()  # the caches are shared by the worker threads too


def item_of(version: ItemVersionRecord) -> Item:
    """The domain item of a version (parsed once per process and content)."""
    key = (str(version.id), version.content_hash or json.dumps(version.content, sort_keys=True))
    with _CACHE_LOCK:
        item = _ITEMS.get(key)
    if item is None:
        item = item_from_dict(version.content, source=f"item version {version.id}")
        with _CACHE_LOCK:
            _ITEMS[key] = item
    if version.status in _FROZEN_STATUSES:
        with _CACHE_LOCK:
            _FROZEN[key[0]] = PinnedItem(item, version.content_hash)
    return item


async def load_items(
    session: AsyncSession, version_ids: Sequence[uuid.UUID | str]
) -> dict[str, PinnedItem]:
    """The items of these versions by id (a missing version is missing from the result);
    frozen versions seen before are not read again."""
    wanted = [str(v) for v in version_ids]
    with _CACHE_LOCK:
        found = {v: _FROZEN[v] for v in wanted if v in _FROZEN}
    missing = [v for v in wanted if v not in found]
    for version_id, version in (await load_versions(session, missing)).items():
        found[version_id] = PinnedItem(item_of(version), version.content_hash)
    return found


async def load_versions(
    session: AsyncSession, version_ids: Sequence[uuid.UUID | str]
) -> dict[str, ItemVersionRecord]:
    ids = [uuid.UUID(str(v)) for v in version_ids]
    if not ids:
        return {}
    rows = await session.exec(select(ItemVersionRecord).where(col(ItemVersionRecord.id).in_(ids)))
    return {str(row.id): row for row in rows.all()}


async def pool_candidates(session: AsyncSession, rules: Sequence[PoolRule]) -> list[Candidate]:
    """Published versions matching any rule's column filters (tags are read from the content)."""
    query = select(ItemVersionRecord).where(ItemVersionRecord.status == VersionStatus.PUBLISHED)
    subjects = {r.subject for r in rules}
    if "" not in subjects:
        query = query.where(col(ItemVersionRecord.subject).in_(subjects))
    latest: dict[uuid.UUID, ItemVersionRecord] = {}
    for row in (await session.exec(query)).all():  # the newest published version of each item
        if row.item_id not in latest or row.number > latest[row.item_id].number:
            latest[row.item_id] = row
    rows = list(latest.values())
    return [
        Candidate(
            version_id=str(row.id),
            item_id=str(row.item_id),
            subject=row.subject,
            grade=row.grade,
            topic=row.topic,
            cognitive_level=row.cognitive_level,
            tags=tuple((row.content.get("metadata") or {}).get("tags") or ()),
        )
        for row in rows
    ]


def pool_rules(quiz: QuizRecord) -> list[PoolRule]:
    return [PoolRule(**rule) for rule in quiz.spec.get("pools", [])]


# -- definitions --------------------------------------------------------------------------------


async def _check_versions(session: AsyncSession, version_ids: list[uuid.UUID]) -> None:
    if len(set(version_ids)) != len(version_ids):
        raise UnprocessableError("version_ids: an item version is listed twice", code="duplicate")
    found = await load_versions(session, version_ids)
    for index, version_id in enumerate(version_ids):
        version = found.get(str(version_id))
        if version is None:
            raise UnprocessableError(
                f"version_ids[{index}]: item version {version_id} not found",
                code="item_version_not_found",
            )
        if version.status != VersionStatus.PUBLISHED:
            raise UnprocessableError(
                f"version_ids[{index}]: item version {version_id} is {version.status}, "
                "not published",
                code="item_version_not_published",
            )


async def _check_pools(session: AsyncSession, pools: list[PoolRuleInput]) -> None:
    rules = [PoolRule(**p.model_dump()) for p in pools]
    try:
        check_pools(rules, await pool_candidates(session, rules))
    except PoolShortageError as exc:
        raise UnprocessableError(str(exc), code="pool_too_small") from exc


async def _checked_spec(session: AsyncSession, data: QuizCreate) -> dict[str, Any]:
    """The stored spec of a new quiz, once its items, pools, matrix or CAT pool are usable."""
    from content_service.services import adaptive_attempts, quiz_blueprints  # import cycle

    if data.selection is QuizSelection.FIXED:
        await _check_versions(session, data.version_ids)
        return {"version_ids": [str(v) for v in data.version_ids]}
    if data.selection is QuizSelection.BLUEPRINT:
        assert data.blueprint is not None  # QuizCreate checks it
        return {"blueprint": await quiz_blueprints.check_quiz_blueprint(session, data.blueprint)}
    if data.selection is QuizSelection.ADAPTIVE:
        assert data.adaptive is not None  # QuizCreate checks it
        return {"adaptive": await adaptive_attempts.check_adaptive_spec(session, data.adaptive)}
    await _check_pools(session, data.pools)
    return {"pools": [p.model_dump() for p in data.pools]}


async def _recheck_spec(session: AsyncSession, quiz: QuizRecord) -> None:
    """Publishing checks again that the bank still fills the quiz (it may have changed)."""
    from content_service.services import adaptive_attempts, quiz_blueprints  # import cycle

    if quiz.selection == QuizSelection.POOLS:
        await _check_pools(session, [PoolRuleInput(**p) for p in quiz.spec["pools"]])
    elif quiz.selection == QuizSelection.BLUEPRINT:
        matrix = BlueprintInput.model_validate(quiz.spec["blueprint"])
        await quiz_blueprints.check_quiz_blueprint(session, matrix)
    elif quiz.selection == QuizSelection.ADAPTIVE:
        rules = AdaptiveSpecInput.model_validate(quiz.spec["adaptive"])
        await adaptive_attempts.check_adaptive_spec(session, rules)


async def create_quiz(
    *, session: AsyncSession, principal: Principal, data: QuizCreate
) -> QuizRecord:
    require_role(principal, *MANAGERS)
    if principal.school_id is None:
        raise UnprocessableError("a quiz belongs to a school: your account has none")
    spec = await _checked_spec(session, data)
    fields = data.model_dump(
        exclude={"version_ids", "pools", "blueprint", "adaptive", "review", "score_review"}
    )
    quiz = QuizRecord(
        **fields,
        school_id=principal.school_id,
        spec=spec,
        review=data.review.value,
        score_review=data.score_review.value,
        created_by=principal.user_id,
    )
    session.add(quiz)
    await session.flush()
    record_audit(
        session=session, actor=principal, action="quiz.create", entity="quiz", entity_id=quiz.id
    )
    return quiz


async def student_class_ids(session: AsyncSession, student_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await session.exec(
        select(ClassMembershipRecord.class_id).where(ClassMembershipRecord.user_id == student_id)
    )
    return list(rows.all())


async def is_assigned_to(session: AsyncSession, quiz_id: uuid.UUID, student_id: uuid.UUID) -> bool:
    query = (
        select(func.count())
        .select_from(QuizAssignmentRecord)
        .join(
            ClassMembershipRecord,
            col(ClassMembershipRecord.class_id) == col(QuizAssignmentRecord.class_id),
        )
        .where(QuizAssignmentRecord.quiz_id == quiz_id, ClassMembershipRecord.user_id == student_id)
    )
    return bool((await session.exec(query)).one())


async def get_quiz(
    *, session: AsyncSession, principal: Principal, quiz_id: uuid.UUID
) -> QuizRecord:
    """A quiz its school's staff may see, or a published quiz assigned to the student's class."""
    quiz = await session.get(QuizRecord, quiz_id)
    if quiz is None:
        raise _not_found(quiz_id)
    if principal.role is Role.STUDENT:
        if quiz.status != QuizStatus.PUBLISHED or not await is_assigned_to(
            session, quiz.id, principal.user_id
        ):
            raise _not_found(quiz_id)
        return quiz
    if principal.is_system_admin or (
        principal.role in (*MANAGERS, Role.RESEARCHER) and principal.school_id == quiz.school_id
    ):
        return quiz
    raise _not_found(quiz_id)


async def get_managed_quiz(
    *, session: AsyncSession, principal: Principal, quiz_id: uuid.UUID
) -> QuizRecord:
    """A quiz the caller may change (its school's teachers and admins)."""
    quiz = await get_quiz(session=session, principal=principal, quiz_id=quiz_id)
    require_role(principal, *MANAGERS)
    require_school(principal, quiz.school_id)
    return quiz


async def list_quizzes(
    *, session: AsyncSession, principal: Principal, page: PageParams
) -> tuple[list[QuizRecord], int]:
    """Staff: their school's quizzes; students: the published quizzes assigned to them."""
    query = select(QuizRecord).order_by(col(QuizRecord.created_at).desc())
    if principal.role is Role.STUDENT:
        classes = await student_class_ids(session, principal.user_id)
        assigned = select(QuizAssignmentRecord.quiz_id).where(
            col(QuizAssignmentRecord.class_id).in_(classes)
        )
        query = query.where(
            QuizRecord.status == QuizStatus.PUBLISHED, col(QuizRecord.id).in_(assigned)
        )
    elif not principal.is_system_admin:
        if principal.role not in (*MANAGERS, Role.RESEARCHER):
            return [], 0
        query = query.where(QuizRecord.school_id == principal.school_id)
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    rows = await session.exec(query.limit(page.limit).offset(page.offset))
    return list(rows.all()), int(total)


async def publish_quiz(
    *, session: AsyncSession, principal: Principal, quiz_id: uuid.UUID
) -> QuizRecord:
    quiz = await get_managed_quiz(session=session, principal=principal, quiz_id=quiz_id)
    if quiz.status == QuizStatus.PUBLISHED:
        return quiz  # publishing twice is a no-op
    await _recheck_spec(session, quiz)
    quiz.status = QuizStatus.PUBLISHED
    quiz.published_at = utcnow()
    session.add(quiz)
    record_audit(
        session=session, actor=principal, action="quiz.publish", entity="quiz", entity_id=quiz.id
    )
    return quiz


async def assign_quiz(
    *, session: AsyncSession, principal: Principal, quiz_id: uuid.UUID, data: AssignmentCreate
) -> QuizAssignmentRecord:
    quiz = await get_managed_quiz(session=session, principal=principal, quiz_id=quiz_id)
    klass = await session.get(SchoolClassRecord, data.class_id)
    if klass is None or klass.school_id != quiz.school_id:
        raise UnprocessableError(
            f"class_id: class {data.class_id} not found in this school", code="class_not_found"
        )
    record = QuizAssignmentRecord(quiz_id=quiz.id, class_id=klass.id)
    session.add(record)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise ConflictError(
            f"quiz already assigned to class {klass.name}", code="already_exists"
        ) from exc
    record_audit(
        session=session,
        actor=principal,
        action="quiz.assign",
        entity="quiz",
        entity_id=quiz.id,
        details={"class_id": str(klass.id)},
    )
    return record


async def grant_extension(
    *, session: AsyncSession, principal: Principal, quiz_id: uuid.UUID, data: ExtensionCreate
) -> QuizExtensionRecord:
    """Give (or change) a student's extra time and attempts; running attempts get the time too."""
    from content_service.services import attempts as attempts_service  # import cycle

    quiz = await get_managed_quiz(session=session, principal=principal, quiz_id=quiz_id)
    if not await is_assigned_to(session, quiz.id, data.student_id):
        raise UnprocessableError(
            f"student_id: student {data.student_id} has not been given this quiz",
            code="student_not_assigned",
        )
    existing = (
        await session.exec(
            select(QuizExtensionRecord).where(
                QuizExtensionRecord.quiz_id == quiz.id,
                QuizExtensionRecord.student_id == data.student_id,
            )
        )
    ).first()
    record = existing or QuizExtensionRecord(quiz_id=quiz.id, student_id=data.student_id)
    record.extra_seconds = data.extra_seconds
    record.extra_attempts = data.extra_attempts
    session.add(record)
    await session.flush()
    await attempts_service.apply_extension(
        session=session, quiz=quiz, student_id=data.student_id, extra_seconds=data.extra_seconds
    )
    record_audit(
        session=session,
        actor=principal,
        action="quiz.extension",
        entity="quiz",
        entity_id=quiz.id,
        details=data.model_dump(mode="json"),
    )
    return record


async def extension_for(
    session: AsyncSession, quiz_id: uuid.UUID, student_id: uuid.UUID
) -> QuizExtensionRecord | None:
    query = select(QuizExtensionRecord).where(
        QuizExtensionRecord.quiz_id == quiz_id, QuizExtensionRecord.student_id == student_id
    )
    return (await session.exec(query)).first()


def question_count(quiz: QuizRecord) -> int:
    if quiz.selection == QuizSelection.FIXED:
        return len(quiz.spec.get("version_ids", []))
    if quiz.selection == QuizSelection.BLUEPRINT:
        return sum(int(c["count"]) for c in quiz.spec["blueprint"]["cells"])
    if quiz.selection == QuizSelection.ADAPTIVE:
        return int(quiz.spec["adaptive"]["max_length"])  # at most
    return sum(int(p["count"]) for p in quiz.spec.get("pools", []))


# -- results, progress and the gradebook ----------------------------------------------------------


async def assigned_students(session: AsyncSession, quiz_id: uuid.UUID) -> list[UserRecord]:
    query = (
        select(UserRecord)
        .join(ClassMembershipRecord, col(ClassMembershipRecord.user_id) == col(UserRecord.id))
        .join(
            QuizAssignmentRecord,
            col(QuizAssignmentRecord.class_id) == col(ClassMembershipRecord.class_id),
        )
        .where(QuizAssignmentRecord.quiz_id == quiz_id, UserRecord.role == Role.STUDENT)
        .order_by(col(UserRecord.full_name), col(UserRecord.username))
    )
    unique = {user.id: user for user in (await session.exec(query)).all()}  # in two classes
    return list(unique.values())


def _final(attempts: list[AttemptRecord]) -> AttemptRecord | None:
    submitted = [a for a in attempts if a.status == AttemptStatus.SUBMITTED]
    return max(submitted, key=lambda a: a.number) if submitted else None


async def final_scores(
    *, session: AsyncSession, principal: Principal, quiz_id: uuid.UUID
) -> dict[uuid.UUID, tuple[float, float]]:
    """Per student, the (score, max score) of their last submitted attempt: for the gradebook."""
    quiz = await get_quiz(session=session, principal=principal, quiz_id=quiz_id)
    require_role(principal, *MANAGERS)
    rows = await session.exec(
        select(AttemptRecord).where(
            AttemptRecord.quiz_id == quiz.id, AttemptRecord.status == AttemptStatus.SUBMITTED
        )
    )
    by_student: dict[uuid.UUID, list[AttemptRecord]] = {}
    for attempt in rows.all():
        by_student.setdefault(attempt.student_id, []).append(attempt)
    scores = {}
    for student_id, attempts in by_student.items():
        final = _final(attempts)
        if final is not None and final.score is not None and final.max_score is not None:
            scores[student_id] = (final.score, final.max_score)
    return scores


def _classical(matrix: list[list[float]], max_scores: list[float]) -> tuple[Any, float | None]:
    """CTT statistics, or ``None`` when there are too few responses to compute them."""
    if len(matrix) < 3 or len(max_scores) < 2:
        return None, None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = ctt(np.array(matrix, dtype=float), max_scores=max_scores)
        except (ValueError, FloatingPointError, ZeroDivisionError):
            return None, None
    alpha = float(result.alpha)
    return result, alpha if math.isfinite(alpha) else None


def _finite(value: float) -> float | None:
    value = float(value)
    return round(value, 4) if math.isfinite(value) else None


async def quiz_results(
    *, session: AsyncSession, principal: Principal, quiz_id: uuid.UUID
) -> QuizResults:
    """Scores per student and classical statistics per item (staff of the quiz's school)."""
    quiz = await get_quiz(session=session, principal=principal, quiz_id=quiz_id)
    require_role(principal, *MANAGERS, Role.RESEARCHER)
    attempts = (
        await session.exec(select(AttemptRecord).where(AttemptRecord.quiz_id == quiz.id))
    ).all()
    by_student: dict[uuid.UUID, list[AttemptRecord]] = {}
    for attempt in attempts:
        by_student.setdefault(attempt.student_id, []).append(attempt)
    students = await assigned_students(session, quiz.id)
    rows = []
    finals = []
    for student in students:
        mine = by_student.get(student.id, [])
        final = _final(mine)
        scores = [a.score for a in mine if a.score is not None]
        if final is not None:
            finals.append(final)
        rows.append(
            StudentResult(
                student_id=student.id,
                username=student.username,
                full_name=student.full_name,
                attempts=len(mine),
                best_score=max(scores) if scores else None,
                final_score=final.score if final else None,
                max_score=final.max_score if final else None,
            )
        )
    items = await _item_statistics(session, finals)
    matrix_result = items[1]
    return QuizResults(
        quiz_id=quiz.id,
        submitted_attempts=sum(1 for a in attempts if a.status == AttemptStatus.SUBMITTED),
        in_progress=sum(1 for a in attempts if a.status == AttemptStatus.IN_PROGRESS),
        students=rows,
        items=items[0],
        alpha=matrix_result,
        mean_score=(
            round(sum(f.score or 0.0 for f in finals) / len(finals), 4) if finals else None
        ),
    )


async def _item_statistics(
    session: AsyncSession, finals: list[AttemptRecord]
) -> tuple[list[ItemStatistic], float | None]:
    """Per item version: responses, mean, facility and corrected item-total correlation."""
    version_ids: list[str] = list(
        dict.fromkeys(q["version_id"] for a in finals for q in a.questions)
    )
    if not version_ids:
        return [], None
    answers = (
        await session.exec(
            select(AnswerRecord).where(col(AnswerRecord.attempt_id).in_([a.id for a in finals]))
        )
    ).all()
    by_attempt: dict[uuid.UUID, dict[str, AnswerRecord]] = {}
    for answer in answers:
        by_attempt.setdefault(answer.attempt_id, {})[answer.question] = answer
    versions = await load_versions(session, version_ids)
    column = {v: i for i, v in enumerate(version_ids)}
    max_scores = [item_of(versions[v]).points for v in version_ids]
    matrix = []
    for attempt in finals:
        row = [math.nan] * len(version_ids)
        saved = by_attempt.get(attempt.id, {})
        for question in attempt.questions:
            given = saved.get(question["key"])
            row[column[question["version_id"]]] = (
                given.score if given and given.score is not None else 0.0
            )
        matrix.append(row)
    result, alpha = _classical(matrix, max_scores)
    statistics = []
    for index, version_id in enumerate(version_ids):
        values = [row[index] for row in matrix if not math.isnan(row[index])]
        statistics.append(
            ItemStatistic(
                question_position=index + 1,
                version_id=version_id,
                title=versions[version_id].title,
                responses=len(values),
                mean_score=round(sum(values) / len(values), 4) if values else None,
                difficulty=(
                    round(sum(values) / len(values) / max_scores[index], 4)
                    if values and max_scores[index]
                    else None
                ),
                discrimination=(
                    _finite(result.item_rest_correlation[index]) if result is not None else None
                ),
                point_biserial=(
                    _finite(result.item_total_correlation[index]) if result is not None else None
                ),
            )
        )
    return statistics, alpha


async def quiz_progress(
    *, session: AsyncSession, principal: Principal, quiz_id: uuid.UUID
) -> QuizProgress:
    """Where each assigned student is now: not started, answering (how many), submitted."""
    from content_service.services import attempts as attempts_service  # import cycle

    quiz = await get_quiz(session=session, principal=principal, quiz_id=quiz_id)
    require_role(principal, *MANAGERS)
    now = utcnow()
    attempts = await attempts_service.list_attempts(session=session, quiz=quiz)
    latest: dict[uuid.UUID, AttemptRecord] = {}
    for attempt in attempts:
        current = latest.get(attempt.student_id)
        if current is None or attempt.number > current.number:
            latest[attempt.student_id] = attempt
    counts = await attempts_service.answer_counts(session, [a.id for a in latest.values()])
    rows = []
    for student in await assigned_students(session, quiz.id):
        last = latest.get(student.id)
        open_ = last is not None and last.status == AttemptStatus.IN_PROGRESS
        rows.append(
            ProgressRow(
                student_id=student.id,
                full_name=student.full_name,
                status="not_started" if last is None else str(last.status),
                answered=counts.get(last.id, 0) if last else 0,
                # an adaptive attempt grows question by question: show its maximum length
                questions=(
                    len(last.questions)
                    if last and quiz.selection != QuizSelection.ADAPTIVE
                    else question_count(quiz)
                ),
                remaining_seconds=(
                    attempts_service.window_of(last, quiz).remaining_seconds(now)
                    if last is not None and open_
                    else None
                ),
                score=last.score if last is not None and not open_ else None,
            )
        )
    return QuizProgress(quiz_id=quiz.id, rows=rows)
