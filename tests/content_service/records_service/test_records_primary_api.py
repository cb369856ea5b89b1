"""Primary gradebooks (TT27/2020) through the API: columns per grade, entry, lock, year results."""

from __future__ import annotations

import asyncio
import csv
import io
import subprocess
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from content_service.db import make_async_engine, make_sessionmaker
from content_service.models.audit import AuditRecord
from content_service.models.gradebook import GradebookKind
from content_service.models.people import Role
from content_service.records.rules import select_primary_rule_set
from content_service.services.access import Principal
from content_service.services.gradebook import record_external_score
from content_service.services.gradebook_primary import subject_columns, traits_columns
from content_service.settings import Settings
from tests.content_service.records_service.records_factories import (
    ClassWorld,
    add_primary_book,
    ensure_pki,
    make_class_world,
)
from tests.factories import PASSWORD, bearer, create_user, enrol

TESTED_4 = (
    "Tiếng Việt",
    "Toán",
    "Ngoại ngữ 1",
    "Lịch sử và Địa lí",
    "Khoa học",
    "Tin học và Công nghệ",
)
UNTESTED = ("Đạo đức", "Giáo dục thể chất")
TRAITS = "Phẩm chất và năng lực"


def _open(client: TestClient, headers: dict[str, str], world: ClassWorld, subject: str) -> Any:
    payload = {"class_id": str(world.klass.id), "subject": subject, "semester": 1}
    response = client.post("/gradebooks", json=payload | {"periods_per_year": 70}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def _cells(student_id: object, **values: object) -> list[dict[str, object]]:
    return [{"student_id": str(student_id), "column": c, "value": v} for c, v in values.items()]


@pytest.mark.parametrize(
    ("grade", "subject", "expected"),
    [
        (1, "Toán", ["gk", "ck", "ktck", "nx"]),
        (2, "Đạo đức", ["gk", "ck", "nx"]),
        (3, "Tin học và Công nghệ", ["gk", "ck", "ktck", "nx"]),
        (3, "Lịch sử và Địa lí", ["gk", "ck", "nx"]),  # taught from grade 4: no test in grade 3
        (4, "Toán", ["gk", "ck", "ktgk", "ktck", "nx"]),  # mid-semester tests in grades 4-5
        (5, "Tiếng Việt", ["gk", "ck", "ktgk", "ktck", "nx"]),
        (5, "Khoa học", ["gk", "ck", "ktck", "nx"]),
    ],
)
def test_primary_columns_follow_grade_and_subject(
    client: TestClient, db: Engine, grade: int, subject: str, expected: list[str]
) -> None:
    world = make_class_world(db, name=f"{grade}A", grade=grade)
    book = _open(client, bearer(client, world.admin), world, subject)
    assert book["kind"] == "primary"
    assert book["rule_id"] == "VN-TT27-2020"
    sheet = client.get(f"/gradebooks/{book['id']}", headers=bearer(client, world.admin)).json()
    assert sheet["columns"] == expected


def test_primary_entry_validates_ratings_whole_scores_and_comments(
    client: TestClient, db: Engine
) -> None:
    world = make_class_world(db, name="4A", grade=4)
    headers = bearer(client, world.teacher)  # teaches Toán
    book = _open(client, headers, world, "Toán")
    first, second = world.students
    url = f"/gradebooks/{book['id']}/scores"
    comment = "Em tính toán nhanh, cẩn thận; cần trình bày bài giải rõ ràng hơn."
    good = _cells(first.id, gk="hoàn thành tốt", ck="Hoàn thành", ktgk=9, ktck="10", nx=comment)
    response = client.put(url, json={"entries": good}, headers=headers)
    assert response.status_code == 200, response.text
    rows = {r["student_id"]: r for r in response.json()["rows"]}
    assert rows[str(first.id)]["values"] == {
        "gk": "Hoàn thành tốt",
        "ck": "Hoàn thành",
        "ktgk": "9",
        "ktck": "10",
        "nx": comment,
    }
    assert rows[str(first.id)]["result"] == {"average": None, "rating": "Hoàn thành", "missing": []}
    assert rows[str(second.id)]["result"]["missing"] == [
        "Toán: gk",
        "Toán: ck",
        "Toán: ktgk",
        "Toán: ktck",
    ]
    bad = _cells(second.id, gk="Tốt", ktck="8.5", ktgk=11, tx1="7")
    refused = client.put(url, json={"entries": bad}, headers=headers)
    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "invalid_scores"
    problems = {e["column"]: e["message"] for e in body["detail"]}
    assert "Hoàn thành tốt" in problems["gk"]  # lists the allowed ratings
    assert "whole number" in problems["ktck"]
    assert "outside 0-10" in problems["ktgk"]
    assert "unknown column" in problems["tx1"]
    unchanged = client.get(f"/gradebooks/{book['id']}", headers=headers).json()
    assert {r["student_id"]: r["values"] for r in unchanged["rows"]}[str(second.id)] == {}


def test_traits_book_belongs_to_the_homeroom_teacher(client: TestClient, db: Engine) -> None:
    world = make_class_world(db, name="2A", grade=2)
    other = create_user(db, role=Role.TEACHER, school=world.school, username="gv-mi-thuat")
    enrol(db, klass=world.klass, user=other, subject="Mĩ thuật")
    denied = client.post(
        "/gradebooks",
        json={
            "class_id": str(world.klass.id),
            "subject": TRAITS,
            "semester": 2,
            "periods_per_year": 1,
        },
        headers=bearer(client, other),
    )
    assert denied.status_code == 403
    assert denied.json()["code"] == "not_homeroom_teacher"
    headers = bearer(client, world.teacher)
    book = _open(client, headers, world, TRAITS)
    assert book["kind"] == "primary_traits"
    sheet = client.get(f"/gradebooks/{book['id']}", headers=headers).json()
    assert len(sheet["columns"]) == 2 * 15 + 1
    assert sheet["columns"][:3] == ["gk_yn", "gk_na", "gk_cc"]
    student = world.students[0]
    response = client.put(
        f"/gradebooks/{book['id']}/scores",
        json={"entries": _cells(student.id, ck_yn="cần cố gắng", ck_tto="Hoàn thành")},
        headers=headers,
    )
    assert response.status_code == 422
    assert [e["column"] for e in response.json()["detail"]] == ["ck_tto"]
    conduct = client.put(
        f"/gradebooks/classes/{world.klass.id}/conduct",
        json={"semester": 1, "entries": [{"student_id": str(student.id), "level": "Tốt"}]},
        headers=headers,
    )
    assert conduct.status_code == 422
    assert conduct.json()["code"] == "primary_class"


def test_locked_primary_book_needs_a_reason_and_parents_see_it_once_published(
    client: TestClient, db: Engine
) -> None:
    world = make_class_world(db, name="1A", grade=1)
    headers = bearer(client, world.teacher)
    book = _open(client, headers, world, "Toán")
    child, other_child = world.students
    url = f"/gradebooks/{book['id']}/scores"
    first = _cells(child.id, gk="Hoàn thành", ck="Hoàn thành", ktck=7)
    client.put(url, json={"entries": first}, headers=headers).raise_for_status()
    parent = bearer(client, world.parent)
    assert client.get(f"/gradebooks/students/{child.id}", headers=parent).json() == []
    client.post(f"/gradebooks/{book['id']}/lock", headers=headers).raise_for_status()
    refused = client.put(url, json={"entries": _cells(child.id, ktck=8)}, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["code"] == "reason_required"
    reason = "Chấm lại bài kiểm tra cuối học kì I"
    accepted = client.put(
        url, json={"entries": _cells(child.id, ktck=8), "reason": reason}, headers=headers
    )
    assert accepted.status_code == 200, accepted.text
    with Session(db) as session:
        audit = session.exec(
            select(AuditRecord).where(AuditRecord.action == "gradebook.change_after_lock")
        ).one()
    assert audit.details["reason"] == reason
    assert audit.details["changes"] == [
        {"student_id": str(child.id), "column": "ktck", "old": "7", "new": "8"}
    ]
    client.post(f"/gradebooks/{book['id']}/publish", headers=headers).raise_for_status()
    seen = client.get(f"/gradebooks/students/{child.id}", headers=parent).json()
    assert [(g["subject"], g["values"]["ktck"], g["result"]["rating"]) for g in seen] == [
        ("Toán", "8", "Hoàn thành")
    ]
    foreign = client.get(f"/gradebooks/students/{other_child.id}", headers=parent)
    assert foreign.status_code == 403


def _year_books(db: Engine, world: ClassWorld, pupils: dict[Any, dict[str, Any]]) -> None:
    """Semester II books of a grade-4 class from per-pupil year-end ratings and tests."""
    rules = select_primary_rule_set("VN", date(2027, 5, 31), grade=world.klass.grade)
    for subject in TESTED_4 + UNTESTED:
        values = {}
        for pupil, spec in pupils.items():
            cells = {"gk": "Hoàn thành tốt", "ck": spec["ratings"].get(subject, "Hoàn thành tốt")}
            if subject in spec["tests"]:
                cells["ktck"] = str(spec["tests"][subject])
            values[pupil] = cells
        keys = subject_columns(rules, world.klass.grade, subject)
        add_primary_book(
            db, klass=world.klass, subject=subject, semester=2, column_keys=keys, values=values
        )
    traits = {
        pupil: {f"ck_{t.code}": spec["traits"].get(t.code, "Tốt") for t in rules.traits}
        for pupil, spec in pupils.items()
    }
    add_primary_book(
        db,
        klass=world.klass,
        subject=TRAITS,
        semester=2,
        column_keys=traits_columns(rules),
        values=traits,
        kind=GradebookKind.PRIMARY_TRAITS,
    )


ALL_TENS = dict.fromkeys(TESTED_4, 10)
# Hand-checked against TT27 (Quy định, tổng hợp đánh giá cuối năm): HTXS needs every subject
# HTT, every quality/competency Tốt and every end-of-year test >= 9; HTT the same with >= 7;
# HT subjects HTT/HT, traits Tốt/Đạt, tests >= 5; anything else Chưa hoàn thành.
YEAR_CASES: list[tuple[str, dict[str, Any], str | None, str | None]] = [
    ("htxs", {"tests": ALL_TENS | {"Khoa học": 9}}, "Hoàn thành xuất sắc", "Học sinh Xuất sắc"),
    ("htt: one test 8", {"tests": ALL_TENS | {"Toán": 8}}, "Hoàn thành tốt", None),
    ("htt: test 7", {"tests": ALL_TENS | {"Ngoại ngữ 1": 7}}, "Hoàn thành tốt", None),
    ("ht: test 6", {"tests": ALL_TENS | {"Tiếng Việt": 6}}, "Hoàn thành", None),
    ("ht: one HT", {"tests": ALL_TENS, "ratings": {"Đạo đức": "Hoàn thành"}}, "Hoàn thành", None),
    ("ht: one Đạt", {"tests": ALL_TENS, "traits": {"tm": "Đạt"}}, "Hoàn thành", None),
    ("cht: test 4", {"tests": ALL_TENS | {"Khoa học": 4}}, "Chưa hoàn thành", None),
    ("cht: CCG", {"tests": ALL_TENS, "traits": {"trn": "Cần cố gắng"}}, "Chưa hoàn thành", None),
    (
        "cht: one CHT",
        {"tests": ALL_TENS, "ratings": {"Giáo dục thể chất": "Chưa hoàn thành"}},
        "Chưa hoàn thành",
        None,
    ),
    ("missing test", {"tests": {k: v for k, v in ALL_TENS.items() if k != "Khoa học"}}, None, None),
]


def test_primary_year_results_table(client: TestClient, db: Engine) -> None:
    world = make_class_world(db, name="4B", grade=4, n_students=len(YEAR_CASES))
    pupils = {
        student.id: {"ratings": {}, "traits": {}} | spec
        for student, (_, spec, _, _) in zip(world.students, YEAR_CASES, strict=True)
    }
    _year_books(db, world, pupils)
    response = client.get(
        f"/gradebooks/classes/{world.klass.id}/primary-year-results",
        headers=bearer(client, world.teacher),
    )
    assert response.status_code == 200, response.text
    by_id = {r["student_id"]: r for r in response.json()}
    for student, (label, _, result, award) in zip(world.students, YEAR_CASES, strict=True):
        row = by_id[str(student.id)]
        assert (label, row["result"], row["award"]) == (label, result, award)
        if result is None:
            assert row["missing"] == ["end-of-year test of Khoa học"]
            assert row["completion"] is None
        elif result == "Chưa hoàn thành":
            assert row["completion"] == "Chưa hoàn thành chương trình lớp học"
        else:
            assert row["completion"] == "Hoàn thành chương trình lớp học"
    secondary = client.get(
        f"/gradebooks/classes/{world.klass.id}/year-results", headers=bearer(client, world.admin)
    )
    assert secondary.status_code == 422
    assert secondary.json()["code"] == "primary_class"


def test_primary_transcript_is_signed_and_validates(
    client: TestClient, db: Engine, settings: Settings, tmp_path: Path
) -> None:
    ensure_pki(settings.DATA_DIR)
    world = make_class_world(db, name="5A", grade=5, n_students=1)
    pupil = world.students[0]
    tests = dict.fromkeys(TESTED_4, 9)
    _year_books(db, world, {pupil.id: {"ratings": {}, "traits": {}, "tests": tests}})
    admin = bearer(client, world.admin)
    response = client.post(
        "/transcripts",
        json={"student_id": str(pupil.id), "class_id": str(world.klass.id)},
        headers=admin,
    )
    assert response.status_code == 201, response.text
    transcript = response.json()
    detail = client.get(f"/transcripts/{transcript['id']}", headers=admin).json()
    assert detail["data"]["schema"] == "hoc-ba-so-tieu-hoc/1"
    assert detail["data"]["result"] == "Hoàn thành xuất sắc"
    assert detail["data"]["completion"] == "Hoàn thành chương trình tiểu học"
    pdf = client.get(f"/transcripts/{transcript['id']}/pdf", headers=admin).content
    verdict = client.post(
        "/transcripts/verify", files={"file": ("hb.pdf", pdf, "application/pdf")}
    ).json()
    assert (verdict["authentic"], verdict["unchanged"], verdict["registered"]) == (True, True, True)
    path = tmp_path / "hb.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=True).stdout
    assert out.count("Signature Validation: Signature is Valid.") == 3
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "HỌC BẠ TIỂU HỌC" in text
    assert "Hoàn thành chương trình tiểu học" in text
    assert "Giải quyết vấn đề và sáng tạo" in text


def test_incomplete_primary_year_refuses_a_transcript(
    client: TestClient, db: Engine, settings: Settings
) -> None:
    ensure_pki(settings.DATA_DIR)
    world = make_class_world(db, name="3B", grade=3, n_students=1)
    pupil = world.students[0]
    add_primary_book(
        db,
        klass=world.klass,
        subject="Toán",
        semester=2,
        column_keys=["gk", "ck", "ktck", "nx"],
        values={pupil.id: {"ck": "Hoàn thành tốt", "ktck": "9"}},
        kind=GradebookKind.PRIMARY,
    )
    response = client.post(
        "/transcripts",
        json={"student_id": str(pupil.id), "class_id": str(world.klass.id)},
        headers=bearer(client, world.admin),
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "incomplete_record"
    assert f"{TRAITS}: no gradebook for semester 2" in body["detail"]


def test_primary_grid_and_year_pages(client: TestClient, db: Engine) -> None:
    world = make_class_world(db, name="4C", grade=4, n_students=1)
    rules = select_primary_rule_set("VN", date(2027, 5, 31), grade=4)
    pupil = world.students[0]
    book = add_primary_book(
        db,
        klass=world.klass,
        subject="Toán",
        semester=1,
        column_keys=subject_columns(rules, 4, "Toán"),
        values={},
    )
    traits = add_primary_book(
        db,
        klass=world.klass,
        subject=TRAITS,
        semester=1,
        column_keys=traits_columns(rules),
        values={},
        kind=GradebookKind.PRIMARY_TRAITS,
    )
    login = client.post("/login", data={"username": world.teacher.username, "password": PASSWORD})
    assert login.status_code in (200, 303)
    page = client.get(f"/pages/records/gradebooks/{book.id}")
    assert page.status_code == 200
    for label in ("KT giữa kì", "KT cuối kì", "Nhận xét", "Mức đạt được cuối kì"):
        assert label in page.text
    assert 'list="subject-ratings"' in page.text
    bad = client.post(f"/pages/records/gradebooks/{book.id}", data={f"cell:{pupil.id}:ktck": "9.5"})
    assert bad.status_code == 422
    assert "whole number" in bad.text
    comment = "Em đọc to, rõ ràng; cần luyện thêm phép chia."
    good = client.post(
        f"/pages/records/gradebooks/{book.id}",
        data={
            f"cell:{pupil.id}:gk": "Hoàn thành tốt",
            f"cell:{pupil.id}:ck": "Hoàn thành",
            f"cell:{pupil.id}:ktck": "9",
            f"cell:{pupil.id}:nx": comment,
        },
    )
    assert good.status_code == 200  # followed the redirect
    assert "Đã lưu điểm." in good.text
    assert comment in good.text
    grid = client.get(f"/pages/records/gradebooks/{traits.id}")
    assert "Giải quyết vấn đề và sáng tạo (cuối kì)" in grid.text
    assert 'list="trait-ratings"' in grid.text
    year = client.get(f"/pages/records/classes/{world.klass.id}/primary-year")
    assert year.status_code == 200
    assert "Kết quả đánh giá cuối năm của lớp" in year.text
    assert "Phẩm chất và năng lực: no gradebook for semester 2" in year.text


def test_oneroster_export_of_a_primary_book(client: TestClient, db: Engine) -> None:
    world = make_class_world(db, name="3C", grade=3, n_students=1)
    pupil = world.students[0]
    comment = "2 bài kiểm tra đều làm tốt."  # starts with a digit: still a comment
    values = {pupil.id: {"ck": "Hoàn thành tốt", "ktck": "9", "nx": comment}}
    book = add_primary_book(
        db,
        klass=world.klass,
        subject="Toán",
        semester=1,
        column_keys=["gk", "ck", "ktck", "nx"],
        values=values,
    )
    response = client.get("/records-sync/oneroster.zip", headers=bearer(client, world.admin))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))

    def rows(name: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(archive.read(name).decode())))

    items = {r["sourcedId"]: r for r in rows("lineItems.csv")}
    test = items[f"{book.id}-ktck"]
    assert (test["resultValueMin"], test["resultValueMax"]) == ("0.0", "10.0")
    assert test["categorySourcedId"].endswith("-ck")
    rating = items[f"{book.id}-gk"]
    assert (rating["resultValueMin"], rating["categorySourcedId"][-3:]) == ("", "-gk")
    categories = {r["sourcedId"] for r in rows("categories.csv")}
    assert {i["categorySourcedId"] for i in items.values()} <= categories
    results = {r["lineItemSourcedId"]: r for r in rows("results.csv")}
    assert (results[f"{book.id}-ktck"]["score"], results[f"{book.id}-ktck"]["comment"]) == (
        "9",
        "",
    )
    assert (results[f"{book.id}-nx"]["score"], results[f"{book.id}-nx"]["comment"]) == (
        "",
        comment,
    )
    assert results[f"{book.id}-ck"]["textScore"] == "Hoàn thành tốt"
    assert results[f"{book.id}-nx"]["textScore"] == ""


