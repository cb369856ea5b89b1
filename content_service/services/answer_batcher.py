"""Group commit for answer saves: many requests, one transaction, acknowledged after COMMIT.

During a test, hundreds of students save an answer every few seconds. Writing each answer in its
own transaction costs a round trip and a commit (a WAL flush) per request; here the answers that
arrive while the previous batch is being written (or within ``max_wait`` seconds when the
database is idle) are written together, on one pooled connection, in one transaction:

* on PostgreSQL by ONE multi-row conditional upsert (``unnest`` of arrays, so the statement text
  never changes and psycopg prepares it once per connection), a statement atomic on its own, run
  in autocommit on a connection the batcher keeps: one round trip writes and commits the batch;
* on other databases (SQLite, the embedded default) by the per-answer upsert of
  :func:`content_service.services.attempts.upsert_statement`, still one transaction per batch.

The rules are those of the direct path: an answer is written only while its attempt is open (the
database's ``status`` and ``accept_until``, checked against the server time the request arrived,
never a client clock) and replaces the saved one only when its sequence number is higher; within
one batch the highest sequence number of a question wins (:func:`delivery.answers.should_replace`),
as if the requests had arrived one after the other. A request is answered only once its batch has
COMMITted; if the batch fails, every request in it gets :class:`AnswersNotSavedError` (503) and
nothing of it is written, so the browser keeps its answers and sends them again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from content_service.delivery.answers import should_replace
from content_service.errors import ServiceError
from content_service.models.quizzes import AttemptRecord
from content_service.schemas.quizzes import AnswerInput
from content_service.services.attempts import refusal_of, upsert_statement

log = logging.getLogger(__name__)

_ATTEMPTS = AttemptRecord.__table__  # type: ignore[attr-defined]

# One statement whatever the batch size: six arrays, unnested into rows, joined to the open
# attempts (a missing or closed attempt writes nothing), in key order so that two concurrent
# batches touching the same answers lock them in the same order and never deadlock. FOR SHARE
# makes a submission that is closing the attempt at this moment wait for the batch, or the batch
# for the submission (which then refuses it): never an answer acknowledged but left unscored.
_PG_UPSERT = """
INSERT INTO quiz_answer (id, attempt_id, question, sequence, response, saved_at)
SELECT v.id, v.attempt_id, v.question, v.sequence, v.response::json, v.saved_at
FROM unnest(%(ids)s::uuid[], %(attempt_ids)s::uuid[], %(questions)s::varchar[],
            %(sequences)s::bigint[], %(responses)s::text[], %(saved_at)s::timestamptz[])
     AS v(id, attempt_id, question, sequence, response, saved_at)
