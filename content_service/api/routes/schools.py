"""/schools and their classes."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from content_service.api.deps import PageDep, PrincipalDep, SessionDep
from content_service.schemas.common import page_of
from content_service.schemas.people import (
    SchoolClassCreate,
    SchoolClassesPublic,
    SchoolClassPublic,
    SchoolCreate,
    SchoolPublic,
    SchoolsPublic,
)
from content_service.services import people as people_service

router = APIRouter(prefix="/schools", tags=["schools"])


@router.get("", response_model=SchoolsPublic)
async def read_schools(
    principal: PrincipalDep, session: SessionDep, page: PageDep
) -> SchoolsPublic:
    """Schools the caller can see (their own; all for a system admin)."""
    rows, total = await people_service.list_schools(session=session, principal=principal, page=page)
    return page_of(SchoolPublic, rows, total, page)


@router.post("", response_model=SchoolPublic, status_code=status.HTTP_201_CREATED)
async def create_school(
    data: SchoolCreate, principal: PrincipalDep, session: SessionDep
) -> SchoolPublic:
    """Register a school (system admin)."""
    school = await people_service.create_school(session=session, principal=principal, data=data)
    return SchoolPublic.model_validate(school, from_attributes=True)


@router.get("/{school_id}", response_model=SchoolPublic)
async def read_school(
    school_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> SchoolPublic:
    """One school."""
    school = await people_service.get_school(
        session=session, principal=principal, school_id=school_id
    )
    return SchoolPublic.model_validate(school, from_attributes=True)


@router.get("/{school_id}/classes", response_model=SchoolClassesPublic)
async def read_classes(
    school_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, page: PageDep
) -> SchoolClassesPublic:
    """The school's classes (staff of the school)."""
    rows, total = await people_service.list_classes(
        session=session, principal=principal, school_id=school_id, page=page
    )
    return page_of(SchoolClassPublic, rows, total, page)


@router.post(
    "/{school_id}/classes", response_model=SchoolClassPublic, status_code=status.HTTP_201_CREATED
)
async def create_class(
    school_id: uuid.UUID, data: SchoolClassCreate, principal: PrincipalDep, session: SessionDep
) -> SchoolClassPublic:
    """Create a class in the school (school admin)."""
    record = await people_service.create_class(
        session=session, principal=principal, school_id=school_id, data=data
    )
    return SchoolClassPublic.model_validate(record, from_attributes=True)
