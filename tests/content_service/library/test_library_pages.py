"""Library pages: catalogue search, a title with the in-browser reader, another school refused."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from content_service.models.people import Role
from tests.content_service.library.library_factories import barcode, create_title
from tests.factories import PASSWORD, bearer, create_school, create_user


def login(client: TestClient, username: str) -> None:
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303


def test_catalogue_title_and_reader(client: TestClient, db: Engine) -> None:
    school = create_school(db)
    librarian = create_user(db, role=Role.LIBRARIAN, school=school)
    student = create_user(db, role=Role.STUDENT, school=school)
    title, _ = create_title(db, school=school, barcodes=(barcode(),))
    uploaded = client.post(
        f"/library/titles/{title.id}/digital",
        files={"file": ("de-men.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
        headers=bearer(client, librarian),
    ).json()
    assert client.get("/pages/library", follow_redirects=False).status_code == 303
    login(client, student.username)
    page = client.get("/pages/library", params={"q": "de men"})
    assert page.status_code == 200
    assert "Dế Mèn phiêu lưu ký" in page.text
    assert "Tìm thấy 1 nhan đề." in page.text
    detail = client.get(f"/pages/library/titles/{title.id}", params={"read": uploaded["id"]})
    assert detail.status_code == 200
    assert "Có sẵn" in detail.text
    assert f'src="/library/digital/{uploaded["id"]}/content"' in detail.text
    english = client.get("/pages/library", params={"q": "de men", "lang": "en"})
    assert "1 titles found." in english.text


def test_title_of_another_school_is_refused(client: TestClient, db: Engine) -> None:
    title, _ = create_title(db, school=create_school(db))
    outsider = create_user(db, role=Role.STUDENT, school=create_school(db))
    login(client, outsider.username)
    response = client.get(f"/pages/library/titles/{title.id}")
    assert response.status_code == 403
    assert "another school" in response.text
