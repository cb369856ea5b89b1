"""Writing the audit log inside the caller's transaction: a change and its entry land together."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.models.audit import AuditRecord
from content_service.services.access import Principal


def record_audit(
    *,
    session: AsyncSession,
    actor: Principal | None,
    action: str,
    entity: str,
    entity_id: object = "",
    school_id: uuid.UUID | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditRecord(
            actor_id=actor.user_id if actor else None,
            school_id=school_id if school_id is not None else (actor.school_id if actor else None),
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            details=details or {},
        )
    )
