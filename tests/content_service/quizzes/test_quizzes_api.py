"""Quiz definitions, practice mode, pools, results, progress, QTI results reports."""

from __future__ import annotations

import asyncio
import uuid
from xml.etree import ElementTree as ET

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from content_service.db import make_async_engine, make_sessionmaker, session_scope
from content_service.models.people import Role
from content_service.services import quizzes as quizzes_service
from content_service.services.access import Principal
from content_service.settings import Settings
from tests.content_service.quizzes.builders import (
    SECRET_NUMBER,
    SECRET_RATIONALE,
    choice_item,
    classroom,
    headers_for,
    make_quiz,
    publish_item,
)
from tests.factories import create_user


def test_practice_gives_feedback_at_once_and_redraws(client: TestClient, db: Engine) -> None:
    room = classroom(db)
    quiz = make_quiz(client, room, headers_for(client, room.teacher), mode="practice")
    assert quiz["review"] == "immediately"
    assert quiz["time_limit_seconds"] == 900
    student = headers_for(client, room.students[0])
    attempt = client.post(f"/quizzes/{quiz['id']}/attempts", headers=student).json()
    assert attempt["remaining_seconds"] is None  # practice is untimed

    saved = client.post(
        f"/attempts/{attempt['id']}/answers",
        json={"answers": [{"question": "q1", "sequence": 1, "response": "A"}]},
        headers=student,
    ).json()
    feedback = saved["results"][0]["feedback"]
    assert feedback["correct"] is False
    assert feedback["correct_response"] == ["B"]
    assert SECRET_RATIONALE in feedback["explanation"]
    again = client.post(f"/quizzes/{quiz['id']}/attempts?redraw=true", headers=student)
    assert again.status_code == 201
    assert again.json()["number"] == 2
    first = client.get(f"/attempts/{attempt['id']}", headers=student).json()
    assert first["status"] == "submitted"
    assert first["score"] == 0.0


def test_a_test_cannot_reveal_the_key_before_submission(client: TestClient, db: Engine) -> None:
    room = classroom(db)
    teacher = headers_for(client, room.teacher)
    body = {"title": "T", "mode": "test", "version_ids": [str(room.versions[0].id)]}
    refused = client.post("/quizzes", json=body | {"review": "immediately"}, headers=teacher)
    assert refused.status_code == 422
    missing = client.post(
        "/quizzes", json=body | {"version_ids": [str(uuid.uuid4())]}, headers=teacher
    )
    assert missing.status_code == 422
    assert missing.json()["code"] == "item_version_not_found"
    student = headers_for(client, room.students[0])
    assert client.post("/quizzes", json=body, headers=student).status_code == 403


def test_pool_quizzes_draw_different_items_per_attempt(client: TestClient, db: Engine) -> None:
    room = classroom(db)
    for index in range(6):
        publish_item(db, choice_item(f"pool-{index}", topic="Lượng giác", tags=("đồ thị",)))
    teacher = headers_for(client, room.teacher)
    too_many = client.post(
        "/quizzes",
        json={
            "title": "P",
            "mode": "test",
            "selection": "pools",
            "pools": [{"count": 7, "topic": "Lượng giác"}],
        },
        headers=teacher,
    )
    assert too_many.status_code == 422
    assert "only 6 match" in too_many.json()["detail"]
    quiz = make_quiz(
        client,
        room,
        teacher,
        selection="pools",
        version_ids=[],
        pools=[{"count": 3, "topic": "Lượng giác", "tag": "đồ thị"}],
    )
    assert quiz["question_count"] == 3
    drawn = []
    for student in room.students:
        attempt = client.post(
            f"/quizzes/{quiz['id']}/attempts", headers=headers_for(client, student)
        ).json()
        assert len(attempt["questions"]) == 3
        drawn.append({q["stem_html"] for q in attempt["questions"]})
    assert all(len(d) == 3 for d in drawn)  # no item twice in one attempt


