"""/users, /students (profiles parents may read) and /audit."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from content_service.api.deps import PageDep, PrincipalDep, SessionDep
from content_service.models.people import Role
from content_service.schemas.common import page_of
from content_service.schemas.people import (
    AuditPublic,
    AuditsPublic,
    ParentLinkCreate,
    SchoolClassPublic,
    StudentProfilePublic,
    UserCreate,
    UserPublic,
    UsersPublic,
)
from content_service.services import people as people_service

router = APIRouter(tags=["users"])


@router.get("/users", response_model=UsersPublic)
async def read_users(
    principal: PrincipalDep,
    session: SessionDep,
    page: PageDep,
    role: Role | None = None,
    school_id: uuid.UUID | None = None,
) -> UsersPublic:
    """Users of the caller's school (staff), optionally by role."""
    rows, total = await people_service.list_users(
        session=session, principal=principal, page=page, role=role, school_id=school_id
    )
    return page_of(UserPublic, rows, total, page)


@router.post("/users", response_model=UserPublic, status_code=status.HTTP_201_CREATED)
async def create_user(data: UserCreate, principal: PrincipalDep, session: SessionDep) -> UserPublic:
    """Create an account (school admin for their school; system admin anywhere)."""
    user = await people_service.create_user(session=session, principal=principal, data=data)
    return UserPublic.model_validate(user, from_attributes=True)


@router.get("/users/{user_id}", response_model=UserPublic)
async def read_user(user_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> UserPublic:
    """One account the caller may see."""
    user = await people_service.get_user(session=session, principal=principal, user_id=user_id)
    return UserPublic.model_validate(user, from_attributes=True)


@router.post("/users/{parent_id}/children", status_code=status.HTTP_201_CREATED)
async def create_parent_link(
    parent_id: uuid.UUID, data: ParentLinkCreate, principal: PrincipalDep, session: SessionDep
) -> dict[str, str]:
    """Link a parent account to a student (school admin)."""
    link = await people_service.link_parent(
        session=session, principal=principal, parent_id=parent_id, data=data
    )
    return {"parent_id": str(link.parent_id), "student_id": str(link.student_id)}


@router.get("/students/{student_id}", response_model=StudentProfilePublic)
async def read_student(
    student_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> StudentProfilePublic:
    """A student's profile: the student, their parents, and staff of their school."""
    profile = await people_service.student_profile(
        session=session, principal=principal, student_id=student_id
    )
    return StudentProfilePublic(
        user=UserPublic.model_validate(profile["user"], from_attributes=True),
        classes=[
            SchoolClassPublic.model_validate(c, from_attributes=True) for c in profile["classes"]
        ],
        parents=[UserPublic.model_validate(p, from_attributes=True) for p in profile["parents"]],
    )


@router.get("/audit", response_model=AuditsPublic)
async def read_audit(principal: PrincipalDep, session: SessionDep, page: PageDep) -> AuditsPublic:
    """The audit log of the caller's school, newest first (school admin)."""
    rows, total = await people_service.list_audit(session=session, principal=principal, page=page)
    return page_of(AuditPublic, rows, total, page)
