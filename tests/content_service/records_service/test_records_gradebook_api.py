"""Gradebooks through the API: averages by the TT22 rules, all-or-nothing entry, lock and audit."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from content_service.models.audit import AuditRecord
from content_service.models.people import Role
from tests.content_service.records_service.records_factories import ClassWorld, make_class_world
from tests.factories import bearer, create_user, enrol


def _open(
    client: TestClient, headers: dict[str, str], world: ClassWorld, **body: Any
) -> dict[str, Any]:
    payload = {
        "class_id": str(world.klass.id),
        "subject": "Toán",
        "semester": 1,
        "periods_per_year": 70,
    }
    response = client.post("/gradebooks", json=payload | body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def _cells(student_id: object, **values: object) -> list[dict[str, object]]:
    return [{"student_id": str(student_id), "column": c, "value": v} for c, v in values.items()]


def test_semester_averages_follow_the_worked_examples(client: TestClient, db: Engine) -> None:
    world = make_class_world(db)
    headers = bearer(client, world.teacher)
    book = _open(client, headers, world)
    assert book["regular_count"] == 3  # 70 periods a year -> 3 regular assessments (Điều 6)
    first, second = world.students
    entries = _cells(first.id, tx1="8", tx2=9, tx3="7", gk="6.5", ck=8) + _cells(
        second.id, tx1=5, tx2=5, tx3=5, gk="5.5", ck=8
    )
    response = client.put(
        f"/gradebooks/{book['id']}/scores", json={"entries": entries}, headers=headers
    )
    assert response.status_code == 200, response.text
    rows = {r["student_id"]: r for r in response.json()["rows"]}
    assert rows[str(first.id)]["result"]["average"] == "7.6"  # 61 / 8 = 7.625
    assert rows[str(second.id)]["result"]["average"] == "6.3"  # 50 / 8 = 6.25, half up
    assert rows[str(first.id)]["values"]["tx2"] == "9.0"


def test_year_average_and_missing_assessments(client: TestClient, db: Engine) -> None:
    world = make_class_world(db)
    headers = bearer(client, world.teacher)
    first, second = world.students
    hk1 = _open(client, headers, world)
    hk2 = _open(client, headers, world, semester=2)
    client.put(
        f"/gradebooks/{hk1['id']}/scores",
        json={"entries": _cells(first.id, tx1=8, tx2=9, tx3=7, gk="6.5", ck=8)},
        headers=headers,
    ).raise_for_status()
    client.put(
        f"/gradebooks/{hk2['id']}/scores",
        json={
            "entries": _cells(first.id, tx1=8, tx2=8, tx3=8, gk="8.5", ck="8.5")
            + _cells(second.id, tx1=7, gk=7)
        },
        headers=headers,
    ).raise_for_status()
    results = client.get(f"/gradebooks/classes/{world.klass.id}/year-results", headers=headers)
    assert results.status_code == 200, results.text
    by_student = {r["student_id"]: r for r in results.json()}
    maths = by_student[str(first.id)]["subjects"][0]
    assert (maths["semester_1"], maths["semester_2"], maths["year"]) == ("7.6", "8.3", "8.1")
    missing = by_student[str(second.id)]["subjects"][0]
    assert missing["year"] is None
    assert any("end-of-term" in m for m in missing["missing"])
    assert by_student[str(second.id)]["promotion"]["status"] == "Chưa đủ dữ liệu"


def test_bad_cells_are_all_reported_and_nothing_is_saved(client: TestClient, db: Engine) -> None:
    world = make_class_world(db)
    headers = bearer(client, world.teacher)
    book = _open(client, headers, world)
    student = world.students[0]
    entries = _cells(student.id, tx1=8, tx2="10.5", tx3="7.25", tx9=5)
    response = client.put(
        f"/gradebooks/{book['id']}/scores", json={"entries": entries}, headers=headers
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_scores"
    assert [(e["entry"], e["column"]) for e in body["detail"]] == [
        (1, "tx2"),
        (2, "tx3"),
        (3, "tx9"),
    ]
    sheet = client.get(f"/gradebooks/{book['id']}", headers=headers).json()
    assert all(row["values"] == {} for row in sheet["rows"])  # tx1 = 8 was not saved either


def test_comment_only_subject_takes_ratings(client: TestClient, db: Engine) -> None:
    world = make_class_world(db)
    admin = bearer(client, world.admin)
    book = _open(client, admin, world, subject="Giáo dục thể chất", periods_per_year=70)
    assert book["comment_only"] is True
    student = world.students[0]
    ok = _cells(student.id, tx1="đạt", tx2="Đạt", tx3="Đạt", gk="Đạt", ck="Chưa đạt")
    response = client.put(f"/gradebooks/{book['id']}/scores", json={"entries": ok}, headers=admin)
    assert response.status_code == 200, response.text
    row = next(r for r in response.json()["rows"] if r["student_id"] == str(student.id))
    assert row["result"]["rating"] == "Chưa đạt"
    bad = client.put(
        f"/gradebooks/{book['id']}/scores",
        json={"entries": _cells(student.id, tx1="8")},
        headers=admin,
    )
    assert bad.status_code == 422


def test_only_the_subjects_teacher_edits(client: TestClient, db: Engine) -> None:
    world = make_class_world(db)
    book = _open(client, bearer(client, world.teacher), world)
    other = create_user(db, role=Role.TEACHER, school=world.school)
    enrol(db, klass=world.klass, user=other, subject="Ngữ văn")
    response = client.put(
        f"/gradebooks/{book['id']}/scores",
        json={"entries": _cells(world.students[0].id, tx1=5)},
        headers=bearer(client, other),
    )
    assert response.status_code == 403
    assert response.json()["code"] == "not_your_gradebook"
    parent = client.get(f"/gradebooks/{book['id']}", headers=bearer(client, world.parent))
    assert parent.status_code in (403, 404)


def test_locked_gradebook_needs_a_reason_that_lands_in_the_audit_log(
    client: TestClient, db: Engine
) -> None:
    world = make_class_world(db)
    headers = bearer(client, world.teacher)
    book = _open(client, headers, world)
    student = world.students[0]
    url = f"/gradebooks/{book['id']}/scores"
    client.put(url, json={"entries": _cells(student.id, gk=6)}, headers=headers).raise_for_status()
    locked = client.post(f"/gradebooks/{book['id']}/lock", headers=headers)
    assert locked.json()["status"] == "locked"
    refused = client.put(url, json={"entries": _cells(student.id, gk=7)}, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["code"] == "reason_required"
    reason = "Chấm phúc khảo bài giữa kì"
    accepted = client.put(
        url, json={"entries": _cells(student.id, gk=7), "reason": reason}, headers=headers
    )
    assert accepted.status_code == 200, accepted.text
    with Session(db) as session:
        audit = session.exec(
            select(AuditRecord).where(AuditRecord.action == "gradebook.change_after_lock")
        ).one()
    assert audit.details["reason"] == reason
    assert audit.details["changes"] == [
        {"student_id": str(student.id), "column": "gk", "old": "6.0", "new": "7.0"}
    ]
    assert audit.actor_id == world.teacher.id
    again = client.post(f"/gradebooks/{book['id']}/lock", headers=headers)
    assert again.status_code == 409


def test_csv_import_reports_rows_and_columns_all_or_nothing(client: TestClient, db: Engine) -> None:
    world = make_class_world(db)
    headers = bearer(client, world.teacher)
    book = _open(client, headers, world)
    first, second = world.students
    bad = (
        "username,full_name,tx1,tx2,tx3,gk,ck\n"
        f"{first.username},A,8,9,7,6.5,8\n"
        f"{second.username},B,5,abc,5,5.5,11\n"
        "khong-co,C,5,5,5,5,5\n"
    )
    url = f"/gradebooks/{book['id']}/import"
    response = client.post(
        url, files={"file": ("diem.csv", bad.encode(), "text/csv")}, headers=headers
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert {(e["row"], e["column"]) for e in detail} == {(4, "username")}  # unknown student first
    fixed = bad.replace("khong-co,C,5,5,5,5,5\n", "")
    response = client.post(
        url, files={"file": ("diem.csv", fixed.encode(), "text/csv")}, headers=headers
    )
    assert response.status_code == 422
    assert {(e["row"], e["column"]) for e in response.json()["detail"]} == {(3, "tx2"), (3, "ck")}
    sheet = client.get(f"/gradebooks/{book['id']}", headers=headers).json()
    assert all(row["values"] == {} for row in sheet["rows"])  # row 2 was valid, still not saved
    good = fixed.replace(",abc,", ",6,").replace(",11\n", ",9\n")
    response = client.post(
        url, files={"file": ("diem.csv", good.encode(), "text/csv")}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"rows": 2, "cells": 10}
    rows = {
        r["student_id"]: r
        for r in client.get(f"/gradebooks/{book['id']}", headers=headers).json()["rows"]
    }
    assert rows[str(first.id)]["result"]["average"] == "7.6"


def test_excel_import(client: TestClient, db: Engine) -> None:
    world = make_class_world(db)
    headers = bearer(client, world.teacher)
    book = _open(client, headers, world)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["username", "tx1", "tx2", "tx3", "gk", "ck"])
    sheet.append([world.students[1].username, 5, 5, 5, 5.5, 8])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = client.post(
        f"/gradebooks/{book['id']}/import",
        files={"file": ("diem.xlsx", buffer.getvalue(), "application/octet-stream")},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    rows = {
        r["student_id"]: r
        for r in client.get(f"/gradebooks/{book['id']}", headers=headers).json()["rows"]
    }
    assert rows[str(world.students[1].id)]["result"]["average"] == "6.3"
    broken = client.post(
        f"/gradebooks/{book['id']}/import",
        files={"file": ("diem.xlsx", b"not a zip", "application/octet-stream")},
        headers=headers,
    )
    assert broken.status_code == 422
    assert broken.json()["code"] == "invalid_file"
