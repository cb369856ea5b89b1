"""Taking a quiz through the API: start, resume, save (idempotent), submit, deadlines, access."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from content_service.jobs import run_until_empty
from content_service.models.base import utcnow
from content_service.models.jobs import JobRecord
from content_service.models.quizzes import AnswerRecord, AttemptRecord
from content_service.settings import Settings
from tests.content_service.quizzes.builders import (
    SECRET_FEEDBACK,
    SECRET_NUMBER,
    SECRET_RATIONALE,
    classroom,
    headers_for,
    make_quiz,
)

LEAKS = (SECRET_RATIONALE, SECRET_FEEDBACK, SECRET_NUMBER, "correct_response", "rationale")


def _no_key(response: Any) -> None:
    body = response.text
    for secret in LEAKS:
        assert secret not in body, f"{secret!r} reached the student: {body[:300]}"


def _answer(
    client: TestClient, attempt: dict[str, Any], answers: list[dict[str, Any]], **kw: Any
) -> Any:
    return client.post(f"/attempts/{attempt['id']}/answers", json={"answers": answers}, **kw)


def _move_deadline_to_the_past(engine: Engine, attempt_id: str) -> None:
    past = utcnow() - timedelta(minutes=5)
    with Session(engine) as session:
        attempt = session.get(AttemptRecord, __import__("uuid").UUID(attempt_id))
        assert attempt is not None
        attempt.deadline = past
        attempt.accept_until = past
        session.add(attempt)
        for job in session.exec(select(JobRecord)).all():
            job.run_after = past
            session.add(job)
        session.commit()


def test_a_student_takes_a_test_and_never_sees_the_key_before_submitting(
    client: TestClient, db: Engine
) -> None:
    room = classroom(db)
    teacher = headers_for(client, room.teacher)
    quiz = make_quiz(client, room, teacher)
    student = headers_for(client, room.students[0])
    seen = []

    started = client.post(f"/quizzes/{quiz['id']}/attempts", headers=student)
    seen.append(started)
    assert started.status_code == 201, started.text
    attempt = started.json()
    assert [q["key"] for q in attempt["questions"]] == ["q1", "q2", "q3"]
    assert attempt["remaining_seconds"] > 890
    assert attempt["token"]
    first = attempt["questions"][0]
    assert [c["identifier"] for c in first["choices"]][-1] == "D"  # the fixed option stays last
    assert "<math" in first["stem_html"]  # maths rendered to MathML by the service

    seen.append(
        _answer(
            client, attempt, [{"question": "q1", "sequence": 2, "response": "B"}], headers=student
        )
    )
    # an older answer, re-sent late by a flaky network, does not overwrite the newer one
    stale = _answer(
        client, attempt, [{"question": "q1", "sequence": 1, "response": "A"}], headers=student
    )
    seen.append(stale)
    assert stale.json()["results"][0]["saved"] is False
    seen.append(
        _answer(
            client,
            attempt,
            [
                {"question": "q2", "sequence": 1, "response": ["A", "C"]},
                {"question": "q3", "sequence": 1, "response": SECRET_NUMBER},
            ],
            headers=student,
        )
    )
    resumed = client.post(f"/quizzes/{quiz['id']}/attempts", headers=student)
    assert resumed.status_code == 200
    assert resumed.json()["id"] == attempt["id"]
    saved = {a["question"]: a["response"] for a in resumed.json()["answers"]}
    assert saved["q1"] == "B"
    assert saved["q2"] == ["A", "C"]
    # the student's own numeric answer echoes back; strip it before scanning this one
    seen.append(client.get(f"/attempts/{attempt['id']}", headers=student))
    seen.append(client.get(f"/quizzes/{quiz['id']}", headers=student))
    seen.append(client.get("/quizzes", headers=student))
    for response in seen:
        assert response.status_code in (200, 201), response.text
        body = json.loads(response.text)
        if isinstance(body, dict) and "answers" in body:
            body["answers"] = []
        for secret in LEAKS:
            assert secret not in json.dumps(body, ensure_ascii=False), secret

    submitted = client.post(f"/attempts/{attempt['id']}/submit", headers=student)
    assert submitted.status_code == 200, submitted.text
    result = submitted.json()
    assert result["status"] == "submitted"
    # q1 right (1), q2 partial credit A(+1) C(-1) = 0 of 2, q3 right (1): 2 of 4
    assert (result["score"], result["max_score"]) == (2.0, 4.0)
    assert SECRET_RATIONALE in submitted.text  # the review is released after submission
    again = client.post(f"/attempts/{attempt['id']}/submit", headers=student)
    assert again.json()["score"] == 2.0
    assert again.json()["submitted_at"] == result["submitted_at"]
    refused = _answer(
        client, attempt, [{"question": "q1", "sequence": 9, "response": "A"}], headers=student
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "attempt_closed"


def test_the_attempt_token_saves_answers_without_a_login(client: TestClient, db: Engine) -> None:
    room = classroom(db)
    quiz = make_quiz(client, room, headers_for(client, room.teacher))
    student = headers_for(client, room.students[0])
    attempt = client.post(f"/quizzes/{quiz['id']}/attempts", headers=student).json()
    token = {"X-Attempt-Token": attempt["token"]}

    for sequence in (1, 3, 2, 3):  # out of order and repeated
        response = _answer(
            client,
            attempt,
            [{"question": "q1", "sequence": sequence, "response": f"A{sequence}"[:1]}],
            headers=token,
        )
        assert response.status_code == 200, response.text
    with Session(db) as session:
        rows = session.exec(select(AnswerRecord)).all()
    assert [(r.question, r.sequence) for r in rows] == [("q1", 3)]

    forged = attempt["token"][:-4] + "0000"
    anonymous = _answer(
        client,
        attempt,
        [{"question": "q1", "sequence": 5, "response": "A"}],
        headers={"X-Attempt-Token": forged},
    )
    assert anonymous.status_code == 401
    unknown = _answer(
        client, attempt, [{"question": "q9", "sequence": 5, "response": "A"}], headers=token
    )
    assert unknown.status_code == 422
    assert "answers[0].question" in unknown.json()["detail"]
    bad = _answer(
        client, attempt, [{"question": "q1", "sequence": 6, "response": {"x": 1}}], headers=token
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_response"


def test_another_students_attempt_is_not_found(client: TestClient, db: Engine) -> None:
    room = classroom(db)
    quiz = make_quiz(client, room, headers_for(client, room.teacher))
    owner = headers_for(client, room.students[0])
    other = headers_for(client, room.students[1])
    attempt = client.post(f"/quizzes/{quiz['id']}/attempts", headers=owner).json()

    assert client.get(f"/attempts/{attempt['id']}", headers=other).status_code == 404
    assert client.post(f"/attempts/{attempt['id']}/submit", headers=other).status_code == 404
    answer = _answer(
        client, attempt, [{"question": "q1", "sequence": 1, "response": "A"}], headers=other
    )
    assert answer.status_code == 404
    # a student of another class does not even see the quiz
    from content_service.models.people import Role
    from tests.factories import create_user

    outsider = create_user(db, role=Role.STUDENT, school=room.school)
    assert (
        client.get(f"/quizzes/{quiz['id']}", headers=headers_for(client, outsider)).status_code
        == 404
    )


def test_past_the_deadline_the_attempt_is_submitted_with_what_was_saved(
    client: TestClient, db: Engine
) -> None:
    room = classroom(db)
    quiz = make_quiz(client, room, headers_for(client, room.teacher))
    student = headers_for(client, room.students[0])
    attempt = client.post(f"/quizzes/{quiz['id']}/attempts", headers=student).json()
    _answer(client, attempt, [{"question": "q1", "sequence": 1, "response": "B"}], headers=student)
    _move_deadline_to_the_past(db, attempt["id"])

    late = _answer(
        client,
        attempt,
        [{"question": "q2", "sequence": 1, "response": ["A"]}],
        headers={"X-Attempt-Token": attempt["token"]},
    )
    assert late.status_code == 409, late.text
    read = client.get(f"/attempts/{attempt['id']}", headers=student).json()
    assert read["status"] == "submitted"
    assert read["score"] == 1.0
    with Session(db) as session:
        record = session.exec(select(AttemptRecord)).one()
    assert record.submitted_by == "deadline"


def test_the_deadline_job_submits_an_abandoned_attempt(
    client: TestClient, db: Engine, settings: Settings
) -> None:
    room = classroom(db)
    quiz = make_quiz(client, room, headers_for(client, room.teacher))
    student = headers_for(client, room.students[0])
    attempt = client.post(f"/quizzes/{quiz['id']}/attempts", headers=student).json()
    _answer(
        client,
        attempt,
        [{"question": "q3", "sequence": 1, "response": SECRET_NUMBER}],
        headers=student,
    )
    _move_deadline_to_the_past(db, attempt["id"])

    assert run_until_empty(settings, engine=db) >= 1
    with Session(db) as session:
        record = session.exec(select(AttemptRecord)).one()
    assert (record.status, record.submitted_by, record.score) == ("submitted", "deadline", 1.0)


def test_attempt_limits_windows_and_extensions(client: TestClient, db: Engine) -> None:
    room = classroom(db)
    teacher = headers_for(client, room.teacher)
    quiz = make_quiz(client, room, teacher, max_attempts=1)
    student = headers_for(client, room.students[0])
    attempt = client.post(f"/quizzes/{quiz['id']}/attempts", headers=student).json()
    client.post(f"/attempts/{attempt['id']}/submit", headers=student)
    second = client.post(f"/quizzes/{quiz['id']}/attempts", headers=student)
    assert second.status_code == 409
    assert second.json()["code"] == "no_attempts_left"

    extended = client.put(
        f"/quizzes/{quiz['id']}/extensions",
        json={"student_id": str(room.students[0].id), "extra_attempts": 1, "extra_seconds": 600},
        headers=teacher,
    )
    assert extended.status_code == 200, extended.text
    third = client.post(f"/quizzes/{quiz['id']}/attempts", headers=student)
    assert third.status_code == 201
    assert third.json()["remaining_seconds"] > 1400  # 900 s + 600 s extension

    closed = make_quiz(
        client,
        room,
        teacher,
        opens_at=(utcnow() - timedelta(hours=2)).isoformat(),
        closes_at=(utcnow() - timedelta(hours=1)).isoformat(),
    )
    refused = client.post(f"/quizzes/{closed['id']}/attempts", headers=student)
    assert refused.status_code == 409
    assert refused.json()["code"] == "quiz_closed"


def test_starting_is_rate_limited(client: TestClient, db: Engine) -> None:
    room = classroom(db)
    quiz = make_quiz(client, room, headers_for(client, room.teacher))
    student = headers_for(client, room.students[0])
    codes = [
        client.post(f"/quizzes/{quiz['id']}/attempts", headers=student).status_code
        for _ in range(8)
    ]
    assert codes[0] == 201
    assert 429 in codes
    assert all(code in (200, 201, 429) for code in codes)


def test_sqlite_and_postgresql_store_the_same_answer_once(client: TestClient, db: Engine) -> None:
    room = classroom(db)
    quiz = make_quiz(client, room, headers_for(client, room.teacher))
    student = headers_for(client, room.students[0])
    attempt = client.post(f"/quizzes/{quiz['id']}/attempts", headers=student).json()
    for _ in range(3):
        _answer(
            client, attempt, [{"question": "q2", "sequence": 7, "response": ["B"]}], headers=student
        )
    with db.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM quiz_answer")).scalar_one()
    assert count == 1