JOIN quiz_attempt AS a ON a.id = v.attempt_id
WHERE a.status = 'in_progress' AND (a.accept_until IS NULL OR a.accept_until >= v.saved_at)
ORDER BY v.attempt_id, v.question
FOR SHARE OF a
ON CONFLICT (attempt_id, question) DO UPDATE
SET sequence = EXCLUDED.sequence, response = EXCLUDED.response, saved_at = EXCLUDED.saved_at
WHERE quiz_answer.sequence < EXCLUDED.sequence
RETURNING attempt_id, question
"""


class AnswersNotSavedError(ServiceError):
    """The batch holding these answers failed: nothing of it was written; send them again."""

    status_code = 503
    code = "answers_not_saved"


@dataclass(slots=True)
class SaveRequest:
    """The answers of one request, the server time it arrived, and its outcome."""

    attempt_id: uuid.UUID
    answers: Sequence[AnswerInput]
    now: datetime
    future: asyncio.Future[list[bool]] = field(repr=False)


# -- writing one batch ---------------------------------------------------------------------------

Outcome = list[bool] | ServiceError


async def write_batch(connection: AsyncConnection, batch: Sequence[SaveRequest]) -> list[Outcome]:
    """Write the answers of ``batch`` in the caller's transaction; one outcome per request.

    An outcome is the stored flag of each answer (``False``: a newer one is saved), or the
    error explaining why nothing could be written (attempt missing: 404; closed: 409).
    """
    if connection.dialect.name == "postgresql":
        stored = await _write_postgresql(connection, batch)
    else:
        stored = await _write_each(connection, batch)
    refused = {r.attempt_id for r, flags in zip(batch, stored, strict=True) if not all(flags)}
    if not refused:
        return list(stored)
    states = {
        row.id: row
        for row in await connection.execute(
            select(_ATTEMPTS.c.id, _ATTEMPTS.c.status, _ATTEMPTS.c.accept_until).where(
                _ATTEMPTS.c.id.in_(refused)
            )
        )
    }
    outcomes: list[Outcome] = []
    for request, flags in zip(batch, stored, strict=True):
        state = states.get(request.attempt_id)
        error = (
            None
            if all(flags)
            else refusal_of(
                request.attempt_id,
                None if state is None else (state.status, state.accept_until),
                request.now,
            )
        )
        outcomes.append(error or flags)
    return outcomes


async def _write_postgresql(
    connection: AsyncConnection, batch: Sequence[SaveRequest]
) -> list[list[bool]]:
    # Of several answers to one question in this batch, the highest sequence goes to the
    # database (ties: the first to arrive); the others are "not newer", as one after the other.
    winners: dict[tuple[uuid.UUID, str], tuple[int, int]] = {}
    for r_index, request in enumerate(batch):
        for a_index, answer in enumerate(request.answers):
            key = (request.attempt_id, answer.question)
            best = winners.get(key)
            saved = None if best is None else batch[best[0]].answers[best[1]].sequence
            if should_replace(saved, answer.sequence):
                winners[key] = (r_index, a_index)
    rows = [(key, batch[r].answers[a], batch[r].now) for key, (r, a) in sorted(winners.items())]
    result = await connection.exec_driver_sql(
        _PG_UPSERT,
        {
            "ids": [uuid.uuid4() for _ in rows],
            "attempt_ids": [key[0] for key, _, _ in rows],
            "questions": [key[1] for key, _, _ in rows],
            "sequences": [answer.sequence for _, answer, _ in rows],
            "responses": [json.dumps(answer.response) for _, answer, _ in rows],
            "saved_at": [now for _, _, now in rows],
        },
    )
    written = {(row.attempt_id, row.question) for row in result}
    return [
        [
            winners[(request.attempt_id, answer.question)] == (r_index, a_index)
            and (request.attempt_id, answer.question) in written
            for a_index, answer in enumerate(request.answers)
        ]
        for r_index, request in enumerate(batch)
    ]


async def _write_each(
    connection: AsyncConnection, batch: Sequence[SaveRequest]
) -> list[list[bool]]:
    statement = upsert_statement(connection.dialect.name)
    stored = []
    for request in batch:
        flags = []
        for answer in request.answers:
            result = await connection.execute(
                statement,
                {
                    "id": uuid.uuid4(),
                    "attempt_id": request.attempt_id,
                    "question": answer.question,
                    "sequence": answer.sequence,
                    "response": answer.response,
                    "saved_at": request.now,
                },
            )
            flags.append(result.first() is not None)
        stored.append(flags)
    return stored


# -- the batcher -----------------------------------------------------------------------------------


class AnswerBatcher:
    """Gathers concurrent answer saves of one process into batches written by one transaction.

    ``flushes`` batches may be in flight at once (each holds one pooled connection); while they
    are, new requests queue up and form the next batch, so batches grow with the load and a lone
    request waits at most ``max_wait`` seconds before it is written.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        max_batch: int = 500,
        max_wait: float = 0.002,
        flushes: int = 4,
    ) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self.max_wait = max_wait
        self.flushes = flushes
        self._queue: deque[SaveRequest] = deque()
        self._wake: asyncio.Event | None = None
        self._runner: asyncio.Task[None] | None = None
        self._in_flight: set[asyncio.Task[None]] = set()
        self._closed = False
        # PostgreSQL: connections kept between batches, in autocommit (see _flush)
        self._idle: list[AsyncConnection] = []
        self.batches_written = 0  # committed batches, for tests and benchmarks

    async def save(
        self, attempt_id: uuid.UUID, answers: Sequence[AnswerInput], now: datetime
    ) -> list[bool]:
        """Save ``answers`` with the next batch; returns once it is committed (or raises)."""
        if self._closed:
            raise AnswersNotSavedError("the service is stopping: send the answers again")
        loop = asyncio.get_running_loop()
        if self._runner is None:
            self._wake = asyncio.Event()
            self._runner = loop.create_task(self._run(), name="answer-batcher")
        request = SaveRequest(attempt_id, answers, now, loop.create_future())
        self._queue.append(request)
        assert self._wake is not None
        self._wake.set()
        return await request.future

    async def close(self) -> None:
        """Stop gathering; wait for the batches being written; refuse what was still queued."""
        self._closed = True
        if self._runner is not None:
            self._runner.cancel()
            await asyncio.gather(self._runner, return_exceptions=True)
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)
        while self._queue:
            _answer(self._queue.popleft(), AnswersNotSavedError("the service is stopping"))
        while self._idle:
            await self._idle.pop().close()

    async def _run(self) -> None:
        slots = asyncio.Semaphore(self.flushes)
        assert self._wake is not None
        while True:
            await slots.acquire()
            while not self._queue:
                self._wake.clear()
                await self._wake.wait()
            if self.max_wait > 0 and len(self._queue) < self.max_batch:
                await asyncio.sleep(self.max_wait)  # let the requests arriving now join in
            size = min(len(self._queue), self.max_batch)
            batch = [self._queue.popleft() for _ in range(size)]
            task = asyncio.create_task(self._flush(batch))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
            task.add_done_callback(lambda _task: slots.release())

    async def _flush(self, batch: list[SaveRequest]) -> None:
        try:
            if self.engine.dialect.name == "postgresql":
                outcomes = await self._write_autocommit(batch)
            else:
                async with self.engine.begin() as connection:
                    outcomes = await write_batch(connection, batch)
        except Exception:
            log.exception(
                "answer batch of %d requests failed; nothing of it was written", len(batch)
            )
            for request in batch:
                _answer(
                    request, AnswersNotSavedError("the answers were not saved: send them again")
                )
            return
        # Only now, after COMMIT, is anyone told that their answers are saved.
        self.batches_written += 1
        for request, outcome in zip(batch, outcomes, strict=True):
            _answer(request, outcome)

    async def _write_autocommit(self, batch: list[SaveRequest]) -> list[Outcome]:
        # On PostgreSQL the batch is ONE statement, atomic on its own: run in autocommit, it
        # is written and committed in one round trip (no BEGIN, no COMMIT, no pre-ping), on a
        # connection this batcher keeps. A failed connection is dropped, never reused.
        connection = self._idle.pop() if self._idle else None
        if connection is None:
            connection = await self.engine.connect()
            await connection.execution_options(isolation_level="AUTOCOMMIT")
        try:
            outcomes = await write_batch(connection, batch)
        except BaseException:
            await connection.invalidate()
            await connection.close()
            raise
        if self._closed:
            await connection.close()
        else:
            self._idle.append(connection)
        return outcomes


def _answer(request: SaveRequest, outcome: Outcome | ServiceError) -> None:
    if request.future.done():  # the client went away; its answers are written all the same
        return
    if isinstance(outcome, ServiceError):
        request.future.set_exception(outcome)
    else:
        request.future.set_result(outcome)
