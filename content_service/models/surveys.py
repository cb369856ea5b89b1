"""Survey tables: the survey, who it is assigned to, who has responded, and the answers.

Anonymous surveys are anonymous in the stored data, not only in the pages:

* ``survey_participation`` records *who has responded* (one row per person: the one-response
  rule) and ``survey_response`` holds *the answers*. The two tables share no id, and neither
  stores a time of any kind, so no column joins them.
* Both tables are ``WITHOUT ROWID`` on SQLite, so rows are stored in the order of their random
  UUID keys, not in insertion order. On PostgreSQL the physical order and the transaction id
  (``xmin``) of a new answer row would match those of the new participation row; the service
  therefore rewrites a few random earlier answer rows (new ids, shuffled) in the same
  transaction, so a participation row points at a set of answers, never at one
  (``services.surveys.MIX_SIZE``).
* For a named survey ``respondent_id`` is set; for an anonymous one it is always ``NULL``.

The questions are defined inline in the survey (a JSON list validated by
``schemas.surveys.Question``), not taken from the item bank: a survey question has no key, no
score and no calibration, and a survey must stay readable even if a bank item is retired.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from content_service.models.base import id_field, timestamp_field


class SurveyStatus(StrEnum):
    DRAFT = "draft"  # editable, not visible to respondents
    OPEN = "open"  # accepting responses; the questions are frozen
    CLOSED = "closed"  # reports only


class SurveyRecord(SQLModel, table=True):
    __tablename__ = "survey"

    id: uuid.UUID = id_field()
    school_id: uuid.UUID = Field(foreign_key="school.id", index=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_type=Text)
    anonymous: bool = True
    status: SurveyStatus = Field(default=SurveyStatus.DRAFT, sa_type=String(10), index=True)
    # Groups (a class, the school) with fewer responses than this get no report.
    min_group_size: int = 5
    questions: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    created_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = timestamp_field()


class SurveyAssignmentRecord(SQLModel, table=True):
    """A survey given to one class, or (``class_id`` NULL) to every student of the school."""

    __tablename__ = "survey_assignment"
    __table_args__ = (UniqueConstraint("survey_id", "class_id"),)

    id: uuid.UUID = id_field()
    survey_id: uuid.UUID = Field(foreign_key="survey.id", index=True)
    class_id: uuid.UUID | None = Field(default=None, foreign_key="school_class.id", index=True)


class SurveyParticipationRecord(SQLModel, table=True):
    """That a person has responded (and nothing about what, or when)."""

    __tablename__ = "survey_participation"
    __table_args__ = (
        UniqueConstraint("survey_id", "user_id"),
        {"sqlite_with_rowid": False},
    )

    id: uuid.UUID = id_field()
    survey_id: uuid.UUID = Field(foreign_key="survey.id", index=True)
    user_id: uuid.UUID = Field(foreign_key="user_account.id", index=True)


class SurveyResponseRecord(SQLModel, table=True):
    """One set of answers; the class and school are kept for the per-group reports."""

    __tablename__ = "survey_response"
    __table_args__ = ({"sqlite_with_rowid": False},)

    id: uuid.UUID = id_field()
    survey_id: uuid.UUID = Field(foreign_key="survey.id", index=True)
    school_id: uuid.UUID = Field(foreign_key="school.id")
    class_id: uuid.UUID | None = Field(default=None, foreign_key="school_class.id")
    respondent_id: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    answers: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
