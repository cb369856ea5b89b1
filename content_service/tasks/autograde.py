"""The "autograde" job: grade one submission with nbgrader in the sandbox, record the scores.

Idempotent: it rewrites the submission's folder from the database and regrades with ``force``; a
retried job produces the same gradebook rows. A grading run that outlives the wall-clock limit is
recorded as "needs review" (not a zero) and the job itself succeeds.

The score is committed first; the school gradebook write follows in its own transaction, so a
refused write (a locked gradebook) leaves the submission graded with the write marked pending.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import asdict
from typing import Any

from sqlmodel import Session

from content_service.db import make_async_engine, make_sessionmaker, session_scope
from content_service.grading import autograde as grading
from content_service.grading.sandbox import SandboxLimits
from content_service.jobs import JobContext, PermanentJobError, handler
from content_service.models.assignments import AssignmentRecord, SubmissionRecord, SubmissionStatus
from content_service.models.base import utcnow
from content_service.models.people import UserRecord
from content_service.services.assignment_gradebook import write_score
from content_service.services.assignments import AUTOGRADE_JOB, ensure_generated, write_files

_STATUS = {
    grading.GRADED: SubmissionStatus.GRADED,
    grading.NEEDS_REVIEW: SubmissionStatus.NEEDS_REVIEW,
    grading.FAILED: SubmissionStatus.FAILED,
}


@handler(AUTOGRADE_JOB)
def run(params: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    submission_id = uuid.UUID(str(params.get("submission_id", "")))
    limits = SandboxLimits(**params.get("limits", {}))
    with Session(ctx.engine, expire_on_commit=False) as session:
        submission = session.get(SubmissionRecord, submission_id)
        if submission is None:
            raise PermanentJobError(f"submission {submission_id} no longer exists")
        assignment = session.get(AssignmentRecord, submission.assignment_id)
        student = session.get(UserRecord, submission.student_id)
        if assignment is None or student is None:
            raise PermanentJobError(f"submission {submission_id} lost its assignment or student")
        attempt = submission.attempt
        root = ensure_generated(ctx.settings, assignment)
        folder = root / "submitted" / student.username / assignment.name
        write_files(folder, submission.files)
        stamp = submission.submitted_at.strftime("%Y-%m-%d %H:%M:%S.%f %Z").strip()
        (folder / "timestamp.txt").write_text(stamp, encoding="utf-8")
        outcome = grading.autograde(root, assignment.name, student.username, limits=limits)
        session.refresh(submission)
        if submission.attempt != attempt:
            # A newer submission arrived while grading: its own job will grade it.
            return {"status": "superseded", "submission_id": str(submission_id)}
        _record(submission, outcome)
        session.add(submission)
        session.commit()
    gradebook = asyncio.run(_write_gradebook(ctx, submission_id, attempt))
    return {
        "submission_id": str(submission_id),
        "status": outcome.status,
        "score": outcome.score,
        "max_score": outcome.max_score,
        "seconds": round(outcome.seconds, 2),
        "gradebook": gradebook,
    }


async def _write_gradebook(ctx: JobContext, submission_id: uuid.UUID, attempt: int) -> str:
    """Write the graded total into the assignment's gradebook column (if it has one)."""
    engine = make_async_engine(ctx.settings)
    try:
        async with session_scope(make_sessionmaker(engine)) as session:
            submission = await session.get(SubmissionRecord, submission_id)
            if submission is None or submission.attempt != attempt:
                return "superseded"
            assignment = await session.get(AssignmentRecord, submission.assignment_id)
            if assignment is None:
                return "superseded"
            await write_score(session=session, assignment=assignment, submission=submission)
            return str(submission.gradebook_status)
    finally:
        await engine.dispose()


def _record(submission: SubmissionRecord, outcome: grading.GradeOutcome) -> None:
    submission.status = _STATUS[outcome.status]
    submission.message = outcome.message
    submission.graded_at = utcnow()
    if outcome.status == grading.GRADED:
        submission.score = outcome.score
        submission.max_score = outcome.max_score
        submission.needs_manual_grade = outcome.needs_manual_grade
        submission.cells = [asdict(cell) for cell in outcome.cells]
