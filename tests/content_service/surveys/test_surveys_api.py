"""The survey API: authoring rules, skip logic, one response per person, withheld small groups."""

from __future__ import annotations

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from content_service.models.people import Role
from tests.content_service.surveys.factories import (
    QUESTIONS,
    SURVEY,
    answer,
    open_survey,
    students_in_class,
)
from tests.factories import bearer, create_school, create_user

GOOD = {"hai-long": 4, "an-toan": "co", "hoat-dong": ["the-thao", "doan"]}


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.TEACHER, True),
        (Role.SCHOOL_ADMIN, True),
        (Role.STUDENT, False),
        (Role.PARENT, False),
        (Role.RESEARCHER, False),
    ],
)
def test_who_creates_surveys(client: TestClient, db: Engine, role: Role, allowed: bool) -> None:
    school = create_school(db)
    caller = create_user(db, role=role, school=school)
    response = client.post("/surveys", json=SURVEY, headers=bearer(client, caller))
    if allowed:
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["status"] == "draft"
        assert body["anonymous"] is True
        assert body["min_group_size"] == 5
        assert [q["id"] for q in body["questions"]] == [q["id"] for q in QUESTIONS]
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"min_group_size": 2}, "min_group_size"),
        ({"questions": [QUESTIONS[2]]}, "earlier question"),
        ({"questions": [QUESTIONS[0], QUESTIONS[0]]}, "unique"),
        ({"questions": [{"id": "x", "kind": "single", "text": "?", "options": []}]}, "2 options"),
        ({"questions": [QUESTIONS[0] | {"labels": ["a", "b"]}]}, "labels"),
        ({"surprise": True}, "surprise"),
    ],
)
def test_invalid_surveys_are_refused_naming_the_problem(
    client: TestClient, db: Engine, change: dict[str, object], message: str
) -> None:
    teacher = create_user(db, role=Role.TEACHER, school=create_school(db))
    response = client.post("/surveys", json=SURVEY | change, headers=bearer(client, teacher))
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert message in str(response.json()["detail"])


def test_a_student_answers_once_and_the_second_answer_is_refused(
    client: TestClient, db: Engine
) -> None:
    school = create_school(db)
    klass, (student,) = students_in_class(db, school, 1)
    teacher = create_user(db, role=Role.TEACHER, school=school)
    survey_id = open_survey(client, bearer(client, teacher), [klass])

    first = answer(client, student, survey_id, GOOD)
    again = answer(client, student, survey_id, GOOD)

    assert first.status_code == 201, first.text
    assert set(first.json()) == {"survey_id", "received"}  # no response id to match later
    assert again.status_code == 409
    assert again.json()["code"] == "already_responded"
    with db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM survey_response")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM survey_participation")).scalar() == 1
        stored = conn.execute(text("SELECT respondent_id FROM survey_response")).scalar()
    assert stored is None


def test_skip_logic_requires_shown_questions_and_drops_hidden_answers(
    client: TestClient, db: Engine
) -> None:
    school = create_school(db)
    klass, students = students_in_class(db, school, 3)
    teacher = create_user(db, role=Role.TEACHER, school=school)
    survey_id = open_survey(client, bearer(client, teacher), [klass])

    missing = answer(client, students[0], survey_id, GOOD | {"an-toan": "khong"})
    assert missing.status_code == 422
    assert missing.json()["code"] == "answer_required"
    assert "ly-do" in missing.json()["detail"]

    shown = answer(client, students[0], survey_id, GOOD | {"an-toan": "khong", "ly-do": "Ồn"})
    hidden = answer(client, students[1], survey_id, GOOD | {"ly-do": "không nên được lưu"})
    assert shown.status_code == hidden.status_code == 201

    with db.connect() as conn:
        stored = [row[0] for row in conn.execute(text("SELECT answers FROM survey_response"))]
    answers = [json.loads(a) if isinstance(a, str) else a for a in stored]
    assert {a.get("ly-do") for a in answers} == {"Ồn", None}
    assert all(a["hai-long"] == 4 for a in answers)


@pytest.mark.parametrize(
    ("answers", "code"),
    [
        (GOOD | {"hai-long": 6}, "invalid_answer"),
        (GOOD | {"hai-long": "4"}, "invalid_answer"),
        (GOOD | {"an-toan": "co-le"}, "invalid_answer"),
        (GOOD | {"hoat-dong": ["the-thao", "the-thao"]}, "invalid_answer"),
        (GOOD | {"khong-co": "x"}, "unknown_question"),
        ({"an-toan": "co"}, "answer_required"),
    ],
)
def test_bad_answers_are_refused_naming_the_question(
    client: TestClient, db: Engine, answers: dict[str, object], code: str
) -> None:
    school = create_school(db)
    klass, (student,) = students_in_class(db, school, 1)
    teacher = create_user(db, role=Role.TEACHER, school=school)
    survey_id = open_survey(client, bearer(client, teacher), [klass])

    response = answer(client, student, survey_id, answers)

    assert response.status_code == 422
    assert response.json()["code"] == code
    with db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM survey_participation")).scalar() == 0


