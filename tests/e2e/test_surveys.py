"""Acceptance: a student answers an anonymous survey in real Chromium, and the database holds no
link from the student to the answers; a second answer is refused; a small group's report is
withheld."""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import time
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Date, DateTime, Engine, inspect, text

from content_service.models.people import Role
from tests.content_service.surveys.factories import SURVEY, students_in_class
from tests.e2e.conftest import api_headers, log_in
from tests.factories import create_school, create_user

SECRET_TEXT = "Hành lang tầng ba tối quá, em sợ"


def _open_survey(base_url: str, db: Engine, teacher: Any, class_id: uuid.UUID) -> str:
    headers = api_headers(db, teacher)
    with httpx.Client(base_url=base_url) as api:
        created = api.post("/surveys", json=SURVEY, headers=headers)
        assert created.status_code == 201, created.text
        survey = created.json()
        api.post(
            f"/surveys/{survey['id']}/assignments",
            json={"class_id": str(class_id)},
            headers=headers,
        ).raise_for_status()
        api.post(
            f"/surveys/{survey['id']}/status", json={"status": "open"}, headers=headers
        ).raise_for_status()
    return str(survey["id"])


def _forms(value: object) -> set[str]:
    """The spellings a value can have in a row: a UUID as text with and without dashes."""
    if isinstance(value, uuid.UUID):
        return {str(value), value.hex}
    return {str(value)}


