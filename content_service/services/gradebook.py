"""Gradebooks (class x subject x semester): score entry, import, lock and publish, conduct.

Every rule about averages and levels comes from ``content_service.records.rules`` (TT22/2021);
this module only loads, validates, stores and audits. A change to a locked gradebook needs a
reason, and the reason and the old and new values land in the audit log. Every stored cell is
a synced record: its changes go to the outbox (``services.record_sync``).
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import openpyxl
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
    GradebookRecord,
    GradebookStatus,
    GradeEntryRecord,
    ScoreSource,
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
    InvalidScoreError,
    RuleSetNotFoundError,
    ScoredSemester,
    SecondaryRuleSet,
    SubjectResult,
    assess_semester,
    parse_score,
    round_half_up,
    select_secondary_rule_set,
)
from content_service.records.rules.scores import name_key
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
    require_school,
)
from content_service.services.audit import record_audit
from content_service.services.people import paginate
from content_service.services.record_sync import Change, RecordEvent, emit_events

MIDTERM, FINAL = "gk", "ck"
REGION = "VN"  # the national rule set; a regional one (e.g. "HCM") wins when it exists


class InvalidCellsError(UnprocessableError):
    """Per-cell problems of a batch (entry or file row), all reported at once; nothing saved."""

    code = "invalid_scores"

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(errors)} invalid cell(s); nothing was saved")
        self.detail = errors  # type: ignore[assignment] # the 422 body lists every problem


@dataclass(frozen=True, slots=True)
class Cell:
    student_id: uuid.UUID
    column: str
    value: object  # as entered
    where: dict[str, Any]  # {"entry": 3} or {"row": 5}: where the caller should look


# -- rules and access --------------------------------------------------------------------------


def year_end(school_year: str) -> date:
    """The day a school year's results are computed for: 31 May of its second calendar year."""
    try:
        return date(int(school_year.split("-")[1]), 5, 31)
    except (IndexError, ValueError):
        raise UnprocessableError(
            f"school_year: {school_year!r} is not like 2026-2027", code="invalid_school_year"
        ) from None


def rules_for(klass: SchoolClassRecord) -> SecondaryRuleSet:
    if klass.grade < 6:
        raise UnprocessableError(
            f"class {klass.name}: primary gradebooks (TT27/2020) are not supported yet",
            code="primary_not_supported",
        )
    try:
        return select_secondary_rule_set(REGION, year_end(klass.school_year), grade=klass.grade)
    except RuleSetNotFoundError as exc:
        raise UnprocessableError(str(exc), code="no_rule_set") from exc


def columns(gradebook: GradebookRecord) -> list[str]:
    return [f"tx{i + 1}" for i in range(gradebook.regular_count)] + [MIDTERM, FINAL]


async def get_class_record(session: AsyncSession, class_id: uuid.UUID) -> SchoolClassRecord:
    klass = await session.get(SchoolClassRecord, class_id)
    if klass is None:
        raise NotFoundError(f"class {class_id} not found", code="class_not_found")
    return klass


async def teaches(
    session: AsyncSession, principal: Principal, class_id: uuid.UUID, subject: str
) -> bool:
    rows = await session.exec(
        select(ClassMembershipRecord.subject)
        .where(ClassMembershipRecord.class_id == class_id)
        .where(ClassMembershipRecord.user_id == principal.user_id)
        .where(ClassMembershipRecord.role == Role.TEACHER)
    )
    return any(name_key(s) == name_key(subject) for s in rows.all())


def require_staff(principal: Principal, school_id: uuid.UUID) -> None:
    require_role(principal, Role.TEACHER, Role.SCHOOL_ADMIN)
    require_school(principal, school_id)


async def require_can_edit(
    session: AsyncSession,
    principal: Principal,
    class_id: uuid.UUID,
    subject: str,
    school_id: uuid.UUID,
) -> None:
    """The subject's teacher in the class, or a school admin, may change its scores."""
    require_staff(principal, school_id)
    if principal.role is Role.TEACHER and not await teaches(session, principal, class_id, subject):
        raise PermissionDeniedError(
            f"you do not teach {subject} in this class", code="not_your_gradebook"
        )


async def class_students(session: AsyncSession, class_id: uuid.UUID) -> list[UserRecord]:
    rows = await session.exec(
        select(UserRecord)
        .join(ClassMembershipRecord, col(ClassMembershipRecord.user_id) == col(UserRecord.id))
        .where(ClassMembershipRecord.class_id == class_id)
        .where(ClassMembershipRecord.role == Role.STUDENT)
        .order_by(col(UserRecord.full_name), col(UserRecord.username))
    )
    return list(rows.all())


