"""Surveys: authoring, assignment, one anonymous response per person, and withheld-small reports.

Anonymity rules kept here (the tables are described in ``models/surveys.py``):

* answering writes a ``SurveyParticipationRecord`` (who) and a ``SurveyResponseRecord`` (what)
  with no shared id and no time; an anonymous response has ``respondent_id`` NULL;
* in the same transaction up to ``MIX_SIZE`` random earlier responses of the survey are rewritten
  with new random ids, and all rewritten rows are inserted in shuffled order: the transaction id
  and the physical position a participation row shares with answers point at a set of answers;
* nothing here logs or audits a submission (the access log has the path, never the caller);
* a report shows a group only with at least ``min_group_size`` responses, and withholds one more
  group when the withheld ones would otherwise be recoverable by subtraction from the school.
"""

from __future__ import annotations

import csv
import io
import secrets
import uuid
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, delete, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.errors import ConflictError, NotFoundError, UnprocessableError
from content_service.models.people import (
    ClassMembershipRecord,
    Role,
    SchoolClassRecord,
    SchoolRecord,
)
from content_service.models.surveys import (
    SurveyAssignmentRecord,
    SurveyParticipationRecord,
    SurveyRecord,
    SurveyResponseRecord,
    SurveyStatus,
)
from content_service.schemas.common import PageParams
from content_service.schemas.surveys import (
    AnswerValue,
    AssignmentCreate,
    GroupReport,
    OptionCount,
    Question,
    QuestionKind,
    QuestionResult,
    SurveyCreate,
    SurveyReport,
)
from content_service.services.access import Principal, require_role, require_school
from content_service.services.audit import record_audit
from content_service.services.people import paginate

MIX_SIZE = 8  # earlier responses rewritten with each new one (the size of the anonymity set)
AUTHORS = (Role.TEACHER, Role.SCHOOL_ADMIN)
READERS = (Role.TEACHER, Role.SCHOOL_ADMIN, Role.RESEARCHER)
_TRANSITIONS = {
    SurveyStatus.DRAFT: {SurveyStatus.OPEN},
    SurveyStatus.OPEN: {SurveyStatus.CLOSED},
    SurveyStatus.CLOSED: {SurveyStatus.OPEN},
}
_random = secrets.SystemRandom()


def questions_of(survey: SurveyRecord) -> list[Question]:
    return [Question.model_validate(q) for q in survey.questions]


# -- authoring ---------------------------------------------------------------------------------


async def create_survey(
    *, session: AsyncSession, principal: Principal, data: SurveyCreate
) -> SurveyRecord:
    require_role(principal, *AUTHORS)
    school_id = data.school_id or principal.school_id
    if school_id is None:  # a system admin belongs to no school: they must say which
        raise UnprocessableError("school_id: say which school the survey is for",
                                 code="school_required")  # fmt: skip
    require_school(principal, school_id)
    if await session.get(SchoolRecord, school_id) is None:
        raise NotFoundError(f"school_id: school {school_id} not found", code="school_not_found")
    survey = SurveyRecord(
        school_id=school_id,
        title=data.title,
        description=data.description,
        anonymous=data.anonymous,
        min_group_size=data.min_group_size,
        questions=[q.model_dump(mode="json") for q in data.questions],
        created_by=principal.user_id,
    )
    session.add(survey)
    await session.flush()
    record_audit(
        session=session,
        actor=principal,
        action="survey.create",
        entity="survey",
        entity_id=survey.id,
        school_id=school_id,
        details={"anonymous": data.anonymous, "questions": len(data.questions)},
    )
    return survey


async def _load(session: AsyncSession, survey_id: uuid.UUID) -> SurveyRecord:
    survey = await session.get(SurveyRecord, survey_id)
    if survey is None:
        raise NotFoundError(f"survey {survey_id} not found", code="survey_not_found")
    return survey


async def _manageable(
    session: AsyncSession, principal: Principal, survey_id: uuid.UUID
) -> SurveyRecord:
    require_role(principal, *AUTHORS)
    survey = await _load(session, survey_id)
    require_school(principal, survey.school_id)
    return survey


async def change_status(
    *, session: AsyncSession, principal: Principal, survey_id: uuid.UUID, status: SurveyStatus
) -> SurveyRecord:
    survey = await _manageable(session, principal, survey_id)
    current = SurveyStatus(survey.status)
    if status not in _TRANSITIONS[current]:
        raise ConflictError(
            f"status: a {current.value} survey cannot become {status.value}",
            code="invalid_transition",
        )
    survey.status = status
    session.add(survey)
    record_audit(
        session=session,
        actor=principal,
        action=f"survey.{status.value}",
        entity="survey",
        entity_id=survey.id,
        school_id=survey.school_id,
    )
    return survey


