"""Parents and students read only their own grades, published ones, every year; the pages."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from content_service.models.gradebook import GradebookStatus
from tests.content_service.records_service.records_factories import add_gradebook, make_class_world
from tests.factories import PASSWORD, bearer, create_class, enrol


def test_parent_reads_only_their_childs_published_grades(client: TestClient, db: Engine) -> None:
    world = make_class_world(db)
    mine, theirs = world.students
    old = create_class(db, school=world.school, name="9A2", grade=9, school_year="2024-2025")
    enrol(db, klass=old, user=mine)  # last year's class: still readable after moving on
    add_gradebook(
        db,
        klass=old,
        subject="Toán",
        semester=2,
        regular_count=3,
        values={mine.id: {"tx1": "9.0"}},
        status=GradebookStatus.PUBLISHED,
    )
    add_gradebook(
        db,
        klass=world.klass,
        subject="Toán",
        semester=1,
        regular_count=3,
        values={mine.id: {"tx1": "4.0"}},  # not published yet
    )
    parent = bearer(client, world.parent)
    response = client.get(f"/gradebooks/students/{mine.id}", headers=parent)
    assert response.status_code == 200, response.text
    assert [(g["school_year"], g["values"]) for g in response.json()] == [
        ("2024-2025", {"tx1": "9.0"})
    ]
    refused = client.get(f"/gradebooks/students/{theirs.id}", headers=parent)
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_your_record"
    student = bearer(client, mine)
    assert client.get(f"/gradebooks/students/{mine.id}", headers=student).status_code == 200
    assert client.get(f"/gradebooks/students/{theirs.id}", headers=student).status_code == 403
    staff = client.get(f"/gradebooks/students/{mine.id}", headers=bearer(client, world.teacher))
    assert len(staff.json()) == 2  # the school's staff also see unpublished sheets


def test_teacher_grid_page_saves_and_reports_errors(client: TestClient, db: Engine) -> None:
    world = make_class_world(db)
    book = add_gradebook(
        db, klass=world.klass, subject="Toán", semester=1, regular_count=3, values={}
    )
    login = client.post("/login", data={"username": world.teacher.username, "password": PASSWORD})
    assert login.status_code in (200, 303)
    page = client.get(f"/pages/records/gradebooks/{book.id}")
    assert page.status_code == 200
    assert "Lưu điểm" in page.text
    assert "Giữa kì" in page.text
    student = world.students[0].id
    bad = client.post(f"/pages/records/gradebooks/{book.id}", data={f"cell:{student}:gk": "12"})
    assert bad.status_code == 422
    assert "Chưa lưu" in bad.text
    good = client.post(
        f"/pages/records/gradebooks/{book.id}",
        data={
            f"cell:{student}:tx1": "8",
            f"cell:{student}:tx2": "9",
            f"cell:{student}:tx3": "7",
            f"cell:{student}:gk": "6.5",
            f"cell:{student}:ck": "8",
        },
    )
    assert good.status_code == 200  # followed the redirect
    assert "Đã lưu điểm." in good.text
    assert "7.6" in good.text
    home = client.get("/pages/records")
    assert str(book.id) in home.text


def test_parent_page_lists_children(client: TestClient, db: Engine) -> None:
    world = make_class_world(db)
    client.post("/login", data={"username": world.parent.username, "password": PASSWORD})
    home = client.get("/pages/records")
    assert world.students[0].full_name in home.text
    page = client.get(f"/pages/records/students/{world.students[0].id}")
    assert page.status_code == 200
    assert "Học bạ số" in page.text
    other = client.get(f"/pages/records/students/{world.students[1].id}")
    assert other.status_code == 403
