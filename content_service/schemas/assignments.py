"""Schemas for nbgrader assignments and submissions.

Files travel as ``{"name": "<base64 of the bytes>"}``: plain file names (no folders), so that a
notebook from JupyterLab and its images go through one JSON body.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field

from content_service.models.assignments import (
    AssignmentStatus,
    GradebookWrite,
    SubmissionStatus,
)
from content_service.schemas.common import StrictInput
from item_bank.items import nfc

NfcText = Annotated[str, AfterValidator(nfc)]
AssignmentName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]
MAX_FILES = 50
_FILE_NAME = re.compile(r"^[A-Za-z0-9_\-][A-Za-z0-9_.\-]{0,99}$")


def _check_files(files: dict[str, str]) -> dict[str, str]:
    if not files:
        raise ValueError("at least one file is needed")
    if len(files) > MAX_FILES:
        raise ValueError(f"at most {MAX_FILES} files")
    for name, content in files.items():
        if not _FILE_NAME.match(name) or ".." in name:
            raise ValueError(f"{name!r}: a plain file name (letters, digits, . _ -) is needed")
        try:
            base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError(f"{name!r}: the content is not valid base64") from exc
    if not any(name.endswith(".ipynb") for name in files):
        raise ValueError("at least one .ipynb notebook is needed")
    return files


Files = Annotated[dict[str, str], AfterValidator(_check_files)]


class AssignmentCreate(StrictInput):
    class_id: uuid.UUID
    name: AssignmentName
    title: Annotated[NfcText, Field(min_length=1, max_length=200)]
    subject: Annotated[NfcText, Field(max_length=64)] = ""
    due_at: datetime | None = None
    files: Files


class SubmissionCreate(StrictInput):
    files: Files


class AssignmentGradebook(StrictInput):
    """The gradebook column of the assignment's class that takes the nbgrader totals."""

    subject: Annotated[NfcText, Field(min_length=1, max_length=80)]
    semester: Literal[1, 2]
    column: Annotated[str, Field(min_length=1, max_length=8, examples=["tx1", "gk"])]


class GradebookSync(BaseModel):
    assignment_id: uuid.UUID
    written: int
    pending: int


class AssignmentPublic(BaseModel):
    id: uuid.UUID
    school_id: uuid.UUID
    class_id: uuid.UUID
    name: str
    title: str
    subject: str
    status: AssignmentStatus
    max_score: float
    due_at: datetime | None
    released_at: datetime | None
    feedback_released_at: datetime | None
    created_at: datetime
    gradebook_subject: str
    gradebook_semester: int | None
    gradebook_column: str


class SubmissionPublic(BaseModel):
    id: uuid.UUID
    assignment_id: uuid.UUID
    student_id: uuid.UUID
    status: SubmissionStatus
    attempt: int
    score: float | None
    max_score: float | None
    needs_manual_grade: bool
    cells: list[dict[str, Any]]
    message: str
    job_id: uuid.UUID | None
    submitted_at: datetime
    graded_at: datetime | None
    gradebook_status: GradebookWrite
    gradebook_value: str
    gradebook_note: str