async def add_assignment(
    *, session: AsyncSession, principal: Principal, survey_id: uuid.UUID, data: AssignmentCreate
) -> SurveyAssignmentRecord:
    survey = await _manageable(session, principal, survey_id)
    if data.class_id is not None:
        klass = await session.get(SchoolClassRecord, data.class_id)
        if klass is None or klass.school_id != survey.school_id:
            raise NotFoundError(
                f"class_id: class {data.class_id} not found in the survey's school",
                code="class_not_found",
            )
    existing = await session.exec(
        select(SurveyAssignmentRecord).where(
            SurveyAssignmentRecord.survey_id == survey.id,
            SurveyAssignmentRecord.class_id == data.class_id,
        )
    )
    if existing.first() is not None:
        raise ConflictError("class_id: the survey is already assigned there", code="already_exists")
    record = SurveyAssignmentRecord(survey_id=survey.id, class_id=data.class_id)
    session.add(record)
    record_audit(
        session=session,
        actor=principal,
        action="survey.assign",
        entity="survey",
        entity_id=survey.id,
        school_id=survey.school_id,
        details={"class_id": str(data.class_id) if data.class_id else "school"},
    )
    return record


# -- who sees what -----------------------------------------------------------------------------


async def _student_classes(session: AsyncSession, principal: Principal) -> list[uuid.UUID]:
    rows = await session.exec(
        select(ClassMembershipRecord.class_id)
        .where(
            ClassMembershipRecord.user_id == principal.user_id,
            ClassMembershipRecord.role == Role.STUDENT,
        )
        .order_by(col(ClassMembershipRecord.class_id))
    )
    return list(rows.all())


async def respondent_class(
    session: AsyncSession, principal: Principal, survey: SurveyRecord
) -> tuple[bool, uuid.UUID | None]:
    """Whether the caller is asked to answer ``survey``, and the class their answers count for."""
    if principal.role is not Role.STUDENT or principal.school_id != survey.school_id:
        return False, None
    classes = await _student_classes(session, principal)
    rows = await session.exec(
        select(SurveyAssignmentRecord.class_id).where(SurveyAssignmentRecord.survey_id == survey.id)
    )
    assigned = set(rows.all())
    for class_id in classes:
        if class_id in assigned:
            return True, class_id
    if None in assigned:
        return True, classes[0] if classes else None
    return False, None


async def get_survey(
    *, session: AsyncSession, principal: Principal, survey_id: uuid.UUID
) -> SurveyRecord:
    survey = await _load(session, survey_id)
    if principal.is_staff:
        require_school(principal, survey.school_id)
        return survey
    asked, _ = await respondent_class(session, principal, survey)
    if not asked or survey.status == SurveyStatus.DRAFT:
        raise NotFoundError(f"survey {survey_id} not found", code="survey_not_found")
    return survey


async def list_surveys(
    *, session: AsyncSession, principal: Principal, page: PageParams
) -> tuple[list[SurveyRecord], int]:
    query = select(SurveyRecord).order_by(col(SurveyRecord.created_at).desc(), col(SurveyRecord.id))
    if principal.is_staff:
        if not principal.is_system_admin:
            query = query.where(SurveyRecord.school_id == principal.school_id)
        return await paginate(session, query, page)
    if principal.role is not Role.STUDENT:
        return [], 0
    classes = await _student_classes(session, principal)
    assigned = select(SurveyAssignmentRecord.survey_id).where(
        or_(
            col(SurveyAssignmentRecord.class_id).is_(None),
            col(SurveyAssignmentRecord.class_id).in_(classes),
        )
    )
    query = query.where(
        SurveyRecord.school_id == principal.school_id,
        SurveyRecord.status != SurveyStatus.DRAFT,
        col(SurveyRecord.id).in_(assigned),
    )
    return await paginate(session, query, page)


async def has_responded(
    *, session: AsyncSession, principal: Principal, survey_id: uuid.UUID
) -> bool:
    rows = await session.exec(
        select(SurveyParticipationRecord.id).where(
            SurveyParticipationRecord.survey_id == survey_id,
            SurveyParticipationRecord.user_id == principal.user_id,
        )
    )
    return rows.first() is not None


# -- answering ---------------------------------------------------------------------------------


def _shown(question: Question, kept: dict[str, AnswerValue]) -> bool:
    condition = question.show_if
    if condition is None:
        return True
    given = kept.get(condition.question)
    values = given if isinstance(given, list) else [given]
    return any(v in condition.any_of for v in values if v is not None)


