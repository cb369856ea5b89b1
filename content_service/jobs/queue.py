"""Enqueueing jobs and the registry of handlers."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.models.base import utcnow
from content_service.models.jobs import JobRecord
from content_service.services.access import Principal
from content_service.settings import Settings


@dataclass(frozen=True, slots=True)
class JobContext:
    """What a handler gets besides its parameters: the job, the settings and a sync engine."""

    job_id: uuid.UUID
    kind: str
    settings: Settings
    engine: Engine
    attempt: int


# A handler takes the job's parameters and returns a JSON-able result (stored on the job).
JobHandler = Callable[[dict[str, Any], JobContext], dict[str, Any] | None]

_HANDLERS: dict[str, JobHandler] = {}


def handler(kind: str) -> Callable[[JobHandler], JobHandler]:
    """Register the function that runs jobs of ``kind``."""

    def register(function: JobHandler) -> JobHandler:
        if kind in _HANDLERS and _HANDLERS[kind] is not function:
            raise ValueError(f"a handler for job kind {kind!r} is already registered")
        _HANDLERS[kind] = function
        return function

    return register


def handler_for(kind: str) -> JobHandler | None:
    return _HANDLERS.get(kind)


def registered_kinds() -> frozenset[str]:
    return frozenset(_HANDLERS)


def enqueue(
    session: AsyncSession,
    kind: str,
    params: dict[str, Any] | None = None,
    *,
    principal: Principal | None = None,
    school_id: uuid.UUID | None = None,
    run_after: datetime | None = None,
    max_attempts: int = 3,
) -> JobRecord:
    """Add a job to the caller's transaction: it exists if and only if the transaction commits."""
    job = JobRecord(
        kind=kind,
        params=params or {},
        created_by=principal.user_id if principal else None,
        school_id=school_id
        if school_id is not None
        else (principal.school_id if principal else None),
        run_after=run_after or utcnow(),
        max_attempts=max_attempts,
    )
    session.add(job)
    return job
