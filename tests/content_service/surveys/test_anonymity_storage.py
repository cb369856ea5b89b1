"""How anonymous answers are stored: no insertion order on SQLite, no one-to-one transaction id
on PostgreSQL, no identity and no time in the answers, nothing in the audit log."""

from __future__ import annotations

import json
from collections import Counter

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from content_service.models.people import Role
from content_service.services.surveys import MIX_SIZE
from content_service.settings import Settings
from tests.content_service.surveys.factories import answer, open_survey, students_in_class
from tests.factories import bearer, create_school, create_user


def _answers(db: Engine) -> Counter[str]:
    with db.connect() as conn:
        rows = conn.execute(text("SELECT answers FROM survey_response")).scalars().all()
    decoded = [json.loads(r) if isinstance(r, str) else r for r in rows]
    return Counter(json.dumps(a, sort_keys=True) for a in decoded)


def test_each_answer_rewrites_earlier_ones_and_keeps_every_answer(
    client: TestClient, db: Engine, settings: Settings
) -> None:
    school = create_school(db)
    klass, students = students_in_class(db, school, MIX_SIZE + 3)
    teacher = create_user(db, role=Role.TEACHER, school=school)
    survey_id = open_survey(client, bearer(client, teacher), [klass])
    expected: Counter[str] = Counter()
    for i, student in enumerate(students[:-1]):
        answers = {"hai-long": 1 + i % 5, "an-toan": "co", "hoat-dong": ["doan"]}
        assert answer(client, student, survey_id, answers).status_code == 201
        expected[json.dumps(answers, sort_keys=True)] += 1
    with db.connect() as conn:
        before = set(conn.execute(text("SELECT id FROM survey_response")).scalars())

    last = {"hai-long": 5, "an-toan": "khong", "ly-do": "Tiếng ồn"}
    assert answer(client, students[-1], survey_id, last).status_code == 201
    expected[json.dumps(last, sort_keys=True)] += 1

    assert _answers(db) == expected  # nothing lost or duplicated by the rewriting
    with db.connect() as conn:
        after = set(conn.execute(text("SELECT id FROM survey_response")).scalars())
        assert len(before - after) == MIX_SIZE  # earlier rows got new ids
        assert len(after - before) == MIX_SIZE + 1
        if settings.is_sqlite:
            for table in ("survey_response", "survey_participation"):
                sql = conn.execute(
                    text("SELECT sql FROM sqlite_master WHERE name = :t"), {"t": table}
                ).scalar_one()
                assert "WITHOUT ROWID" in sql  # stored in random key order, not arrival order
        else:
            xmin = conn.execute(
                text("SELECT xmin::text FROM survey_participation WHERE user_id = :u"),
                {"u": students[-1].id},
            ).scalar_one()
            sharing = conn.execute(
                text("SELECT count(*) FROM survey_response WHERE xmin::text = :x"), {"x": xmin}
            ).scalar_one()
            assert sharing == MIX_SIZE + 1  # the transaction points at a set, not one answer


def test_answering_writes_no_audit_entry_and_no_respondent(client: TestClient, db: Engine) -> None:
    school = create_school(db)
    klass, (student,) = students_in_class(db, school, 1)
    teacher = create_user(db, role=Role.TEACHER, school=school)
    survey_id = open_survey(client, bearer(client, teacher), [klass])
    headers = bearer(client, student)
    with db.connect() as conn:
        audit_before = conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one()

    response = client.post(
        f"/surveys/{survey_id}/responses",
        json={"answers": {"hai-long": 3, "an-toan": "co"}},
        headers=headers,
    )

    assert response.status_code == 201
    with db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one() == audit_before
        row = conn.execute(text("SELECT * FROM survey_response")).mappings().one()
    assert row["respondent_id"] is None
    assert set(row) == {"id", "survey_id", "school_id", "class_id", "respondent_id", "answers"}


def test_a_named_survey_keeps_the_respondent(client: TestClient, db: Engine) -> None:
    school = create_school(db)
    klass, (student,) = students_in_class(db, school, 1)
    teacher = create_user(db, role=Role.TEACHER, school=school)
    survey_id = open_survey(client, bearer(client, teacher), [klass], anonymous=False)

    assert answer(client, student, survey_id, {"hai-long": 2, "an-toan": "co"}).status_code == 201

    with db.connect() as conn:
        stored = conn.execute(text("SELECT respondent_id FROM survey_response")).scalar_one()
    assert str(stored).replace("-", "") == student.id.hex
