"""Background jobs: a table that is both the queue and the record users see.

A job is written in the same transaction as the change that asks for it (a calibration request, a
search-index update, an autograde), so a committed change always has its job and a rolled-back one
never does: the transactional-outbox pattern, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlmodel import Field, SQLModel

from content_service.models.base import id_field, timestamp_field


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class JobRecord(SQLModel, table=True):
    __tablename__ = "job"
    __table_args__ = (Index("ix_job_claim", "status", "run_after"),)

    id: uuid.UUID = id_field()
    kind: str = Field(max_length=64, index=True)  # "calibration", "search.index", ...
    status: JobStatus = Field(default=JobStatus.QUEUED, sa_type=String(16))
    params: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    result: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    error: str = Field(default="", sa_type=Text)
    attempts: int = 0
    max_attempts: int = 3
    school_id: uuid.UUID | None = Field(default=None, foreign_key="school.id", index=True)
    created_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id", index=True)
    created_at: datetime = timestamp_field()
    run_after: datetime = timestamp_field()
    started_at: datetime | None = timestamp_field(nullable=True)
    finished_at: datetime | None = timestamp_field(nullable=True)
    # A running job's lease: a worker that dies leaves it to be claimed again after this time.
    lease_until: datetime | None = timestamp_field(nullable=True)
    worker: str = Field(default="", max_length=128)
