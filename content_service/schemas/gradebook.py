"""Schemas for gradebooks, score entry, conduct, year results and the sync outbox."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from content_service.models.gradebook import GradebookKind, GradebookStatus
from content_service.schemas.common import Page, StrictInput
from content_service.schemas.people import NfcText

Reason = Annotated[NfcText, Field(min_length=5, max_length=500)]


class GradebookCreate(StrictInput):
    class_id: uuid.UUID
    subject: Annotated[NfcText, Field(min_length=1, max_length=64)]
    semester: Literal[1, 2]
    periods_per_year: Annotated[int, Field(ge=1, le=400)]


class GradebookPublic(BaseModel):
    id: uuid.UUID
    school_id: uuid.UUID
    class_id: uuid.UUID
    subject: str
    semester: int
    periods_per_year: int
    regular_count: int
    comment_only: bool
    rule_id: str
    kind: GradebookKind = GradebookKind.SECONDARY
    status: GradebookStatus
    locked_at: datetime | None
    published_at: datetime | None


GradebooksPublic = Page[GradebookPublic]


class ScoreCell(StrictInput):
    student_id: uuid.UUID
    column: Annotated[str, Field(min_length=1, max_length=8)]
    # A score "7.5" / 7.5, a rating "Đạt" / "Hoàn thành tốt", a TT27 comment, or null to clear.
    value: Annotated[str, Field(max_length=500)] | Decimal | None


class ScoresUpdate(StrictInput):
    entries: Annotated[list[ScoreCell], Field(min_length=1, max_length=5000)]
    reason: Reason | None = None  # required once the gradebook is locked


class SubjectResultPublic(BaseModel):
    average: str | None = None  # "7.6"
    rating: str | None = None  # "Đạt"
    missing: list[str] = []


class SheetRow(BaseModel):
    student_id: uuid.UUID
    full_name: str
    username: str
    values: dict[str, str]
    result: SubjectResultPublic


class GradebookSheet(BaseModel):
    gradebook: GradebookPublic
    class_name: str
    columns: list[str]
    rows: list[SheetRow]


class ConductCell(StrictInput):
    student_id: uuid.UUID
    level: Literal["Tốt", "Khá", "Đạt", "Chưa đạt"]
    absent_days: Annotated[int, Field(ge=0, le=366)] = 0


class ConductUpdate(StrictInput):
    semester: Literal[1, 2]
    entries: Annotated[list[ConductCell], Field(min_length=1, max_length=2000)]


class ConductPublic(BaseModel):
    student_id: uuid.UUID
    semester: int
    level: str
    absent_days: int


class YearSubjectPublic(BaseModel):
    subject: str
    comment_only: bool
    semester_1: str | None
    semester_2: str | None
    year: str | None
    missing: list[str]


class StudentYearPublic(BaseModel):
    student_id: uuid.UUID
    full_name: str
    subjects: list[YearSubjectPublic]
    learning: dict[str, str | None]
    conduct: dict[str, str | None]
    absent_days: int
    promotion: dict[str, Any]
    award: str | None


class StudentGradebookPublic(BaseModel):
    """One published gradebook as a student or parent sees it."""

    gradebook_id: uuid.UUID
    class_name: str
    school_year: str
    subject: str
    semester: int
    values: dict[str, str]
    result: SubjectResultPublic


class ImportReport(BaseModel):
    rows: int
    cells: int
