"""The answer batcher: many concurrent saves, one transaction each batch, ack only after COMMIT.

Run against SQLite and PostgreSQL (the ``settings`` fixture), with the app's real async engine.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import random
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import Session, col, select, update

from content_service.db import make_async_engine
from content_service.errors import ConflictError, NotFoundError
from content_service.models.base import utcnow
from content_service.models.quizzes import AnswerRecord, AttemptRecord
from content_service.schemas.quizzes import AnswerInput
from content_service.services.answer_batcher import AnswerBatcher, AnswersNotSavedError
from content_service.services.attempts import read_attempt_token
from content_service.settings import Settings
from tests.content_service.quizzes.builders import classroom, headers_for, make_quiz

T = TypeVar("T")


def _start_attempts(client: TestClient, db: Engine, students: int) -> list[dict[str, Any]]:
    room = classroom(db, students=students)
    quiz = make_quiz(client, room, headers_for(client, room.teacher))
    attempts = []
    for student in room.students:
        started = client.post(
            f"/quizzes/{quiz['id']}/attempts", headers=headers_for(client, student)
        )
        assert started.status_code == 201, started.text
        attempts.append(started.json())
    return attempts


def _with_batcher(
    settings: Settings, work: Callable[[AnswerBatcher], Awaitable[T]], **options: Any
) -> tuple[T, int]:
    """Run ``work`` with a batcher on a fresh async engine; returns its result and batch count."""

    async def run() -> tuple[T, int]:
        engine: AsyncEngine = make_async_engine(settings)
        batcher = AnswerBatcher(engine, **options)
        try:
            return await work(batcher), batcher.batches_written
        finally:
            await batcher.close()
            await engine.dispose()

    return asyncio.run(run())


def _rows(db: Engine) -> dict[tuple[str, str], AnswerRecord]:
    with Session(db) as session:
        return {(str(r.attempt_id), r.question): r for r in session.exec(select(AnswerRecord))}


def _answer(question: str, sequence: int, response: Any) -> list[AnswerInput]:
    return [AnswerInput(question=question, sequence=sequence, response=response)]


def test_concurrent_saves_are_batched_and_every_acknowledged_answer_is_stored(
    client: TestClient, db: Engine, settings: Settings
) -> None:
    attempts = _start_attempts(client, db, students=4)
    saves = [
        (uuid.UUID(a["id"]), f"q{q}", sequence)
        for a in attempts
        for q in (1, 2, 3)
        for sequence in (1, 2, 3, 4, 5)
        for _ in range(2)  # every answer sent twice, as a browser re-sending its queue does
    ]
    random.Random(7).shuffle(saves)

    async def work(batcher: AnswerBatcher) -> list[list[bool]]:
        now = utcnow()
        return await asyncio.gather(
            *(batcher.save(a, _answer(q, s, f"r{s}"), now) for a, q, s in saves)
        )

    results, batches = _with_batcher(settings, work, max_wait=0.02)

    assert len(results) == len(saves) == 120
    assert 1 <= batches < len(saves)  # gathered, not one transaction per request
    rows = _rows(db)
    assert len(rows) == 4 * 3  # one row per (attempt, question), never a duplicate
    for (attempt_id, question), row in rows.items():
        assert (row.sequence, row.response) == (5, "r5"), (attempt_id, question)
    # of the two sends of each final answer (sequence 5), exactly one was stored
    final = [(str(a), q, r[0]) for (a, q, s), r in zip(saves, results, strict=True) if s == 5]
    assert sorted((a, q) for a, q, stored in final if stored) == sorted(rows)


def test_a_failing_batch_answers_every_request_with_an_error_and_writes_nothing(
    client: TestClient, db: Engine, settings: Settings
) -> None:
    first, second = (uuid.UUID(a["id"]) for a in _start_attempts(client, db, students=2))
    # a sequence number beyond the column's range (the API refuses it; here it reaches the
    # database) makes the whole transaction fail
    poison = [AnswerInput.model_construct(question="q2", sequence=2**70, response="A")]

    async def work(batcher: AnswerBatcher) -> list[Any]:
        now = utcnow()
        return await asyncio.gather(
            batcher.save(first, _answer("q1", 1, "A"), now),
            batcher.save(second, poison, now),
            batcher.save(second, _answer("q3", 1, "B"), now),
            return_exceptions=True,
        )

    outcomes, batches = _with_batcher(settings, work, max_wait=0.05, flushes=1)

    assert batches == 0
    assert all(isinstance(o, AnswersNotSavedError) for o in outcomes), outcomes
    assert {o.status_code for o in outcomes} == {503}
    assert _rows(db) == {}

    # the batcher keeps working after a failed batch
    stored, _ = _with_batcher(settings, lambda b: b.save(first, _answer("q1", 1, "A"), utcnow()))
    assert stored == [True]
    assert list(_rows(db)) == [(str(first), "q1")]


def test_concurrent_resends_never_duplicate_or_overwrite_a_newer_answer(
    client: TestClient, db: Engine, settings: Settings
) -> None:
    attempt = uuid.UUID(_start_attempts(client, db, students=1)[0]["id"])
    sends = [sequence for sequence in range(1, 9) for _ in range(3)]  # each sent three times
    random.Random(11).shuffle(sends)

    async def work(batcher: AnswerBatcher) -> tuple[list[list[bool]], list[bool]]:
        now = utcnow()
        results = await asyncio.gather(
            *(batcher.save(attempt, _answer("q1", s, f"v{s}"), now) for s in sends)
        )
        late = await batcher.save(attempt, _answer("q1", 5, "late"), utcnow())
        return results, late

    (results, late), _ = _with_batcher(settings, work, max_wait=0.003)

    rows = _rows(db)
    assert list(rows) == [(str(attempt), "q1")]
    assert (rows[(str(attempt), "q1")].sequence, rows[(str(attempt), "q1")].response) == (8, "v8")
    newest = [r for s, r in zip(sends, results, strict=True) if s == 8]
    assert newest.count([True]) == 1  # the newest answer stored exactly once
    assert late == [False]  # an older answer arriving later changes nothing


def test_closed_and_unknown_attempts_are_refused_inside_a_batch_without_harming_the_others(
    client: TestClient, db: Engine, settings: Settings
) -> None:
    open_, closed = _start_attempts(client, db, students=2)
    token = {"X-Attempt-Token": closed["token"]}
    assert (
        client.post(
            f"/attempts/{closed['id']}/answers",
            json={"answers": [{"question": "q1", "sequence": 1, "response": "A"}]},
            headers=token,
        ).status_code
        == 200
    )
    with Session(db) as session:  # the deadline passed: the database closes the attempt
        record = session.get(AttemptRecord, uuid.UUID(closed["id"]))
        assert record is not None
        record.accept_until = utcnow() - timedelta(seconds=1)
        session.add(record)
        session.commit()

    async def work(batcher: AnswerBatcher) -> list[Any]:
        now = utcnow()
        return await asyncio.gather(
            batcher.save(uuid.UUID(open_["id"]), _answer("q1", 1, "A"), now),
            batcher.save(uuid.UUID(closed["id"]), _answer("q2", 1, "B"), now),
            batcher.save(uuid.uuid4(), _answer("q1", 1, "A"), now),
            return_exceptions=True,
        )

    (stored, refused, missing), batches = _with_batcher(settings, work, max_wait=0.05, flushes=1)

    assert batches == 1
    assert stored == [True]
    assert isinstance(refused, ConflictError)
    assert refused.code == "attempt_closed"
    assert isinstance(missing, NotFoundError)
    assert missing.code == "attempt_not_found"
    assert set(_rows(db)) == {(open_["id"], "q1"), (closed["id"], "q1")}


def test_the_attempt_token_carries_the_deadline_and_old_tokens_are_refused(
    client: TestClient, db: Engine, settings: Settings
) -> None:
    attempt = _start_attempts(client, db, students=1)[0]
    claims = read_attempt_token(settings.SECRET_KEY, attempt["token"])
    assert claims is not None
    assert claims.accept_until is not None
    deadline = claims.accept_until
    assert not claims.expired(deadline)
    assert claims.expired(deadline + timedelta(seconds=1))
    # the format before the deadline was added, even correctly signed, is not a token any more
    payload = f"{attempt['id']}.test.3"
    signature = hmac.new(
        settings.SECRET_KEY.encode(), payload.encode(), hashlib.sha256
    ).hexdigest()[:32]
    assert read_attempt_token(settings.SECRET_KEY, f"{payload}.{signature}") is None
    refused = client.post(
        f"/attempts/{attempt['id']}/answers",
        json={"answers": [{"question": "q1", "sequence": 1, "response": "A"}]},
        headers={"X-Attempt-Token": f"{payload}.{signature}"},
    )
    assert refused.status_code == 401
    assert refused.json()["code"] == "not_authenticated"


def test_a_save_after_the_deadline_is_refused_through_the_api(
    client: TestClient, db: Engine
) -> None:
    attempt = _start_attempts(client, db, students=1)[0]
    with Session(db) as session:
        record = session.get(AttemptRecord, uuid.UUID(attempt["id"]))
        assert record is not None
        record.accept_until = utcnow() - timedelta(seconds=5)
        session.add(record)
        session.commit()
    late = client.post(
        f"/attempts/{attempt['id']}/answers",
        json={"answers": [{"question": "q1", "sequence": 1, "response": "A"}]},
        headers={"X-Attempt-Token": attempt["token"]},
    )
    assert late.status_code == 409, late.text
    assert late.json()["code"] == "attempt_closed"
    assert _rows(db) == {}


def test_a_save_racing_the_submission_is_either_scored_or_refused_never_lost(
    client: TestClient, db: Engine, settings: Settings
) -> None:
    attempt = uuid.UUID(_start_attempts(client, db, students=1)[0]["id"])

    async def work(batcher: AnswerBatcher) -> tuple[bool, BaseException | list[bool]]:
        with db.connect() as submitting:  # a submission has closed the attempt, not committed
            submitting.execute(
                update(AttemptRecord)
                .where(col(AttemptRecord.id) == attempt)
                .values(status="submitted")
            )
            saving = asyncio.create_task(batcher.save(attempt, _answer("q1", 1, "A"), utcnow()))
            await asyncio.sleep(0.5)
            waited = not saving.done()  # the save waits for the submission to finish
            submitting.commit()
        outcome = await asyncio.gather(saving, return_exceptions=True)
        return waited, outcome[0]

    (waited, outcome), _ = _with_batcher(settings, work)

    assert waited
    assert isinstance(outcome, ConflictError)
    assert outcome.code == "attempt_closed"
    assert _rows(db) == {}