# -- gradebooks --------------------------------------------------------------------------------


async def create_gradebook(
    *, session: AsyncSession, principal: Principal, data: GradebookCreate
) -> GradebookRecord:
    klass = await get_class_record(session, data.class_id)
    await require_can_edit(session, principal, klass.id, data.subject, klass.school_id)
    rules = rules_for(klass)
    record = GradebookRecord(
        school_id=klass.school_id,
        class_id=klass.id,
        subject=data.subject,
        semester=data.semester,
        periods_per_year=data.periods_per_year,
        regular_count=rules.regular_count(data.periods_per_year),
        comment_only=rules.is_comment_only(data.subject),
        rule_id=rules.meta.rule_id,
    )
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


async def get_gradebook(
    *, session: AsyncSession, principal: Principal, gradebook_id: uuid.UUID
) -> GradebookRecord:
    record = await session.get(GradebookRecord, gradebook_id)
    if record is None or not (
        principal.is_system_admin
        or (principal.is_staff and principal.school_id == record.school_id)
    ):
        raise NotFoundError(f"gradebook {gradebook_id} not found", code="gradebook_not_found")
    require_staff(principal, record.school_id)
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


async def entries_of(
    session: AsyncSession, gradebook_id: uuid.UUID
) -> dict[tuple[uuid.UUID, str], GradeEntryRecord]:
    rows = await session.exec(
        select(GradeEntryRecord).where(GradeEntryRecord.gradebook_id == gradebook_id)
    )
    return {(e.student_id, e.column_key): e for e in rows.all()}


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
    rules = rules_for(klass)
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
                result=result_public(semester_result(gradebook, values, rules)),
            )
        )
    return GradebookSheet(
        gradebook=GradebookPublic.model_validate(gradebook, from_attributes=True),
        class_name=klass.name,
        columns=columns(gradebook),
        rows=rows,
    )


# -- changing cells ----------------------------------------------------------------------------


