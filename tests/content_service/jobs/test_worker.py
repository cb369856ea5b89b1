"""The database job queue: runs once, records outcomes, retries, outlives dead workers."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlmodel import Session, select

from content_service.db import make_async_engine, make_sessionmaker
from content_service.jobs import (
    JobContext,
    PermanentJobError,
    Worker,
    enqueue,
    handler,
    run_until_empty,
)
from content_service.models.base import utcnow
from content_service.models.jobs import JobRecord, JobStatus
from content_service.models.people import Role
from content_service.services.access import Principal
from content_service.settings import Settings
from tests.factories import bearer, create_school, create_user

RUNS: Counter[str] = Counter()
_RUNS_LOCK = threading.Lock()


@handler("test.echo")
def _echo(params: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    with _RUNS_LOCK:
        RUNS[params["tag"]] += 1
    return {"echo": params["tag"], "attempt": ctx.attempt}


@handler("test.flaky")
def _flaky(params: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    if ctx.attempt < params["succeed_on"]:
        raise RuntimeError(f"attempt {ctx.attempt} fails")
    return {"attempt": ctx.attempt}


@handler("test.bad_params")
def _bad(params: dict[str, Any], ctx: JobContext) -> None:
    raise PermanentJobError("the dataset has no responses")


def _add(engine: Engine, kind: str, **fields: Any) -> uuid.UUID:
    with Session(engine) as session:
        job = JobRecord(kind=kind, **fields)
        session.add(job)
        session.commit()
        return job.id


def _job(engine: Engine, job_id: uuid.UUID) -> JobRecord:
    with Session(engine) as session:
        job = session.get(JobRecord, job_id)
        assert job is not None
        return job


def _make_runnable_now(engine: Engine) -> None:
    with Session(engine) as session:  # skip the retry back-off
        session.execute(update(JobRecord).values(run_after=utcnow() - timedelta(seconds=1)))
        session.commit()


def test_a_job_runs_once_and_its_creator_sees_the_result(
    client: TestClient, db: Engine, settings: Settings
) -> None:
    school = create_school(db)
    owner = create_user(db, role=Role.RESEARCHER, school=school)
    other = create_user(db, role=Role.RESEARCHER, school=school)
    job_id = _add(db, "test.echo", params={"tag": "one"}, created_by=owner.id, school_id=school.id)

    assert run_until_empty(settings, engine=db) == 1
    assert run_until_empty(settings, engine=db) == 0  # nothing runs twice

    response = client.get(f"/jobs/{job_id}", headers=bearer(client, owner))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "succeeded"
    assert body["result"] == {"echo": "one", "attempt": 1}
    assert client.get("/jobs", headers=bearer(client, owner)).json()["total"] == 1
    hidden = client.get(f"/jobs/{job_id}", headers=bearer(client, other))
    assert hidden.status_code == 404
    assert hidden.json()["code"] == "job_not_found"


def test_a_failing_job_is_retried_then_succeeds(db: Engine, settings: Settings) -> None:
    job_id = _add(db, "test.flaky", params={"succeed_on": 2})
    assert run_until_empty(settings, engine=db) == 1
    first = _job(db, job_id)
    assert first.status == JobStatus.QUEUED
    assert "attempt 1 fails" in first.error
    assert run_until_empty(settings, engine=db) == 0  # backing off, not runnable yet
    _make_runnable_now(db)
    assert run_until_empty(settings, engine=db) == 1
    done = _job(db, job_id)
    assert done.status == JobStatus.SUCCEEDED
    assert done.result == {"attempt": 2}
    assert done.error == ""


def test_a_job_fails_for_good_after_its_attempts_or_on_a_permanent_error(
    db: Engine, settings: Settings
) -> None:
    flaky = _add(db, "test.flaky", params={"succeed_on": 99}, max_attempts=2)
    bad = _add(db, "test.bad_params")
    for _ in range(3):
        run_until_empty(settings, engine=db)
        _make_runnable_now(db)
    assert _job(db, flaky).status == JobStatus.FAILED
    assert _job(db, flaky).attempts == 2
    permanent = _job(db, bad)
    assert permanent.status == JobStatus.FAILED
    assert permanent.attempts == 1
    assert permanent.error == "PermanentJobError: the dataset has no responses"


def test_a_job_of_a_dead_worker_is_taken_again_when_its_lease_ends(
    db: Engine, settings: Settings
) -> None:
    past = utcnow() - timedelta(minutes=1)
    orphan = _add(
        db,
        "test.echo",
        params={"tag": "orphan"},
        status=JobStatus.RUNNING,
        attempts=1,
        lease_until=past,
        worker="dead-host:1",
    )
    assert run_until_empty(settings, engine=db) == 1
    job = _job(db, orphan)
    assert job.status == JobStatus.SUCCEEDED
    assert job.attempts == 2


def test_workers_in_parallel_run_every_job_exactly_once(db: Engine, settings: Settings) -> None:
    tags = [f"parallel-{uuid.uuid4().hex[:6]}-{n}" for n in range(40)]
    for tag in tags:
        _add(db, "test.echo", params={"tag": tag})
    workers = [Worker(settings, engine=db, kinds=frozenset({"test.echo"})) for _ in range(3)]

    def drain(worker: Worker) -> None:
        while worker.run_one():
            pass

    threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(RUNS[tag] == 1 for tag in tags), {t: RUNS[t] for t in tags if RUNS[t] != 1}
    with Session(db) as session:
        statuses = session.exec(select(JobRecord.status)).all()
    assert len(statuses) == 40
    assert set(statuses) == {JobStatus.SUCCEEDED}


def test_a_job_exists_only_if_its_transaction_commits(db: Engine, settings: Settings) -> None:
    school = create_school(db)
    user = create_user(db, role=Role.TEACHER, school=school)
    principal = Principal(user.id, user.username, Role.TEACHER, school.id)

    async def scenario() -> None:
        engine = make_async_engine(settings)
        sessions = make_sessionmaker(engine)
        try:
            async with sessions() as session:
                enqueue(session, "test.echo", {"tag": "rolled-back"}, principal=principal)
                await session.rollback()
            async with sessions() as session:
                enqueue(session, "test.echo", {"tag": "committed"}, principal=principal)
                await session.commit()
        finally:
            await engine.dispose()

    asyncio.run(scenario())
    with Session(db) as session:
        jobs = session.exec(select(JobRecord)).all()
    assert [job.params["tag"] for job in jobs] == ["committed"]
    assert jobs[0].school_id == school.id
    assert jobs[0].created_by == user.id
