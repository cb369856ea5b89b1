"""/jobs: the status and outcome of background work (calibrations, imports, autograding)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from content_service.api.deps import PageDep, PrincipalDep, SessionDep
from content_service.schemas.common import Page, page_of
from content_service.schemas.jobs import JobPublic
from content_service.services import jobs as jobs_service

router = APIRouter(prefix="/jobs", tags=["jobs"])


@router.get("", response_model=Page[JobPublic])
async def list_jobs(
    principal: PrincipalDep, session: SessionDep, page: PageDep, kind: str | None = None
) -> Page[JobPublic]:
    """Jobs you started (a school admin: the school's), newest first."""
    rows, total = await jobs_service.list_jobs(
        session=session, principal=principal, page=page, kind=kind
    )
    return page_of(JobPublic, rows, total, page)


@router.get("/{job_id}", response_model=JobPublic)
async def read_job(job_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> JobPublic:
    """One job: queued, running, succeeded (with its result) or failed (with the error)."""
    record = await jobs_service.get_job(session=session, principal=principal, job_id=job_id)
    return JobPublic.model_validate(record, from_attributes=True)
