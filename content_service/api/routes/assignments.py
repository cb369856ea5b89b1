"""/assignments: nbgrader assignments of a class, their release and the students' submissions."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from content_service.api.deps import PageDep, PrincipalDep, SessionDep, SettingsDep
from content_service.schemas.assignments import (
    AssignmentCreate,
    AssignmentGradebook,
    AssignmentPublic,
    GradebookSync,
    SubmissionCreate,
    SubmissionPublic,
)
from content_service.schemas.common import Page, page_of
from content_service.services import assignment_gradebook
from content_service.services import assignments as assignments_service

router = APIRouter(tags=["assignments"])


@router.post("/assignments", response_model=AssignmentPublic, status_code=status.HTTP_201_CREATED)
async def create_assignment(
    data: AssignmentCreate, principal: PrincipalDep, session: SessionDep, settings: SettingsDep
) -> AssignmentPublic:
    """Upload the source notebooks; nbgrader generates the student version (teacher)."""
    record = await assignments_service.create_assignment(
        session=session, principal=principal, settings=settings, data=data
    )
    return AssignmentPublic.model_validate(record, from_attributes=True)


@router.get("/assignments", response_model=Page[AssignmentPublic])
async def read_assignments(
    class_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, page: PageDep
) -> Page[AssignmentPublic]:
    """A class's assignments (students see the released ones)."""
    rows, total = await assignments_service.list_assignments(
        session=session, principal=principal, class_id=class_id, page=page
    )
    return page_of(AssignmentPublic, rows, total, page)


@router.get("/assignments/{assignment_id}", response_model=AssignmentPublic)
async def read_assignment(
    assignment_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> AssignmentPublic:
    """One assignment."""
    record = await assignments_service.get_assignment(
        session=session, principal=principal, assignment_id=assignment_id
    )
    return AssignmentPublic.model_validate(record, from_attributes=True)


@router.post("/assignments/{assignment_id}/release", response_model=AssignmentPublic)
async def release_assignment(
    assignment_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> AssignmentPublic:
    """Open the assignment to the class's students (teacher)."""
    record = await assignments_service.release_assignment(
        session=session, principal=principal, assignment_id=assignment_id
    )
    return AssignmentPublic.model_validate(record, from_attributes=True)


@router.post("/assignments/{assignment_id}/feedback", response_model=AssignmentPublic)
async def release_assignment_feedback(
    assignment_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> AssignmentPublic:
    """Let the students see their scores and per-cell results (teacher)."""
    record = await assignments_service.release_feedback(
        session=session, principal=principal, assignment_id=assignment_id
    )
    return AssignmentPublic.model_validate(record, from_attributes=True)


@router.put("/assignments/{assignment_id}/gradebook", response_model=AssignmentPublic)
async def set_assignment_gradebook(
    assignment_id: uuid.UUID,
    data: AssignmentGradebook,
    principal: PrincipalDep,
    session: SessionDep,
) -> AssignmentPublic:
    """Choose the gradebook column for the autograded totals (the subject's teacher).

    Scores graded so far are written at once, as 10-point marks rounded half-up to one decimal.
    """
    record = await assignment_gradebook.set_gradebook(
        session=session, principal=principal, assignment_id=assignment_id, data=data
    )
    return AssignmentPublic.model_validate(record, from_attributes=True)


@router.post("/assignments/{assignment_id}/gradebook/sync", response_model=GradebookSync)
async def sync_assignment_gradebook(
    assignment_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> GradebookSync:
    """Retry the pending gradebook writes; returns how many were written and how many still wait."""
    written, pending = await assignment_gradebook.sync_gradebook(
        session=session, principal=principal, assignment_id=assignment_id
    )
    return GradebookSync(assignment_id=assignment_id, written=written, pending=pending)


@router.get(
    "/assignments/{assignment_id}/download",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}},
)
async def download_assignment(
    assignment_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, settings: SettingsDep
) -> Response:
    """The student version (zip of notebooks and files)."""
    name, content = await assignments_service.release_archive(
        session=session, principal=principal, settings=settings, assignment_id=assignment_id
    )
    return Response(
        content,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post(
    "/assignments/{assignment_id}/submissions",
    response_model=SubmissionPublic,
    status_code=status.HTTP_202_ACCEPTED,
)
async def create_submission(
    assignment_id: uuid.UUID, data: SubmissionCreate, principal: PrincipalDep, session: SessionDep
) -> SubmissionPublic:
    """Hand in notebooks (student); autograding runs in the background (see job_id)."""
    record = await assignments_service.submit(
        session=session, principal=principal, assignment_id=assignment_id, data=data
    )
    (view,) = await assignments_service.submission_views(
        session=session, principal=principal, submissions=[record]
    )
    return view


@router.get("/assignments/{assignment_id}/submissions", response_model=Page[SubmissionPublic])
async def read_submissions(
    assignment_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, page: PageDep
) -> Page[SubmissionPublic]:
    """Submissions and scores (staff: all; a student: their own, scores once released)."""
    rows, total = await assignments_service.list_submissions(
        session=session, principal=principal, assignment_id=assignment_id, page=page
    )
    views = await assignments_service.submission_views(
        session=session, principal=principal, submissions=rows
    )
    return page_of(SubmissionPublic, views, total, page)


@router.get("/submissions/{submission_id}", response_model=SubmissionPublic)
async def read_submission(
    submission_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> SubmissionPublic:
    """One submission with its per-cell scores (the student and their parents once released)."""
    record = await assignments_service.get_submission(
        session=session, principal=principal, submission_id=submission_id
    )
    (view,) = await assignments_service.submission_views(
        session=session, principal=principal, submissions=[record]
    )
    return view
