"""Gradebooks (class x subject x semester): creation, sheets, lock and publish, conduct, lookup.

Every rule about averages and levels comes from ``content_service.records.rules`` (TT22/2021
for grades 6-12, TT27/2020 for grades 1-5); the services only load, validate, store and audit.
The module is split along concepts: ``gradebook_access`` (rules, permissions, loading),
``gradebook_cells`` (changing cells, external scores), ``gradebook_import`` (CSV / Excel) and
``gradebook_primary`` (TT27 books and year results). Their public names are re-exported here.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    UnprocessableError,
)
from content_service.models.base import utcnow
from content_service.models.gradebook import (
    ConductRecord,
    GradebookKind,
    GradebookRecord,
    GradebookStatus,
    GradeEntryRecord,
)
from content_service.models.people import (
    ClassMembershipRecord,
    Role,
    SchoolClassRecord,
    UserRecord,
)
from content_service.records.rules import (
    CommentRating,
    CommentSemester,
    ScoredSemester,
    SecondaryRuleSet,
    SubjectResult,
    assess_semester,
)
from content_service.schemas.common import PageParams
from content_service.schemas.gradebook import (
    ConductUpdate,
    GradebookCreate,
    GradebookPublic,
    GradebookSheet,
    SheetRow,
    StudentGradebookPublic,
    SubjectResultPublic,
)
from content_service.services.access import (
    Principal,
    can_read_person,
    require_role,
)
from content_service.services.audit import record_audit
from content_service.services.gradebook_access import (
    FINAL,
    MIDTERM,
    REGION,
    TRAITS_SUBJECT,
    class_students,
    columns,
    entries_of,
    get_class_record,
    get_gradebook,
    is_primary,
    require_can_edit,
    require_staff,
    rules_for,
    teaches,
    year_end,
)
from content_service.services.gradebook_cells import (
    Cell,
    InvalidCellsError,
    apply_cells,
    parse_cell,
    record_external_score,
    save_scores,
)
from content_service.services.gradebook_import import import_scores
from content_service.services.gradebook_primary import book_layout, primary_row_result
from content_service.services.people import paginate
from content_service.services.record_sync import Change, RecordEvent, emit_events

__all__ = [
    "FINAL",
    "MIDTERM",
    "REGION",
    "Cell",
    "InvalidCellsError",
    "apply_cells",
    "change_status",
    "class_students",
    "columns",
    "create_gradebook",
    "entries_of",
    "get_class_record",
    "get_gradebook",
    "get_sheet",
    "import_scores",
    "list_gradebooks",
    "parse_cell",
    "record_external_score",
    "require_can_edit",
    "require_staff",
    "result_public",
    "row_result",
    "rules_for",
    "save_scores",
    "semester_result",
    "set_conduct",
    "student_gradebooks",
    "teaches",
    "year_end",
]


def _new_book(klass: SchoolClassRecord, data: GradebookCreate) -> GradebookRecord:
    """An unsaved gradebook whose columns follow the class's rule set."""
    record = GradebookRecord(
        school_id=klass.school_id,
        class_id=klass.id,
        subject=data.subject,
        semester=data.semester,
        periods_per_year=data.periods_per_year,
        regular_count=0,
        rule_id="",
    )
    if is_primary(klass):
        record.kind, record.column_keys, record.rule_id = book_layout(klass, data.subject)
        return record
    rules = rules_for(klass)
    record.regular_count = rules.regular_count(data.periods_per_year)
    record.comment_only = rules.is_comment_only(data.subject)
    record.rule_id = rules.meta.rule_id
    return record


async def create_gradebook(
    *, session: AsyncSession, principal: Principal, data: GradebookCreate
) -> GradebookRecord:
    klass = await get_class_record(session, data.class_id)
    await require_can_edit(session, principal, klass.id, data.subject, klass.school_id)
    record = _new_book(klass, data)
    session.add(record)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise ConflictError(
            f"class {klass.name} already has a {data.subject} gradebook for semester "
            f"{data.semester}",
            code="already_exists",
        ) from exc
    record_audit(
        session=session,
        actor=principal,
        action="gradebook.create",
        entity="gradebook",
        entity_id=record.id,
        school_id=klass.school_id,
        details={"subject": data.subject, "semester": data.semester},
    )
    return record