def test_quiz_result_lands_in_a_primary_test_column_as_a_whole_number(
    db: Engine, settings: Settings
) -> None:
    world = make_class_world(db, name="5B", grade=5, n_students=1)
    add_primary_book(
        db,
        klass=world.klass,
        subject="Toán",
        semester=1,
        column_keys=["gk", "ck", "ktgk", "ktck", "nx"],
        values={},
    )
    teacher = Principal(
        world.teacher.id, world.teacher.username, world.teacher.role, world.school.id
    )
    pupil = world.students[0].id

    async def run() -> list[str]:
        engine = make_async_engine(settings)
        try:
            async with make_sessionmaker(engine)() as session:
                values = []
                for column, score, out_of in (("ktgk", 17, 20), ("ktck", Decimal("8.49"), None)):
                    entry = await record_external_score(
                        session=session,
                        principal=teacher,
                        class_id=world.klass.id,
                        subject="Toán",
                        semester=1,
                        column=column,
                        student_id=pupil,
                        score=score,
                        source="quiz",
                        out_of=out_of,
                    )
                    values.append(entry.value)
                await session.commit()
                return values
        finally:
            await engine.dispose()

    assert asyncio.run(run()) == ["9", "8"]  # 17/20 = 8.5 -> 9 (half up); 8.49 -> 8


