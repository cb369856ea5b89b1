"""Adaptive (CAT) quizzes through the API: calibrated pools, the server's next question, results.

Every response a student receives before submitting is checked for the key, the feedback, the
explanation and for any IRT parameter or ability estimate.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from content_service.models.quizzes import AdaptiveStateRecord
from tests.content_service.quizzes.adaptive_builders import (
    IRT_KEYS,
    accept_parameters,
    publish_leveled,
)
from tests.content_service.quizzes.builders import (
    SECRET_FEEDBACK,
    SECRET_RATIONALE,
    Classroom,
    classroom,
    headers_for,
    make_quiz,
)

POOL = {"subject": "toan", "topic": "Đạo hàm", "max_length": 5, "se_target": None}


def _assert_no_leak(text: str) -> None:
    for secret in (SECRET_RATIONALE, SECRET_FEEDBACK, '"correct_response"', *IRT_KEYS):
        assert secret not in text, f"{secret} reached the student before submission"


def _calibrated_room(db: Engine, n_items: int = 12) -> tuple[Classroom, list[Any]]:
    room = classroom(db, students=2)
    versions = publish_leveled(db, n_items, prefix="dh", topic="Đạo hàm")
    difficulties = [-2.0 + 4.0 * j / (n_items - 1) for j in range(n_items)]
    accept_parameters(db, versions, difficulties)
    return room, versions


def _answer(client: TestClient, quiz_id: str, attempt: dict[str, Any], headers: Any, choice: str):  # type: ignore[no-untyped-def]
    current = attempt["adaptive"]["current"]
    return client.post(
        f"/quizzes/{quiz_id}/attempts/{attempt['id']}/adaptive-answer",
        json={"question": current, "sequence": 1, "response": choice},
        headers=headers,
    )


def test_an_adaptive_test_asks_one_question_at_a_time_and_scores_theta(
    client: TestClient, db: Engine
) -> None:
    room, _versions = _calibrated_room(db)
    teacher = headers_for(client, room.teacher)
    quiz = make_quiz(client, room, teacher, selection="adaptive", version_ids=[], adaptive=POOL)
    assert quiz["selection"] == "adaptive"
    assert quiz["question_count"] == 5
    student = headers_for(client, room.students[0])

    started = client.post(f"/quizzes/{quiz['id']}/attempts", headers=student)
    assert started.status_code == 201
    _assert_no_leak(started.text)
    attempt = started.json()
    assert attempt["token"] is None  # no fast path around the CAT step
    assert attempt["adaptive"] == {
        "current": "q1",
        "answered": 0,
        "max_length": 5,
        "finished": False,
    }
    assert len(attempt["questions"]) == 1

    seen = []
    for step in range(5):
        response = _answer(client, quiz["id"], attempt, student, "B" if step < 3 else "A")
        assert response.status_code == 200, response.text
        if step < 4:
            _assert_no_leak(response.text)
        attempt = response.json()
        seen.append(attempt["questions"][step]["stem_html"])
        resumed = client.get(f"/attempts/{attempt['id']}", headers=student)
        if step < 4:
            _assert_no_leak(resumed.text)
            assert attempt["adaptive"]["current"] == f"q{step + 2}"
            assert len(resumed.json()["questions"]) == step + 2
    assert len(set(seen)) == 5
    assert attempt["status"] == "submitted"  # the length rule stopped and submitted it
    assert attempt["adaptive"]["finished"] is True
    assert attempt["score"] == 3.0  # number correct, the ordinary score

    result = client.get(
        f"/quizzes/{quiz['id']}/attempts/{attempt['id']}/adaptive-result", headers=student
    ).json()
    assert result["answered"] == 5
    assert result["number_correct"] == 3
    assert result["stop_reason"] == "max_length"
    assert -4.0 < result["theta"] < 4.0
    assert 0.0 < result["se"] < 1.0

    with Session(db) as session:
        state = session.exec(select(AdaptiveStateRecord)).one()
        assert state.answered == 5
        assert abs(state.theta - result["theta"]) < 1e-3
        assert len(state.pool["items"]) == 12  # pinned at the start


def test_re_sent_and_out_of_turn_answers_do_not_advance(client: TestClient, db: Engine) -> None:
    room, _versions = _calibrated_room(db)
    teacher = headers_for(client, room.teacher)
    quiz = make_quiz(client, room, teacher, selection="adaptive", version_ids=[], adaptive=POOL)
    student = headers_for(client, room.students[0])
    attempt = client.post(f"/quizzes/{quiz['id']}/attempts", headers=student).json()
    url = f"/quizzes/{quiz['id']}/attempts/{attempt['id']}/adaptive-answer"

    ahead = client.post(url, json={"question": "q2", "response": "B"}, headers=student)
    assert ahead.status_code == 422
    assert ahead.json()["code"] == "unknown_question"
    first = client.post(url, json={"question": "q1", "response": "B"}, headers=student).json()
    again = client.post(url, json={"question": "q1", "response": "A"}, headers=student)
    assert again.status_code == 200
    assert again.json()["adaptive"] == first["adaptive"]  # a re-send changes nothing
    assert [a["response"] for a in again.json()["answers"]] == ["B"]
    rewrite = client.post(
        f"/attempts/{attempt['id']}/answers",
        json={"answers": [{"question": "q1", "sequence": 9, "response": "A"}]},
        headers=student,
    )
    assert rewrite.status_code == 409  # the ordinary save path cannot rewrite a CAT answer
    assert rewrite.json()["code"] == "adaptive_attempt"
    resumed = client.get(f"/attempts/{attempt['id']}", headers=student).json()
    assert [a["response"] for a in resumed["answers"]] == ["B"]

    other = headers_for(client, room.students[1])
    stranger = client.post(url, json={"question": "q2", "response": "B"}, headers=other)
    assert stranger.status_code == 404
    early = client.get(
        f"/quizzes/{quiz['id']}/attempts/{attempt['id']}/adaptive-result", headers=student
    ).json()
    assert early["theta"] is None  # not before submission
    assert early["se"] is None
    staff = client.get(
        f"/quizzes/{quiz['id']}/attempts/{attempt['id']}/adaptive-result", headers=teacher
    ).json()
    assert staff["answered"] == 1
    assert staff["theta"] is not None


def test_the_standard_error_rule_stops_the_test(client: TestClient, db: Engine) -> None:
    room, _versions = _calibrated_room(db, n_items=20)
    teacher = headers_for(client, room.teacher)
    spec = POOL | {"max_length": 20, "se_target": 0.6}
    quiz = make_quiz(client, room, teacher, selection="adaptive", version_ids=[], adaptive=spec)
    student = headers_for(client, room.students[0])
    attempt = client.post(f"/quizzes/{quiz['id']}/attempts", headers=student).json()
    steps = 0
    while attempt["status"] == "in_progress":
        attempt = _answer(client, quiz["id"], attempt, student, "AB"[steps % 2]).json()
        steps += 1
    result = client.get(
        f"/quizzes/{quiz['id']}/attempts/{attempt['id']}/adaptive-result", headers=teacher
    ).json()
    assert result["stop_reason"] == "se_target"
    assert result["se"] <= 0.6
    assert steps < 20


def test_items_without_accepted_parameters_are_named_and_refused(
    client: TestClient, db: Engine
) -> None:
    room, _versions = _calibrated_room(db, n_items=4)
    uncalibrated = publish_leveled(db, 2, prefix="moi", topic="Đạo hàm")
    teacher = headers_for(client, room.teacher)
    body = {"title": "CAT", "mode": "test", "selection": "adaptive", "adaptive": POOL}
    refused = client.post("/quizzes", json=body, headers=teacher)
    assert refused.status_code == 422
    error = refused.json()
    assert error["code"] == "no_parameters"
    assert "2 item(s)" in error["detail"]
    for version in uncalibrated:
        assert str(version.id) in error["detail"]
        assert version.title in error["detail"]

    unknown_set = client.post(
        "/quizzes",
        json=body | {"adaptive": POOL | {"parameter_set_id": str(room.school.id)}},
        headers=teacher,
    )
    assert unknown_set.json()["code"] == "parameter_set_not_found"
    empty = client.post(
        "/quizzes", json=body | {"adaptive": POOL | {"topic": "Không có"}}, headers=teacher
    )
    assert empty.json()["code"] == "pool_too_small"


def test_a_named_parameter_set_is_pinned(client: TestClient, db: Engine) -> None:
    room, versions = _calibrated_room(db, n_items=6)
    newer = accept_parameters(db, versions[:3], [0.0, 0.5, 1.0], name="Bộ mới")
    teacher = headers_for(client, room.teacher)
    partial = POOL | {"parameter_set_id": str(newer)}
    refused = client.post(
        "/quizzes",
        json={"title": "CAT", "mode": "test", "selection": "adaptive", "adaptive": partial},
        headers=teacher,
    )
    assert refused.status_code == 422
    assert "in the chosen parameter set" in refused.json()["detail"]
    assert str(versions[3].id) in refused.json()["detail"]
    off_blueprint = client.post(
        "/quizzes",
        json={
            "title": "CAT",
            "mode": "test",
            "selection": "adaptive",
            "adaptive": POOL | {"content_blueprint": {"Hình học": 1, "Đạo hàm": 2}},
        },
        headers=teacher,
    )
    assert off_blueprint.status_code == 422
    assert "no pool item on topic(s) Hình học" in off_blueprint.json()["detail"]
