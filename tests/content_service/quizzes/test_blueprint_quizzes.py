"""Blueprint quizzes: every attempt gets its own form that fills the specification matrix."""

from __future__ import annotations

from collections import Counter

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from content_service.models.items import ItemVersionRecord, VersionStatus
from item_bank.items import CognitiveLevel
from tests.content_service.quizzes.adaptive_builders import publish_leveled
from tests.content_service.quizzes.builders import (
    SECRET_FEEDBACK,
    SECRET_RATIONALE,
    classroom,
    headers_for,
    make_quiz,
)

MATRIX = {
    "subject": "toan",
    "grade": 10,
    "cells": [
        {"topic": "Đạo hàm", "cognitive_level": "nhan_biet", "count": 2},
        {"topic": "Lượng giác", "cognitive_level": "thong_hieu", "count": 1},
    ],
}


def _stems_by_cell(attempt: dict[str, object]) -> Counter[str]:
    questions = attempt["questions"]
    assert isinstance(questions, list)
    return Counter(
        "DH" if "(Đạo hàm)" in q["stem_html"] else "LG" if "(Lượng giác)" in q["stem_html"] else "?"
        for q in questions
    )


def test_each_attempt_gets_a_form_that_fills_the_matrix(client: TestClient, db: Engine) -> None:
    room = classroom(db, students=3)
    publish_leveled(db, 4, prefix="hs", topic="Đạo hàm")
    publish_leveled(db, 3, prefix="lg", topic="Lượng giác", level=CognitiveLevel.THONG_HIEU)
    teacher = headers_for(client, room.teacher)
    quiz = make_quiz(client, room, teacher, selection="blueprint", version_ids=[], blueprint=MATRIX)
    assert quiz["question_count"] == 3
    forms = []
    for student in room.students:
        headers = headers_for(client, student)
        started = client.post(f"/quizzes/{quiz['id']}/attempts", headers=headers)
        for secret in (SECRET_RATIONALE, SECRET_FEEDBACK, '"correct_response"'):
            assert secret not in started.text  # no key before submission
        attempt = started.json()
        assert _stems_by_cell(attempt) == Counter({"DH": 2, "LG": 1})
        forms.append(frozenset(q["stem_html"] for q in attempt["questions"]))
        # the form is pinned: resuming shows the very same questions
        again = client.get(f"/attempts/{attempt['id']}", headers=headers).json()
        assert [q["stem_html"] for q in again["questions"]] == [
            q["stem_html"] for q in attempt["questions"]
        ]
        assert "chọn B" in attempt["questions"][0]["stem_html"]
    spec = client.get(f"/quizzes/{quiz['id']}/spec", headers=teacher).json()["spec"]
    assert spec["blueprint"]["cells"][1]["topic"] == "Lượng giác"
    assert len(forms) == 3


def test_an_unsatisfiable_matrix_is_refused_naming_the_short_cell(
    client: TestClient, db: Engine
) -> None:
    room = classroom(db)
    publish_leveled(db, 2, prefix="hs", topic="Đạo hàm")
    teacher = headers_for(client, room.teacher)
    matrix = {
        "subject": "toan",
        "cells": [
            {"topic": "Đạo hàm", "cognitive_level": "nhan_biet", "count": 2},
            {"topic": "Đạo hàm", "cognitive_level": "van_dung_cao", "count": 3},
        ],
    }
    body = {"title": "Ma trận", "mode": "test", "selection": "blueprint", "blueprint": matrix}
    refused = client.post("/quizzes", json=body, headers=teacher)
    assert refused.status_code == 422
    error = refused.json()
    assert error["code"] == "blueprint_infeasible"
    assert "Đạo hàm / Vận dụng cao: need 3, bank has 0" in error["detail"]
    assert "Nhận biết" not in error["detail"]  # the cell that can be filled is not named

    missing = client.post(
        "/quizzes", json={"title": "x", "mode": "test", "selection": "blueprint"}, headers=teacher
    )
    assert missing.status_code == 422
    points = client.post(
        "/quizzes",
        json=body
        | {"blueprint": {"cells": [{"cognitive_level": "nhan_biet", "count": 1, "points": 2}]}},
        headers=teacher,
    )
    assert points.status_code == 422
    assert points.json()["code"] == "blueprint_points"
    assert "cells[0].points" in points.json()["detail"]


def test_publishing_checks_the_matrix_again(client: TestClient, db: Engine) -> None:
    room = classroom(db)
    versions = publish_leveled(db, 3, prefix="hs", topic="Đạo hàm")
    teacher = headers_for(client, room.teacher)
    matrix = {"cells": [{"topic": "Đạo hàm", "cognitive_level": "nhan_biet", "count": 3}]}
    created = client.post(
        "/quizzes",
        json={"title": "M", "mode": "test", "selection": "blueprint", "blueprint": matrix},
        headers=teacher,
    )
    assert created.status_code == 201, created.text
    with Session(db) as session:  # an item is retired after the quiz was drafted
        record = session.get(ItemVersionRecord, versions[0].id)
        assert record is not None
        record.status = VersionStatus.RETIRED
        session.add(record)
        session.commit()
    refused = client.post(f"/quizzes/{created.json()['id']}/publish", headers=teacher)
    assert refused.status_code == 422
    assert "Đạo hàm / Nhận biết: need 3, bank has 2" in refused.json()["detail"]
    assert client.get(f"/quizzes/{created.json()['id']}", headers=teacher).json()["status"] == (
        "draft"
    )
