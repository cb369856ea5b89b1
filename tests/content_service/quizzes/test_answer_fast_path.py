"""Token saves answered below the framework (api.answer_fast_path) answer exactly as the route.

Each case is sent once with the attempt token (the fast path) and, where the route can take it,
with the student's login instead (the FastAPI route): same status, same error shape.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from content_service.api.routes.attempts import ANSWER_LIMIT
from content_service.models.quizzes import AnswerRecord
from content_service.schemas.quizzes import AnswersResult
from tests.content_service.quizzes.builders import classroom, headers_for, make_quiz


def _started(client: TestClient, db: Engine) -> tuple[dict[str, Any], dict[str, str]]:
    room = classroom(db)
    quiz = make_quiz(client, room, headers_for(client, room.teacher))
    student = headers_for(client, room.students[0])
    attempt = client.post(f"/quizzes/{quiz['id']}/attempts", headers=student).json()
    assert attempt["token"]
    return attempt, student


def _post(client: TestClient, attempt_id: str, body: Any, headers: dict[str, str]) -> Any:
    return client.post(f"/attempts/{attempt_id}/answers", json=body, headers=headers)


def test_a_token_save_answers_in_the_routes_schema_and_is_stored(
    client: TestClient, db: Engine
) -> None:
    attempt, student = _started(client, db)
    token = {"X-Attempt-Token": attempt["token"]}
    answers = {"answers": [{"question": "q1", "sequence": 2, "response": "A"}]}

    fast = _post(client, attempt["id"], answers, token)
    assert fast.status_code == 200, fast.text
    assert fast.headers["content-type"] == "application/json"
    assert AnswersResult.model_validate_json(fast.content).model_dump() == {
        "results": [{"question": "q1", "sequence": 2, "saved": True, "feedback": None}],
        "remaining_seconds": None,
    }
    again = _post(client, attempt["id"], answers, token)  # a re-send: acknowledged, not newer
    assert again.json()["results"][0]["saved"] is False
    with Session(db) as session:
        rows = session.exec(select(AnswerRecord)).all()
    assert [(r.question, r.sequence, r.response) for r in rows] == [("q1", 2, "A")]

    by_login = _post(client, attempt["id"], answers, student)  # the route: same verdict
    assert by_login.status_code == 200
    assert by_login.json()["results"] == again.json()["results"]


def test_what_the_fast_path_cannot_take_gets_the_routes_own_answer(
    client: TestClient, db: Engine
) -> None:
    attempt, _student = _started(client, db)
    token = {"X-Attempt-Token": attempt["token"]}
    cases: list[tuple[Any, dict[str, str], int, str]] = [
        ({"answers": []}, token, 422, "validation_error"),  # the body does not validate
        ({"answers": [{"question": "q1"}]}, token, 422, "validation_error"),
        ({"answers": [{"question": "q1", "sequence": 1}]}, {"X-Attempt-Token": "x.y"}, 401, ""),
        ({"answers": [{"question": "q9", "sequence": 1}]}, token, 422, "unknown_question"),
    ]
    for body, headers, status, code in cases:
        response = _post(client, attempt["id"], body, headers)
        assert response.status_code == status, (body, response.text)
        assert set(response.json()) == {"detail", "code"}
        if code:
            assert response.json()["code"] == code, response.text
    # the token names another attempt: the route decides (with no login: 401)
    other = _post(
        client,
        str(uuid.uuid4()),
        {"answers": [{"question": "q1", "sequence": 1, "response": "A"}]},
        token,
    )
    assert other.status_code == 401
    # not JSON by its content type: the route parses it as before
    raw = client.post(
        f"/attempts/{attempt['id']}/answers",
        content=b'{"answers": [{"question": "q1", "sequence": 3, "response": "B"}]}',
        headers={**token, "Content-Type": "text/plain"},
    )
    assert raw.status_code == 422
    assert raw.json()["code"] == "validation_error"


def test_the_rate_limit_holds_on_the_fast_path(client: TestClient, db: Engine) -> None:
    attempt, _student = _started(client, db)
    token = {"X-Attempt-Token": attempt["token"]}
    saved = 0
    for sequence in range(ANSWER_LIMIT.burst + 200):  # the bucket refills at 20/s meanwhile
        response = _post(
            client,
            attempt["id"],
            {"answers": [{"question": "q1", "sequence": sequence, "response": "A"}]},
            token,
        )
        if response.status_code != 200:
            break
        saved += 1
    assert saved >= ANSWER_LIMIT.burst
    assert response.status_code == 429
    assert response.json() == {"detail": "too many answer saves: slow down", "code": "rate_limited"}
