"""Schemas for surveys: the inline question model (with skip logic), responses and reports.

A question is one of four kinds:

* ``likert``: a scale of ``points`` (3-7) steps; the answer is an integer 1..points;
* ``single``: one option id; ``multiple``: a list of option ids;
* ``text``: free text (at most 2,000 characters).

Skip logic: ``show_if = {"question": "q1", "any_of": ["a", 4]}`` shows a question only when the
answer to an *earlier* question is one of the listed values (for a multiple-choice question, when
any chosen option is listed). A hidden question is never required, and an answer sent for it is
dropped by the service.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, Field, model_validator

from content_service.models.surveys import SurveyStatus
from content_service.schemas.common import Page, StrictInput
from item_bank.items import nfc

NfcText = Annotated[str, AfterValidator(nfc)]
Slug = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z0-9_\-]+$")]
AnswerValue = int | str | list[str]

# Groups smaller than this never get a report; a survey may raise it, never lower it.
MIN_GROUP_SIZE = 5
MAX_TEXT_ANSWER = 2000


class QuestionKind(StrEnum):
    LIKERT = "likert"
    SINGLE = "single"
    MULTIPLE = "multiple"
    TEXT = "text"


class Option(StrictInput):
    id: Slug
    text: Annotated[NfcText, Field(min_length=1, max_length=300)]


class ShowIf(StrictInput):
    question: Slug
    any_of: Annotated[list[int | Slug], Field(min_length=1, max_length=20)]


class Question(StrictInput):
    id: Slug
    kind: QuestionKind
    text: Annotated[NfcText, Field(min_length=1, max_length=1000)]
    required: bool = False
    options: Annotated[list[Option], Field(default_factory=list, max_length=30)]
    points: Annotated[int, Field(ge=3, le=7)] = 5
    labels: Annotated[
        list[Annotated[NfcText, Field(max_length=80)]], Field(default_factory=list, max_length=7)
    ]
    show_if: ShowIf | None = None

    @model_validator(mode="after")
    def _options_fit_the_kind(self) -> Self:
        choice = self.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
        if choice and len(self.options) < 2:
            raise ValueError(f"question {self.id!r}: a choice question needs at least 2 options")
        if not choice and self.options:
            raise ValueError(f"question {self.id!r}: only choice questions have options")
        ids = [o.id for o in self.options]
        if len(set(ids)) != len(ids):
            raise ValueError(f"question {self.id!r}: option ids must be unique")
        if self.labels and (
            self.kind is not QuestionKind.LIKERT or len(self.labels) != self.points
        ):
            raise ValueError(f"question {self.id!r}: labels are one per point of a Likert scale")
        return self

    def accepts(self, value: object) -> bool:
        """Whether ``value`` is a well-formed answer to this question."""
        if self.kind is QuestionKind.LIKERT:
            return (
                isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= self.points
            )
        ids = {o.id for o in self.options}
        if self.kind is QuestionKind.SINGLE:
            return isinstance(value, str) and value in ids
        if self.kind is QuestionKind.MULTIPLE:
            return (
                isinstance(value, list)
                and len(value) == len(set(value))
                and all(isinstance(v, str) and v in ids for v in value)
            )
        return isinstance(value, str) and len(value) <= MAX_TEXT_ANSWER


def check_skip_logic(questions: list[Question]) -> None:
    """Refuse duplicate ids and ``show_if`` pointing at an unknown, later or text question."""
    seen: dict[str, Question] = {}
    for question in questions:
        if question.id in seen:
            raise ValueError(f"question ids must be unique: {question.id!r} appears twice")
        condition = question.show_if
        if condition is not None:
            target = seen.get(condition.question)
            if target is None:
                raise ValueError(
                    f"question {question.id!r}: show_if must name an earlier question "
                    f"(not {condition.question!r})"
                )
            if target.kind is QuestionKind.TEXT:
                raise ValueError(f"question {question.id!r}: show_if cannot depend on free text")
        seen[question.id] = question


class SurveyCreate(StrictInput):
    title: Annotated[NfcText, Field(min_length=1, max_length=200)]
    description: Annotated[NfcText, Field(max_length=5000)] = ""
    anonymous: bool = True
    min_group_size: Annotated[int, Field(ge=MIN_GROUP_SIZE, le=1000)] = MIN_GROUP_SIZE
    school_id: uuid.UUID | None = None  # default: the caller's school
    questions: Annotated[list[Question], Field(min_length=1, max_length=100)]

    @model_validator(mode="after")
    def _skip_logic_is_sound(self) -> Self:
        check_skip_logic(self.questions)
        return self


class SurveyPublic(BaseModel):
    id: uuid.UUID
    school_id: uuid.UUID
    title: str
    description: str
    anonymous: bool
    status: SurveyStatus
    min_group_size: int
    questions: list[dict[str, Any]]


SurveysPublic = Page[SurveyPublic]


class SurveyStatusChange(StrictInput):
    status: SurveyStatus


class AssignmentCreate(StrictInput):
    class_id: uuid.UUID | None = None  # None: every student of the survey's school


class AssignmentPublic(BaseModel):
    survey_id: uuid.UUID
    class_id: uuid.UUID | None


class ResponseCreate(StrictInput):
    answers: Annotated[dict[Slug, AnswerValue], Field(max_length=100)]


class ResponseReceipt(BaseModel):
    """What a respondent gets back: no response id, nothing that could be matched later."""

    survey_id: uuid.UUID
    received: bool = True


class OptionCount(BaseModel):
    value: str  # option id, or the Likert point as text
    label: str
    count: int
    percent: float


class QuestionResult(BaseModel):
    id: str
    kind: QuestionKind
    text: str
    answered: int
    counts: list[OptionCount] = []
    mean: float | None = None  # Likert only
    texts: list[str] = []  # free text, sorted (never in arrival order)


class GroupReport(BaseModel):
    group: str  # "school" or "class"
    group_id: uuid.UUID
    name: str
    withheld: bool  # fewer responses than the survey's minimum: no numbers at all
    responses: int | None = None
    questions: list[QuestionResult] = []


class SurveyReport(BaseModel):
    survey_id: uuid.UUID
    title: str
    anonymous: bool
    min_group_size: int
    groups: list[GroupReport]