def clean_answers(
    questions: Sequence[Question], answers: dict[str, AnswerValue]
) -> dict[str, AnswerValue]:
    """The answers to keep: checked, only for shown questions, with every shown required one."""
    known = {q.id for q in questions}
    unknown = sorted(set(answers) - known)
    if unknown:
        raise UnprocessableError(
            f"answers: no question {unknown[0]!r} in this survey", code="unknown_question"
        )
    kept: dict[str, AnswerValue] = {}
    for question in questions:
        if not _shown(question, kept):
            continue  # skipped by the logic: an answer sent anyway is dropped
        value = answers.get(question.id)
        if value in (None, "", []):
            if question.required:
                raise UnprocessableError(
                    f"answers.{question.id}: this question needs an answer", code="answer_required"
                )
            continue
        if not question.accepts(value):
            raise UnprocessableError(
                f"answers.{question.id}: not a valid answer to a {question.kind.value} question",
                code="invalid_answer",
            )
        kept[question.id] = value
    return kept


async def _mix(session: AsyncSession, survey: SurveyRecord, fresh: SurveyResponseRecord) -> None:
    # Rewrite a few random earlier responses with new ids and insert them, shuffled, with the new
    # one: on PostgreSQL every row written by this transaction shares its xmin and sits together
    # at the end of the heap, so neither points at one respondent's answers.
    picked = await session.exec(
        select(SurveyResponseRecord)
        .where(SurveyResponseRecord.survey_id == survey.id)
        .order_by(func.random())
        .limit(MIX_SIZE)
    )
    earlier = list(picked.all())
    batch = [fresh]
    for record in earlier:
        batch.append(
            SurveyResponseRecord(
                survey_id=record.survey_id,
                school_id=record.school_id,
                class_id=record.class_id,
                respondent_id=record.respondent_id,
                answers=record.answers,
            )
        )
    if earlier:
        await session.exec(
            delete(SurveyResponseRecord).where(
                col(SurveyResponseRecord.id).in_([r.id for r in earlier])
            )
        )
        for record in earlier:
            session.expunge(record)
    _random.shuffle(batch)
    session.add_all(batch)


async def submit_response(
    *,
    session: AsyncSession,
    principal: Principal,
    survey_id: uuid.UUID,
    answers: dict[str, AnswerValue],
) -> SurveyRecord:
    survey = await get_survey(session=session, principal=principal, survey_id=survey_id)
    asked, class_id = await respondent_class(session, principal, survey)
    if not asked:
        raise NotFoundError(f"survey {survey_id} not found", code="survey_not_found")
    if survey.status != SurveyStatus.OPEN:
        raise ConflictError("this survey is not open for answers", code="survey_closed")
    if await has_responded(session=session, principal=principal, survey_id=survey.id):
        raise ConflictError("you have already answered this survey", code="already_responded")
    kept = clean_answers(questions_of(survey), answers)
    session.add(SurveyParticipationRecord(survey_id=survey.id, user_id=principal.user_id))
    try:
        await session.flush()  # the unique (survey, user) pair settles a double submission
    except IntegrityError as exc:
        raise ConflictError(
            "you have already answered this survey", code="already_responded"
        ) from exc
    fresh = SurveyResponseRecord(
        survey_id=survey.id,
        school_id=survey.school_id,
        class_id=class_id,
        respondent_id=None if survey.anonymous else principal.user_id,
        answers=kept,
    )
    await _mix(session, survey, fresh)
    return survey


# -- reports -----------------------------------------------------------------------------------


def _question_result(question: Question, answers: list[dict[str, Any]]) -> QuestionResult:
    given = [a[question.id] for a in answers if question.id in a]
    result = QuestionResult(
        id=question.id, kind=question.kind, text=question.text, answered=len(given)
    )
    if question.kind is QuestionKind.TEXT:
        result.texts = sorted(str(v) for v in given)
        return result
    if question.kind is QuestionKind.LIKERT:
        choices = [
            (str(p), question.labels[p - 1] if question.labels else str(p))
            for p in range(1, question.points + 1)
        ]
        counter = Counter(str(v) for v in given)
        result.mean = round(sum(int(v) for v in given) / len(given), 2) if given else None
    else:
        choices = [(o.id, o.text) for o in question.options]
        flat = [v for value in given for v in (value if isinstance(value, list) else [value])]
        counter = Counter(flat)
    base = len(given) or 1
    result.counts = [
        OptionCount(
            value=value,
            label=label,
            count=counter[value],
            percent=round(100 * counter[value] / base, 1),
        )
        for value, label in choices
    ]
    return result


