"""Login sessions and personal API tokens: both are random secrets stored only as hashes."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from content_service.models.base import id_field, timestamp_field


class TokenKind(StrEnum):
    SESSION = "session"  # the web pages' cookie
    API = "api"  # a personal token for notebooks and scripts


class ApiTokenRecord(SQLModel, table=True):
    __tablename__ = "api_token"

    id: uuid.UUID = id_field()
    user_id: uuid.UUID = Field(foreign_key="user_account.id", index=True)
    kind: TokenKind = Field(sa_type=String(10))
    name: str = Field(default="", max_length=100)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    prefix: str = Field(max_length=12)
    created_at: datetime = timestamp_field()
    expires_at: datetime | None = timestamp_field(nullable=True)
    last_used_at: datetime | None = timestamp_field(nullable=True)
    revoked_at: datetime | None = timestamp_field(nullable=True)
