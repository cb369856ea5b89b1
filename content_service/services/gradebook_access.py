"""Gradebook foundations: which rules apply to a class, who may edit, and loading.

Shared by score entry (``gradebook_cells``), imports (``gradebook_import``), sheets and status
(``gradebook``), primary books (``gradebook_primary``) and the year results (``transcripts``).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.errors import NotFoundError, PermissionDeniedError, UnprocessableError
from content_service.models.gradebook import (
    ConductRecord,
    GradebookKind,
    GradebookRecord,
    GradeEntryRecord,
)
from content_service.models.people import (
    ClassMembershipRecord,
    Role,
    SchoolClassRecord,
    UserRecord,
)
from content_service.records.rules import (
    PrimaryRuleSet,
    RuleSetNotFoundError,
    SecondaryRuleSet,
    select_primary_rule_set,
    select_secondary_rule_set,
)
from content_service.records.rules.scores import name_key
from content_service.services.access import Principal, require_role, require_school

MIDTERM, FINAL = "gk", "ck"
REGION = "VN"  # the national rule set; a regional one (e.g. "HCM") wins when it exists
LAST_PRIMARY_GRADE = 5
# The homeroom teacher's book of qualities and competencies (TT27 Điều 7 khoản 2).
TRAITS_SUBJECT = "Phẩm chất và năng lực"


def year_end(school_year: str) -> date:
    """The day a school year's results are computed for: 31 May of its second calendar year."""
    try:
        return date(int(school_year.split("-")[1]), 5, 31)
    except (IndexError, ValueError):
        raise UnprocessableError(
            f"school_year: {school_year!r} is not like 2026-2027", code="invalid_school_year"
        ) from None


def is_primary(klass: SchoolClassRecord) -> bool:
    return klass.grade <= LAST_PRIMARY_GRADE


def rules_for(klass: SchoolClassRecord) -> SecondaryRuleSet:
    """The TT22 rule set of a secondary class."""
    if is_primary(klass):
        raise UnprocessableError(
            f"class {klass.name} is a primary class (TT27/2020): use its primary results",
            code="primary_class",
        )
    try:
        return select_secondary_rule_set(REGION, year_end(klass.school_year), grade=klass.grade)
    except RuleSetNotFoundError as exc:
        raise UnprocessableError(str(exc), code="no_rule_set") from exc


def primary_rules_for(klass: SchoolClassRecord) -> PrimaryRuleSet:
    """The TT27 rule set of a primary class."""
    if not is_primary(klass):
        raise UnprocessableError(
            f"class {klass.name} is a secondary class (TT22/2021)", code="secondary_class"
        )
    try:
        return select_primary_rule_set(REGION, year_end(klass.school_year), grade=klass.grade)
    except RuleSetNotFoundError as exc:
        raise UnprocessableError(str(exc), code="no_rule_set") from exc


def columns(gradebook: GradebookRecord) -> list[str]:
    """The column keys of a gradebook, in display order."""
    if gradebook.kind != GradebookKind.SECONDARY:
        return list(gradebook.column_keys)
    return [f"tx{i + 1}" for i in range(gradebook.regular_count)] + [MIDTERM, FINAL]


def is_traits_book(subject: str) -> bool:
    return name_key(subject) == name_key(TRAITS_SUBJECT)


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
    """The subject's teacher in the class, or a school admin, may change its scores.

    The qualities-and-competencies book of a primary class belongs to its homeroom teacher.
    """
    require_staff(principal, school_id)
    if principal.role is not Role.TEACHER:
        return
    if is_traits_book(subject):
        klass = await get_class_record(session, class_id)
        if klass.homeroom_teacher_id != principal.user_id:
            raise PermissionDeniedError(
                "only the homeroom teacher rates qualities and competencies",
                code="not_homeroom_teacher",
            )
        return
    if not await teaches(session, principal, class_id, subject):
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


async def entries_of(
    session: AsyncSession, gradebook_id: uuid.UUID
) -> dict[tuple[uuid.UUID, str], GradeEntryRecord]:
    rows = await session.exec(
        select(GradeEntryRecord).where(GradeEntryRecord.gradebook_id == gradebook_id)
    )
    return {(e.student_id, e.column_key): e for e in rows.all()}


class ClassData:
    """Everything the year computation needs for one class, loaded in three queries."""

    def __init__(self) -> None:
        self.subjects: dict[str, str] = {}  # name key -> display name
        self.books: dict[tuple[str, int], GradebookRecord] = {}
        self.values: dict[tuple[uuid.UUID, uuid.UUID], dict[str, str]] = defaultdict(dict)
        self.conduct: dict[tuple[uuid.UUID, int], ConductRecord] = {}

    def cells(self, key: str, semester: int, student_id: uuid.UUID) -> dict[str, str] | None:
        """A student's cells in a subject's book of a semester; ``None`` without the book."""
        book = self.books.get((key, semester))
        return None if book is None else self.values.get((book.id, student_id), {})


async def load_class_data(session: AsyncSession, class_id: uuid.UUID) -> ClassData:
    data = ClassData()
    books = await session.exec(
        select(GradebookRecord)
        .where(GradebookRecord.class_id == class_id)
        .order_by(col(GradebookRecord.created_at))
    )
    for book in books.all():
        key = name_key(book.subject)
        data.subjects.setdefault(key, book.subject)
        data.books[(key, book.semester)] = book
    ids = [b.id for b in data.books.values()]
    if ids:
        entries = await session.exec(
            select(GradeEntryRecord).where(col(GradeEntryRecord.gradebook_id).in_(ids))
        )
        for entry in entries.all():
            data.values[(entry.gradebook_id, entry.student_id)][entry.column_key] = entry.value
    conduct = await session.exec(select(ConductRecord).where(ConductRecord.class_id == class_id))
    for record in conduct.all():
        data.conduct[(record.student_id, record.semester)] = record
    return data
