"""Gradebooks (class x subject x semester), their score entries, conduct, and the sync outbox."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from content_service.models.base import id_field, timestamp_field


class GradebookStatus(StrEnum):
    OPEN = "open"
    LOCKED = "locked"  # changes need a reason and are audited
    PUBLISHED = "published"  # locked and visible to students and parents


class GradebookKind(StrEnum):
    SECONDARY = "secondary"  # TT22/2021: regular, mid-term and end-of-term scores
    PRIMARY = "primary"  # TT27/2020: periodic ratings, test scores, a comment
    PRIMARY_TRAITS = "primary_traits"  # TT27/2020: qualities and competencies of a class


class ScoreSource(StrEnum):
    MANUAL = "manual"
    IMPORT = "import"
    QUIZ = "quiz"
    NBGRADER = "nbgrader"


class GradebookRecord(SQLModel, table=True):
    __tablename__ = "gradebook"
    __table_args__ = (UniqueConstraint("class_id", "subject", "semester"),)

    id: uuid.UUID = id_field()
    school_id: uuid.UUID = Field(foreign_key="school.id", index=True)
    class_id: uuid.UUID = Field(foreign_key="school_class.id", index=True)
    subject: str = Field(max_length=80)
    semester: int = Field(ge=1, le=2)
    periods_per_year: int = Field(ge=1)
    regular_count: int = Field(ge=0)  # ĐĐGtx columns (TT22 Điều 6); 0 in primary books
    comment_only: bool = False  # Đạt / Chưa đạt instead of scores
    rule_id: str = Field(max_length=64)
    kind: GradebookKind = Field(default=GradebookKind.SECONDARY, sa_type=String(16))
    # Primary gradebooks fix their columns when created (they depend on grade and subject);
    # a secondary gradebook's columns follow from regular_count, and this stays empty.
    column_keys: list[str] = Field(default_factory=list, sa_type=JSON)
    status: GradebookStatus = Field(default=GradebookStatus.OPEN, sa_type=String(16))
    locked_at: datetime | None = timestamp_field(nullable=True)
    published_at: datetime | None = timestamp_field(nullable=True)
    created_at: datetime = timestamp_field()


class GradeEntryRecord(SQLModel, table=True):
    """One cell: a student's score (or Đạt / Chưa đạt) in one column of a gradebook."""

    __tablename__ = "grade_entry"
    __table_args__ = (UniqueConstraint("gradebook_id", "student_id", "column_key"),)

    id: uuid.UUID = id_field()
    gradebook_id: uuid.UUID = Field(foreign_key="gradebook.id", index=True)
    student_id: uuid.UUID = Field(foreign_key="user_account.id", index=True)
    column_key: str = Field(max_length=8)  # "tx1".."tx4", "gk", "ck"; primary: "ktck", "nx"
    value: str = Field(max_length=500)  # "7.5", "Đạt", "Hoàn thành tốt" or a comment
    source: ScoreSource = Field(default=ScoreSource.MANUAL, sa_type=String(16))
    updated_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    updated_at: datetime = timestamp_field()


class ConductRecord(SQLModel, table=True):
    """A student's conduct (kết quả rèn luyện) and absences for one semester of a class."""

    __tablename__ = "conduct_rating"
    __table_args__ = (UniqueConstraint("class_id", "student_id", "semester"),)

    id: uuid.UUID = id_field()
    class_id: uuid.UUID = Field(foreign_key="school_class.id", index=True)
    student_id: uuid.UUID = Field(foreign_key="user_account.id", index=True)
    semester: int = Field(ge=1, le=2)
    level: str = Field(max_length=16)  # Tốt / Khá / Đạt / Chưa đạt
    absent_days: int = Field(default=0, ge=0)
    updated_at: datetime = timestamp_field()


class RecordEventRecord(SQLModel, table=True):
    """The outbox of record events for the sector database (QĐ 4998/2021).

    ``seq`` is an integer key on purpose (not a UUID): it orders the whole outbox, so a
    consumer asks for everything after the last ``seq`` it saw. ``version`` increases per record.
    """

    __tablename__ = "record_event"
    __table_args__ = (UniqueConstraint("record_type", "record_id", "version"),)

    seq: int | None = Field(default=None, primary_key=True)
    school_id: uuid.UUID = Field(foreign_key="school.id", index=True)
    record_type: str = Field(max_length=32)  # "grade_entry", "conduct", "transcript"
    record_id: str = Field(max_length=64, index=True)
    version: int = Field(ge=1)
    event: str = Field(max_length=8)  # NEW / UPDATE / CANCEL
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    at: datetime = timestamp_field(index=True)