def test_only_assigned_students_answer_and_only_open_surveys(
    client: TestClient, db: Engine
) -> None:
    school = create_school(db)
    klass, (inside,) = students_in_class(db, school, 1, name="10A1")
    _, (outside,) = students_in_class(db, school, 1, name="10A2")
    other_school_student = create_user(db, role=Role.STUDENT, school=create_school(db))
    teacher = create_user(db, role=Role.TEACHER, school=school)
    headers = bearer(client, teacher)
    survey_id = open_survey(client, headers, [klass])

    assert answer(client, outside, survey_id, GOOD).status_code == 404
    assert answer(client, other_school_student, survey_id, GOOD).status_code == 404
    mine = client.get("/surveys", headers=bearer(client, inside)).json()
    theirs = client.get("/surveys", headers=bearer(client, outside)).json()
    assert [s["id"] for s in mine["items"]] == [survey_id]
    assert theirs["items"] == []

    closed = client.post(f"/surveys/{survey_id}/status", json={"status": "closed"}, headers=headers)
    assert closed.status_code == 200
    refused = answer(client, inside, survey_id, GOOD)
    assert refused.status_code == 409
    assert refused.json()["code"] == "survey_closed"
    bad = client.post(f"/surveys/{survey_id}/status", json={"status": "draft"}, headers=headers)
    assert bad.status_code == 409
    assert bad.json()["code"] == "invalid_transition"


def test_a_school_wide_survey_reaches_every_student_and_counts_them_by_class(
    client: TestClient, db: Engine
) -> None:
    school = create_school(db)
    klass, students = students_in_class(db, school, 5)
    teacher = create_user(db, role=Role.TEACHER, school=school)
    headers = bearer(client, teacher)
    created = client.post("/surveys", json=SURVEY, headers=headers).json()
    whole = client.post(f"/surveys/{created['id']}/assignments", json={}, headers=headers)
    assert whole.status_code == 201
    assert whole.json()["class_id"] is None
    client.post(f"/surveys/{created['id']}/status", json={"status": "open"}, headers=headers)

    for student in students:
        assert answer(client, student, created["id"], GOOD).status_code == 201

    report = client.get(f"/surveys/{created['id']}/report", headers=headers).json()
    by_group = {g["group"]: g for g in report["groups"]}
    assert by_group["school"]["responses"] == 5
    assert by_group["class"]["group_id"] == str(klass.id)
    assert by_group["class"]["responses"] == 5


def test_reports_withhold_small_groups_and_groups_recoverable_by_subtraction(
    client: TestClient, db: Engine
) -> None:
    school = create_school(db)
    big, big_students = students_in_class(db, school, 6, name="10A1")
    mid, mid_students = students_in_class(db, school, 5, name="10A2")
    small, small_students = students_in_class(db, school, 2, name="10A3")
    teacher = create_user(db, role=Role.TEACHER, school=school)
    headers = bearer(client, teacher)
    survey_id = open_survey(client, headers, [big, mid, small])
    for i, student in enumerate(big_students + mid_students + small_students):
        answers = GOOD | {"hai-long": 1 + i % 5, "hoat-dong": ["am-nhac"] if i % 2 else []}
        assert answer(client, student, survey_id, answers).status_code == 201

    report = client.get(f"/surveys/{survey_id}/report", headers=headers).json()

    groups = {g["name"]: g for g in report["groups"]}
    assert groups[school.name]["responses"] == 13
    assert groups["10A1"]["withheld"] is False
    assert groups["10A1"]["responses"] == 6
    assert groups["10A3"]["withheld"] is True
    assert groups["10A3"]["responses"] is None
    assert groups["10A3"]["questions"] == []
    # 10A2 alone is large enough, but with 10A1 shown the school total minus 10A1 and 10A2 would
    # give 10A3's two answers away: the smaller shown class is withheld too.
    assert groups["10A2"]["withheld"] is True
    likert = groups["10A1"]["questions"][0]
    assert [c["count"] for c in likert["counts"]] == [2, 1, 1, 1, 1]
    assert likert["mean"] == pytest.approx((1 + 2 + 3 + 4 + 5 + 1) / 6, abs=0.01)

    one_class = client.get(
        f"/surveys/{survey_id}/report", params={"class_id": str(small.id)}, headers=headers
    ).json()
    assert [g["withheld"] for g in one_class["groups"]] == [True]


def test_the_report_as_csv(client: TestClient, db: Engine) -> None:
    school = create_school(db)
    klass, students = students_in_class(db, school, 5)
    teacher = create_user(db, role=Role.TEACHER, school=school)
    headers = bearer(client, teacher)
    survey_id = open_survey(client, headers, [klass])
    for student in students:
        answers = GOOD | {"an-toan": "khong", "ly-do": f"Ý kiến của {student.full_name}"}
        assert answer(client, student, survey_id, answers).status_code == 201

    response = client.get(f"/surveys/{survey_id}/report.csv", headers=headers)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    school_rows = [r for r in rows if r["group"] == "school"]
    safe = [r for r in school_rows if r["question_id"] == "an-toan"]
    assert {(r["value"], r["count"]) for r in safe} == {("co", "0"), ("khong", "5")}
    assert sum(1 for r in school_rows if r["question_id"] == "ly-do") == 5
    assert all(r["responses"] == "5" for r in school_rows)


def test_reports_are_for_the_schools_staff_only(client: TestClient, db: Engine) -> None:
    school = create_school(db)
    klass, (student,) = students_in_class(db, school, 1)
    teacher = create_user(db, role=Role.TEACHER, school=school)
    stranger = create_user(db, role=Role.TEACHER, school=create_school(db))
    survey_id = open_survey(client, bearer(client, teacher), [klass])

    as_student = client.get(f"/surveys/{survey_id}/report", headers=bearer(client, student))
    as_stranger = client.get(f"/surveys/{survey_id}/report", headers=bearer(client, stranger))

    assert as_student.status_code == 403
    assert as_stranger.status_code == 403
    assert as_stranger.json()["code"] == "other_school"
