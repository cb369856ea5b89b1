"""The browser reaches the real app: log in through the login page and see the home page."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from content_service.models.people import Role
from tests.e2e.conftest import log_in
from tests.factories import create_school, create_user


def test_a_student_logs_in_and_sees_the_home_page(page: Page, db: Engine, tmp_path: Path) -> None:
    school = create_school(db)
    student = create_user(db, role=Role.STUDENT, school=school, full_name="Trần Thị Bích")

    log_in(page, student)

    expect(page.get_by_role("heading", level=1)).to_contain_text("Trần Thị Bích")
    expect(page.locator("dl.card")).to_contain_text(school.name)
    shot = tmp_path / "home.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 2_000


def test_a_wrong_password_stays_on_the_login_page(page: Page, db: Engine) -> None:
    school = create_school(db)
    student = create_user(db, role=Role.STUDENT, school=school)

    page.goto("/login")
    page.fill("#username", student.username)
    page.fill("#password", "không-đúng")
    page.click("form.card button[type=submit]")

    expect(page.get_by_role("alert")).to_be_visible()
    assert page.url.endswith("/login")
