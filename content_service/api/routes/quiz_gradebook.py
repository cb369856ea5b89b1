"""/quizzes/{id}/gradebook: a quiz's final scores into a chosen gradebook column."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from content_service.api.deps import PrincipalDep, SessionDep
from content_service.schemas.quiz_results import GradebookTarget, GradebookTransfer
from content_service.services import quiz_results

router = APIRouter(prefix="/quizzes", tags=["quizzes"])


@router.post("/{quiz_id}/gradebook", response_model=GradebookTransfer)
async def send_quiz_to_gradebook(
    quiz_id: uuid.UUID, data: GradebookTarget, principal: PrincipalDep, session: SessionDep
) -> GradebookTransfer:
    """Write each student's last submitted score into a gradebook column (the subject's teacher).

    Scores become 10-point marks rounded half-up to one decimal; a locked gradebook refuses (409).
    """
    written = await quiz_results.send_to_gradebook(
        session=session, principal=principal, quiz_id=quiz_id, **data.model_dump()
    )
    return GradebookTransfer(quiz_id=quiz_id, written=written)