def test_results_progress_report_and_gradebook_scores(
    client: TestClient, db: Engine, settings: Settings
) -> None:
    room = classroom(db, students=4)
    teacher = headers_for(client, room.teacher)
    quiz = make_quiz(client, room, teacher)
    plans = [
        ("B", ["A", "B"], SECRET_NUMBER),
        ("B", ["A"], "1"),
        ("A", ["C"], "1"),
        ("B", [], SECRET_NUMBER),
    ]
    attempt_ids = []
    for student, (q1, q2, q3) in zip(room.students, plans, strict=True):
        headers = headers_for(client, student)
        attempt = client.post(f"/quizzes/{quiz['id']}/attempts", headers=headers).json()
        answers = [
            {"question": "q1", "sequence": 1, "response": q1},
            {"question": "q2", "sequence": 1, "response": q2},
            {"question": "q3", "sequence": 1, "response": q3},
        ]
        client.post(
            f"/attempts/{attempt['id']}/answers", json={"answers": answers}, headers=headers
        )
        attempt_ids.append(attempt["id"])
        if student is not room.students[-1]:
            client.post(f"/attempts/{attempt['id']}/submit", headers=headers)

    progress = client.get(f"/quizzes/{quiz['id']}/progress", headers=teacher).json()
    statuses = sorted(r["status"] for r in progress["rows"])
    assert statuses == ["in_progress", "submitted", "submitted", "submitted"]
    assert all(r["answered"] == 3 for r in progress["rows"])

    results = client.get(f"/quizzes/{quiz['id']}/results", headers=teacher).json()
    finals = sorted(s["final_score"] for s in results["students"] if s["final_score"] is not None)
    assert finals == [0.0, 2.0, 4.0]
    assert results["submitted_attempts"] == 3
    assert results["in_progress"] == 1
    first = results["items"][0]
    assert first["responses"] == 3
    assert first["difficulty"] == round(2 / 3, 4)
    assert first["discrimination"] is not None

    report = client.get(f"/attempts/{attempt_ids[0]}/qti-result", headers=teacher)
    assert report.status_code == 200
    assert report.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(report.content)
    ns = {"q": "http://www.imsglobal.org/xsd/imsqti_result_v3p0"}
    score = root.find(
        "q:qti-test-result/q:qti-outcome-variable[@identifier='SCORE']/q:qti-value", ns
    )
    assert score is not None
    assert float(score.text or "") == 4.0
    assert len(root.findall("q:qti-item-result", ns)) == 3
    open_report = client.get(f"/attempts/{attempt_ids[-1]}/qti-result", headers=teacher)
    assert open_report.status_code == 409

    async def gradebook() -> dict[uuid.UUID, tuple[float, float]]:
        engine = make_async_engine(settings)
        try:
            async with session_scope(make_sessionmaker(engine)) as session:
                principal = Principal(
                    room.teacher.id, room.teacher.username, Role.TEACHER, room.school.id
                )
                return await quizzes_service.final_scores(
                    session=session, principal=principal, quiz_id=uuid.UUID(quiz["id"])
                )
        finally:
            await engine.dispose()

    scores = asyncio.run(gradebook())
    assert scores[room.students[0].id] == (4.0, 4.0)
    assert room.students[-1].id not in scores  # not submitted: nothing for the gradebook


def test_staff_of_another_school_do_not_see_the_quiz(client: TestClient, db: Engine) -> None:
    room = classroom(db)
    quiz = make_quiz(client, room, headers_for(client, room.teacher))
    other = classroom(db, students=0)
    outsider = headers_for(client, other.teacher)
    assert client.get(f"/quizzes/{quiz['id']}", headers=outsider).status_code == 404
    assert client.get(f"/quizzes/{quiz['id']}/results", headers=outsider).status_code == 404
    parent = create_user(db, role=Role.PARENT, school=room.school)
    assert client.get("/quizzes", headers=headers_for(client, parent)).json()["total"] == 0
