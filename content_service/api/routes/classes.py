"""/classes: one class, its members."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from content_service.api.deps import PageDep, PrincipalDep, SessionDep
from content_service.schemas.common import page_of
from content_service.schemas.people import (
    MembershipCreate,
    MembershipPublic,
    SchoolClassPublic,
    UserPublic,
    UsersPublic,
)
from content_service.services import people as people_service

router = APIRouter(prefix="/classes", tags=["classes"])


@router.get("/{class_id}", response_model=SchoolClassPublic)
async def read_class(
    class_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> SchoolClassPublic:
    """One class (its school's staff, its students and their parents)."""
    record = await people_service.get_class(session=session, principal=principal, class_id=class_id)
    return SchoolClassPublic.model_validate(record, from_attributes=True)


@router.get("/{class_id}/students", response_model=UsersPublic)
async def read_class_students(
    class_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, page: PageDep
) -> UsersPublic:
    """The students of a class (the school's staff)."""
    rows, total = await people_service.list_class_students(
        session=session, principal=principal, class_id=class_id, page=page
    )
    return page_of(UserPublic, rows, total, page)


@router.post(
    "/{class_id}/members", response_model=MembershipPublic, status_code=status.HTTP_201_CREATED
)
async def create_member(
    class_id: uuid.UUID, data: MembershipCreate, principal: PrincipalDep, session: SessionDep
) -> MembershipPublic:
    """Enrol a student, or assign a teacher with a subject (school admin)."""
    record = await people_service.add_member(
        session=session, principal=principal, class_id=class_id, data=data
    )
    return MembershipPublic.model_validate(record, from_attributes=True)
