"""Schemas for quizzes, attempts and answers.

Nothing a student receives before the review policy allows carries a key: ``QuestionView`` has
the stem and the options only; ``AnswerResult.feedback`` is filled only in practice mode.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, model_validator

from content_service.delivery.review import ReviewPolicy
from content_service.models.quizzes import AttemptStatus, QuizMode, QuizSelection, QuizStatus
from content_service.schemas.adaptive import AdaptiveProgress, AdaptiveSpecInput
from content_service.schemas.common import Page, StrictInput
from content_service.schemas.items import BlueprintInput
from item_bank.items import nfc

NfcText = Annotated[str, AfterValidator(nfc)]


class PoolRuleInput(StrictInput):
    count: Annotated[int, Field(ge=1, le=200)]
    subject: Annotated[str, Field(max_length=64)] = ""
    grade: Annotated[int | None, Field(ge=1, le=12)] = None
    topic: Annotated[NfcText, Field(max_length=200)] = ""
    cognitive_level: Annotated[str, Field(max_length=16)] = ""
    tag: Annotated[NfcText, Field(max_length=64)] = ""


class QuizCreate(StrictInput):
    title: Annotated[NfcText, Field(min_length=1, max_length=300)]
    description: Annotated[NfcText, Field(max_length=10_000)] = ""
    subject: Annotated[str, Field(max_length=64)] = ""
    mode: QuizMode
    selection: QuizSelection = QuizSelection.FIXED
    version_ids: Annotated[list[uuid.UUID], Field(default_factory=list, max_length=200)]
    pools: Annotated[list[PoolRuleInput], Field(default_factory=list, max_length=50)]
    blueprint: BlueprintInput | None = None  # selection "blueprint": a specification matrix
    adaptive: AdaptiveSpecInput | None = None  # selection "adaptive": CAT pool and rules
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    time_limit_seconds: Annotated[int | None, Field(ge=10, le=24 * 3600)] = None
    grace_seconds: Annotated[int, Field(ge=0, le=600)] = 30
    max_attempts: Annotated[int | None, Field(ge=1, le=100)] = None
    shuffle_questions: bool = False
    shuffle_choices: bool = True
    review: ReviewPolicy = ReviewPolicy.AFTER_SUBMIT
    score_review: ReviewPolicy = ReviewPolicy.AFTER_SUBMIT

    @model_validator(mode="after")
    def _consistent(self) -> QuizCreate:
        if self.selection is QuizSelection.FIXED and not self.version_ids:
            raise ValueError("version_ids: a fixed quiz needs at least one item version")
        if self.selection is QuizSelection.POOLS and not self.pools:
            raise ValueError("pools: a pool quiz needs at least one pool rule")
        if self.selection is QuizSelection.BLUEPRINT and self.blueprint is None:
            raise ValueError("blueprint: a blueprint quiz needs a specification matrix")
        if self.selection is QuizSelection.ADAPTIVE and self.adaptive is None:
            raise ValueError("adaptive: an adaptive quiz needs its pool and stopping rules")
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValueError("closes_at: must be after opens_at")
        if self.mode is QuizMode.PRACTICE:
            self.review = ReviewPolicy.IMMEDIATELY
            self.score_review = ReviewPolicy.IMMEDIATELY
        elif self.review is ReviewPolicy.IMMEDIATELY or (
            self.score_review is ReviewPolicy.IMMEDIATELY
        ):
            raise ValueError("review: a test cannot reveal answers before submission")
        return self


class QuizPublic(BaseModel):
    id: uuid.UUID
    school_id: uuid.UUID
    title: str
    description: str
    subject: str
    mode: QuizMode
    status: QuizStatus
    selection: QuizSelection
    opens_at: datetime | None
    closes_at: datetime | None
    time_limit_seconds: int | None
    grace_seconds: int
    max_attempts: int | None
    shuffle_questions: bool
    shuffle_choices: bool
    review: str
    score_review: str
    question_count: int = 0


QuizzesPublic = Page[QuizPublic]


class QuizSpecPublic(QuizPublic):
    """The full definition, for its school's staff."""

    spec: dict[str, Any]


