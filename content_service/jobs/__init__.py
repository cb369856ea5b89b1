"""Background jobs: enqueue inside a transaction, run in a worker process, see the outcome.

``enqueue`` adds a job to the caller's transaction; ``@handler("kind")`` registers the function a
worker runs for it; ``Worker`` claims jobs one at a time (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, the single writer lock on SQLite), records success or failure, and retries a job
whose worker died once its lease runs out.

We keep the queue in our own database instead of using procrastinate (PostgreSQL only, its own
connection so enqueueing cannot join our transaction) or huey/arq (a second store, so a change
and its job could not commit together).
"""

from content_service.jobs.queue import JobContext, enqueue, handler, registered_kinds
from content_service.jobs.worker import PermanentJobError, Worker, run_until_empty

__all__ = [
    "JobContext",
    "PermanentJobError",
    "Worker",
    "enqueue",
    "handler",
    "registered_kinds",
    "run_until_empty",
]
