"""Request and response shapes of /resources, /collections, /search and /harvest-sources."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from content_service.schemas.common import StrictInput

Kind = Literal["pdf", "image", "video", "audio", "html_package", "notebook", "link"]
VisibilityIn = Literal["public", "school", "private"]


class AlignmentIn(StrictInput):
    target_code: str = Field(max_length=64)
    target_name: str = Field(max_length=1000)
    alignment_type: Literal["teaches", "assesses", "requires"] = "teaches"
    target_description: str | None = Field(default=None, max_length=4000)
    target_url: str | None = Field(default=None, max_length=1000)


class ResourceMetadataIn(StrictInput):
    """Descriptive (Dublin Core) and educational (LRMI) metadata of a version."""

    title: str = Field(min_length=1, max_length=500)
    description: str = Field(default="", max_length=20_000)
    creators: list[str] = Field(default_factory=list, max_length=50)
    contributors: list[str] = Field(default_factory=list, max_length=50)
    publisher: str | None = Field(default=None, max_length=500)
    keywords: list[str] = Field(default_factory=list, max_length=50)
    language: str = Field(default="vi", max_length=8)
    created: date | None = None
    grades: list[int] = Field(default_factory=list, max_length=12)
    subjects: list[str] = Field(default_factory=list, max_length=10)
    alignments: list[AlignmentIn] = Field(default_factory=list, max_length=50)
    resource_types: list[str] = Field(default_factory=list, max_length=10)
    educational_uses: list[str] = Field(default_factory=list, max_length=10)
    interactivity_type: str | None = Field(default=None, max_length=16)
    typical_age_range: str | None = Field(default=None, max_length=8)
    time_required: str | None = Field(default=None, max_length=32)
    licence: str = Field(default="CC-BY-4.0", max_length=32)
    visibility: VisibilityIn = "public"


class ResourceCreate(ResourceMetadataIn):
    kind: Kind
    url: str | None = Field(default=None, max_length=2000)


class ResourceUpdate(ResourceMetadataIn):
    """The whole metadata of the draft (PUT semantics: what you send is what is kept)."""

    url: str | None = Field(default=None, max_length=2000)
    entry_point: str | None = Field(default=None, max_length=500)


class TransitionIn(StrictInput):
    reason: str | None = Field(default=None, max_length=4000)


class ResourcePublic(BaseModel):
    identifier: str
    version: int
    state: str
    status: str
    title: str
    school: str | None
    view_count: int
    download_count: int
    published_version: int | None
    origin: str
    metadata: dict[str, Any]


class ResourceSummary(BaseModel):
    identifier: str
    title: str
    status: str
    latest_version: int
    latest_state: str
    published_version: int | None
    view_count: int
    download_count: int
    origin: str


class CollectionCreate(StrictInput):
    title: str = Field(min_length=1, max_length=500)
    description: str = Field(default="", max_length=10_000)
    parent: str | None = Field(default=None, max_length=64)


class CollectionMemberIn(StrictInput):
    resource: str = Field(max_length=64)


class CollectionPublic(BaseModel):
    identifier: str
    title: str
    description: str
    parent: str | None
    resources: list[str]
    children: list[str]


class SearchHitPublic(BaseModel):
    doc_type: str
    identifier: str
    version: int | None
    title: str
    description: str
    subject: list[str]
    grade: list[int]
    type: list[str]
    kind: str | None
    licence: str | None
    language: str | None
    school: str | None
    highlight: dict[str, str]


class SearchPublic(BaseModel):
    query: str
    backend: str
    total: int
    limit: int
    offset: int
    hits: list[SearchHitPublic]
    facets: dict[str, dict[str, int]]


class HarvestSourceCreate(StrictInput):
    base_url: str = Field(min_length=8, max_length=500, pattern=r"^https?://")
    name: str = Field(min_length=1, max_length=200)
    set_spec: str = Field(default="", max_length=200)
    interval_minutes: int = Field(default=24 * 60, ge=0, le=30 * 24 * 60)


class HarvestSourcePublic(BaseModel):
    id: uuid.UUID
    base_url: str
    name: str
    set_spec: str
    interval_minutes: int
    harvested_until: datetime | None
    last_status: str
    record_count: int
