"""Schools (the tenants), classes, memberships, users and parent links."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, SQLModel

from content_service.models.base import id_field, timestamp_field


class Role(StrEnum):
    STUDENT = "student"
    TEACHER = "teacher"
    RESEARCHER = "researcher"
    LIBRARIAN = "librarian"
    SCHOOL_ADMIN = "school_admin"
    PARENT = "parent"
    SYSTEM_ADMIN = "system_admin"


STAFF_ROLES = frozenset(
    {Role.TEACHER, Role.RESEARCHER, Role.LIBRARIAN, Role.SCHOOL_ADMIN, Role.SYSTEM_ADMIN}
)


class SchoolRecord(SQLModel, table=True):
    __tablename__ = "school"

    id: uuid.UUID = id_field()
    code: str = Field(max_length=32, unique=True, index=True)
    name: str = Field(max_length=200)
    province: str = Field(default="", max_length=100)
    created_at: datetime = timestamp_field()


class UserRecord(SQLModel, table=True):
    __tablename__ = "user_account"  # "user" is reserved in PostgreSQL

    id: uuid.UUID = id_field()
    username: str = Field(max_length=64, unique=True, index=True)
    full_name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=254)
    role: Role = Field(
        sa_type=String(20), index=True
    )  # text, not a DB enum: new roles need no ALTER TYPE
    school_id: uuid.UUID | None = Field(default=None, foreign_key="school.id", index=True)
    password_hash: str = Field(max_length=255)
    is_active: bool = True
    language: str = Field(default="vi", max_length=5)
    created_at: datetime = timestamp_field()


class SchoolClassRecord(SQLModel, table=True):
    __tablename__ = "school_class"
    __table_args__ = (UniqueConstraint("school_id", "school_year", "name"),)

    id: uuid.UUID = id_field()
    school_id: uuid.UUID = Field(foreign_key="school.id", index=True)
    name: str = Field(max_length=32)
    grade: int = Field(ge=1, le=12)
    school_year: str = Field(max_length=9)  # "2026-2027"
    homeroom_teacher_id: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = timestamp_field()


class ClassMembershipRecord(SQLModel, table=True):
    """A student enrolled in a class, or a teacher teaching a subject to it."""

    __tablename__ = "class_membership"
    __table_args__ = (UniqueConstraint("class_id", "user_id", "subject"),)

    id: uuid.UUID = id_field()
    class_id: uuid.UUID = Field(foreign_key="school_class.id", index=True)
    user_id: uuid.UUID = Field(foreign_key="user_account.id", index=True)
    role: Role = Field(sa_type=String(20))  # student or teacher
    subject: str = Field(default="", max_length=64)  # the taught subject; "" for students
    created_at: datetime = timestamp_field()


class ParentLinkRecord(SQLModel, table=True):
    __tablename__ = "parent_link"
    __table_args__ = (UniqueConstraint("parent_id", "student_id"),)

    id: uuid.UUID = id_field()
    parent_id: uuid.UUID = Field(foreign_key="user_account.id", index=True)
    student_id: uuid.UUID = Field(foreign_key="user_account.id", index=True)
    relationship: str = Field(default="", max_length=32)  # "mẹ", "bố", "người giám hộ"
    created_at: datetime = timestamp_field()
