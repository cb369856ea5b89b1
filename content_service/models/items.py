"""The item bank's tables: an item, its numbered versions, and the reviews of each version.

An item is the stable identity ("the question about the area of a triangle"); every change makes
a new ``ItemVersionRecord``. A version is editable only while it is a draft; once submitted for
review its content is frozen, and once published it never changes again (quizzes, attempts and
calibrations point at the version, not at the item). The content is the item model's own JSON
(:func:`item_bank.formats.json_items.item_to_dict`); the columns beside it are copies of the
metadata for filtering and the blueprint matrix.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from content_service.models.base import id_field, timestamp_field


class VersionStatus(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    RETIRED = "retired"


class ReviewDecision(StrEnum):
    COMMENT = "comment"
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"


class ItemRecord(SQLModel, table=True):
    __tablename__ = "item"

    id: uuid.UUID = id_field()
    # The author-facing key, unique in the bank ("toan10-hinh-001"); QTI's identifier on export.
    identifier: str = Field(max_length=128, unique=True, index=True)
    school_id: uuid.UUID | None = Field(default=None, foreign_key="school.id", index=True)
    created_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = timestamp_field()
    latest_number: int = 1


class ItemVersionRecord(SQLModel, table=True):
    __tablename__ = "item_version"
    __table_args__ = (UniqueConstraint("item_id", "number", name="uq_item_version_number"),)

    id: uuid.UUID = id_field()
    item_id: uuid.UUID = Field(foreign_key="item.id", index=True)
    number: int
    status: VersionStatus = Field(default=VersionStatus.DRAFT, sa_type=String(16), index=True)
    content: dict[str, Any] = Field(sa_type=JSON)
    content_hash: str = Field(max_length=64)  # sha256 of the canonical content JSON
    kind: str = Field(max_length=32, index=True)
    title: str = Field(default="", max_length=300)
    subject: str = Field(default="", max_length=64, index=True)
    grade: int | None = Field(default=None, index=True)
    topic: str = Field(default="", max_length=200, index=True)
    requirement_code: str = Field(default="", max_length=64)
    cognitive_level: str = Field(default="", max_length=16, index=True)
    language: str = Field(default="vi", max_length=16)
    created_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = timestamp_field()
    submitted_at: datetime | None = timestamp_field(nullable=True)
    published_at: datetime | None = timestamp_field(nullable=True)
    published_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    retired_at: datetime | None = timestamp_field(nullable=True)
    change_note: str = Field(default="", sa_type=Text)
    # Folded visible text (stem, options, feedback, title, metadata) for ``GET /items?q=``:
    # lower-case, no tones, đ→d (``learning_resources.fold_for_search``), words space-separated.
    search_text: str = Field(default="", sa_type=Text, sa_column_kwargs={"server_default": ""})


class ItemAssetRecord(SQLModel, table=True):
    """An image, audio or video file an item refers to, stored once by its SHA-256.

    The bytes live under ``DATA_DIR/item-assets/<sha[:2]>/<sha>``; items refer to them as
    ``/item-assets/<sha>``. Who may read one follows the versions that use it
    (:class:`ItemVersionAssetRecord`).
    """

    __tablename__ = "item_asset"

    sha256: str = Field(max_length=64, primary_key=True)
    media_type: str = Field(max_length=100)
    size: int
    filename: str = Field(default="", max_length=200)
    created_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = timestamp_field()


class ItemVersionAssetRecord(SQLModel, table=True):
    """An item version uses an asset (rewritten on every edit of a draft)."""

    __tablename__ = "item_version_asset"

    version_id: uuid.UUID = Field(foreign_key="item_version.id", primary_key=True)
    sha256: str = Field(
        max_length=64, foreign_key="item_asset.sha256", primary_key=True, index=True
    )


class ItemReviewRecord(SQLModel, table=True):
    __tablename__ = "item_review"

    id: uuid.UUID = id_field()
    version_id: uuid.UUID = Field(foreign_key="item_version.id", index=True)
    reviewer_id: uuid.UUID = Field(foreign_key="user_account.id")
    decision: ReviewDecision = Field(sa_type=String(20))
    comment: str = Field(default="", sa_type=Text)
    created_at: datetime = timestamp_field()


class AssembledFormRecord(SQLModel, table=True):
    """Parallel forms assembled from a blueprint ("ma trận đề"), pinned to item versions.

    ``forms`` holds, per form, its items in order (version id, identifier, points, option order)
    and the answer key, so the printed PDF and any quiz built from it never drift when the bank
    changes.
    """

    __tablename__ = "assembled_form"

    id: uuid.UUID = id_field()
    school_id: uuid.UUID | None = Field(default=None, foreign_key="school.id", index=True)
    created_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = timestamp_field()
    title: str = Field(default="", max_length=300)
    seed: int = 0
    method: str = Field(default="", max_length=16)
    blueprint: dict[str, Any] = Field(sa_type=JSON)
    forms: list[dict[str, Any]] = Field(sa_type=JSON)
