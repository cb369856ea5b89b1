"""The worker: claims queued jobs, runs their handlers, records the outcome."""

from __future__ import annotations

import os
import socket
import threading
import time
import traceback
import uuid
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import Engine, or_, select, update
from sqlalchemy.orm import Session
from sqlmodel import col

from content_service.db import make_engine
from content_service.jobs.queue import JobContext, handler_for, registered_kinds
from content_service.models.base import utcnow
from content_service.models.jobs import JobRecord, JobStatus
from content_service.settings import Settings
from content_service.tasks import load_all

log = structlog.get_logger(__name__)

LEASE = timedelta(minutes=30)


class Worker:
    """Runs jobs of the registered kinds (or of ``kinds``) from the database queue."""

    def __init__(
        self,
        settings: Settings,
        *,
        engine: Engine | None = None,
        kinds: frozenset[str] | None = None,
        lease: timedelta = LEASE,
    ) -> None:
        self.settings = settings
        self._own_engine = engine is None
        self.engine = engine or make_engine(settings)
        self.kinds = kinds
        self.lease = lease
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._stop = threading.Event()

    def close(self) -> None:
        if self._own_engine:
            self.engine.dispose()

    def stop(self) -> None:
        self._stop.set()

    def _kinds(self) -> list[str]:
        return sorted(self.kinds if self.kinds is not None else registered_kinds())

    def claim(self) -> JobRecord | None:
        """Take the oldest runnable job (or one whose worker's lease ran out), or None."""
        now = utcnow()
        kinds = self._kinds()
        if not kinds:
            return None
        with Session(self.engine) as session, session.begin():
            runnable = or_(
                (col(JobRecord.status) == JobStatus.QUEUED) & (col(JobRecord.run_after) <= now),
                (col(JobRecord.status) == JobStatus.RUNNING) & (col(JobRecord.lease_until) < now),
            )
            candidate = (
                select(col(JobRecord.id))
                .where(runnable, col(JobRecord.kind).in_(kinds))
                .order_by(col(JobRecord.run_after), col(JobRecord.created_at))
                .limit(1)
                .with_for_update(skip_locked=True)  # PostgreSQL; SQLite serialises writers
            )
            job_id = session.execute(candidate).scalar_one_or_none()
            if job_id is None:
                return None
            # Guarded update: on SQLite a second worker that read the same id updates nothing.
            claimed = session.execute(
                update(JobRecord)
                .where(col(JobRecord.id) == job_id, runnable)
                .values(
                    status=JobStatus.RUNNING,
                    attempts=JobRecord.attempts + 1,
                    started_at=now,
                    lease_until=now + self.lease,
                    worker=self.name,
                )
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]  # a CursorResult
                return None
            job = session.get(JobRecord, job_id)
            assert job is not None
            session.expunge(job)
            return job

    def run_one(self) -> bool:
        """Claim and run one job. Returns whether there was one."""
        job = self.claim()
        if job is None:
            return False
        function = handler_for(job.kind)
        context = JobContext(
            job_id=job.id,
            kind=job.kind,
            settings=self.settings,
            engine=self.engine,
            attempt=job.attempts,
        )
        status, result, error = JobStatus.SUCCEEDED, None, ""
        started = time.perf_counter()
        try:
            if function is None:
                raise LookupError(f"no handler for job kind {job.kind!r}")
            result = function(dict(job.params), context)
        except Exception as exc:  # a handler's failure is recorded on the job, never lost
            error = f"{type(exc).__name__}: {exc}"
            log.warning(
                "job.failed",
                job_id=str(job.id),
                kind=job.kind,
                error=error,
                traceback=traceback.format_exc(limit=5),
            )
            retry = job.attempts < job.max_attempts and not isinstance(exc, PermanentJobError)
            status = JobStatus.QUEUED if retry else JobStatus.FAILED
        self._finish(job, status, result, error)
        log.info(
            "job.done",
            job_id=str(job.id),
            kind=job.kind,
            status=status.value,
            seconds=round(time.perf_counter() - started, 3),
        )
        return True

    def _finish(
        self, job: JobRecord, status: JobStatus, result: dict[str, Any] | None, error: str
    ) -> None:
        now = utcnow()
        values: dict[str, Any] = {"status": status, "error": error, "lease_until": None}
        if status is JobStatus.QUEUED:  # retried later, backing off
            values["run_after"] = now + timedelta(seconds=2**job.attempts)
        else:
            values["finished_at"] = now
            values["result"] = result
        with Session(self.engine) as session, session.begin():
            session.execute(
                update(JobRecord)
                .where(col(JobRecord.id) == job.id, col(JobRecord.worker) == self.name)
                .values(**values)
            )

    def run_forever(self, *, poll_seconds: float = 1.0) -> None:
        log.info("worker.start", worker=self.name, kinds=self._kinds())
        while not self._stop.is_set():
            if not self.run_one():
                self._stop.wait(poll_seconds)


class PermanentJobError(Exception):
    """Raised by a handler when retrying cannot help (bad parameters, missing data)."""


def run_until_empty(settings: Settings, *, engine: Engine | None = None, limit: int = 1000) -> int:
    """Run jobs until none is runnable now; returns how many ran (tests and the CLI use this)."""
    load_all()
    worker = Worker(settings, engine=engine)
    try:
        count = 0
        while count < limit and worker.run_one():
            count += 1
        return count
    finally:
        worker.close()