def _rows(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table in the database (not only the tables we know about)."""
    tables = inspect(engine).get_table_names()
    with engine.connect() as conn:
        return {
            name: [dict(r._mapping) for r in conn.execute(text(f'SELECT * FROM "{name}"'))]
            for name in tables
        }


def _cells(row: dict[str, Any]) -> set[str]:
    cells: set[str] = set()
    for value in row.values():
        if value is None:
            continue
        if isinstance(value, str) and value[:1] in "{[":
            with contextlib.suppress(ValueError):  # JSON read back as text (SQLite)
                value = json.loads(value)
        if isinstance(value, dict | list):
            cells.add(json.dumps(value, ensure_ascii=False))
            cells |= {str(v) for v in (value.values() if isinstance(value, dict) else value)}
            continue
        cells |= _forms(value)
    return cells


def _wait_for_rows(db: Engine, table: str, count: int) -> None:
    # The app commits after it has answered (see tests/e2e/conftest.py log_in): wait for it.
    deadline = time.monotonic() + 5
    with db.connect() as conn:
        while conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar() != count:
            assert time.monotonic() < deadline, f"{table} never reached {count} rows"
            conn.rollback()
            time.sleep(0.05)


def _answer_in_browser(page: Page, survey_id: str) -> None:
    page.goto("/pages/surveys")
    page.get_by_role("link", name="Trả lời").click()
    expect(page).to_have_url(re.compile(f"/pages/surveys/{survey_id}$"))
    expect(page.get_by_text("Khảo sát ẩn danh")).to_be_visible()
    reason = page.locator("#q-ly-do")
    expect(reason).to_be_hidden()  # skip logic: shown only after "Không"
    page.get_by_label("4 · Đồng ý").check()
    page.locator("#q-an-toan").get_by_label("Không").check()
    expect(reason).to_be_visible()
    reason.locator("textarea").fill(SECRET_TEXT)
    page.get_by_label("Âm nhạc").check()
    page.keyboard.press("Tab")  # the form is usable from the keyboard
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi câu trả lời").click()
    expect(page.get_by_role("status")).to_contain_text("đã được ghi nhận")


def test_an_anonymous_answer_leaves_no_link_to_the_student(
    page: Page, browser: Browser, base_url: str, db: Engine, tmp_path: Path
) -> None:
    klass, (student,) = students_in_class(db, school := create_school(db), 1)
    teacher = create_user(db, role=Role.TEACHER, school=school)
    survey_id = _open_survey(base_url, db, teacher, klass.id)

    log_in(page, student)
    _answer_in_browser(page, survey_id)
    page.screenshot(path=str(tmp_path / "survey-thanks.png"), full_page=True)
    _wait_for_rows(db, "survey_participation", 1)

    # -- the database: every table, every row ---------------------------------------------------
    cookie = next(c["value"] for c in page.context.cookies() if c["name"] == "cs_session")
    identity = _forms(student.id) | {
        student.username,
        student.full_name,
        cookie,
        hashlib.sha256(cookie.encode()).hexdigest(),
    }
    rows = _rows(db)
    answer_rows = [
        (table, row)
        for table, table_rows in rows.items()
        for row in table_rows
        if any(SECRET_TEXT in cell for cell in _cells(row))
    ]
    assert [table for table, _ in answer_rows] == ["survey_response"]
    ((_, stored),) = answer_rows
    assert stored["respondent_id"] is None
    group_keys = _forms(uuid.UUID(survey_id)) | _forms(school.id) | _forms(klass.id)
    for table, table_rows in rows.items():
        for row in table_rows:
            cells = _cells(row)
            if not cells & identity:
                continue
            # A row about the student shares nothing with the answers but the survey and groups.
            shared = cells & _cells(stored)
            assert shared <= group_keys, (table, shared - group_keys)
            assert not any(SECRET_TEXT in cell for cell in cells), table
    # No times on either side of the split, so no join on a timestamp.
    for table in ("survey_response", "survey_participation"):
        columns = inspect(db).get_columns(table)
        assert not [c["name"] for c in columns if isinstance(c["type"], DateTime | Date)]
        for row in rows[table]:
            assert not [v for v in row.values() if isinstance(v, datetime | date)]
    participation = rows["survey_participation"]
    assert len(participation) == 1
    assert _forms(participation[0]["user_id"]) & identity
    assert set(participation[0]) == {"id", "survey_id", "user_id"}
    assert not set(_cells(participation[0])) & set(_cells(stored)) - group_keys

    # -- a second answer is refused, in the page and through the API ----------------------------
    page.goto(f"/pages/surveys/{survey_id}")
    expect(page.locator("#already")).to_contain_text("đã trả lời khảo sát này rồi")
    expect(page.locator("#survey-form")).to_have_count(0)
    again = page.request.post(
        f"/surveys/{survey_id}/responses", data={"answers": {"hai-long": 1, "an-toan": "co"}}
    )
    assert again.status == 409
    assert again.json()["code"] == "already_responded"
    with db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM survey_response")).scalar() == 1

    # -- the teacher's report: one response is below the minimum of 5 -----------------------------
    staff = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 844})
    try:
        teacher_page = staff.new_page()
        log_in(teacher_page, teacher)
        teacher_page.goto(f"/pages/surveys/{survey_id}/report")
        groups = teacher_page.locator("section.group")
        expect(groups).to_have_count(2)
        expect(teacher_page.locator(".withheld")).to_have_count(2)
        expect(teacher_page.locator("svg.chart")).to_have_count(0)
        assert SECRET_TEXT not in teacher_page.content()
        teacher_page.screenshot(path=str(tmp_path / "survey-report.png"), full_page=True)
    finally:
        staff.close()


def test_the_report_page_draws_charts_for_a_large_enough_class(
    page: Page, base_url: str, db: Engine
) -> None:
    klass, students = students_in_class(db, school := create_school(db), 5)
    teacher = create_user(db, role=Role.TEACHER, school=school)
    survey_id = _open_survey(base_url, db, teacher, klass.id)
    with httpx.Client(base_url=base_url) as api:
        for i, student in enumerate(students):
            answers = {"hai-long": 1 + i % 5, "an-toan": "co", "hoat-dong": ["doan"]}
            response = api.post(
                f"/surveys/{survey_id}/responses",
                json={"answers": answers},
                headers=api_headers(db, student),
            )
            assert response.status_code == 201, response.text

    log_in(page, teacher)
    page.goto(f"/pages/surveys/{survey_id}/report")

    expect(page.locator(".withheld")).to_have_count(0)
    expect(page.locator("section.group")).to_have_count(2)
    expect(page.locator("svg.chart")).to_have_count(6)  # 3 charted questions, 2 groups
    expect(page.locator("section.group").first).to_contain_text("5 câu trả lời")
    csv = page.request.get(f"/surveys/{survey_id}/report.csv")
    assert csv.status == 200
    assert "Đoàn trường" in csv.text()
