"""Admission rounds: grade 10 (exam scores and ranked wishes) and grades 1/6 (residence).

A round holds its schools and applicants; the allocation writes each applicant's placement and
explanation, and the round's cut-offs. Applicant details are kept as JSON in the shape the API
accepts, so a round can be re-run (a supplementary round, a what-if comparison) from the rows.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from content_service.models.base import id_field, timestamp_field


class AdmissionRoundRecord(SQLModel, table=True):
    __tablename__ = "admission_round"

    id: uuid.UUID = id_field()
    name: str = Field(max_length=200)
    kind: str = Field(sa_type=String(20))  # "grade10" or "entry"
    grade: int = Field(default=10)
    region: str = Field(default="HCM", max_length=16)
    rule_date: date  # selects the rule set in force
    rule_id: str = Field(default="", max_length=64)
    admission_year: int
    # The school running the round (grades 1/6 by a school admin); None: the Department's round.
    school_id: uuid.UUID | None = Field(default=None, foreign_key="school.id", index=True)
    status: str = Field(default="draft", sa_type=String(20))  # draft, allocating, allocated
    created_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    cutoffs: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    summary: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = timestamp_field()
    allocated_at: datetime | None = timestamp_field(nullable=True)


class AdmissionSchoolRecord(SQLModel, table=True):
    __tablename__ = "admission_school"
    __table_args__ = (UniqueConstraint("round_id", "code"),)

    id: uuid.UUID = id_field()
    round_id: uuid.UUID = Field(foreign_key="admission_round.id", index=True)
    code: str = Field(max_length=32)
    name: str = Field(max_length=200)
    regular_quota: int = 0  # grade 10; the capacity for grades 1/6
    integrated_quota: int = 0
    specialised_quotas: dict[str, int] = Field(default_factory=dict, sa_type=JSON)


class AdmissionApplicantRecord(SQLModel, table=True):
    __tablename__ = "admission_applicant"
    __table_args__ = (UniqueConstraint("round_id", "applicant_code"),)

    id: uuid.UUID = id_field()
    round_id: uuid.UUID = Field(foreign_key="admission_round.id", index=True)
    applicant_code: str = Field(max_length=64)  # số báo danh / student identification code
    full_name: str = Field(default="", max_length=200)
    # The student's account, so the student and their parents see this result (and nobody else).
    user_id: uuid.UUID | None = Field(default=None, foreign_key="user_account.id", index=True)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    placed_school: str | None = Field(default=None, max_length=32)
    placed_label: str = Field(default="", max_length=32)
    score: str = Field(default="", max_length=16)
    explanation: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    outcomes: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = timestamp_field()
