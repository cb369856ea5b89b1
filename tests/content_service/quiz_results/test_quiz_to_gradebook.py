"""A quiz's results land in the gradebook column the teacher chooses, on the 10-point scale."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from content_service.models.audit import AuditRecord
from content_service.models.people import ClassMembershipRecord, Role
from tests.content_service.quizzes.builders import classroom, headers_for, make_quiz


def _teach(engine: Engine, room: object, subject: str) -> None:
    with Session(engine) as session:
        session.add(
            ClassMembershipRecord(
                class_id=room.klass.id,  # type: ignore[attr-defined]
                user_id=room.teacher.id,  # type: ignore[attr-defined]
                role=Role.TEACHER,
                subject=subject,
            )
        )
        session.commit()


def test_final_scores_go_to_the_chosen_column(client: TestClient, db: Engine) -> None:
    room = classroom(db, students=2)
    _teach(db, room, "Toán")
    teacher = headers_for(client, room.teacher)
    quiz = make_quiz(client, room, teacher)
    book = client.post(
        "/gradebooks",
        json={"class_id": str(room.klass.id), "subject": "Toán", "semester": 1,
              "periods_per_year": 105},
        headers=teacher,
    )  # fmt: skip
    assert book.status_code == 201, book.text
    target = {"class_id": str(room.klass.id), "subject": "Toán", "semester": 1, "column": "tx1"}

    # nothing submitted yet: a clear refusal, nothing written
    early = client.post(f"/quizzes/{quiz['id']}/gradebook", json=target, headers=teacher)
    assert early.status_code == 422
    assert early.json()["code"] == "no_results"

    student = headers_for(client, room.students[0])
    attempt = client.post(f"/quizzes/{quiz['id']}/attempts", headers=student).json()
    saved = client.post(
        f"/attempts/{attempt['id']}/answers",
        json={"answers": [{"question": "q1", "sequence": 1, "response": "B"}]},
        headers=student,
    )
    assert saved.status_code == 200, saved.text
    submitted = client.post(f"/attempts/{attempt['id']}/submit", headers=student)
    assert submitted.status_code == 200, submitted.text
    result = submitted.json()
    expected_mark = result["score"] * 10 / result["max_score"]

    # a student cannot push scores
    refused = client.post(f"/quizzes/{quiz['id']}/gradebook", json=target, headers=student)
    assert refused.status_code == 403

    sent = client.post(f"/quizzes/{quiz['id']}/gradebook", json=target, headers=teacher)
    assert sent.status_code == 200, sent.text
    assert sent.json()["written"] == 1

    sheet = client.get(f"/gradebooks/{book.json()['id']}", headers=teacher).json()
    values = {row["student_id"]: row["values"] for row in sheet["rows"]}
    mark = values[str(room.students[0].id)]["tx1"]
    assert abs(float(mark) - expected_mark) <= 0.05  # rounded half-up to one decimal
    assert "tx1" not in values[str(room.students[1].id)]  # no attempt, no score
    with Session(db) as session:
        audit = session.exec(
            select(AuditRecord).where(AuditRecord.action == "quiz.to_gradebook")
        ).all()
    assert len(audit) == 1
    assert audit[0].details["students"] == 1
