"""The page shell: Vietnamese by default, English on request, log in and a home page per role."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from content_service.models.people import Role
from tests.factories import PASSWORD, create_school, create_user


def test_login_page_is_vietnamese_by_default(client: TestClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    assert '<html lang="vi">' in page.text
    assert "Tên đăng nhập" in page.text
    assert '<label for="password">Mật khẩu</label>' in page.text


def test_english_switch_sticks(client: TestClient) -> None:
    page = client.get("/login", params={"lang": "en"})
    assert '<html lang="en">' in page.text
    assert "Username" in page.text
    assert '<html lang="en">' in client.get("/login").text  # remembered in a cookie


def test_anonymous_home_redirects_to_login(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


@pytest.mark.parametrize(
    ("role", "task"),
    [
        (Role.STUDENT, "Hồ sơ và lớp học của em"),
        (Role.PARENT, "Con của bạn"),
        (Role.TEACHER, "Mã truy cập cá nhân (cho Jupyter)"),
        (Role.SCHOOL_ADMIN, "Nhật ký thay đổi"),
        (Role.RESEARCHER, "Dữ liệu hiệu chỉnh qua API"),
        (Role.LIBRARIAN, "Học liệu dùng chung qua API"),
    ],
)
def test_form_login_leads_to_the_roles_home(
    client: TestClient, db: Engine, role: Role, task: str
) -> None:
    school = create_school(db, name="Trường THCS Trần Đại Nghĩa")
    user = create_user(db, role=role, school=school, full_name="Đỗ Thị Ánh")
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 200  # followed the 303 to the home page
    assert "Xin chào, Đỗ Thị Ánh" in response.text
    assert "Trường THCS Trần Đại Nghĩa" in response.text
    assert task in response.text
    logout = client.post("/logout", follow_redirects=False)
    assert logout.status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_failed_form_login_says_so(client: TestClient, db: Engine) -> None:
    user = create_user(db, role=Role.STUDENT, school=create_school(db))
    response = client.post("/login", data={"username": user.username, "password": "sai"})
    assert response.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu." in response.text
