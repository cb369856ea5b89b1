"""Schools, classes, memberships, user accounts and parent links."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from content_service.errors import BadRequestError, ConflictError, NotFoundError
from content_service.models.audit import AuditRecord
from content_service.models.people import (
    ClassMembershipRecord,
    ParentLinkRecord,
    Role,
    SchoolClassRecord,
    SchoolRecord,
    UserRecord,
)
from content_service.schemas.common import PageParams
from content_service.schemas.people import (
    MembershipCreate,
    ParentLinkCreate,
    SchoolClassCreate,
    SchoolCreate,
    UserCreate,
)
from content_service.security import hash_password
from content_service.services.access import (
    Principal,
    can_read_person,
    require_can_create_user,
    require_can_read_person,
    require_role,
    require_school,
)
from content_service.services.audit import record_audit

R = TypeVar("R", bound=SQLModel)


async def paginate(
    session: AsyncSession, query: SelectOfScalar[R], page: PageParams
) -> tuple[list[R], int]:
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    rows = await session.exec(query.limit(page.limit).offset(page.offset))
    return list(rows.all()), int(total)


async def _flush(session: AsyncSession, what: str) -> None:
    # Unique constraints are the source of truth for duplicates; report them as a 409.
    try:
        await session.flush()
    except IntegrityError as exc:
        raise ConflictError(f"{what} already exists", code="already_exists") from exc


# -- schools -----------------------------------------------------------------------------------


async def create_school(
    *, session: AsyncSession, principal: Principal, data: SchoolCreate
) -> SchoolRecord:
    require_role(principal, Role.SYSTEM_ADMIN)
    school = SchoolRecord(**data.model_dump())
    session.add(school)
    await _flush(session, f"school with code {data.code!r}")
    record_audit(
        session=session,
        actor=principal,
        action="school.create",
        entity="school",
        entity_id=school.id,
        school_id=school.id,
    )
    return school


async def get_school(
    *, session: AsyncSession, principal: Principal, school_id: uuid.UUID
) -> SchoolRecord:
    require_school(principal, school_id)
    school = await session.get(SchoolRecord, school_id)
    if school is None:
        raise NotFoundError(f"school {school_id} not found", code="school_not_found")
    return school


async def list_schools(
    *, session: AsyncSession, principal: Principal, page: PageParams
) -> tuple[list[SchoolRecord], int]:
    query = select(SchoolRecord).order_by(col(SchoolRecord.code))
    if not principal.is_system_admin:
        query = query.where(SchoolRecord.id == principal.school_id)
    return await paginate(session, query, page)


# -- classes -----------------------------------------------------------------------------------


async def create_class(
    *, session: AsyncSession, principal: Principal, school_id: uuid.UUID, data: SchoolClassCreate
) -> SchoolClassRecord:
    require_role(principal, Role.SCHOOL_ADMIN)
    await get_school(session=session, principal=principal, school_id=school_id)
    if data.homeroom_teacher_id is not None:
        teacher = await session.get(UserRecord, data.homeroom_teacher_id)
        if teacher is None or teacher.role != Role.TEACHER or teacher.school_id != school_id:
            raise BadRequestError(
                "homeroom_teacher_id: not a teacher of this school", code="invalid_teacher"
            )
    record = SchoolClassRecord(school_id=school_id, **data.model_dump())
    session.add(record)
    await _flush(session, f"class {data.name!r} in {data.school_year}")
    record_audit(
        session=session,
        actor=principal,
        action="class.create",
        entity="school_class",
        entity_id=record.id,
        school_id=school_id,
    )
    return record


async def get_class(
    *, session: AsyncSession, principal: Principal, class_id: uuid.UUID
) -> SchoolClassRecord:
    record = await session.get(SchoolClassRecord, class_id)
    if record is None:
        raise NotFoundError(f"class {class_id} not found", code="class_not_found")
    if principal.role in (Role.STUDENT, Role.PARENT):
        mine = {principal.user_id} | set(principal.children)
        members = await session.exec(
            select(ClassMembershipRecord.user_id).where(ClassMembershipRecord.class_id == class_id)
        )
        if not mine & set(members.all()):
            require_school(principal, None)  # students and parents see only their own classes
    else:
        require_school(principal, record.school_id)
    return record


async def list_classes(
    *, session: AsyncSession, principal: Principal, school_id: uuid.UUID, page: PageParams
) -> tuple[list[SchoolClassRecord], int]:
    require_role(principal, Role.TEACHER, Role.SCHOOL_ADMIN, Role.LIBRARIAN)
    require_school(principal, school_id)
    query = (
        select(SchoolClassRecord)
        .where(SchoolClassRecord.school_id == school_id)
        .order_by(col(SchoolClassRecord.school_year), col(SchoolClassRecord.name))
    )
    return await paginate(session, query, page)


async def add_member(
    *, session: AsyncSession, principal: Principal, class_id: uuid.UUID, data: MembershipCreate
) -> ClassMembershipRecord:
    """Enrol a student in a class, or assign a teacher to teach it a subject."""
    require_role(principal, Role.SCHOOL_ADMIN)
    klass = await get_class(session=session, principal=principal, class_id=class_id)
    user = await session.get(UserRecord, data.user_id)
    if user is None or user.school_id != klass.school_id:
        raise BadRequestError("user_id: no such user in this class's school", code="invalid_member")
    if user.role not in (Role.STUDENT, Role.TEACHER):
        raise BadRequestError(f"user_id: a {user.role} cannot join a class", code="invalid_member")
    if user.role == Role.TEACHER and not data.subject:
        raise BadRequestError(
            "subject: a teacher joins a class to teach a subject", code="subject_required"
        )
    record = ClassMembershipRecord(
        class_id=class_id,
        user_id=user.id,
        role=Role(user.role),
        subject=data.subject if user.role == Role.TEACHER else "",
    )
    session.add(record)
    await _flush(session, "this membership")
    record_audit(
        session=session,
        actor=principal,
        action="class.add_member",
        entity="school_class",
        entity_id=class_id,
        school_id=klass.school_id,
        details={"user_id": str(user.id), "role": str(user.role)},
    )
    return record


async def list_class_students(
    *, session: AsyncSession, principal: Principal, class_id: uuid.UUID, page: PageParams
) -> tuple[list[UserRecord], int]:
    require_role(principal, Role.TEACHER, Role.SCHOOL_ADMIN, Role.LIBRARIAN)
    await get_class(session=session, principal=principal, class_id=class_id)
    query = (
        select(UserRecord)
        .join(ClassMembershipRecord, col(ClassMembershipRecord.user_id) == col(UserRecord.id))
        .where(ClassMembershipRecord.class_id == class_id)
        .where(ClassMembershipRecord.role == Role.STUDENT)
        .order_by(col(UserRecord.full_name))
    )
    return await paginate(session, query, page)


# -- users -------------------------------------------------------------------------------------


async def create_user(
    *, session: AsyncSession, principal: Principal, data: UserCreate
) -> UserRecord:
    school_id = data.school_id if data.school_id is not None else principal.school_id
    if data.role == Role.SYSTEM_ADMIN:
        school_id = None
    elif school_id is None:
        raise BadRequestError(
            "school_id: every account but a system admin's belongs to a school",
            code="school_required",
        )
    require_can_create_user(principal, data.role, school_id)
    if school_id is not None and await session.get(SchoolRecord, school_id) is None:
        raise BadRequestError(
            f"school_id: school {school_id} does not exist", code="school_not_found"
        )
    user = UserRecord(
        username=data.username.lower(),
        full_name=data.full_name,
        role=data.role,
        school_id=school_id,
        email=data.email,
        language=data.language,
        password_hash=hash_password(data.password),
    )
    session.add(user)
    await _flush(session, f"user {data.username!r}")
    record_audit(
        session=session,
        actor=principal,
        action="user.create",
        entity="user",
        entity_id=user.id,
        school_id=school_id,
        details={"role": str(data.role)},
    )
    return user


async def get_user(
    *, session: AsyncSession, principal: Principal, user_id: uuid.UUID
) -> UserRecord:
    user = await session.get(UserRecord, user_id)
    # An unreadable user looks like a missing one: no probing who exists in other schools.
    if user is None or not _readable(principal, user):
        raise NotFoundError(f"user {user_id} not found", code="user_not_found")
    return user


def _readable(principal: Principal, user: UserRecord) -> bool:
    return can_read_person(principal, user_id=user.id, school_id=user.school_id)


async def list_users(
    *,
    session: AsyncSession,
    principal: Principal,
    page: PageParams,
    role: Role | None = None,
    school_id: uuid.UUID | None = None,
) -> tuple[list[UserRecord], int]:
    require_role(principal, Role.TEACHER, Role.SCHOOL_ADMIN, Role.LIBRARIAN)
    if not principal.is_system_admin:
        if school_id is not None:
            require_school(principal, school_id)
        school_id = principal.school_id
    query = select(UserRecord).order_by(col(UserRecord.username))
    if school_id is not None:
        query = query.where(UserRecord.school_id == school_id)
    if role is not None:
        query = query.where(UserRecord.role == role)
    return await paginate(session, query, page)


async def link_parent(
    *, session: AsyncSession, principal: Principal, parent_id: uuid.UUID, data: ParentLinkCreate
) -> ParentLinkRecord:
    require_role(principal, Role.SCHOOL_ADMIN)
    parent = await session.get(UserRecord, parent_id)
    student = await session.get(UserRecord, data.student_id)
    if parent is None or parent.role != Role.PARENT:
        raise NotFoundError(f"parent {parent_id} not found", code="parent_not_found")
    if student is None or student.role != Role.STUDENT:
        raise BadRequestError("student_id: not a student", code="invalid_student")
    require_school(principal, student.school_id)
    link = ParentLinkRecord(
        parent_id=parent.id, student_id=student.id, relationship=data.relationship
    )
    session.add(link)
    await _flush(session, "this parent link")
    record_audit(
        session=session,
        actor=principal,
        action="parent.link",
        entity="user",
        entity_id=student.id,
        school_id=student.school_id,
        details={"parent_id": str(parent.id)},
    )
    return link


async def student_profile(
    *, session: AsyncSession, principal: Principal, student_id: uuid.UUID
) -> dict[str, Any]:
    student = await session.get(UserRecord, student_id)
    if student is None or student.role != Role.STUDENT:
        raise NotFoundError(f"student {student_id} not found", code="student_not_found")
    require_can_read_person(principal, user_id=student.id, school_id=student.school_id)
    classes = await session.exec(
        select(SchoolClassRecord)
        .join(
            ClassMembershipRecord, col(ClassMembershipRecord.class_id) == col(SchoolClassRecord.id)
        )
        .where(ClassMembershipRecord.user_id == student_id)
        .order_by(col(SchoolClassRecord.school_year))
    )
    parents = await session.exec(
        select(UserRecord)
        .join(ParentLinkRecord, col(ParentLinkRecord.parent_id) == col(UserRecord.id))
        .where(ParentLinkRecord.student_id == student_id)
    )
    return {"user": student, "classes": list(classes.all()), "parents": list(parents.all())}


async def list_audit(
    *, session: AsyncSession, principal: Principal, page: PageParams
) -> tuple[list[AuditRecord], int]:
    require_role(principal, Role.SCHOOL_ADMIN)
    query = select(AuditRecord).order_by(col(AuditRecord.at).desc())
    if not principal.is_system_admin:
        query = query.where(AuditRecord.school_id == principal.school_id)
    return await paginate(session, query, page)
