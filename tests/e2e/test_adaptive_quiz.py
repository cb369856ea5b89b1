"""An adaptive (CAT) test in real Chromium: one question at a time chosen by the server, an answer
given offline that arrives when the network returns, and the ability estimate at the end."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect
from sqlalchemy import Engine
from sqlmodel import Session, select

from content_service.models.quizzes import AdaptiveStateRecord, AnswerRecord, AttemptRecord
from tests.content_service.quizzes.adaptive_builders import (
    IRT_KEYS,
    accept_parameters,
    publish_leveled,
)
from tests.content_service.quizzes.builders import SECRET_FEEDBACK, SECRET_RATIONALE, classroom
from tests.e2e.conftest import api_headers, log_in

MAX_LENGTH = 4


def _answers(engine: Engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(AnswerRecord)).all())


def _no_leak(page: Page) -> None:
    html = page.content()
    for secret in (SECRET_RATIONALE, SECRET_FEEDBACK, *IRT_KEYS):
        assert secret not in html, f"{secret} reached the browser before submission"


def test_a_student_takes_an_adaptive_test_through_a_network_cut(
    page: Page, db: Engine, base_url: str
) -> None:
    room = classroom(db, students=1)
    versions = publish_leveled(db, 10, prefix="dh", topic="Đạo hàm")
    accept_parameters(db, versions, [-2.0 + 4.0 * j / 9 for j in range(10)])
    teacher = api_headers(db, room.teacher)
    with httpx.Client(base_url=base_url, headers=teacher, timeout=30) as api:
        spec = {"topic": "Đạo hàm", "max_length": MAX_LENGTH, "se_target": None, "randomesque": 2}
        created = api.post(
            "/quizzes",
            json={
                "title": "Kiểm tra thích ứng",
                "mode": "test",
                "selection": "adaptive",
                "adaptive": spec,
                "time_limit_seconds": 600,
            },
        )
        assert created.status_code == 201, created.text
        quiz_id = created.json()["id"]
        assert api.post(
            f"/quizzes/{quiz_id}/assignments", json={"class_id": str(room.klass.id)}
        ).is_success
        assert api.post(f"/quizzes/{quiz_id}/publish").is_success

    log_in(page, room.students[0])
    page.goto(f"/pages/quizzes/{quiz_id}")
    page.click("#start")
    page.wait_for_url("**/pages/quizzes/attempts/*")
    progress = page.locator("#adaptive-progress")
    expect(progress).to_have_text(f"Câu 1 (tối đa {MAX_LENGTH} câu)")
    expect(page.locator("fieldset[data-question]")).to_have_count(1)
    _no_leak(page)

    page.check("fieldset[data-question] input[value=B]")
    page.click("#answer")
    expect(progress).to_have_text(f"Câu 2 (tối đa {MAX_LENGTH} câu)")
    assert _answers(db) == 1

    page.context.set_offline(True)
    page.check("fieldset[data-question] input[value=B]")
    page.click("#answer")
    expect(page.locator("#sync")).to_have_attribute("data-state", "offline")
    assert _answers(db) == 1  # nothing got through while offline
    page.context.set_offline(False)
    expect(progress).to_have_text(f"Câu 3 (tối đa {MAX_LENGTH} câu)")  # sent when back online
    assert _answers(db) == 2
    _no_leak(page)

    page.reload()  # a reload resumes at the same question
    expect(progress).to_have_text(f"Câu 3 (tối đa {MAX_LENGTH} câu)")
    page.check("fieldset[data-question] input[value=A]")
    page.click("#answer")
    expect(progress).to_have_text(f"Câu 4 (tối đa {MAX_LENGTH} câu)")
    _no_leak(page)
    page.check("fieldset[data-question] input[value=B]")
    page.click("#answer")

    expect(page.locator("#result")).to_be_visible()
    expect(page.locator("#score")).to_have_text("3.0")
    expect(page.locator("#theta")).to_be_visible()
    with Session(db) as session:
        attempt = session.exec(select(AttemptRecord)).one()
        state = session.exec(select(AdaptiveStateRecord)).one()
    assert (attempt.status, attempt.submitted_by) == ("submitted", "adaptive")
    assert (state.answered, state.number_correct, state.stop_reason) == (4, 3, "max_length")
    assert len({q["version_id"] for q in attempt.questions}) == MAX_LENGTH
    expect(page.locator("#theta")).to_have_text(f"{state.theta:.2f}")
