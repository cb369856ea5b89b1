"""Schemas for schools, classes, users and parent links."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from content_service.models.people import Role
from content_service.schemas.common import Page, StrictInput
from item_bank.items import nfc

NfcText = Annotated[str, AfterValidator(nfc)]
Username = Annotated[str, Field(min_length=3, max_length=64, pattern=r"^[a-z0-9_.\-]+$")]
SchoolYear = Annotated[str, Field(pattern=r"^\d{4}-\d{4}$")]


class SchoolCreate(StrictInput):
    code: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9\-_.]+$")]
    name: Annotated[NfcText, Field(min_length=1, max_length=200)]
    province: Annotated[NfcText, Field(max_length=100)] = ""


class SchoolPublic(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    province: str


class SchoolClassCreate(StrictInput):
    name: Annotated[NfcText, Field(min_length=1, max_length=32)]
    grade: Annotated[int, Field(ge=1, le=12)]
    school_year: SchoolYear
    homeroom_teacher_id: uuid.UUID | None = None


class SchoolClassPublic(BaseModel):
    id: uuid.UUID
    school_id: uuid.UUID
    name: str
    grade: int
    school_year: str
    homeroom_teacher_id: uuid.UUID | None


class MembershipCreate(StrictInput):
    user_id: uuid.UUID
    subject: Annotated[NfcText, Field(max_length=64)] = ""


class MembershipPublic(BaseModel):
    class_id: uuid.UUID
    user_id: uuid.UUID
    role: Role
    subject: str


class UserCreate(StrictInput):
    username: Username
    full_name: Annotated[NfcText, Field(min_length=1, max_length=200)]
    role: Role
    password: Annotated[str, Field(min_length=8, max_length=256)]
    school_id: uuid.UUID | None = None
    email: Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")] | None = None
    language: Annotated[str, Field(pattern=r"^(vi|en)$")] = "vi"


class UserPublic(BaseModel):
    id: uuid.UUID
    username: str
    full_name: str
    role: Role
    school_id: uuid.UUID | None
    email: str | None
    language: str
    is_active: bool


class ParentLinkCreate(StrictInput):
    student_id: uuid.UUID
    relationship: Annotated[NfcText, Field(max_length=32)] = ""


class StudentProfilePublic(BaseModel):
    """What a parent, the student or school staff see of a student."""

    user: UserPublic
    classes: list[SchoolClassPublic]
    parents: list[UserPublic]


class AuditPublic(BaseModel):
    id: uuid.UUID
    at: datetime
    actor_id: uuid.UUID | None
    school_id: uuid.UUID | None
    action: str
    entity: str
    entity_id: str
    details: dict[str, object]


UsersPublic = Page[UserPublic]
SchoolsPublic = Page[SchoolPublic]
SchoolClassesPublic = Page[SchoolClassPublic]
AuditsPublic = Page[AuditPublic]
