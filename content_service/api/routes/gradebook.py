"""/gradebooks: score sheets per class, subject and semester; conduct; year results.

Classes of grades 1-5 get TT27/2020 books (ratings, test scores, comments; the subject
"Phẩm chất và năng lực" is the homeroom teacher's book of qualities and competencies) and
their year results at ``/classes/{id}/primary-year-results``.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile, status

from content_service.api.deps import PageDep, PrincipalDep, SessionDep
from content_service.errors import PayloadTooLargeError
from content_service.models.gradebook import GradebookStatus
from content_service.schemas.common import page_of
from content_service.schemas.gradebook import (
    ConductPublic,
    ConductUpdate,
    GradebookCreate,
    GradebookPublic,
    GradebookSheet,
    GradebooksPublic,
    ImportReport,
    ScoresUpdate,
    StudentGradebookPublic,
    StudentYearPublic,
)
from content_service.schemas.gradebook_primary import PrimaryYearPublic
from content_service.services import gradebook as gradebook_service
from content_service.services import gradebook_primary as primary_service
from content_service.services import transcripts as transcripts_service

router = APIRouter(prefix="/gradebooks", tags=["gradebooks"])

MAX_IMPORT_BYTES = 2 * 1024 * 1024


@router.post("", response_model=GradebookPublic, status_code=status.HTTP_201_CREATED)
async def create_gradebook(
    data: GradebookCreate, principal: PrincipalDep, session: SessionDep
) -> GradebookPublic:
    """Open a gradebook for a class, subject and semester (its teacher or a school admin)."""
    record = await gradebook_service.create_gradebook(
        session=session, principal=principal, data=data
    )
    return GradebookPublic.model_validate(record, from_attributes=True)


@router.get("", response_model=GradebooksPublic)
async def read_gradebooks(
    principal: PrincipalDep,
    session: SessionDep,
    page: PageDep,
    class_id: Annotated[uuid.UUID | None, Query()] = None,
) -> GradebooksPublic:
    """The school's gradebooks, optionally of one class (teachers and admins)."""
    rows, total = await gradebook_service.list_gradebooks(
        session=session, principal=principal, page=page, class_id=class_id
    )
    return page_of(GradebookPublic, rows, total, page)


@router.get("/{gradebook_id}", response_model=GradebookSheet)
async def read_gradebook(
    gradebook_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> GradebookSheet:
    """The score sheet: a row per student with the cells and the semester result."""
    return await gradebook_service.get_sheet(
        session=session, principal=principal, gradebook_id=gradebook_id
    )


@router.put("/{gradebook_id}/scores", response_model=GradebookSheet)
async def update_scores(
    gradebook_id: uuid.UUID, data: ScoresUpdate, principal: PrincipalDep, session: SessionDep
) -> GradebookSheet:
    """Enter or clear scores, all or nothing; after locking a reason is required."""
    await gradebook_service.save_scores(
        session=session,
        principal=principal,
        gradebook_id=gradebook_id,
        entries=[(e.student_id, e.column, e.value) for e in data.entries],
        reason=data.reason,
    )
    return await gradebook_service.get_sheet(
        session=session, principal=principal, gradebook_id=gradebook_id
    )


@router.post("/{gradebook_id}/import", response_model=ImportReport)
async def import_scores(
    gradebook_id: uuid.UUID,
    principal: PrincipalDep,
    session: SessionDep,
    file: Annotated[UploadFile, File(description="CSV or Excel (.xlsx): username, tx1.., gk, ck")],
    reason: Annotated[str | None, Form(max_length=500)] = None,
) -> ImportReport:
    """Import a CSV or Excel sheet; a 422 lists every bad row and column, nothing is saved."""
    content = await file.read(MAX_IMPORT_BYTES + 1)
    if len(content) > MAX_IMPORT_BYTES:
        raise PayloadTooLargeError("file: larger than 2 MB")
    rows, cells = await gradebook_service.import_scores(
        session=session,
        principal=principal,
        gradebook_id=gradebook_id,
        filename=file.filename or "",
        content=content,
        reason=reason.strip() if reason and reason.strip() else None,
    )
    return ImportReport(rows=rows, cells=cells)


@router.post("/{gradebook_id}/lock", response_model=GradebookPublic)
async def lock_gradebook(
    gradebook_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> GradebookPublic:
    """Lock the semester's sheet: later changes need a reason and are audited."""
    record = await gradebook_service.change_status(
        session=session,
        principal=principal,
        gradebook_id=gradebook_id,
        target=GradebookStatus.LOCKED,
    )
    return GradebookPublic.model_validate(record, from_attributes=True)


@router.post("/{gradebook_id}/publish", response_model=GradebookPublic)
async def publish_gradebook(
    gradebook_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> GradebookPublic:
    """Publish (and lock): students and parents can now read it."""
    record = await gradebook_service.change_status(
        session=session,
        principal=principal,
        gradebook_id=gradebook_id,
        target=GradebookStatus.PUBLISHED,
    )
    return GradebookPublic.model_validate(record, from_attributes=True)


@router.put("/classes/{class_id}/conduct", response_model=list[ConductPublic])
async def update_conduct(
    class_id: uuid.UUID, data: ConductUpdate, principal: PrincipalDep, session: SessionDep
) -> list[ConductPublic]:
    """Conduct and absences of a semester (the homeroom teacher or a school admin)."""
    rows = await gradebook_service.set_conduct(
        session=session, principal=principal, class_id=class_id, data=data
    )
    return [ConductPublic.model_validate(r, from_attributes=True) for r in rows]


@router.get("/classes/{class_id}/year-results", response_model=list[StudentYearPublic])
async def read_year_results(
    class_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> list[dict[str, Any]]:
    """Semester and year averages, levels, promotion and awards of every student (TT22)."""
    return await transcripts_service.class_year_results(
        session=session, principal=principal, class_id=class_id
    )


@router.get("/classes/{class_id}/primary-year-results", response_model=list[PrimaryYearPublic])
async def read_primary_year_results(
    class_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> list[dict[str, Any]]:
    """Year-end results of a primary class (TT27): ratings, tests, HTXS/HTT/HT/CHT, completion."""
    return await primary_service.class_primary_year_results(
        session=session, principal=principal, class_id=class_id
    )


@router.get("/students/{student_id}", response_model=list[StudentGradebookPublic])
async def read_student_grades(
    student_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> list[StudentGradebookPublic]:
    """A student's published grades, every year (the student, their parents, the staff)."""
    return await gradebook_service.student_gradebooks(
        session=session, principal=principal, student_id=student_id
    )
