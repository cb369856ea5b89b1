"""Quizzes and tests: definitions, class assignments, extensions, attempts and saved answers.

A quiz pins item *versions*: a fixed form lists them; a pool quiz draws them at the start of each
attempt and the attempt keeps the drawn list (with the seed of its variants and option orders),
so an attempt always shows and scores the very versions its student saw. Answers are one row per
(attempt, question), replaced only by an answer with a higher client sequence number.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from content_service.models.base import id_field, timestamp_field


class QuizMode(StrEnum):
    PRACTICE = "practice"  # immediate feedback, unlimited attempts, a new draw each time
    TEST = "test"  # window, time limit, attempts, review policy


class QuizSelection(StrEnum):
    FIXED = "fixed"  # a list of item version ids
    POOLS = "pools"  # random draws by subject / grade / topic / level / tag
    BLUEPRINT = "blueprint"  # a form assembled per attempt from a specification matrix
    ADAPTIVE = "adaptive"  # CAT: the server picks each next item from calibrated parameters


class QuizStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class AttemptStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


class QuizRecord(SQLModel, table=True):
    __tablename__ = "quiz"

    id: uuid.UUID = id_field()
    school_id: uuid.UUID = Field(foreign_key="school.id", index=True)
    title: str = Field(max_length=300)
    description: str = Field(default="", sa_type=Text)
    subject: str = Field(default="", max_length=64)
    mode: QuizMode = Field(sa_type=String(16))
    status: QuizStatus = Field(default=QuizStatus.DRAFT, sa_type=String(16), index=True)
    selection: QuizSelection = Field(sa_type=String(16))
    # FIXED: {"version_ids": [...]}; POOLS: {"pools": [{"count": 3, "topic": ..., ...}]};
    # BLUEPRINT: {"blueprint": {"subject", "grade", "cells": [...]}}; ADAPTIVE: {"adaptive": {...}}
    spec: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    opens_at: datetime | None = timestamp_field(nullable=True)
    closes_at: datetime | None = timestamp_field(nullable=True)
    time_limit_seconds: int | None = None
    grace_seconds: int = 0
    max_attempts: int | None = None  # None: unlimited
    shuffle_questions: bool = False
    shuffle_choices: bool = True
    review: str = Field(default="after_submit", max_length=16)  # delivery.ReviewPolicy
    score_review: str = Field(default="after_submit", max_length=16)
    created_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = timestamp_field()
    published_at: datetime | None = timestamp_field(nullable=True)


class QuizAssignmentRecord(SQLModel, table=True):
    """A quiz given to a class: its students may take it."""

    __tablename__ = "quiz_assignment"
    __table_args__ = (UniqueConstraint("quiz_id", "class_id", name="uq_quiz_assignment"),)

    id: uuid.UUID = id_field()
    quiz_id: uuid.UUID = Field(foreign_key="quiz.id", index=True)
    class_id: uuid.UUID = Field(foreign_key="school_class.id", index=True)
    created_at: datetime = timestamp_field()


class QuizExtensionRecord(SQLModel, table=True):
    """Extra time (added to the time limit and to the closing time) for one student."""

    __tablename__ = "quiz_extension"
    __table_args__ = (UniqueConstraint("quiz_id", "student_id", name="uq_quiz_extension"),)

    id: uuid.UUID = id_field()
    quiz_id: uuid.UUID = Field(foreign_key="quiz.id", index=True)
    student_id: uuid.UUID = Field(foreign_key="user_account.id", index=True)
    extra_seconds: int = 0
    extra_attempts: int = 0
    created_at: datetime = timestamp_field()


class AttemptRecord(SQLModel, table=True):
    __tablename__ = "quiz_attempt"
    __table_args__ = (
        UniqueConstraint("quiz_id", "student_id", "number", name="uq_quiz_attempt_number"),
    )

    id: uuid.UUID = id_field()
    quiz_id: uuid.UUID = Field(foreign_key="quiz.id", index=True)
    student_id: uuid.UUID = Field(foreign_key="user_account.id", index=True)
    number: int = 1
    status: AttemptStatus = Field(default=AttemptStatus.IN_PROGRESS, sa_type=String(16), index=True)
    seed: int = Field(sa_type=BigInteger)  # variants and option orders of this attempt
    # [{"key": "q1", "version_id": "...", "choices": ["B", "A", ...]}], in display order
    questions: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    started_at: datetime = timestamp_field()
    deadline: datetime | None = timestamp_field(nullable=True)
    accept_until: datetime | None = timestamp_field(nullable=True, index=True)
    submitted_at: datetime | None = timestamp_field(nullable=True)
    submitted_by: str = Field(default="", max_length=16)  # "student", "deadline"
    score: float | None = None
    max_score: float | None = None


class AnswerRecord(SQLModel, table=True):
    __tablename__ = "quiz_answer"
    __table_args__ = (UniqueConstraint("attempt_id", "question", name="uq_quiz_answer_question"),)

    id: uuid.UUID = id_field()
    attempt_id: uuid.UUID = Field(foreign_key="quiz_attempt.id", index=True)
    question: str = Field(max_length=16)  # the attempt's question key, "q1".."qN"
    sequence: int = Field(sa_type=BigInteger)  # the client's counter for this question
    response: Any = Field(default=None, sa_type=JSON)
    saved_at: datetime = timestamp_field()
    score: float | None = None
    max_score: float | None = None
    correct: bool | None = None


class AdaptiveStateRecord(SQLModel, table=True):
    """The server-side state of an adaptive attempt: never sent to the student while open.

    ``pool`` pins the item versions and the accepted parameter rows the attempt was started
    with, so a parameter set accepted meanwhile never changes a running test; ``state`` is the
    CAT session (``CATSession.to_dict``), ``theta``/``se`` the current EAP estimate.
    """

    __tablename__ = "quiz_adaptive_state"

    id: uuid.UUID = id_field()
    attempt_id: uuid.UUID = Field(foreign_key="quiz_attempt.id", unique=True, index=True)
    # {"version_ids": [...], "parameter_ids": [...], "areas": [...]}, in bank order
    pool: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    state: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    answered: int = 0
    number_correct: int = 0
    theta: float = 0.0
    se: float = 1.0
    stop_reason: str = Field(default="", max_length=32)
    updated_at: datetime = timestamp_field()
