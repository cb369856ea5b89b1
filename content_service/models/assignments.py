"""nbgrader assignments of a class and the students' submissions, graded in the sandbox.

The notebooks themselves are kept here too (``files``: name -> base64), so that any worker on any
machine can rebuild the course folder nbgrader works in (``DATA_DIR/nbgrader/<course key>/``).
nbgrader's own gradebook (its own SQLite file per course) holds the per-cell grades; the totals
are copied onto ``SubmissionRecord``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from content_service.models.base import id_field, timestamp_field


class AssignmentStatus(StrEnum):
    GENERATED = "generated"  # student version built, not visible to students yet
    RELEASED = "released"  # students of the class may download and submit
    CLOSED = "closed"  # no more submissions


class SubmissionStatus(StrEnum):
    SUBMITTED = "submitted"  # waiting for the autograde job
    GRADED = "graded"
    NEEDS_REVIEW = "needs_review"  # the sandbox killed it (time limit): a teacher decides
    FAILED = "failed"  # nbgrader refused the submission (see message)


class GradebookWrite(StrEnum):
    """Where a graded submission's score stands in the school gradebook."""

    NONE = ""  # the assignment has no gradebook column, or the submission is not graded
    WRITTEN = "written"
    PENDING = "pending"  # could not be written (locked gradebook...): see gradebook_note


class AssignmentRecord(SQLModel, table=True):
    __tablename__ = "nb_assignment"
    __table_args__ = (UniqueConstraint("class_id", "name"),)

    id: uuid.UUID = id_field()
    school_id: uuid.UUID = Field(foreign_key="school.id", index=True)
    class_id: uuid.UUID = Field(foreign_key="school_class.id", index=True)
    name: str = Field(max_length=64)  # nbgrader's assignment id, also the folder name
    title: str = Field(max_length=200)
    subject: str = Field(default="", max_length=64)
    status: AssignmentStatus = Field(default=AssignmentStatus.GENERATED, sa_type=String(16))
    max_score: float = 0.0
    source_files: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    due_at: datetime | None = timestamp_field(nullable=True)
    released_at: datetime | None = timestamp_field(nullable=True)
    # Students see their scores and per-cell results only once the teacher released them.
    feedback_released_at: datetime | None = timestamp_field(nullable=True)
    created_at: datetime = timestamp_field()
    # The gradebook column of the class that takes the nbgrader totals (empty: none). Written
    # as the teacher who chose it (``gradebook_set_by``), whose right to edit is checked again.
    gradebook_subject: str = Field(default="", max_length=80)
    gradebook_semester: int | None = None
    gradebook_column: str = Field(default="", max_length=8)
    gradebook_set_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")


class SubmissionRecord(SQLModel, table=True):
    """A student's latest submission of an assignment (a new one replaces it)."""

    __tablename__ = "nb_submission"
    __table_args__ = (UniqueConstraint("assignment_id", "student_id"),)

    id: uuid.UUID = id_field()
    assignment_id: uuid.UUID = Field(foreign_key="nb_assignment.id", index=True)
    student_id: uuid.UUID = Field(foreign_key="user_account.id", index=True)
    school_id: uuid.UUID = Field(foreign_key="school.id", index=True)
    status: SubmissionStatus = Field(default=SubmissionStatus.SUBMITTED, sa_type=String(16))
    files: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    attempt: int = 1
    score: float | None = None
    max_score: float | None = None
    needs_manual_grade: bool = False
    cells: list[Any] = Field(default_factory=list, sa_type=JSON)
    message: str = Field(default="", sa_type=Text)
    job_id: uuid.UUID | None = Field(default=None, foreign_key="job.id")
    submitted_at: datetime = timestamp_field()
    graded_at: datetime | None = timestamp_field(nullable=True)
    gradebook_status: GradebookWrite = Field(default=GradebookWrite.NONE, sa_type=String(16))
    gradebook_value: str = Field(default="", max_length=16)  # the 10-point mark written
    gradebook_note: str = Field(default="", sa_type=Text)  # why it is pending
