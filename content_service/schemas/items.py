"""Schemas of the item bank API: items with their versions and reviews, imports, assembly.

An item travels as the bank's own JSON (:func:`item_bank.formats.json_items.item_to_dict`); the
service validates it with the domain code, so a problem is reported naming the field.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from content_service.models.items import ReviewDecision
from content_service.schemas.common import Page, StrictInput
from item_bank.items import CognitiveLevel

ItemDocument = Annotated[dict[str, Any], Field(description="an item as item_to_dict gives it")]


class ItemCreate(StrictInput):
    item: ItemDocument


class ItemUpdate(StrictInput):
    item: ItemDocument
    change_note: Annotated[str, Field(max_length=2000)] = ""


class ItemPreviewRequest(StrictInput):
    item: ItemDocument


class ItemPreview(BaseModel):
    html: str
    problems: list[str] = []


class ReviewCreate(StrictInput):
    decision: ReviewDecision
    comment: Annotated[str, Field(max_length=5000)] = ""


class ReviewPublic(BaseModel):
    id: uuid.UUID
    version_id: uuid.UUID
    reviewer_id: uuid.UUID
    decision: ReviewDecision
    comment: str
    created_at: datetime


class VersionSummary(BaseModel):
    id: uuid.UUID
    number: int
    status: str
    created_by: uuid.UUID | None
    created_at: datetime
    published_at: datetime | None
    change_note: str


class VersionPublic(VersionSummary):
    item_id: uuid.UUID
    content: dict[str, Any]
    content_hash: str
    kind: str
    title: str
    subject: str
    grade: int | None
    topic: str
    requirement_code: str
    cognitive_level: str
    language: str
    submitted_at: datetime | None
    published_by: uuid.UUID | None
    retired_at: datetime | None
    reviews: list[ReviewPublic] = []


class ItemDetail(BaseModel):
    id: uuid.UUID
    identifier: str
    school_id: uuid.UUID | None
    created_by: uuid.UUID | None
    created_at: datetime
    versions: list[VersionSummary]
    latest: VersionPublic
    can_edit: bool = False


class ItemSummary(BaseModel):
    id: uuid.UUID
    identifier: str
    school_id: uuid.UUID | None
    version_id: uuid.UUID
    number: int
    status: str
    kind: str
    title: str
    subject: str
    grade: int | None
    topic: str
    cognitive_level: str
    stem_preview: str


ItemsPublic = Page[ItemSummary]


class ImportedRow(BaseModel):
    identifier: str
    item_id: uuid.UUID
    version_id: uuid.UUID


class SkippedRow(BaseModel):
    identifier: str
    reason: str


class ImportReportPublic(BaseModel):
    file: str
    format: str
    imported: list[ImportedRow]
    skipped: list[SkippedRow]
    errors: list[str]


class ImportQueuedPublic(BaseModel):
    """A large import runs as a background job: follow it at ``GET /jobs/{job_id}``."""

    file: str
    job_id: uuid.UUID
    status: str


class ItemAssetPublic(BaseModel):
    sha256: str
    url: str
    media_type: str
    size: int
    filename: str


class BlueprintCellInput(StrictInput):
    cognitive_level: CognitiveLevel
    count: Annotated[int, Field(ge=0, le=200)]
    topic: Annotated[str | None, Field(max_length=200)] = None
    requirement_code: Annotated[str | None, Field(max_length=64)] = None
    subject: Annotated[str | None, Field(max_length=64)] = None
    points: Annotated[float | None, Field(ge=0, le=100)] = None
    target_difficulty: Annotated[float | None, Field(ge=-6, le=6)] = None


class BlueprintInput(StrictInput):
    subject: Annotated[str | None, Field(max_length=64)] = None
    grade: Annotated[int | None, Field(ge=1, le=12)] = None
    cells: Annotated[list[BlueprintCellInput], Field(min_length=1, max_length=200)]
    allow_overlap: bool = False


class AssemblyRequest(StrictInput):
    title: Annotated[str, Field(max_length=300)] = ""
    blueprint: BlueprintInput
    n_forms: Annotated[int, Field(ge=1, le=20)] = 1
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0


class FormItemPublic(BaseModel):
    position: int
    version_id: uuid.UUID
    item_id: uuid.UUID
    identifier: str
    points: float
    choice_order: list[str]
    cell: int


class FormPublic(BaseModel):
    number: int
    items: list[FormItemPublic]
    answer_key: dict[str, dict[str, Any]]
    total_points: float
    cells: list[dict[str, Any]]


class AssembledFormsPublic(BaseModel):
    id: uuid.UUID
    title: str
    seed: int
    method: str
    created_at: datetime
    blueprint: dict[str, Any]
    forms: list[FormPublic]
