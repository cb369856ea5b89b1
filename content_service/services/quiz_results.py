"""Quiz results into the gradebook: each student's last submitted attempt becomes a score.

The teacher chooses the gradebook (class, subject, semester) and the column (a regular
assessment such as ``tx1``, or the mid-term); scores are converted to the 10-point scale and
rounded half-up to one decimal by the gradebook (TT22). One transaction: either every student's
score is written or none is.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.errors import UnprocessableError
from content_service.models.gradebook import ScoreSource
from content_service.models.people import ClassMembershipRecord, Role
from content_service.services import gradebook as gradebook_service
from content_service.services import quizzes as quiz_service
from content_service.services.access import Principal
from content_service.services.audit import record_audit


async def send_to_gradebook(
    *,
    session: AsyncSession,
    principal: Principal,
    quiz_id: uuid.UUID,
    class_id: uuid.UUID,
    subject: str,
    semester: int,
    column: str,
) -> int:
    """Write the quiz's final scores of the class's students; returns how many were written."""
    scores = await quiz_service.final_scores(session=session, principal=principal, quiz_id=quiz_id)
    if not scores:
        raise UnprocessableError(
            "quiz_id: no submitted attempts yet, nothing to send", code="no_results"
        )
    members = await session.exec(
        select(ClassMembershipRecord.user_id).where(
            ClassMembershipRecord.class_id == class_id,
            ClassMembershipRecord.role == Role.STUDENT,
        )
    )
    in_class = set(members.all())
    written = 0
    for student_id, (score, max_score) in sorted(scores.items()):
        if max_score <= 0 or student_id not in in_class:  # another class took it too
            continue
        await gradebook_service.record_external_score(
            session=session,
            principal=principal,
            class_id=class_id,
            subject=subject,
            semester=semester,
            column=column,
            student_id=student_id,
            score=Decimal(str(score)),
            out_of=Decimal(str(max_score)),
            source=ScoreSource.QUIZ,
        )
        written += 1
    record_audit(
        session=session,
        actor=principal,
        action="quiz.to_gradebook",
        entity="quiz",
        entity_id=quiz_id,
        details={"class_id": str(class_id), "subject": subject, "semester": semester,
                 "column": column, "students": written},
    )  # fmt: skip
    return written
