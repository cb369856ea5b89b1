"""Who may see and change what. Every rule about roles and schools lives here, in one place.

Schools are tenants: staff act within their own school; a system admin acts everywhere; a parent
sees only their linked children; a student sees only themself.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from content_service.errors import PermissionDeniedError
from content_service.models.people import STAFF_ROLES, Role


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller."""

    user_id: uuid.UUID
    username: str
    role: Role
    school_id: uuid.UUID | None
    children: frozenset[uuid.UUID] = frozenset()

    @property
    def is_system_admin(self) -> bool:
        return self.role is Role.SYSTEM_ADMIN

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES


def require_role(principal: Principal, *roles: Role) -> None:
    """Refuse unless the caller has one of ``roles`` (a system admin always passes)."""
    if principal.is_system_admin or principal.role in roles:
        return
    allowed = ", ".join(r.value for r in roles)
    raise PermissionDeniedError(
        f"this action needs one of the roles: {allowed} (you are {principal.role.value})"
    )


def require_school(principal: Principal, school_id: uuid.UUID | None) -> None:
    """Refuse unless the caller belongs to ``school_id`` (a system admin always passes)."""
    if principal.is_system_admin:
        return
    if school_id is None or principal.school_id != school_id:
        raise PermissionDeniedError("this belongs to another school", code="other_school")


# Who may manage user accounts of a given role (school admins manage their school's people).
_CREATABLE_BY_SCHOOL_ADMIN = frozenset(
    {Role.STUDENT, Role.TEACHER, Role.RESEARCHER, Role.LIBRARIAN, Role.PARENT}
)


def require_can_create_user(principal: Principal, role: Role, school_id: uuid.UUID | None) -> None:
    if principal.is_system_admin:
        return
    require_role(principal, Role.SCHOOL_ADMIN)
    if role not in _CREATABLE_BY_SCHOOL_ADMIN:
        raise PermissionDeniedError(f"a school admin cannot create a {role.value} account")
    require_school(principal, school_id)


def can_read_person(
    principal: Principal, *, user_id: uuid.UUID, school_id: uuid.UUID | None
) -> bool:
    """Whether the caller may read a person's profile."""
    if principal.user_id == user_id or principal.is_system_admin:
        return True
    if principal.role is Role.PARENT:
        return user_id in principal.children
    if principal.role in (Role.TEACHER, Role.SCHOOL_ADMIN, Role.LIBRARIAN):
        return school_id is not None and school_id == principal.school_id
    return False  # students and researchers see only themselves


def require_can_read_person(
    principal: Principal, *, user_id: uuid.UUID, school_id: uuid.UUID | None
) -> None:
    if not can_read_person(principal, user_id=user_id, school_id=school_id):
        raise PermissionDeniedError("you may not read this person's record", code="not_your_record")
