"""Roles and schools: each role allowed and refused; tenants kept apart; parents see their child."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from content_service.models.people import Role
from tests.factories import bearer, create_class, create_school, create_user, enrol, link_parent

NEW_STUDENT = {
    "username": "hs-moi",
    "full_name": "Trần Thị Bình",
    "role": "student",
    "password": "mat-khau-dai",
}


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.SCHOOL_ADMIN, True),
        (Role.SYSTEM_ADMIN, True),
        (Role.TEACHER, False),
        (Role.STUDENT, False),
        (Role.PARENT, False),
        (Role.RESEARCHER, False),
        (Role.LIBRARIAN, False),
    ],
)
def test_only_admins_create_accounts(
    client: TestClient, db: Engine, role: Role, allowed: bool
) -> None:
    school = create_school(db)
    caller = create_user(db, role=role, school=None if role is Role.SYSTEM_ADMIN else school)
    body = NEW_STUDENT | {"school_id": str(school.id)}
    response = client.post("/users", json=body, headers=bearer(client, caller))
    if allowed:
        assert response.status_code == 201, response.text
        assert response.json()["school_id"] == str(school.id)
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.TEACHER, True),
        (Role.SCHOOL_ADMIN, True),
        (Role.LIBRARIAN, True),
        (Role.STUDENT, False),
        (Role.PARENT, False),
        (Role.RESEARCHER, False),
    ],
)
def test_who_lists_the_schools_accounts(
    client: TestClient, db: Engine, role: Role, allowed: bool
) -> None:
    school = create_school(db)
    caller = create_user(db, role=role, school=school)
    response = client.get("/users", headers=bearer(client, caller))
    assert response.status_code == (200 if allowed else 403)
    if allowed:
        assert response.json()["total"] == 1
        assert response.json()["items"][0]["id"] == str(caller.id)


def test_school_admin_cannot_create_system_admin(client: TestClient, db: Engine) -> None:
    school = create_school(db)
    admin = create_user(db, role=Role.SCHOOL_ADMIN, school=school)
    body = NEW_STUDENT | {"role": "system_admin"}
    assert client.post("/users", json=body, headers=bearer(client, admin)).status_code == 403


def test_school_a_cannot_read_school_b(client: TestClient, db: Engine) -> None:
    school_a, school_b = create_school(db, name="Trường A"), create_school(db, name="Trường B")
    admin_a = create_user(db, role=Role.SCHOOL_ADMIN, school=school_a)
    teacher_b = create_user(db, role=Role.TEACHER, school=school_b)
    class_b = create_class(db, school=school_b)
    headers = bearer(client, admin_a)
    assert client.get(f"/schools/{school_b.id}", headers=headers).status_code == 403
    assert client.get(f"/schools/{school_b.id}/classes", headers=headers).status_code == 403
    assert client.get(f"/classes/{class_b.id}", headers=headers).status_code == 403
    assert client.get(f"/users/{teacher_b.id}", headers=headers).status_code == 404
    assert (
        client.get("/users", params={"school_id": str(school_b.id)}, headers=headers).status_code
        == 403
    )
    listed = client.get("/schools", headers=headers).json()
    assert [s["id"] for s in listed["items"]] == [str(school_a.id)]
    body = NEW_STUDENT | {"school_id": str(school_b.id)}
    assert client.post("/users", json=body, headers=headers).status_code == 403
    # and the audit log of school A holds nothing of school B
    audit = client.get("/audit", headers=headers).json()["items"]
    assert all(entry["school_id"] == str(school_a.id) for entry in audit)


def test_parent_reads_only_their_child(client: TestClient, db: Engine) -> None:
    school = create_school(db)
    child = create_user(db, role=Role.STUDENT, school=school, full_name="Lê Minh Châu")
    other_child = create_user(db, role=Role.STUDENT, school=school)
    parent = create_user(db, role=Role.PARENT, school=school, full_name="Lê Thị Dung")
    link_parent(db, parent=parent, student=child)
    klass = create_class(db, school=school)
    enrol(db, klass=klass, user=child)
    headers = bearer(client, parent)
    own = client.get(f"/students/{child.id}", headers=headers)
    assert own.status_code == 200
    assert own.json()["user"]["full_name"] == "Lê Minh Châu"
    assert [c["name"] for c in own.json()["classes"]] == ["10A1"]
    assert [p["id"] for p in own.json()["parents"]] == [str(parent.id)]
    other = client.get(f"/students/{other_child.id}", headers=headers)
    assert other.status_code == 403
    assert other.json()["code"] == "not_your_record"
    assert client.get(f"/users/{other_child.id}", headers=headers).status_code == 404
    assert client.get(f"/classes/{klass.id}", headers=headers).status_code == 200


def test_student_reads_only_themself(client: TestClient, db: Engine) -> None:
    school = create_school(db)
    me, classmate = (create_user(db, role=Role.STUDENT, school=school) for _ in range(2))
    headers = bearer(client, me)
    assert client.get(f"/students/{me.id}", headers=headers).status_code == 200
    assert client.get(f"/students/{classmate.id}", headers=headers).status_code == 403
    assert client.get("/users", headers=headers).status_code == 403


def test_admin_builds_a_class_and_it_is_audited(client: TestClient, db: Engine) -> None:
    school = create_school(db)
    admin = create_user(db, role=Role.SCHOOL_ADMIN, school=school)
    teacher = create_user(db, role=Role.TEACHER, school=school)
    student = create_user(db, role=Role.STUDENT, school=school)
    headers = bearer(client, admin)
    created = client.post(
        f"/schools/{school.id}/classes",
        headers=headers,
        json={
            "name": "11A2",
            "grade": 11,
            "school_year": "2026-2027",
            "homeroom_teacher_id": str(teacher.id),
        },
    )
    assert created.status_code == 201, created.text
    class_id = created.json()["id"]
    assert (
        client.post(
            f"/classes/{class_id}/members", headers=headers, json={"user_id": str(student.id)}
        ).status_code
        == 201
    )
    again = client.post(
        f"/classes/{class_id}/members", headers=headers, json={"user_id": str(student.id)}
    )
    assert again.status_code == 409
    no_subject = client.post(
        f"/classes/{class_id}/members", headers=headers, json={"user_id": str(teacher.id)}
    )
    assert no_subject.status_code == 400
    assert "subject" in no_subject.json()["detail"]
    students = client.get(f"/classes/{class_id}/students", headers=bearer(client, teacher)).json()
    assert [s["id"] for s in students["items"]] == [str(student.id)]
    actions = [e["action"] for e in client.get("/audit", headers=headers).json()["items"]]
    assert "class.create" in actions
    assert "class.add_member" in actions


def test_unauthenticated_requests_get_401(client: TestClient) -> None:
    for path in ("/me", "/users", "/schools", "/audit"):
        response = client.get(path)
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
