"""Assembly from a blueprint over the Vietnamese fixture bank, and the printable PDF."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import Engine
from sqlmodel import Session

from content_service.demo_items import load_items_demo
from content_service.models.people import Role
from tests.content_service.items.factories import FIXTURE
from tests.factories import bearer, create_school, create_user

LEVELS = ("nhan_biet", "thong_hieu", "van_dung", "van_dung_cao")


@pytest.fixture
def bank(client: TestClient, db: Engine) -> dict[str, dict[str, str]]:
    school = create_school(db)
    author = create_user(db, role=Role.TEACHER, school=school)
    reviewer = create_user(db, role=Role.RESEARCHER, school=None)
    outsider = create_user(db, role=Role.TEACHER, school=create_school(db))
    with Session(db) as session:
        added = load_items_demo(
            session,
            author_username=author.username,
            reviewer_username=reviewer.username,
            path=FIXTURE,
        )
    assert added == 96
    return {
        "author": bearer(client, author),
        "outsider": bearer(client, outsider),
    }


def _request(count: int, n_forms: int = 2, seed: int = 7) -> dict[str, object]:
    topics = ["Hàm số bậc hai", "Đạo hàm"]
    cells = [
        {"cognitive_level": level, "count": count, "topic": topic, "points": 0.5}
        for topic in topics
        for level in LEVELS
    ]
    return {
        "title": "Kiểm tra giữa kì \u2013 Toán",
        "blueprint": {"subject": "Toán", "cells": cells},
        "n_forms": n_forms,
        "seed": seed,
    }


def test_parallel_forms_fill_the_matrix_without_overlap(client: TestClient, bank) -> None:
    response = client.post("/assembly/forms", json=_request(1), headers=bank["author"])
    assert response.status_code == 201, response.text
    body = response.json()
    forms = body["forms"]
    assert len(forms) == 2
    assert [len(f["items"]) for f in forms] == [8, 8]
    first = {i["identifier"] for i in forms[0]["items"]}
    second = {i["identifier"] for i in forms[1]["items"]}
    assert not first & second
    assert all(i.startswith("TO") for i in first | second)
    assert forms[0]["total_points"] == 4.0
    assert set(forms[0]["answer_key"]) == first
    stored = client.get(f"/assembly/forms/{body['id']}", headers=bank["author"]).json()
    assert stored["forms"] == forms
    again = client.post("/assembly/forms", json=_request(1), headers=bank["author"]).json()
    assert [i["version_id"] for i in again["forms"][0]["items"]] == [
        i["version_id"] for i in forms[0]["items"]
    ]
    assert client.get(f"/assembly/forms/{body['id']}", headers=bank["outsider"]).status_code == 404


def test_infeasible_blueprint_names_the_short_cells(client: TestClient, bank) -> None:
    response = client.post("/assembly/forms", json=_request(2, n_forms=2), headers=bank["author"])
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "Toán / Hàm số bậc hai / Vận dụng cao" in detail
    assert "need 2 forms \u00d7 2 = 4, bank has 2 published items (short by 2)" in detail
    assert response.json()["code"] == "blueprint_infeasible"


def test_pdf_has_vietnamese_forms_and_answer_key_pages(client: TestClient, bank) -> None:
    body = client.post("/assembly/forms", json=_request(1), headers=bank["author"]).json()
    response = client.get(f"/assembly/forms/{body['id']}.pdf", headers=bank["author"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    pages = [page.extract_text() for page in reader.pages]
    text = "\n".join(pages)
    assert "Kiểm tra giữa kì \u2013 Toán" in text
    assert "Mã đề: 001" in text
    assert "Mã đề: 002" in text
    key_pages = [p for p in pages if "ĐÁP ÁN" in p]
    assert len(key_pages) == 2
    first = body["forms"][0]
    for entry in first["items"]:
        key = first["answer_key"][entry["identifier"]]["text"]
        assert f"Câu {entry['position']}: {key}" in key_pages[0]
    assert "Câu 1 (0.5 điểm)" in text
    assert "$" not in text
