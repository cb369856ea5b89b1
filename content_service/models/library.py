"""The school library: titles (MARC records), copies, loans, holds, digital files, ILL requests.

Patrons are the people of ``user_account`` (same ids as the gradebook). A copy can be on loan
once: a unique partial index on ``library_loan(copy_id) WHERE returned_at IS NULL`` is the
last line of defence behind the conditional update made at checkout.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, String, Text, text
from sqlmodel import Field, SQLModel

from content_service.models.base import id_field, timestamp_field


class LibraryTitleRecord(SQLModel, table=True):
    """One bibliographic record (a title) in a school's catalogue."""

    __tablename__ = "library_title"

    id: uuid.UUID = id_field()
    school_id: uuid.UUID = Field(foreign_key="school.id", index=True)
    title: str = Field(max_length=500)
    subtitle: str = Field(default="", max_length=500)
    authors: list[str] = Field(default_factory=list, sa_type=JSON)
    isbn: str = Field(default="", max_length=32, index=True)
    language: str = Field(default="vie", max_length=3)
    ddc: str = Field(default="", max_length=32)
    publisher: str = Field(default="", max_length=200)
    place: str = Field(default="", max_length=100)
    year: str = Field(default="", max_length=16)
    edition: str = Field(default="", max_length=100)
    subjects: list[str] = Field(default_factory=list, sa_type=JSON)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    # Folded (accent-free, lower-case) title/authors/subjects/ISBN for the SQL search fallback.
    search_text: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    deleted: bool = False  # kept for OAI-PMH (deletedRecord=persistent)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field(index=True)


class LibraryCopyRecord(SQLModel, table=True):
    """One physical copy (item) with its barcode and shelf location."""

    __tablename__ = "library_copy"

    id: uuid.UUID = id_field()
    title_id: uuid.UUID = Field(foreign_key="library_title.id", index=True)
    school_id: uuid.UUID = Field(foreign_key="school.id", index=True)
    barcode: str = Field(max_length=64, unique=True, index=True)
    location: str = Field(default="", max_length=100)
    item_type: str = Field(default="book", sa_type=String(20))
    status: str = Field(default="available", sa_type=String(20), index=True)
    created_at: datetime = timestamp_field()


class LibraryLoanRecord(SQLModel, table=True):
    __tablename__ = "library_loan"
    __table_args__ = (
        Index(
            "uq_library_loan_open_copy",
            "copy_id",
            unique=True,
            sqlite_where=text("returned_at IS NULL"),
            postgresql_where=text("returned_at IS NULL"),
        ),
    )

    id: uuid.UUID = id_field()
    copy_id: uuid.UUID = Field(foreign_key="library_copy.id", index=True)
    patron_id: uuid.UUID = Field(foreign_key="user_account.id", index=True)
    school_id: uuid.UUID = Field(foreign_key="school.id", index=True)
    patron_category: str = Field(sa_type=String(20))
    item_type: str = Field(sa_type=String(20))
    checked_out_at: datetime = timestamp_field()
    due_at: datetime = timestamp_field(index=True)
    returned_at: datetime | None = timestamp_field(nullable=True)
    renewals: int = 0


class LibraryHoldRecord(SQLModel, table=True):
    """A place in a title's holds queue; ``copy_id`` is set when a copy waits on the shelf."""

    __tablename__ = "library_hold"

    id: uuid.UUID = id_field()
    title_id: uuid.UUID = Field(foreign_key="library_title.id", index=True)
    patron_id: uuid.UUID = Field(foreign_key="user_account.id", index=True)
    school_id: uuid.UUID = Field(foreign_key="school.id", index=True)
    status: str = Field(default="waiting", sa_type=String(20), index=True)
    copy_id: uuid.UUID | None = Field(default=None, foreign_key="library_copy.id")
    placed_at: datetime = timestamp_field()
    ready_until: datetime | None = timestamp_field(nullable=True)


class LibraryDigitalFileRecord(SQLModel, table=True):
    """A digital item (PDF, e-book, video) of a title, stored under ``DATA_DIR/library``."""

    __tablename__ = "library_digital_file"

    id: uuid.UUID = id_field()
    title_id: uuid.UUID = Field(foreign_key="library_title.id", index=True)
    school_id: uuid.UUID = Field(foreign_key="school.id", index=True)
    filename: str = Field(max_length=255)
    media_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    created_at: datetime = timestamp_field()


class LibraryIllRequestRecord(SQLModel, table=True):
    """An inter-library loan: a borrowing school asks a lending school for a title."""

    __tablename__ = "library_ill_request"

    id: uuid.UUID = id_field()
    title_id: uuid.UUID = Field(foreign_key="library_title.id", index=True)
    lending_school_id: uuid.UUID = Field(foreign_key="school.id", index=True)
    borrowing_school_id: uuid.UUID = Field(foreign_key="school.id", index=True)
    requested_by: uuid.UUID = Field(foreign_key="user_account.id")
    copy_id: uuid.UUID | None = Field(default=None, foreign_key="library_copy.id")
    status: str = Field(default="requested", sa_type=String(20), index=True)
    note: str = Field(default="", max_length=500)
    history: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