class AssignmentCreate(StrictInput):
    class_id: uuid.UUID


class ExtensionCreate(StrictInput):
    student_id: uuid.UUID
    extra_seconds: Annotated[int, Field(ge=0, le=30 * 86400)] = 0
    extra_attempts: Annotated[int, Field(ge=0, le=20)] = 0


class ExtensionPublic(BaseModel):
    quiz_id: uuid.UUID
    student_id: uuid.UUID
    extra_seconds: int
    extra_attempts: int


class ChoiceView(BaseModel):
    identifier: str
    html: str  # safe HTML with MathML (item_bank.rendering)


class QuestionView(BaseModel):
    """A question as the student sees it: no key, no feedback, no parameters."""

    key: str
    kind: str
    stem_html: str
    choices: list[ChoiceView]
    max_choices: int
    points: float


class SavedAnswer(BaseModel):
    question: str
    sequence: int
    response: Any


class AnswerFeedback(BaseModel):
    """Released only when the review policy allows (practice mode, or after submission)."""

    question: str
    score: float | None
    max_score: float
    correct: bool | None
    correct_response: list[str]
    feedback: list[str]
    explanation: str


class AttemptPublic(BaseModel):
    id: uuid.UUID
    quiz_id: uuid.UUID
    quiz_title: str
    mode: QuizMode
    number: int
    status: AttemptStatus
    started_at: datetime
    deadline: datetime | None
    submitted_at: datetime | None
    remaining_seconds: float | None
    server_time: datetime
    token: str | None = None  # the attempt token for fast answer saves, while open
    questions: list[QuestionView]
    answers: list[SavedAnswer]
    score: float | None = None
    max_score: float | None = None
    review: list[AnswerFeedback] | None = None
    adaptive: AdaptiveProgress | None = None  # adaptive quizzes: which question is next


class AttemptSummary(BaseModel):
    id: uuid.UUID
    quiz_id: uuid.UUID
    student_id: uuid.UUID
    number: int
    status: AttemptStatus
    started_at: datetime
    submitted_at: datetime | None
    score: float | None
    max_score: float | None


class AnswerInput(StrictInput):
    question: Annotated[str, Field(min_length=1, max_length=16)]
    sequence: Annotated[int, Field(ge=0, le=2**62)]
    response: Any = None


class AnswersInput(StrictInput):
    answers: Annotated[list[AnswerInput], Field(min_length=1, max_length=200)]


class AnswerResult(BaseModel):
    question: str
    sequence: int
    saved: bool  # False: a newer answer was already saved (nothing to re-send)
    feedback: AnswerFeedback | None = None


class AnswersResult(BaseModel):
    results: list[AnswerResult]
    remaining_seconds: float | None


class StudentResult(BaseModel):
    student_id: uuid.UUID
    username: str
    full_name: str
    attempts: int
    best_score: float | None
    final_score: float | None
    max_score: float | None


class ItemStatistic(BaseModel):
    question_position: int
    version_id: str
    title: str
    responses: int
    mean_score: float | None
    difficulty: float | None  # proportion of the maximum earned (CTT p-value)
    discrimination: float | None  # corrected item-total correlation
    point_biserial: float | None = None  # item-total correlation (the point-biserial)


class QuizResults(BaseModel):
    quiz_id: uuid.UUID
    submitted_attempts: int
    in_progress: int
    students: list[StudentResult]
    items: list[ItemStatistic]
    alpha: float | None
    mean_score: float | None


class ProgressRow(BaseModel):
    student_id: uuid.UUID
    full_name: str
    status: str  # not_started, in_progress, submitted
    answered: int
    questions: int
    remaining_seconds: float | None
    score: float | None


class QuizProgress(BaseModel):
    quiz_id: uuid.UUID
    rows: list[ProgressRow]
