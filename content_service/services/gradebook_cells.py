"""Changing gradebook cells: validation, all-or-nothing saves, audit, outbox, external scores.

A change to a locked gradebook needs a reason; the reason and the old and new values land in
the audit log. Every stored cell is a synced record: its changes go to the outbox
(``services.record_sync``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.errors import ConflictError, NotFoundError, UnprocessableError
from content_service.models.base import utcnow
from content_service.models.gradebook import (
    GradebookKind,
    GradebookRecord,
    GradebookStatus,
    GradeEntryRecord,
    ScoreSource,
)
from content_service.records.rules import (
    CommentRating,
    InvalidScoreError,
    parse_score,
    round_half_up,
)
from content_service.records.rules.scores import name_key
from content_service.services.access import Principal
from content_service.services.audit import record_audit
from content_service.services.gradebook_access import (
    class_students,
    columns,
    entries_of,
    get_gradebook,
    require_can_edit,
)
from content_service.services.gradebook_primary import parse_primary_cell
from content_service.services.record_sync import Change, RecordEvent, emit_events


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


def parse_cell(gradebook: GradebookRecord, column: str, value: object) -> str | None:
    """The stored text of a cell (``None`` clears it); raises ``ValueError`` naming the cell."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    field = f"{gradebook.subject}.{column}"
    if gradebook.kind != GradebookKind.SECONDARY:
        return parse_primary_cell(column, value, field=field)
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
    converted and rounded half-up to one decimal (TT22 Điều 5 khoản 3), or to a whole number
    in a primary book (TT27 test columns ``ktgk`` / ``ktck``). ``principal`` must be
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
        if gradebook.kind == GradebookKind.SECONDARY:
            value = round_half_up(number)
        else:  # TT27 periodic tests are whole numbers: half up to an integer
            value = number.quantize(Decimal(1), rounding=ROUND_HALF_UP)
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
