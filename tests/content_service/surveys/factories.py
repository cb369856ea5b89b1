"""Builders for survey tests: a standard questionnaire with skip logic, and a class of students."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from content_service.models.people import Role, SchoolClassRecord, SchoolRecord, UserRecord
from tests.factories import bearer, create_class, create_user, enrol

QUESTIONS: list[dict[str, Any]] = [
    {
        "id": "hai-long",
        "kind": "likert",
        "text": "Em hài lòng với các tiết học ở trường.",
        "points": 5,
        "labels": ["Rất không đồng ý", "Không đồng ý", "Phân vân", "Đồng ý", "Rất đồng ý"],
        "required": True,
    },
    {
        "id": "an-toan",
        "kind": "single",
        "text": "Em có cảm thấy an toàn ở trường không?",
        "options": [{"id": "co", "text": "Có"}, {"id": "khong", "text": "Không"}],
        "required": True,
    },
    {
        "id": "ly-do",
        "kind": "text",
        "text": "Điều gì làm em thấy không an toàn?",
        "show_if": {"question": "an-toan", "any_of": ["khong"]},
        "required": True,
    },
    {
        "id": "hoat-dong",
        "kind": "multiple",
        "text": "Em tham gia những hoạt động nào?",
        "options": [
            {"id": "the-thao", "text": "Thể thao"},
            {"id": "am-nhac", "text": "Âm nhạc"},
            {"id": "doan", "text": "Đoàn trường"},
        ],
    },
]

SURVEY = {
    "title": "Khảo sát môi trường học tập",
    "description": "Ẩn danh: nhà trường không biết em đã trả lời gì.",
    "questions": QUESTIONS,
}


def students_in_class(
    engine: Engine, school: SchoolRecord, count: int, name: str = "10A1"
) -> tuple[SchoolClassRecord, list[UserRecord]]:
    klass = create_class(engine, school=school, name=name)
    students = []
    for _ in range(count):
        student = create_user(engine, role=Role.STUDENT, school=school)
        enrol(engine, klass=klass, user=student)
        students.append(student)
    return klass, students


def open_survey(
    client: TestClient, headers: dict[str, str], classes: list[SchoolClassRecord], **overrides: Any
) -> str:
    """Create a survey as the teacher behind ``headers``, assign it and open it; its id."""
    created = client.post("/surveys", json=SURVEY | overrides, headers=headers)
    assert created.status_code == 201, created.text
    survey_id = created.json()["id"]
    for klass in classes:
        assigned = client.post(
            f"/surveys/{survey_id}/assignments", json={"class_id": str(klass.id)}, headers=headers
        )
        assert assigned.status_code == 201, assigned.text
    opened = client.post(f"/surveys/{survey_id}/status", json={"status": "open"}, headers=headers)
    assert opened.status_code == 200, opened.text
    return survey_id


def answer(client: TestClient, student: UserRecord, survey_id: str, answers: dict[str, Any]) -> Any:
    return client.post(
        f"/surveys/{survey_id}/responses",
        json={"answers": answers},
        headers=bearer(client, student),
    )
