"""Builders that write real rows for tests (no mocks): schools, users, classes, parent links."""

from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from content_service.models.people import (
    ClassMembershipRecord,
    ParentLinkRecord,
    Role,
    SchoolClassRecord,
    SchoolRecord,
    UserRecord,
)
from content_service.security import hash_password

PASSWORD = "mật-khẩu-đủ-dài"


@lru_cache
def _password_hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow on purpose: hash once per run


def _save(engine: Engine, record: Any) -> Any:
    with Session(engine, expire_on_commit=False) as session:
        session.add(record)
        session.commit()
        session.refresh(record)
    return record


def create_school(engine: Engine, **overrides: Any) -> SchoolRecord:
    fields: dict[str, Any] = {
        "code": f"79-{uuid.uuid4().hex[:6]}",
        "name": "Trường THPT Lê Quý Đôn",
        "province": "TP. Hồ Chí Minh",
    }
    return _save(engine, SchoolRecord(**(fields | overrides)))


def create_user(
    engine: Engine, *, role: Role, school: SchoolRecord | None, **overrides: Any
) -> UserRecord:
    fields: dict[str, Any] = {
        "username": f"{role.value}-{uuid.uuid4().hex[:8]}",
        "full_name": "Nguyễn Văn An",
        "role": role,
        "school_id": school.id if school else None,
        "password_hash": _password_hash(),
    }
    return _save(engine, UserRecord(**(fields | overrides)))


def create_class(engine: Engine, *, school: SchoolRecord, **overrides: Any) -> SchoolClassRecord:
    fields: dict[str, Any] = {
        "school_id": school.id,
        "name": "10A1",
        "grade": 10,
        "school_year": "2026-2027",
    }
    return _save(engine, SchoolClassRecord(**(fields | overrides)))


def enrol(engine: Engine, *, klass: SchoolClassRecord, user: UserRecord, subject: str = "") -> None:
    _save(
        engine,
        ClassMembershipRecord(
            class_id=klass.id, user_id=user.id, role=Role(user.role), subject=subject
        ),
    )


def link_parent(engine: Engine, *, parent: UserRecord, student: UserRecord) -> None:
    _save(engine, ParentLinkRecord(parent_id=parent.id, student_id=student.id, relationship="mẹ"))


def bearer(client: Any, user: UserRecord) -> dict[str, str]:
    """Log ``user`` in through the API and return a bearer header with a fresh personal token."""
    response = client.post("/auth/login", json={"username": user.username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    token = client.post("/me/tokens", json={"name": "test"}).json()["token"]
    client.cookies.clear()
    return {"Authorization": f"Bearer {token}"}