async def list_gradebooks(
    *,
    session: AsyncSession,
    principal: Principal,
    page: PageParams,
    class_id: uuid.UUID | None = None,
) -> tuple[list[GradebookRecord], int]:
    require_role(principal, Role.TEACHER, Role.SCHOOL_ADMIN)
    query = select(GradebookRecord).order_by(
        col(GradebookRecord.subject), col(GradebookRecord.semester)
    )
    if not principal.is_system_admin:
        query = query.where(GradebookRecord.school_id == principal.school_id)
    if class_id is not None:
        query = query.where(GradebookRecord.class_id == class_id)
    return await paginate(session, query, page)


def semester_result(
    gradebook: GradebookRecord, values: dict[str, str], rules: SecondaryRuleSet
) -> SubjectResult:
    """The rules engine's result for one student's row (incomplete rows list what is missing)."""
    texts = [values[c] for c in columns(gradebook)[:-2] if c in values]
    mid, end = values.get(MIDTERM), values.get(FINAL)
    semester: ScoredSemester | CommentSemester
    if gradebook.comment_only:
        semester = CommentSemester(
            gradebook.subject,
            gradebook.periods_per_year,
            tuple(CommentRating.parse(t) for t in texts),
            CommentRating.parse(mid) if mid else None,
            CommentRating.parse(end) if end else None,
        )
    else:
        semester = ScoredSemester(
            gradebook.subject,
            gradebook.periods_per_year,
            tuple(Decimal(t) for t in texts),
            Decimal(mid) if mid else None,
            Decimal(end) if end else None,
        )
    return assess_semester(semester, rules)


def row_result(
    gradebook: GradebookRecord, values: dict[str, str], rules: SecondaryRuleSet | None
) -> SubjectResultPublic:
    """A student's result in one book: TT22 average or rating, or the TT27 period rating."""
    if gradebook.kind != GradebookKind.SECONDARY or rules is None:
        return primary_row_result(gradebook, values)
    return result_public(semester_result(gradebook, values, rules))


def result_public(result: SubjectResult) -> SubjectResultPublic:
    return SubjectResultPublic(
        average=str(result.average) if result.average is not None else None,
        rating=result.rating.value if result.rating is not None else None,
        missing=list(result.missing),
    )


async def get_sheet(
    *, session: AsyncSession, principal: Principal, gradebook_id: uuid.UUID
) -> GradebookSheet:
    """The grid: one row per student of the class with its cells and semester result."""
    gradebook = await get_gradebook(session=session, principal=principal, gradebook_id=gradebook_id)
    klass = await get_class_record(session, gradebook.class_id)
    rules = None if is_primary(klass) else rules_for(klass)
    entries = await entries_of(session, gradebook.id)
    rows = []
    for student in await class_students(session, klass.id):
        values = {c: e.value for (sid, c), e in entries.items() if sid == student.id}
        rows.append(
            SheetRow(
                student_id=student.id,
                full_name=student.full_name,
                username=student.username,
                values=values,
                result=row_result(gradebook, values, rules),
            )
        )
    return GradebookSheet(
        gradebook=GradebookPublic.model_validate(gradebook, from_attributes=True),
        class_name=klass.name,
        columns=columns(gradebook),
        rows=rows,
    )


async def change_status(
    *,
    session: AsyncSession,
    principal: Principal,
    gradebook_id: uuid.UUID,
    target: GradebookStatus,
) -> GradebookRecord:
    """Lock (no more silent changes) or publish (locked, and visible to students and parents)."""
    gradebook = await get_gradebook(session=session, principal=principal, gradebook_id=gradebook_id)
    await require_can_edit(
        session, principal, gradebook.class_id, gradebook.subject, gradebook.school_id
    )
    order = [GradebookStatus.OPEN, GradebookStatus.LOCKED, GradebookStatus.PUBLISHED]
    if order.index(GradebookStatus(gradebook.status)) >= order.index(target):
        raise ConflictError(
            f"the gradebook is already {gradebook.status}", code="invalid_status_change"
        )
    now = utcnow()
    gradebook.locked_at = gradebook.locked_at or now
    if target is GradebookStatus.PUBLISHED:
        gradebook.published_at = now
    gradebook.status = target
    session.add(gradebook)
    record_audit(
        session=session,
        actor=principal,
        action=f"gradebook.{'publish' if target is GradebookStatus.PUBLISHED else 'lock'}",
        entity="gradebook",
        entity_id=gradebook.id,
        school_id=gradebook.school_id,
    )
    await session.flush()
    return gradebook


