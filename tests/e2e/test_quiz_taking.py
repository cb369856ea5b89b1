"""Taking quizzes in real Chromium: practice with feedback, a timed test that survives going
offline and a reload, and a test submitted by the server when the time runs out."""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Page, expect
from sqlalchemy import Engine
from sqlmodel import Session, select

from content_service.models.quizzes import (
    AnswerRecord,
    AttemptRecord,
    QuizAssignmentRecord,
    QuizMode,
    QuizRecord,
    QuizSelection,
    QuizStatus,
)
from tests.content_service.quizzes.builders import SECRET_NUMBER, Classroom, classroom
from tests.e2e.conftest import log_in


def _quiz(engine: Engine, room: Classroom, **fields: Any) -> QuizRecord:
    values: dict[str, Any] = {
        "school_id": room.school.id,
        "title": "Kiểm tra Toán 10",
        "mode": QuizMode.TEST,
        "status": QuizStatus.PUBLISHED,
        "selection": QuizSelection.FIXED,
        "spec": {"version_ids": [str(v.id) for v in room.versions]},
        "grace_seconds": 0,
        "review": "after_submit",
        "score_review": "after_submit",
        "created_by": room.teacher.id,
    } | fields
    with Session(engine, expire_on_commit=False) as session:
        quiz = QuizRecord(**values)
        session.add(quiz)
        session.flush()
        session.add(QuizAssignmentRecord(quiz_id=quiz.id, class_id=room.klass.id))
        session.commit()
    return quiz


def _answers(engine: Engine) -> dict[str, Any]:
    with Session(engine) as session:
        return {a.question: a.response for a in session.exec(select(AnswerRecord)).all()}


def _start(page: Page, quiz: QuizRecord) -> None:
    page.goto(f"/pages/quizzes/{quiz.id}")
    page.click("#start")
    page.wait_for_url("**/pages/quizzes/attempts/*")


def _wait_saved(page: Page) -> None:
    expect(page.locator("#sync")).to_have_attribute("data-state", "saved")


def test_a_student_takes_a_practice_quiz_with_feedback(page: Page, db: Engine) -> None:
    room = classroom(db, students=1)
    quiz = _quiz(db, room, mode=QuizMode.PRACTICE, review="immediately", score_review="immediately")
    log_in(page, room.students[0])
    page.on("dialog", lambda dialog: dialog.accept())

    _start(page, quiz)
    page.check("#q1 input[value=B]")
    expect(page.locator("#q1 .feedback .right")).to_be_visible()
    page.check("#q2 input[value=C]")
    expect(page.locator("#q2 .feedback .wrong")).to_be_visible()
    page.fill("#q3 input[type=text]", SECRET_NUMBER)
    expect(page.locator("#q3 .feedback .right")).to_be_visible()
    page.click("#submit")
    expect(page.locator("#result")).to_be_visible()
    expect(page.locator("#score")).to_have_text("2.0")  # 1 + 0 (C scores -1, floored) + 1


def test_a_timed_test_survives_going_offline_and_a_reload(page: Page, db: Engine) -> None:
    room = classroom(db, students=1)
    quiz = _quiz(db, room, time_limit_seconds=600)
    log_in(page, room.students[0])

    _start(page, quiz)
    expect(page.locator("#timer")).to_contain_text("9:5")  # the server's 10 minutes, counting
    page.check("#q1 input[value=A]")
    _wait_saved(page)

    page.context.set_offline(True)
    page.check("#q1 input[value=B]")  # a change made offline must win over the saved "A"
    page.check("#q2 input[value=A]")
    page.check("#q2 input[value=B]")
    page.fill("#q3 input[type=text]", "12,5")
    expect(page.locator("#sync")).to_have_attribute("data-state", "offline")
    assert _answers(db) == {"q1": "A"}  # nothing got through while offline

    page.context.set_offline(False)
    _wait_saved(page)
    assert _answers(db) == {"q1": "B", "q2": ["A", "B"], "q3": "12,5"}

    page.reload()
    expect(page.locator("#q1 input[value=B]")).to_be_checked()
    expect(page.locator("#q2 input[value=B]")).to_be_checked()
    expect(page.locator("#q3 input[type=text]")).to_have_value("12,5")
    with Session(db) as session:
        assert len(session.exec(select(AttemptRecord)).all()) == 1  # resumed, not restarted


def test_when_the_time_runs_out_the_test_is_submitted(page: Page, db: Engine) -> None:
    room = classroom(db, students=1)
    quiz = _quiz(db, room, time_limit_seconds=10)
    log_in(page, room.students[0])

    _start(page, quiz)
    page.check("#q1 input[value=B]")
    _wait_saved(page)
    started = time.monotonic()
    expect(page.locator("#result")).to_be_visible(timeout=25_000)
    assert time.monotonic() - started < 25
    with Session(db) as session:
        attempt = session.exec(select(AttemptRecord)).one()
    assert (attempt.status, attempt.submitted_by, attempt.score) == ("submitted", "deadline", 1.0)
    expect(page.locator("#score")).to_have_text("1.0")
