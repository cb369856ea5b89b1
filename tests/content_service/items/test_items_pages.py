"""The item bank pages: browser, detail with history, editor (form posts) and import."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from content_service.models.people import Role
from tests.factories import PASSWORD, bearer, create_school, create_user


def _login(client: TestClient, username: str) -> None:
    response = client.post("/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200


@pytest.fixture
def teacher(client: TestClient, db: Engine):
    user = create_user(db, role=Role.TEACHER, school=create_school(db))
    _login(client, user.username)
    return user


def _form(**overrides: str) -> dict[str, object]:
    fields: dict[str, object] = {
        "identifier": "ly10-cd-01",
        "kind": "single_choice",
        "stem": "Vật rơi tự do có gia tốc $g \\approx 9{,}8\\ \\text{m/s}^2$. "
        "Đơn vị của $g$ là gì?",
        "choice_A": "m/s²",
        "choice_B": "m/s",
        "choice_C": "N",
        "feedback_A": "Đúng.",
        "correct": ["A"],
        "shuffle": "1",
        "subject": "Vật lí",
        "grade": "10",
        "topic": "Rơi tự do",
        "cognitive_level": "nhan_biet",
        "rationale": "Gia tốc đo bằng mét trên giây bình phương.",
    }
    fields.update(overrides)
    return fields


def test_editor_creates_and_edits_an_item(client: TestClient, teacher) -> None:
    assert client.get("/pages/items/new").status_code == 200
    created = client.post("/pages/items/new", data=_form(), follow_redirects=False)
    assert created.status_code == 303
    item_page = created.headers["location"]
    detail = client.get(item_page)
    assert detail.status_code == 200
    assert "ly10-cd-01" in detail.text
    assert "<math" in detail.text
    assert "Bản nháp" in detail.text
    editor = client.get(item_page + "/edit")
    assert 'value="m/s²"' in editor.text
    assert "/static/items.js" in editor.text
    saved = client.post(
        item_page + "/edit", data=_form(stem="Đơn vị của gia tốc là gì?"), follow_redirects=False
    )
    assert saved.status_code == 303
    item_id = item_page.rsplit("/", 1)[1]
    version = client.get(f"/items/{item_id}").json()["latest"]
    assert version["content"]["stem"] == "Đơn vị của gia tốc là gì?"
    assert version["content"]["choices"][0]["feedback"] == "Đúng."
    assert version["grade"] == 10
    client.post(item_page + "/submit", follow_redirects=False)
    assert "Đang thẩm định" in client.get(item_page).text


def test_editor_shows_the_problem_and_keeps_the_input(client: TestClient, teacher) -> None:
    response = client.post("/pages/items/new", data=_form(correct=[]))
    assert response.status_code == 422
    assert "correct" in response.text
    assert "m/s²" in response.text


def test_browser_lists_and_filters(client: TestClient, teacher) -> None:
    client.post("/pages/items/new", data=_form())
    client.post("/pages/items/new", data=_form(identifier="ly10-cd-02", cognitive_level="van_dung"))
    page = client.get("/pages/items")
    assert page.status_code == 200
    assert "Ngân hàng câu hỏi" in page.text
    assert "ly10-cd-01" in page.text
    assert "ly10-cd-02" in page.text
    filtered = client.get("/pages/items", params={"cognitive_level": "van_dung"})
    assert "ly10-cd-02" in filtered.text
    assert "ly10-cd-01" not in filtered.text
    english = client.get("/pages/items", params={"lang": "en"})
    assert "Item bank" in english.text


def test_import_page_shows_the_report_and_refusals(
    client: TestClient, teacher, test_material: Path
) -> None:
    assert client.get("/pages/items/import").status_code == 200
    good = test_material / "moodle/aiken/questions.aiken.txt"
    response = client.post(
        "/pages/items/import",
        files={"file": (good.name, good.read_bytes())},
        data={"format": "auto"},
    )
    assert response.status_code == 200
    assert "Đã nhập (2)" in response.text
    bad = test_material / "moodle/aiken/aiken_errors.txt"
    refused = client.post("/pages/items/import", files={"file": (bad.name, bad.read_bytes())})
    assert refused.status_code == 422
    assert "Tệp bị từ chối" in refused.text
    assert "aiken_errors.txt" in refused.text


def test_review_and_publish_from_the_pages(client: TestClient, db: Engine, teacher) -> None:
    item_page = client.post("/pages/items/new", data=_form(), follow_redirects=False).headers[
        "location"
    ]
    client.post(item_page + "/submit")
    item_id = item_page.rsplit("/", 1)[1]
    version_id = client.get(f"/items/{item_id}").json()["latest"]["id"]
    client.cookies.clear()
    reviewer = create_user(db, role=Role.RESEARCHER, school=None)
    _login(client, reviewer.username)
    client.post(
        f"{item_page}/versions/{version_id}/review",
        data={"decision": "approve", "comment": "Rõ ràng"},
    )
    client.cookies.clear()
    _login(client, teacher.username)
    client.post(f"{item_page}/versions/{version_id}/publish")
    page = client.get(item_page).text
    assert "Đã xuất bản" in page
    assert "Rõ ràng" in page


def test_students_are_kept_out_of_the_pages(client: TestClient, db: Engine) -> None:
    student = create_user(db, role=Role.STUDENT, school=create_school(db))
    _login(client, student.username)
    assert client.get("/pages/items").status_code == 403
    assert client.get("/pages/items/new").status_code == 403
    client.cookies.clear()
    assert client.get("/pages/items", follow_redirects=False).status_code == 303
    assert bearer  # the API tests use bearer tokens; the pages use the session cookie