# -- conduct -----------------------------------------------------------------------------------


async def set_conduct(
    *, session: AsyncSession, principal: Principal, class_id: uuid.UUID, data: ConductUpdate
) -> list[ConductRecord]:
    """Conduct and absences of a semester: the homeroom teacher or a school admin."""
    klass = await get_class_record(session, class_id)
    require_staff(principal, klass.school_id)
    if is_primary(klass):
        raise UnprocessableError(
            f"class {klass.name}: primary pupils have no conduct rating (TT27/2020); rate "
            f"qualities and competencies in the {TRAITS_SUBJECT!r} gradebook",
            code="primary_class",
        )
    if principal.role is Role.TEACHER and klass.homeroom_teacher_id != principal.user_id:
        raise PermissionDeniedError(
            "only the homeroom teacher enters conduct", code="not_homeroom_teacher"
        )
    students = {s.id for s in await class_students(session, class_id)}
    errors = [
        {
            "entry": i,
            "column": "student_id",
            "message": f"student {c.student_id} is not in this class",
        }
        for i, c in enumerate(data.entries)
        if c.student_id not in students
    ]
    if errors:
        raise InvalidCellsError(errors)
    rows = await session.exec(
        select(ConductRecord)
        .where(ConductRecord.class_id == class_id)
        .where(ConductRecord.semester == data.semester)
    )
    existing = {r.student_id: r for r in rows.all()}
    changes, saved = [], []
    for cell in data.entries:
        record = existing.get(cell.student_id)
        event = RecordEvent.UPDATE if record else RecordEvent.NEW
        if record is None:
            record = ConductRecord(
                class_id=class_id, student_id=cell.student_id, semester=data.semester, level=""
            )
        record.level, record.absent_days, record.updated_at = cell.level, cell.absent_days, utcnow()
        session.add(record)
        existing[cell.student_id] = record
        saved.append(record)
        payload = {
            "class_id": str(class_id),
            "student_id": str(cell.student_id),
            "semester": data.semester,
            "level": cell.level,
            "absent_days": cell.absent_days,
        }
        changes.append(Change(str(record.id), event, payload))
    await session.flush()
    await emit_events(
        session=session, school_id=klass.school_id, record_type="conduct", changes=changes
    )
    record_audit(
        session=session,
        actor=principal,
        action="conduct.set",
        entity="school_class",
        entity_id=class_id,
        school_id=klass.school_id,
        details={"semester": data.semester, "students": len(saved)},
    )
    return saved


# -- students and parents ----------------------------------------------------------------------


async def student_gradebooks(
    *, session: AsyncSession, principal: Principal, student_id: uuid.UUID
) -> list[StudentGradebookPublic]:
    """A student's gradebooks, every year: published ones for the student and their parents."""
    student = await session.get(UserRecord, student_id)
    if student is None or student.role != Role.STUDENT:
        raise NotFoundError(f"student {student_id} not found", code="student_not_found")
    if not can_read_person(principal, user_id=student.id, school_id=student.school_id):
        raise PermissionDeniedError(
            "you may not read this student's grades", code="not_your_record"
        )
    query = (
        select(GradebookRecord, SchoolClassRecord)
        .join(SchoolClassRecord, col(SchoolClassRecord.id) == col(GradebookRecord.class_id))
        .join(
            ClassMembershipRecord,
            col(ClassMembershipRecord.class_id) == col(GradebookRecord.class_id),
        )
        .where(ClassMembershipRecord.user_id == student_id)
        .order_by(
            col(SchoolClassRecord.school_year),
            col(GradebookRecord.semester),
            col(GradebookRecord.subject),
        )
    )
    if not principal.is_staff:
        query = query.where(GradebookRecord.status == GradebookStatus.PUBLISHED)
    result = []
    for gradebook, klass in (await session.exec(query)).all():
        rows = await session.exec(
            select(GradeEntryRecord)
            .where(GradeEntryRecord.gradebook_id == gradebook.id)
            .where(GradeEntryRecord.student_id == student_id)
        )
        values = {e.column_key: e.value for e in rows.all()}
        rules = None if is_primary(klass) else rules_for(klass)
        result.append(
            StudentGradebookPublic(
                gradebook_id=gradebook.id,
                class_name=klass.name,
                school_year=klass.school_year,
                subject=gradebook.subject,
                semester=gradebook.semester,
                values=values,
                result=row_result(gradebook, values, rules),
            )
        )
    return result
