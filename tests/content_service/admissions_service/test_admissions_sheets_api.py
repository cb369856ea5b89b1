"""Exam answer sheets scored from the item bank's keys (an assembled form set is the paper):
scores written to the round's applicants on the 10-point scale, every bad row named and
nothing written, and the keys never shown to the applicants."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from content_service.demo_items import load_items_demo
from content_service.models.people import Role
from content_service.services.admissions_sheets import parse_sheets_csv
from tests.content_service.items.factories import FIXTURE
from tests.factories import bearer, create_school, create_user

LEVELS = ("nhan_biet", "thong_hieu", "van_dung", "van_dung_cao")


def _exam(client: TestClient, db: Engine) -> tuple[str, list[dict[str, Any]]]:
    """Two parallel Toán forms of 8 questions, 0.5 points each (4 points a paper)."""
    school = create_school(db)
    author = create_user(db, role=Role.TEACHER, school=school)
    reviewer = create_user(db, role=Role.RESEARCHER, school=None)
    with Session(db) as session:
        load_items_demo(
            session, author_username=author.username, reviewer_username=reviewer.username,
            path=FIXTURE,
        )  # fmt: skip
    cells = [
        {"cognitive_level": level, "count": 1, "topic": topic, "points": 0.5}
        for topic in ("Hàm số bậc hai", "Đạo hàm")
        for level in LEVELS
    ]
    blueprint = {"subject": "Toán", "cells": cells}
    body = {"title": "Đề thi tuyển sinh 10", "blueprint": blueprint, "n_forms": 2, "seed": 11}
    created = client.post("/assembly/forms", json=body, headers=bearer(client, author))
    assert created.status_code == 201, created.text
    return created.json()["id"], created.json()["forms"]


def _right(form: dict[str, Any], position: int) -> str:
    entry = form["items"][position - 1]
    key = form["answer_key"][entry["identifier"]]
    return "".join(key["labels"]) or "=" + key["values"][0].split()[0]


def _wrong(form: dict[str, Any], position: int) -> str:
    entry = form["items"][position - 1]
    key = form["answer_key"][entry["identifier"]]
    if not key["labels"]:
        return "=123456"
    return next(letter for letter in "ABCD" if letter not in key["labels"])


def test_sheets_are_scored_from_the_keys(client: TestClient, db: Engine) -> None:
    assembly_id, forms = _exam(client, db)
    student = create_user(db, role=Role.STUDENT, school=create_school(db))
    admin = bearer(client, create_user(db, role=Role.SYSTEM_ADMIN, school=None))
    body = {"name": "Tuyển sinh lớp 10", "rule_date": "2025-06-01", "admission_year": 2025}
    round_id = client.post("/admissions/rounds", json=body, headers=admin).json()["id"]
    schools = {"schools": [{"code": "X", "name": "THPT X", "regular_quota": 2}]}
    client.put(f"/admissions/rounds/{round_id}/schools", json=schools, headers=admin)
    rows = [
        {
            "applicant_code": code,
            "literature": "7",
            "foreign_language": "8",
            "regular_wishes": ["X"],
        }
        for code in ("TS001", "TS002", "TS003")
    ]
    rows[0]["user_id"] = str(student.id)
    client.post(
        f"/admissions/rounds/{round_id}/applicants", json={"applicants": rows}, headers=admin
    )
    first, second = forms
    perfect = " ".join(f"{n}{_right(first, n)}" for n in range(1, 9))
    half = " ".join(f"{n}{_right(second, n) if n <= 4 else '-'}" for n in range(1, 9))
    wrong = " ".join(f"{n}{_wrong(first, n)}" for n in range(1, 9))
    sheets = f"applicant_code,form,answers\nTS001,1,{perfect}\nTS002,2,{half}\nTS003,1,{wrong}\n"
    url = f"/admissions/rounds/{round_id}/answer-sheets.csv"
    data = {"assembly_id": assembly_id, "subject": "mathematics"}

    def upload(text: str, headers: dict[str, str], **extra: str) -> Any:
        files = {"file": ("phieu-tra-loi.csv", text.encode("utf-8"), "text/csv")}
        return client.post(url, data={**data, **extra}, files=files, headers=headers)

    bad = (
        "applicant_code,form,answers\n"
        f"TS001,1,{perfect}\n"
        f"TS404,1,{perfect}\n"
        f"TS002,9,{perfect}\n"
        f"TS003,1,{perfect.rsplit(' ', 1)[0]}\n"
        f"TS003,1,{perfect}\n"
    )
    refused = upload(bad, admin)
    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid_answer_sheets"
    detail = refused.json()["detail"]
    assert "row 2: TS404: applicant_code: unknown applicant 'TS404'" in detail
    assert "row 3: TS002: form: unknown form '9' (this exam has 1, 2)" in detail
    assert "row 4: TS003: answers: wrong number of answers, expected 8, got 7" in detail
    assert "row 5: TS003: applicant_code: 'TS003' is listed twice" in detail
    assert "row 1" not in detail
    letter = upload(f"applicant_code,form,answers\nTS001,1,1Z {perfect.split(' ', 1)[1]}\n", admin)
    assert "row 1: TS001: question 1: 'Z' is not a printed option" in letter.json()["detail"]
    listed = client.get(f"/admissions/rounds/{round_id}/applicants", headers=admin).json()
    assert all(a["details"]["mathematics"] is None for a in listed["items"])  # nothing written

    assert upload(sheets, admin, subject="physics").json()["code"] == "bad_subject"
    assert upload(sheets, bearer(client, student)).status_code == 403
    scored = upload(sheets, admin)
    assert scored.status_code == 200, scored.text
    report = {s["applicant_code"]: s for s in scored.json()["sheets"]}
    assert report["TS001"] | {"row": 1} == {
        "row": 1, "applicant_code": "TS001", "form": "1", "points": "4", "max_points": "4",
        "score": "10.00",
    }  # fmt: skip
    assert (report["TS002"]["points"], report["TS002"]["score"]) == ("2", "5.00")
    assert report["TS003"]["score"] == "0.00"
    assert "answer_key" not in scored.text
    listed = client.get(f"/admissions/rounds/{round_id}/applicants", headers=admin).json()
    maths = {a["applicant_code"]: a["details"]["mathematics"] for a in listed["items"]}
    assert maths == {"TS001": "10.00", "TS002": "5.00", "TS003": "0.00"}

    # The keys stay with the staff: the student reaches neither the paper nor its key.
    student_headers = bearer(client, student)
    assert client.get(f"/assembly/forms/{assembly_id}", headers=student_headers).status_code == 403
    own = client.get("/admissions/me", headers=student_headers).json()
    assert "answer_key" not in str(own)
    assert own[0]["details"]["answer_sheets"]["mathematics"]["form"] == "1"

    allocated = client.post(f"/admissions/rounds/{round_id}/allocation", headers=admin)
    # TS001 7 + 10 + 8 = 25 and TS002 20 take the two seats; a test scored 0 rules TS003 out.
    assert allocated.json()["round"]["cutoffs"][0]["cutoff"] == "20.00"
    results = client.get(f"/admissions/rounds/{round_id}/applicants", headers=admin).json()
    ts003 = next(a for a in results["items"] if a["applicant_code"] == "TS003")
    assert "every test must be above 0: Toán 0.00" in ts003["explanation"]
    late = upload(sheets, admin)
    assert (late.status_code, late.json()["code"]) == (409, "already_allocated")


def test_an_unknown_exam_is_refused(client: TestClient, db: Engine) -> None:
    admin = bearer(client, create_user(db, role=Role.SYSTEM_ADMIN, school=None))
    body = {"name": "Tuyển sinh lớp 10", "rule_date": "2025-06-01", "admission_year": 2025}
    round_id = client.post("/admissions/rounds", json=body, headers=admin).json()["id"]
    missing = client.post(
        f"/admissions/rounds/{round_id}/answer-sheets.csv",
        data={"assembly_id": "00000000-0000-0000-0000-000000000001", "subject": "mathematics"},
        files={"file": ("a.csv", b"applicant_code,form,answers\n", "text/csv")},
        headers=admin,
    )
    assert (missing.status_code, missing.json()["code"]) == (404, "form_not_found")


def test_sheets_csv_takes_one_column_per_question_or_compact_answers() -> None:
    rows = parse_sheets_csv("applicant_code,form,Câu 2,Câu 1\nTS1,Đề 1,B,\n\nTS2,2,,C\n")
    assert [(r.number, r.applicant_code, r.form, r.answers, r.compact) for r in rows] == [
        (1, "TS1", "Đề 1", ("", "B"), None),
        (3, "TS2", "2", ("C", ""), None),
    ]
    compact = parse_sheets_csv("\ufeffApplicant_Code,Form,Answers\nTS1,1,1A 2-\n")
    assert (compact[0].applicant_code, compact[0].compact) == ("TS1", "1A 2-")
    with pytest.raises(ValueError, match="no 'form' column"):
        parse_sheets_csv("applicant_code,answers\nTS1,1A\n")
    with pytest.raises(ValueError, match="one column per question"):
        parse_sheets_csv("applicant_code,form\nTS1,1\n")
