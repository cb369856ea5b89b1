"""nbgrader totals into the school gradebook: the assignment's column and each submission's write.

The teacher maps an assignment to a gradebook column of its class (subject, semester, column);
after autograding, the total becomes a 10-point mark (``record_external_score``: ``score * 10 /
max_score`` rounded half-up to one decimal, TT22) written as that teacher. When the write is
refused (the gradebook was locked, deleted, or the teacher no longer teaches the subject) the
submission stays graded with its score and its gradebook write is marked pending with the reason;
setting the mapping again or a resubmission's grading retries it.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.errors import NotFoundError, ServiceError, UnprocessableError
from content_service.models.assignments import (
    AssignmentRecord,
    GradebookWrite,
    SubmissionRecord,
    SubmissionStatus,
)
from content_service.models.gradebook import GradebookRecord, ScoreSource
from content_service.models.people import UserRecord
from content_service.records.rules.scores import name_key
from content_service.schemas.assignments import AssignmentGradebook
from content_service.services import gradebook as gradebook_service
from content_service.services.access import Principal
from content_service.services.assignments import get_assignment
from content_service.services.audit import record_audit
from content_service.services.auth import principal_for


async def _find_gradebook(
    session: AsyncSession, class_id: uuid.UUID, subject: str, semester: int
) -> GradebookRecord:
    rows = await session.exec(
        select(GradebookRecord)
        .where(GradebookRecord.class_id == class_id)
        .where(GradebookRecord.semester == semester)
    )
    found = next((g for g in rows.all() if name_key(g.subject) == name_key(subject)), None)
    if found is None:
        raise NotFoundError(
            f"subject: the class has no {subject} gradebook for semester {semester}",
            code="gradebook_not_found",
        )
    return found


async def set_gradebook(
    *,
    session: AsyncSession,
    principal: Principal,
    assignment_id: uuid.UUID,
    data: AssignmentGradebook,
) -> AssignmentRecord:
    """Map the assignment to a gradebook column and write the scores graded so far."""
    record = await get_assignment(session=session, principal=principal, assignment_id=assignment_id)
    gradebook_service.require_staff(principal, record.school_id)
    gradebook = await _find_gradebook(session, record.class_id, data.subject, data.semester)
    await gradebook_service.require_can_edit(
        session, principal, record.class_id, gradebook.subject, gradebook.school_id
    )
    if gradebook.comment_only:
        raise UnprocessableError(
            f"subject: the {gradebook.subject} gradebook takes comments (Đạt / Chưa đạt), "
            "not scores",
            code="comment_only_gradebook",
        )
    allowed = gradebook_service.columns(gradebook)
    if data.column not in allowed:
        raise UnprocessableError(
            f"column: unknown column {data.column!r}; expected one of {', '.join(allowed)}",
            code="unknown_column",
        )
    record.gradebook_subject = gradebook.subject
    record.gradebook_semester = gradebook.semester
    record.gradebook_column = data.column
    record.gradebook_set_by = principal.user_id
    session.add(record)
    record_audit(
        session=session,
        actor=principal,
        action="assignment.gradebook",
        entity="nb_assignment",
        entity_id=record.id,
        school_id=record.school_id,
        details={"subject": gradebook.subject, "semester": gradebook.semester,
                 "column": data.column},
    )  # fmt: skip
    await write_scores(session=session, assignment=record)
    return record


async def write_scores(
    *, session: AsyncSession, assignment: AssignmentRecord, retry_only: bool = False
) -> tuple[int, int]:
    """Write the graded submissions' scores (``retry_only``: those not written yet).

    Returns how many were written and how many stay pending.
    """
    query = (
        select(SubmissionRecord)
        .where(SubmissionRecord.assignment_id == assignment.id)
        .where(SubmissionRecord.status == SubmissionStatus.GRADED)
    )
    if retry_only:
        query = query.where(SubmissionRecord.gradebook_status != GradebookWrite.WRITTEN)
    rows = await session.exec(query)
    written = pending = 0
    for submission in rows.all():
        await write_score(session=session, assignment=assignment, submission=submission)
        written += submission.gradebook_status == GradebookWrite.WRITTEN
        pending += submission.gradebook_status == GradebookWrite.PENDING
    return written, pending


async def sync_gradebook(
    *, session: AsyncSession, principal: Principal, assignment_id: uuid.UUID
) -> tuple[int, int]:
    """Retry the writes not done yet (e.g. the gradebook or the teaching was set up later)."""
    record = await get_assignment(session=session, principal=principal, assignment_id=assignment_id)
    gradebook_service.require_staff(principal, record.school_id)
    if not record.gradebook_column:
        raise UnprocessableError(
            "gradebook: the assignment has no gradebook column yet", code="no_gradebook_column"
        )
    return await write_scores(session=session, assignment=record, retry_only=True)


async def _writer(session: AsyncSession, assignment: AssignmentRecord) -> Principal:
    user = None
    if assignment.gradebook_set_by is not None:
        user = await session.get(UserRecord, assignment.gradebook_set_by)
    if user is None or not user.is_active:
        raise NotFoundError(
            "the teacher who chose the gradebook column has no active account: choose it again",
            code="gradebook_writer_missing",
        )
    return await principal_for(session=session, user=user)


async def write_score(
    *, session: AsyncSession, assignment: AssignmentRecord, submission: SubmissionRecord
) -> None:
    """Write one graded submission's total; a refusal marks the write pending with its reason."""
    if (
        not assignment.gradebook_column
        or assignment.gradebook_semester is None
        or submission.status != SubmissionStatus.GRADED
        or submission.score is None
        or not submission.max_score
    ):
        return
    try:
        writer = await _writer(session, assignment)
        entry = await gradebook_service.record_external_score(
            session=session,
            principal=writer,
            class_id=assignment.class_id,
            subject=assignment.gradebook_subject,
            semester=assignment.gradebook_semester,
            column=assignment.gradebook_column,
            student_id=submission.student_id,
            score=Decimal(str(submission.score)),
            out_of=Decimal(str(submission.max_score)),
            source=ScoreSource.NBGRADER,
        )
    except ServiceError as exc:
        # Every refusal happens before anything is written: the score stays on the submission.
        problems = exc.detail if isinstance(exc.detail, list) else [{"message": exc.detail}]
        detail = "; ".join(str(p.get("message", p)) for p in problems)
        submission.gradebook_status = GradebookWrite.PENDING
        submission.gradebook_note = f"{exc.code}: {detail}"
    else:
        submission.gradebook_status = GradebookWrite.WRITTEN
        submission.gradebook_value = entry.value
        submission.gradebook_note = ""
    session.add(submission)
