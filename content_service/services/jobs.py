"""Reading background jobs: the person who asked sees theirs; staff see their school's."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlmodel import or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.errors import NotFoundError
from content_service.models.jobs import JobRecord
from content_service.models.people import Role
from content_service.schemas.common import PageParams
from content_service.services.access import Principal
from content_service.services.people import paginate

_SCHOOL_WIDE = (Role.SCHOOL_ADMIN,)


def _visible(principal: Principal):  # type: ignore[no-untyped-def]
    if principal.is_system_admin:
        return True
    mine = JobRecord.created_by == principal.user_id
    if principal.role in _SCHOOL_WIDE and principal.school_id is not None:
        return or_(mine, JobRecord.school_id == principal.school_id)
    return mine


async def get_job(*, session: AsyncSession, principal: Principal, job_id: uuid.UUID) -> JobRecord:
    job = await session.get(JobRecord, job_id)
    readable = job is not None and (
        principal.is_system_admin
        or job.created_by == principal.user_id
        or (principal.role in _SCHOOL_WIDE and job.school_id == principal.school_id)
    )
    if job is None or not readable:  # another school's job is "not found", not "forbidden"
        raise NotFoundError(f"job {job_id} not found", code="job_not_found")
    return job


async def list_jobs(
    *, session: AsyncSession, principal: Principal, page: PageParams, kind: str | None = None
) -> tuple[Sequence[JobRecord], int]:
    query = select(JobRecord).where(_visible(principal))
    if kind:
        query = query.where(JobRecord.kind == kind)
    return await paginate(session, query.order_by(JobRecord.created_at.desc()), page)  # type: ignore[attr-defined]
