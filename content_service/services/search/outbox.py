"""The transactional outbox: index jobs written with the change, applied by the worker.

A job names *what* changed (a resource or item identifier), not the document: the handler reads
the current row when it runs, so retries and out-of-order runs converge on the database's state
and a withdrawal always ends with the document deleted. Jobs retry with back-off for a long time
(``MAX_ATTEMPTS``); :func:`make_pending_runnable` lets a catch-up run them at once when the engine
is back.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, Engine, update
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.jobs import enqueue
from content_service.models.base import utcnow
from content_service.models.jobs import JobRecord, JobStatus
from content_service.services.access import Principal
from content_service.services.search import backend_for
from content_service.services.search.documents import all_documents, changed_since, index_changes
from content_service.settings import Settings

INDEX_JOB = "search.index"
REINDEX_JOB = "search.reindex"
CATCH_UP_JOB = "search.catch_up"
MAX_ATTEMPTS = 40  # back-off doubles per attempt: this outlives any outage worth surviving


def enqueue_resource_index(
    session: AsyncSession, identifier: str, *, principal: Principal | None = None
) -> JobRecord:
    """Queue the (re)indexing or removal of one resource, inside the caller's transaction."""
    return enqueue(
        session,
        INDEX_JOB,
        {"resources": [identifier]},
        principal=principal,
        max_attempts=MAX_ATTEMPTS,
    )


def enqueue_item_index(
    session: AsyncSession, identifier: str, *, principal: Principal | None = None
) -> JobRecord:
    """Queue the (re)indexing of one item (call it when a version is published or retired)."""
    return enqueue(
        session, INDEX_JOB, {"items": [identifier]}, principal=principal, max_attempts=MAX_ATTEMPTS
    )


def enqueue_library_index(
    session: AsyncSession, title_id: uuid.UUID, *, principal: Principal | None = None
) -> JobRecord:
    """Queue the (re)indexing or removal of one library title (created, changed, deleted)."""
    return enqueue(
        session,
        INDEX_JOB,
        {"library": [str(title_id)]},
        principal=principal,
        max_attempts=MAX_ATTEMPTS,
    )


def enqueue_reindex(session: AsyncSession, *, principal: Principal | None = None) -> JobRecord:
    return enqueue(session, REINDEX_JOB, {}, principal=principal, max_attempts=5)


def apply_index_job(
    params: dict[str, Any], *, settings: Settings, engine: Engine
) -> dict[str, Any]:
    """Upsert or delete the named documents; raises while the engine is unavailable."""
    upserts, deletes = index_changes(
        engine,
        resources=list(params.get("resources", [])),
        items=list(params.get("items", [])),
        library=list(params.get("library", [])),
    )
    backend = backend_for(settings)
    backend.ensure_index()
    backend.upsert(upserts)
    backend.delete(deletes)
    return {"indexed": len(upserts), "deleted": len(deletes), "backend": backend.name}


def rebuild_index(*, settings: Settings, engine: Engine) -> dict[str, Any]:
    """Build a new index from the database and swap it in, then replay what changed meanwhile."""
    started = utcnow()
    backend = backend_for(settings)
    count = backend.rebuild(all_documents(engine))
    resources, items, library = changed_since(engine, started)
    replayed = apply_index_job(
        {"resources": resources, "items": items, "library": library},
        settings=settings,
        engine=engine,
    )
    return {"documents": count, "replayed": replayed["indexed"] + replayed["deleted"]}


def make_pending_runnable(engine: Engine, *, now: datetime | None = None) -> int:
    """Let queued index jobs that are backing off run now (the engine answered again)."""
    from sqlmodel import Session

    moment = now or utcnow()
    with Session(engine) as session, session.begin():
        result: CursorResult[Any] = session.execute(  # type: ignore[assignment]  # an UPDATE
            update(JobRecord)
            .where(
                JobRecord.kind == INDEX_JOB,  # type: ignore[arg-type]
                JobRecord.status == JobStatus.QUEUED,  # type: ignore[arg-type]
                JobRecord.run_after > moment,  # type: ignore[arg-type]
            )
            .values(run_after=moment)
        )
        return int(result.rowcount or 0)


def catch_up(params: dict[str, Any], *, settings: Settings, engine: Engine) -> dict[str, Any]:
    """Periodic safety net: wake backing-off index jobs once the engine answers, and index items
    and library titles changed since the last run (a writer that forgot the outbox heals)."""
    backend = backend_for(settings)
    backend.ensure_index()  # raises while the engine is still down: the job retries
    woken = make_pending_runnable(engine)
    since = datetime.fromisoformat(params["since"]) if params.get("since") else None
    started = utcnow()
    if since is not None:
        _resources, items, library = changed_since(engine, since)
    else:
        documents = list(all_documents(engine))
        items = [d["identifier"] for d in documents if d["doc_type"] == "item"]
        library = [d["identifier"] for d in documents if d["doc_type"] == "library"]
    applied = apply_index_job(
        {"items": items, "library": library}, settings=settings, engine=engine
    )
    return {
        "woken": woken,
        "items_indexed": applied["indexed"],
        "next_since": started.isoformat(),
    }


def schedule_catch_up(
    engine: Engine, *, since: str | None, run_after: datetime, school_id: uuid.UUID | None = None
) -> None:
    """Queue the next periodic catch-up (sync: the worker calls this after a run)."""
    from sqlmodel import Session

    with Session(engine) as session, session.begin():
        session.add(
            JobRecord(
                kind=CATCH_UP_JOB,
                params={"since": since, "repeat_seconds": 300},
                run_after=run_after,
                max_attempts=MAX_ATTEMPTS,
                school_id=school_id,
            )
        )
