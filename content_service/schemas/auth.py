"""Schemas for logging in and personal API tokens."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from content_service.schemas.common import StrictInput
from content_service.schemas.people import UserPublic


class LoginRequest(StrictInput):
    username: Annotated[str, Field(min_length=1, max_length=64)]
    password: Annotated[str, Field(min_length=1, max_length=256)]


class LoginPublic(BaseModel):
    user: UserPublic
    expires_at: datetime


class TokenCreate(StrictInput):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    expires_in_days: Annotated[int, Field(ge=1, le=366)] | None = 90


class TokenPublic(BaseModel):
    id: uuid.UUID
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None


class TokenCreatedPublic(TokenPublic):
    token: str = Field(description="shown once; store it like a password")
