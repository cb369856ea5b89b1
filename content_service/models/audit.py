"""The audit log: who changed what, when, in which school."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from content_service.models.base import id_field, timestamp_field


class AuditRecord(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: uuid.UUID = id_field()
    at: datetime = timestamp_field(index=True)
    actor_id: uuid.UUID | None = Field(default=None, foreign_key="user_account.id", index=True)
    school_id: uuid.UUID | None = Field(default=None, foreign_key="school.id", index=True)
    action: str = Field(max_length=64)  # "user.create", "token.revoke", ...
    entity: str = Field(max_length=64)
    entity_id: str = Field(default="", max_length=64)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
