"""API shapes of calibration: datasets, runs, parameter sets and item parameters."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from content_service.schemas.common import StrictInput

CalibrationModel = Literal["rasch", "1pl", "2pl", "3pl", "grm", "gpcm"]


class QuizDatasetCreate(StrictInput):
    """Select scored answers of submitted quiz attempts (every filter optional)."""

    name: str = Field(min_length=1, max_length=200)
    quiz_ids: list[uuid.UUID] = Field(default_factory=list, max_length=200)
    item_version_ids: list[uuid.UUID] = Field(default_factory=list, max_length=5000)
    school_id: uuid.UUID | None = None
    submitted_from: datetime | None = None
    submitted_until: datetime | None = None


class DatasetPublic(BaseModel):
    id: uuid.UUID
    name: str
    source: str
    description: str
    created_by: uuid.UUID | None
    created_at: datetime
    n_persons: int
    n_responses: int
    item_versions: list[str]
    selection: dict[str, Any]


class PriorsInput(StrictInput):
    """MAP priors on item parameters; a field left out has no prior (guessing: Beta(5, 17))."""

    log_discrimination: tuple[float, float] | None = Field(
        default=None, description="normal prior on log a: [mean, sd]"
    )
    discrimination: tuple[float, float] | None = Field(
        default=None, description="normal prior on a: [mean, sd]"
    )
    intercept: tuple[float, float] | None = Field(
        default=None, description="normal prior on every intercept d: [mean, sd]"
    )
    guessing: tuple[float, float] | None = Field(
        default=(5.0, 17.0), description="Beta prior on the 3PL lower asymptote: [alpha, beta]"
    )


class RunCreate(StrictInput):
    dataset_id: uuid.UUID
    model: CalibrationModel = "2pl"
    quadrature_points: int = Field(default=61, ge=21, le=121)
    priors: PriorsInput | None = None


class RunPublic(BaseModel):
    id: uuid.UUID
    dataset_id: uuid.UUID
    model: str
    quadrature_points: int
    priors: dict[str, Any]
    status: str
    job_id: uuid.UUID | None
    created_by: uuid.UUID | None
    created_at: datetime
    finished_at: datetime | None
    software_version: str
    result: dict[str, Any]
    error: str


class AcceptCreate(StrictInput):
    name: str = Field(min_length=1, max_length=200, description="parameter set name")
    note: str = Field(default="", max_length=2000)


class ParameterSetPublic(BaseModel):
    id: uuid.UUID
    name: str
    version: int
    run_id: uuid.UUID
    dataset_id: uuid.UUID
    model: str
    software_version: str
    job_id: uuid.UUID | None
    accepted_by: uuid.UUID | None
    accepted_at: datetime
    note: str
    provenance: dict[str, Any]


class ItemParameterPublic(BaseModel):
    item_version_id: uuid.UUID
    parameter_set_id: uuid.UUID
    model: str
    n_categories: int
    discrimination: float
    intercepts: list[float | None]
    difficulty: float | None
    thresholds: list[float | None]
    guessing: float
    upper: float
    standard_errors: dict[str, Any]
    fit: dict[str, Any]
    n_responses: int


class ParameterSetDetail(ParameterSetPublic):
    items: list[ItemParameterPublic]
