"""Signed digital transcripts (học bạ số) and the log of every issued copy."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from content_service.models.base import id_field, timestamp_field


class TranscriptRecord(SQLModel, table=True):
    __tablename__ = "transcript"
    __table_args__ = (UniqueConstraint("student_id", "class_id", "revision"),)

    id: uuid.UUID = id_field()
    school_id: uuid.UUID = Field(foreign_key="school.id", index=True)
    student_id: uuid.UUID = Field(foreign_key="user_account.id", index=True)
    class_id: uuid.UUID = Field(foreign_key="school_class.id", index=True)
    school_year: str = Field(max_length=9)
    revision: int = Field(default=1, ge=1)  # a re-issue after a correction is a new revision
    number: str = Field(max_length=64, unique=True)  # printed on the PDF, used to look it up
    pdf: bytes = Field(sa_type=LargeBinary)
    sha256: str = Field(max_length=64, index=True)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)  # the structured record
    signers: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    issued_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = timestamp_field()


class TranscriptCopyRecord(SQLModel, table=True):
    """One issued copy (download) of a transcript: who, when, which format."""

    __tablename__ = "transcript_copy"

    id: uuid.UUID = id_field()
    transcript_id: uuid.UUID = Field(foreign_key="transcript.id", index=True)
    issued_to: uuid.UUID | None = Field(default=None, foreign_key="user_account.id", index=True)
    format: str = Field(max_length=8)  # "pdf" or "json"
    at: datetime = timestamp_field(index=True)
