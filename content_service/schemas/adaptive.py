"""Schemas for adaptive (CAT) quizzes and their attempts.

An adaptive attempt's ability estimate and the item parameters stay on the server while the
attempt is open: :class:`AdaptiveProgress` carries counts only, and
:class:`AdaptiveResultPublic` (theta and its standard error) is released with the score.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, model_validator

from content_service.schemas.common import StrictInput
from item_bank.items import nfc

NfcText = Annotated[str, AfterValidator(nfc)]


class AdaptiveSpecInput(StrictInput):
    """The item pool (a filter over published items), the parameters and the stopping rules."""

    subject: Annotated[str, Field(max_length=64)] = ""
    grade: Annotated[int | None, Field(ge=1, le=12)] = None
    topic: Annotated[NfcText, Field(max_length=200)] = ""
    cognitive_level: Annotated[str, Field(max_length=16)] = ""
    tag: Annotated[NfcText, Field(max_length=64)] = ""
    # an accepted parameter set; None: each item's most recently accepted parameters
    parameter_set_id: uuid.UUID | None = None
    max_length: Annotated[int, Field(ge=1, le=200)] = 20
    min_length: Annotated[int, Field(ge=1, le=200)] = 1
    se_target: Annotated[float | None, Field(gt=0, le=2)] = 0.3
    # exposure control: choose among the k most informative items; optional Sympson-Hetter
    randomesque: Annotated[int, Field(ge=1, le=10)] = 1
    max_exposure: Annotated[float | None, Field(gt=0, le=1)] = None
    # content balancing: topic -> target share (Kingsbury-Zara)
    content_blueprint: Annotated[dict[str, float] | None, Field(max_length=50)] = None

    @model_validator(mode="after")
    def _consistent(self) -> AdaptiveSpecInput:
        if self.min_length > self.max_length:
            raise ValueError("adaptive.min_length: must not exceed max_length")
        if self.content_blueprint is not None:
            values = list(self.content_blueprint.values())
            if any(v < 0 for v in values) or sum(values) <= 0:
                raise ValueError(
                    "adaptive.content_blueprint: shares must be non-negative with a positive sum"
                )
        return self


class AdaptiveAnswerInput(StrictInput):
    """The answer to the current question of an adaptive attempt."""

    question: Annotated[str, Field(min_length=1, max_length=16)]
    sequence: Annotated[int, Field(ge=0, le=2**62)] = 1
    response: Any = None


class AdaptiveProgress(BaseModel):
    """Where an adaptive attempt stands (no ability estimate, no parameters)."""

    current: str | None  # the key of the question to answer now; None when finished
    answered: int
    max_length: int
    finished: bool


class AdaptiveResultPublic(BaseModel):
    """The result of an adaptive attempt: EAP ability with its standard error, number correct."""

    attempt_id: uuid.UUID
    student_id: uuid.UUID
    status: str
    answered: int
    number_correct: int
    theta: float | None
    se: float | None
    stop_reason: str