def parse_cell(gradebook: GradebookRecord, column: str, value: object) -> str | None:
    """The stored text of a cell (``None`` clears it); raises ``ValueError`` naming the cell."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    field = f"{gradebook.subject}.{column}"
    if gradebook.comment_only:
        return CommentRating.parse(value, field=field).value
    if isinstance(value, float):
        value = Decimal(str(value))  # a spreadsheet's 8.5 is the decimal 8.5
    return str(parse_score(value, field=field))


def _validate(
    gradebook: GradebookRecord, cells: Sequence[Cell], students: set[uuid.UUID]
) -> list[str | None]:
    allowed, errors, seen = set(columns(gradebook)), [], set()
    parsed: list[str | None] = []
    for cell in cells:
        problem, value = None, None
        if cell.column not in allowed:
            problem = (
                f"unknown column {cell.column!r}; expected one of {', '.join(columns(gradebook))}"
            )
        elif cell.student_id not in students:
            problem = f"student {cell.student_id} is not in this class"
        elif (cell.student_id, cell.column) in seen:
            problem = "the same cell appears twice"
        else:
            try:
                value = parse_cell(gradebook, cell.column, cell.value)
            except (InvalidScoreError, ValueError) as exc:
                problem = str(exc)
        seen.add((cell.student_id, cell.column))
        parsed.append(value)
        if problem:
            errors.append({**cell.where, "column": cell.column, "message": problem})
    if errors:
        raise InvalidCellsError(errors)
    return parsed


async def apply_cells(
    *,
    session: AsyncSession,
    principal: Principal,
    gradebook: GradebookRecord,
    cells: Sequence[Cell],
    reason: str | None,
    source: ScoreSource,
) -> int:
    """Validate every cell, then save all of them or none; returns how many changed."""
    if gradebook.status != GradebookStatus.OPEN and not reason:
        raise UnprocessableError(
            f"the {gradebook.subject} gradebook is {gradebook.status}: a change needs a reason",
            code="reason_required",
        )
    students = {s.id for s in await class_students(session, gradebook.class_id)}
    parsed = _validate(gradebook, cells, students)
    existing = await entries_of(session, gradebook.id)
    changes: list[Change] = []
    audit: list[dict[str, Any]] = []
    for cell, value in zip(cells, parsed, strict=True):
        entry = existing.get((cell.student_id, cell.column))
        old = entry.value if entry else None
        if old == value:
            continue
        if entry is not None and value is None:
            await session.delete(entry)
            event = RecordEvent.CANCEL
        elif entry is None:
            assert value is not None  # old != value and old is None
            entry = GradeEntryRecord(
                gradebook_id=gradebook.id,
                student_id=cell.student_id,
                column_key=cell.column,
                value=value,
                source=source,
                updated_by=principal.user_id,
            )
            session.add(entry)
            event = RecordEvent.NEW
        else:
            assert value is not None
            entry.value, entry.source = value, source
            entry.updated_by, entry.updated_at = principal.user_id, utcnow()
            session.add(entry)
            event = RecordEvent.UPDATE
        changes.append(Change(str(entry.id), event, _event_data(gradebook, entry, value)))
        audit.append(
            {"student_id": str(cell.student_id), "column": cell.column, "old": old, "new": value}
        )
    await session.flush()
    await emit_events(
        session=session, school_id=gradebook.school_id, record_type="grade_entry", changes=changes
    )
    if audit:
        locked = gradebook.status != GradebookStatus.OPEN
        record_audit(
            session=session,
            actor=principal,
            action="gradebook.change_after_lock" if locked else "gradebook.scores",
            entity="gradebook",
            entity_id=gradebook.id,
            school_id=gradebook.school_id,
            details={"reason": reason, "source": str(source), "changes": audit},
        )
    return len(audit)


def _event_data(
    gradebook: GradebookRecord, entry: GradeEntryRecord, value: str | None
) -> dict[str, Any]:
    return {
        "gradebook_id": str(gradebook.id),
        "class_id": str(gradebook.class_id),
        "subject": gradebook.subject,
        "semester": gradebook.semester,
        "student_id": str(entry.student_id),
        "column": entry.column_key,
        "value": value,
    }


async def save_scores(
    *,
    session: AsyncSession,
    principal: Principal,
    gradebook_id: uuid.UUID,
    entries: Sequence[tuple[uuid.UUID, str, object]],
    reason: str | None,
    source: ScoreSource = ScoreSource.MANUAL,
) -> int:
    gradebook = await get_gradebook(session=session, principal=principal, gradebook_id=gradebook_id)
    await require_can_edit(
        session, principal, gradebook.class_id, gradebook.subject, gradebook.school_id
    )
    cells = [
        Cell(student_id, column, value, {"entry": i})
        for i, (student_id, column, value) in enumerate(entries)
    ]
    return await apply_cells(
        session=session,
        principal=principal,
        gradebook=gradebook,
        cells=cells,
        reason=reason,
        source=source,
    )


async def record_external_score(
    *,
    session: AsyncSession,
    principal: Principal,
    class_id: uuid.UUID,
    subject: str,
    semester: int,
    column: str,
    student_id: uuid.UUID,
    score: Decimal | int | float | str,
    source: ScoreSource | str,
    out_of: Decimal | int | None = None,
) -> GradeEntryRecord:
    """Write a quiz or autograding result into a gradebook column.

    ``score`` is on the 10-point scale, or on ``0..out_of`` when ``out_of`` is given; it is
    converted and rounded half-up to one decimal (TT22 Điều 5 khoản 3). ``principal`` must be
    allowed to edit the gradebook (the subject's teacher who mapped the quiz, or an admin).
    A locked gradebook refuses: late results need a teacher's reasoned change.

    Raises
    ------
    NotFoundError
        No gradebook for the class, subject and semester.
    ConflictError
        The gradebook is locked or published.
    InvalidCellsError
        The column or student is wrong, or the score is outside 0-10.
    """
    rows = await session.exec(
        select(GradebookRecord)
        .where(GradebookRecord.class_id == class_id)
        .where(GradebookRecord.semester == semester)
    )
    gradebook = next((g for g in rows.all() if name_key(g.subject) == name_key(subject)), None)
    if gradebook is None:
        raise NotFoundError(
            f"no {subject} gradebook for semester {semester} of class {class_id}",
            code="gradebook_not_found",
        )
    await require_can_edit(session, principal, class_id, gradebook.subject, gradebook.school_id)
    if gradebook.status != GradebookStatus.OPEN:
        raise ConflictError(
            f"the {gradebook.subject} gradebook is {gradebook.status}; a teacher must enter "
            "this result with a reason",
            code="gradebook_locked",
        )
    value: object = score
    if not isinstance(score, str):
        try:
            number = Decimal(str(score))
            if out_of is not None:
                number = number * 10 / Decimal(out_of)
        except (InvalidOperation, ArithmeticError):
            raise InvalidCellsError(
                [{"column": column, "message": f"score {score!r} is not a number"}]
            ) from None
        value = round_half_up(number)
    cell = Cell(student_id, column, value, {"source": str(source)})
    await apply_cells(
        session=session,
        principal=principal,
        gradebook=gradebook,
        cells=[cell],
        reason=None,
        source=ScoreSource(source),
    )
    entry = (await entries_of(session, gradebook.id))[(student_id, column)]
    return entry


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
        outcome = semester_result(gradebook, values, rules_for(klass))
        result.append(
            StudentGradebookPublic(
                gradebook_id=gradebook.id,
                class_name=klass.name,
                school_year=klass.school_year,
                subject=gradebook.subject,
                semester=gradebook.semester,
                values=values,
                result=result_public(outcome),
            )
        )
    return result


# -- CSV / Excel import ------------------------------------------------------------------------


def _read_table(filename: str, content: bytes) -> list[list[str]]:
    """The sheet's rows as text cells (first row: headers)."""
    if filename.lower().endswith(".xlsx"):
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            table = [[_excel_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            workbook.close()
        except Exception as exc:
            raise UnprocessableError(
                f"file: {filename!r} is not a readable Excel workbook", code="invalid_file"
            ) from exc
        return table
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnprocessableError(
            f"file: {filename!r} is not UTF-8 text (save the CSV as UTF-8)", code="invalid_file"
        ) from None
    dialect = csv.excel_tab if text.count("\t") > text.count(",") else csv.excel
    try:  # newline="": a lone "\r" ends a line, as csv expects
        return [row for row in csv.reader(io.StringIO(text, newline=""), dialect)]
    except csv.Error as exc:
        raise UnprocessableError(
            f"file: {filename!r} is not a readable CSV ({exc})", code="invalid_file"
        ) from None


def _excel_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(Decimal(repr(value)))
    return str(value).strip()


async def import_scores(
    *,
    session: AsyncSession,
    principal: Principal,
    gradebook_id: uuid.UUID,
    filename: str,
    content: bytes,
    reason: str | None,
) -> tuple[int, int]:
    """Import a sheet with a ``username`` (or ``student_id``) column and the score columns.

    Rows are numbered as a spreadsheet shows them (the header is row 1). Empty cells leave the
    stored value alone. Any bad cell makes the whole import fail with every problem listed.
    Returns the number of data rows and of changed cells.
    """
    gradebook = await get_gradebook(session=session, principal=principal, gradebook_id=gradebook_id)
    await require_can_edit(
        session, principal, gradebook.class_id, gradebook.subject, gradebook.school_id
    )
    table = [row for row in _read_table(filename, content) if any(c.strip() for c in row)]
    if not table:
        raise UnprocessableError("file: the sheet is empty", code="invalid_file")
    header = [h.strip().lower() for h in table[0]]
    key_column = next((h for h in ("username", "student_id") if h in header), None)
    errors: list[dict[str, Any]] = []
    if key_column is None:
        errors.append(
            {"row": 1, "column": "username", "message": "no username or student_id column"}
        )
    unknown = [
        h
        for h in header
        if h and h not in (*columns(gradebook), "username", "student_id", "full_name")
    ]
    errors += [{"row": 1, "column": h, "message": "unknown column"} for h in unknown]
    if errors:
        raise InvalidCellsError(errors)
    students = await class_students(session, gradebook.class_id)
    by_key = {s.username: s.id for s in students} | {str(s.id): s.id for s in students}
    cells: list[Cell] = []
    for number, row in enumerate(table[1:], start=2):
        cells_of_row = dict(zip(header, row, strict=False))
        who = cells_of_row.get(key_column or "", "").strip()
        student_id = by_key.get(who.lower() if key_column == "username" else who)
        if student_id is None:
            errors.append(
                {
                    "row": number,
                    "column": key_column,
                    "message": f"no student {who!r} in this class",
                }
            )
            continue
        for column in columns(gradebook):
            raw = cells_of_row.get(column, "").strip()
            if raw:
                cells.append(Cell(student_id, column, raw, {"row": number}))
    if errors:
        raise InvalidCellsError(errors)
    changed = await apply_cells(
        session=session,
        principal=principal,
        gradebook=gradebook,
        cells=cells,
        reason=reason,
        source=ScoreSource.IMPORT,
    )
    return len(table) - 1, changed
