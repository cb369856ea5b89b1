"""The demo round loads once: allocated, the supplementary round open, and the demo parent's
child among the applicants with an explanation to read."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from content_service.demo_admissions import load_admissions_demo
from content_service.models.people import Role
from tests.factories import bearer, create_school, create_user, link_parent


def test_demo_round_is_idempotent_and_readable(client: TestClient, db: Engine) -> None:
    school = create_school(db)
    child = create_user(db, role=Role.STUDENT, school=school)
    parent = create_user(db, role=Role.PARENT, school=school, username="phuhuynh")
    link_parent(db, parent=parent, student=child)
    with Session(db) as session:
        assert load_admissions_demo(session) == 49
        session.commit()
    with Session(db) as session:
        assert load_admissions_demo(session) == 0
    mine = client.get("/admissions/me", headers=bearer(client, parent)).json()
    assert [r["applicant_code"] for r in mine] == ["TS0100"]
    assert mine[0]["placed_school"] is None  # 18.25 is below both cut-offs
    assert "NV1 THPT Nguyễn Thị Minh Khai: not admitted" in mine[0]["explanation"]
    offers = client.get("/admissions/me/supplementary", headers=bearer(client, parent)).json()
    assert len(offers) == 1
    assert offers[0]["schools"]  # under-filled schools are published
    admin = bearer(client, create_user(db, role=Role.SYSTEM_ADMIN, school=None))
    page = client.get("/pages/admissions", headers=admin)
    assert "Tuyển sinh lớp 10 năm học 2025-2026 (dữ liệu thử)" in page.text