def test_csv_import_into_a_primary_book_reports_bad_rows(client: TestClient, db: Engine) -> None:
    world = make_class_world(db, name="2B", grade=2)
    headers = bearer(client, world.teacher)
    book = _open(client, headers, world, "Toán")
    first, second = world.students
    bad = (
        "username,gk,ck,ktck,nx\n"
        f'{first.username},Hoàn thành tốt,Hoàn thành tốt,10,"Giỏi tính nhẩm, trình bày đẹp"\n'
        f"{second.username},Hoàn thành,Khá,7.5,\n"
    ).encode()
    refused = client.post(
        f"/gradebooks/{book['id']}/import",
        files={"file": ("toan.csv", bad, "text/csv")},
        headers=headers,
    )
    assert refused.status_code == 422
    assert [(e["row"], e["column"]) for e in refused.json()["detail"]] == [(3, "ck"), (3, "ktck")]
    good = bad.replace(b"Kh\xc3\xa1,7.5", "Hoàn thành,7".encode())
    accepted = client.post(
        f"/gradebooks/{book['id']}/import",
        files={"file": ("toan.csv", good, "text/csv")},
        headers=headers,
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json() == {"rows": 2, "cells": 7}
    sheet = client.get(f"/gradebooks/{book['id']}", headers=headers).json()
    values = {r["student_id"]: r["values"] for r in sheet["rows"]}
    assert values[str(first.id)]["nx"] == "Giỏi tính nhẩm, trình bày đẹp"
    assert values[str(second.id)] == {"gk": "Hoàn thành", "ck": "Hoàn thành", "ktck": "7"}
