"""The demo matrix and adaptive quizzes load once; a demo student takes both to the end."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from content_service.demo import DEMO_PASSWORD, load_demo
from content_service.demo_calibration import load_calibration_demo
from content_service.demo_items import load_items_demo
from content_service.demo_quiz_designs import (
    ADAPTIVE_TITLE,
    BLUEPRINT_TITLE,
    load_quiz_designs_demo,
)
from content_service.models.items import ItemVersionRecord
from content_service.models.quizzes import AttemptRecord, QuizRecord


def _log_in(client: TestClient, username: str) -> None:
    client.cookies.clear()
    response = client.post("/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.text


def _response(question: dict[str, Any]) -> Any:
    if question["choices"]:
        first = question["choices"][0]["identifier"]
        return [first] if question["max_choices"] != 1 else first
    return "1"


def test_demo_matrix_and_adaptive_quizzes_are_taken_to_the_end(
    client: TestClient, db: Engine
) -> None:
    load_demo(db)
    with Session(db) as session:
        load_items_demo(session)
    with Session(db) as session:
        assert load_quiz_designs_demo(session) == 1  # no calibration yet: the matrix quiz only
    with Session(db) as session:
        assert load_calibration_demo(session, n_persons=600) is not None
    with Session(db) as session:
        assert load_quiz_designs_demo(session) == 1  # now the adaptive one
        assert load_quiz_designs_demo(session) == 0
        quizzes = {
            q.title: str(q.id)
            for q in session.exec(
                select(QuizRecord).where(
                    col(QuizRecord.title).in_([BLUEPRINT_TITLE, ADAPTIVE_TITLE])
                )
            )
        }

    _log_in(client, "hs.10a1.01")
    matrix = client.post(f"/quizzes/{quizzes[BLUEPRINT_TITLE]}/attempts")
    assert matrix.status_code == 201, matrix.text
    questions = matrix.json()["questions"]
    assert len(questions) == 4
    with Session(db) as session:
        stored = session.get(AttemptRecord, uuid.UUID(matrix.json()["id"]))
        assert stored is not None
        version_ids = [uuid.UUID(q["version_id"]) for q in stored.questions]
        levels = session.exec(
            select(ItemVersionRecord.cognitive_level).where(
                col(ItemVersionRecord.id).in_(version_ids)
            )
        ).all()
    assert sorted(levels) == ["nhan_biet", "thong_hieu", "van_dung", "van_dung_cao"]

    started = client.post(f"/quizzes/{quizzes[ADAPTIVE_TITLE]}/attempts")
    assert started.status_code == 201, started.text
    attempt = started.json()
    url = f"/quizzes/{quizzes[ADAPTIVE_TITLE]}/attempts/{attempt['id']}/adaptive-answer"
    for _ in range(10):
        if attempt["adaptive"]["finished"]:
            break
        current = attempt["adaptive"]["current"]
        question = next(q for q in attempt["questions"] if q["key"] == current)
        answered = client.post(url, json={"question": current, "response": _response(question)})
        assert answered.status_code == 200, answered.text
        attempt = answered.json()
    assert attempt["adaptive"]["finished"] is True
    assert attempt["status"] == "submitted"
    assert 5 <= attempt["adaptive"]["answered"] <= 10
    result = client.get(
        f"/quizzes/{quizzes[ADAPTIVE_TITLE]}/attempts/{attempt['id']}/adaptive-result"
    ).json()
    assert result["se"] is not None
    assert 0.0 < result["se"] < 1.5