def _group(
    kind: str,
    group_id: uuid.UUID,
    name: str,
    questions: list[Question],
    answers: list[dict[str, Any]],
    *,
    withheld: bool,
) -> GroupReport:
    if withheld:
        return GroupReport(group=kind, group_id=group_id, name=name, withheld=True)
    return GroupReport(
        group=kind,
        group_id=group_id,
        name=name,
        withheld=False,
        responses=len(answers),
        questions=[_question_result(q, answers) for q in questions],
    )


def _withheld_classes(sizes: dict[uuid.UUID | None, int], minimum: int) -> set[uuid.UUID | None]:
    """Classes below the minimum, plus the smallest others while the rest is recoverable."""
    withheld = {c for c, n in sizes.items() if n < minimum}
    hidden = sum(sizes[c] for c in withheld)
    shown = sorted((n, str(c)) for c, n in sizes.items() if c not in withheld)
    by_name = {str(c): c for c in sizes}
    while 0 < hidden < minimum and shown:
        n, key = shown.pop(0)
        withheld.add(by_name[key])
        hidden += n
    return withheld


async def build_report(
    *,
    session: AsyncSession,
    principal: Principal,
    survey_id: uuid.UUID,
    class_id: uuid.UUID | None = None,
) -> SurveyReport:
    require_role(principal, *READERS)
    survey = await _load(session, survey_id)
    require_school(principal, survey.school_id)
    questions = questions_of(survey)
    rows = await session.exec(
        select(SurveyResponseRecord.class_id, SurveyResponseRecord.answers)
        .where(SurveyResponseRecord.survey_id == survey.id)
        .order_by(col(SurveyResponseRecord.id))
    )
    by_class: dict[uuid.UUID | None, list[dict[str, Any]]] = {}
    for cid, answers in rows.all():
        by_class.setdefault(cid, []).append(dict(answers))
    assigned = await session.exec(
        select(SurveyAssignmentRecord.class_id).where(SurveyAssignmentRecord.survey_id == survey.id)
    )
    targets = set(assigned.all())
    if None in targets:  # the whole school: every class of the school is a group
        every = await session.exec(
            select(SchoolClassRecord.id).where(SchoolClassRecord.school_id == survey.school_id)
        )
        targets |= set(every.all())
    for cid in targets - {None}:
        by_class.setdefault(cid, [])
    minimum = survey.min_group_size
    withheld = _withheld_classes({c: len(a) for c, a in by_class.items()}, minimum)
    everyone = [a for answers in by_class.values() for a in answers]
    groups: list[GroupReport] = []
    if class_id is None:
        school = await session.get(SchoolRecord, survey.school_id)
        school_name = school.name if school else ""
        groups.append(
            _group(
                "school",
                survey.school_id,
                school_name,
                questions,
                everyone,
                withheld=len(everyone) < minimum,
            )
        )
    names = await _class_names(session, [c for c in by_class if c is not None])
    for cid in sorted((c for c in by_class if c is not None), key=lambda c: names.get(c, "")):
        if class_id is not None and cid != class_id:
            continue
        groups.append(
            _group(
                "class", cid, names.get(cid, ""), questions, by_class[cid], withheld=cid in withheld
            )
        )
    if class_id is not None and not groups:
        raise NotFoundError(
            f"class_id: class {class_id} has no part in this survey", code="class_not_found"
        )
    return SurveyReport(
        survey_id=survey.id,
        title=survey.title,
        anonymous=survey.anonymous,
        min_group_size=minimum,
        groups=groups,
    )


async def _class_names(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = await session.exec(
        select(SchoolClassRecord.id, SchoolClassRecord.name).where(
            col(SchoolClassRecord.id).in_(ids)
        )
    )
    return dict(rows.all())


CSV_HEADER = (
    "group",
    "group_id",
    "group_name",
    "responses",
    "question_id",
    "question",
    "value",
    "label",
    "count",
    "percent",
    "mean",
)


def report_csv(report: SurveyReport) -> str:
    """The report as CSV (one row per option count or text answer; withheld groups say so)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for g in report.groups:
        head = [g.group, g.group_id, g.name]
        if g.withheld:
            writer.writerow(
                [*head, f"withheld (< {report.min_group_size})", "", "", "", "", "", "", ""]
            )
            continue
        for q in g.questions:
            cells = [*head, g.responses, q.id, q.text]
            for c in q.counts:
                writer.writerow(
                    [
                        *cells,
                        c.value,
                        c.label,
                        c.count,
                        c.percent,
                        q.mean if q.mean is not None else "",
                    ]
                )
            for text in q.texts:
                writer.writerow([*cells, "text", text, 1, "", ""])
    return out.getvalue()
