"""The demo quizzes load once and students and teachers reach them through the pages."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from content_service.demo import DEMO_PASSWORD, load_demo
from content_service.demo_items import load_items_demo
from content_service.demo_quizzes import PRACTICE_TITLE, TEST_TITLE, load_quizzes_demo
from content_service.models.quizzes import QuizRecord


def _login(client: TestClient, username: str) -> None:
    client.cookies.clear()
    response = client.post(
        "/login", data={"username": username, "password": DEMO_PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303


def test_demo_quizzes_load_once_and_show_on_the_pages(client: TestClient, db: Engine) -> None:
    load_demo(db)
    with Session(db) as session:
        load_items_demo(session)
    with Session(db) as session:
        assert load_quizzes_demo(session) == 2
    with Session(db) as session:
        assert load_quizzes_demo(session) == 0
        test = session.exec(select(QuizRecord).where(QuizRecord.title == TEST_TITLE)).one()

    _login(client, "hs.10a1.01")
    listing = client.get("/pages/quizzes")
    assert listing.status_code == 200
    assert PRACTICE_TITLE in listing.text
    assert TEST_TITLE in listing.text
    started = client.post(f"/pages/quizzes/{test.id}/start", follow_redirects=False)
    assert started.status_code == 303
    page = client.get(started.headers["location"])
    assert page.status_code == 200
    assert 'id="timer"' in page.text
    assert "quiz.js" in page.text
    assert "Thời gian còn lại" in page.text

    _login(client, "gv.toan")
    teacher = client.get(f"/pages/quizzes/{test.id}")
    assert teacher.status_code == 200
    assert "Tiến độ làm bài" in teacher.text
    assert "Đang làm" in teacher.text
