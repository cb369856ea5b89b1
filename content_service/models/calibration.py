"""IRT calibration: response datasets, calibration runs and accepted parameter sets.

A researcher uploads (or selects from quiz attempts) a response dataset, runs a calibration as a
background job and accepts the result as a new, versioned parameter set with its provenance.
Accepted sets are never overwritten: "the current parameters of an item version" are those of
the most recently accepted set that holds the version.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from content_service.models.base import id_field, timestamp_field


class DatasetSource(StrEnum):
    UPLOAD = "upload"
    QUIZZES = "quizzes"


class RunStatus(StrEnum):
    QUEUED = "queued"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class ResponseDatasetRecord(SQLModel, table=True):
    """A response matrix (persons x item versions) stored as sparse triplets."""

    __tablename__ = "calibration_dataset"

    id: uuid.UUID = id_field()
    name: str = Field(max_length=200)
    source: DatasetSource = Field(sa_type=String(16))
    description: str = Field(default="", sa_type=Text)
    school_id: uuid.UUID | None = Field(default=None, foreign_key="school.id", index=True)
    created_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id", index=True)
    created_at: datetime = timestamp_field()
    n_persons: int = 0
    n_responses: int = 0
    # column j of the matrix is item version item_versions[j] (UUID strings)
    item_versions: list[str] = Field(default_factory=list, sa_type=JSON)
    person_labels: list[str] = Field(default_factory=list, sa_type=JSON)
    # {"persons": [...], "items": [...], "values": [...]}: one entry per observed response
    responses: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    selection: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class CalibrationRunRecord(SQLModel, table=True):
    """One calibration of a dataset, run as a background job."""

    __tablename__ = "calibration_run"

    id: uuid.UUID = id_field()
    dataset_id: uuid.UUID = Field(foreign_key="calibration_dataset.id", index=True)
    model: str = Field(max_length=16)
    quadrature_points: int = 61
    # MAP priors as given (item_bank.psychometrics.Priors fields); {} = the engine's defaults
    priors: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    status: RunStatus = Field(default=RunStatus.QUEUED, sa_type=String(16), index=True)
    job_id: uuid.UUID | None = Field(default=None, foreign_key="job.id")
    school_id: uuid.UUID | None = Field(default=None, foreign_key="school.id", index=True)
    created_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id", index=True)
    created_at: datetime = timestamp_field()
    finished_at: datetime | None = timestamp_field(nullable=True)
    software_version: str = Field(default="", max_length=64)
    # loglik, convergence, latent distribution, warnings and one entry per item (see tasks)
    result: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    error: str = Field(default="", sa_type=Text)


class ParameterSetRecord(SQLModel, table=True):
    """Accepted parameters: a named, versioned set with provenance; never overwritten."""

    __tablename__ = "calibration_parameter_set"
    __table_args__ = (UniqueConstraint("name", "version", name="uq_parameter_set_version"),)

    id: uuid.UUID = id_field()
    name: str = Field(max_length=200, index=True)
    version: int = 1
    run_id: uuid.UUID = Field(foreign_key="calibration_run.id", index=True)
    dataset_id: uuid.UUID = Field(foreign_key="calibration_dataset.id")
    model: str = Field(max_length=16)
    software_version: str = Field(default="", max_length=64)
    job_id: uuid.UUID | None = Field(default=None, foreign_key="job.id")
    accepted_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    accepted_at: datetime = timestamp_field(index=True)
    note: str = Field(default="", sa_type=Text)
    # who ran it, when, which data (dataset name, source, selection, size), quadrature
    provenance: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class ItemParameterRecord(SQLModel, table=True):
    """Parameters of one item version within a parameter set."""

    __tablename__ = "calibration_item_parameter"
    __table_args__ = (
        UniqueConstraint("parameter_set_id", "item_version_id", name="uq_item_parameter_in_set"),
    )

    id: uuid.UUID = id_field()
    parameter_set_id: uuid.UUID = Field(foreign_key="calibration_parameter_set.id", index=True)
    item_version_id: uuid.UUID = Field(foreign_key="item_version.id", index=True)
    model: str = Field(max_length=16)
    n_categories: int = 2
    # slope-intercept form: logit P(X >= k) = a * theta + d_k (GPCM: adjacent categories)
    discrimination: float
    intercepts: list[float] = Field(default_factory=list, sa_type=JSON)
    # a/b/c form: b = -d / a for dichotomous items, thresholds for polytomous ones
    difficulty: float | None = None
    thresholds: list[float] = Field(default_factory=list, sa_type=JSON)
    guessing: float = 0.0
    upper: float = 1.0
    # {"discrimination": se, "intercepts": [...], "guessing": se}
    standard_errors: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    # {"s_x2": ..., "df": ..., "p_value": ...}
    fit: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    n_responses: int = 0
