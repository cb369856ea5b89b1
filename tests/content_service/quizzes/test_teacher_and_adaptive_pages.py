"""Server-rendered pages: an adaptive attempt without JavaScript, the teacher's live progress,
results per student and per item with classical statistics, and the CSV exports."""

from __future__ import annotations

import csv
import io
import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from content_service.models.people import UserRecord
from tests.content_service.quizzes.adaptive_builders import (
    IRT_KEYS,
    accept_parameters,
    publish_leveled,
)
from tests.content_service.quizzes.builders import (
    SECRET_FEEDBACK,
    SECRET_NUMBER,
    SECRET_RATIONALE,
    classroom,
    headers_for,
    make_quiz,
)
from tests.factories import PASSWORD


def _login(client: TestClient, user: UserRecord) -> None:
    client.cookies.clear()
    response = client.post(
        "/login", data={"username": user.username, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303


def _current(page: str) -> str:
    match = re.search(r'name="question" value="(q\d+)"', page)
    assert match, "the page shows no current question"
    return match.group(1)


def test_an_adaptive_attempt_works_as_a_plain_form(client: TestClient, db: Engine) -> None:
    room = classroom(db, students=1)
    versions = publish_leveled(db, 8, prefix="dh", topic="Đạo hàm")
    accept_parameters(db, versions, [-1.5 + 3.0 * j / 7 for j in range(8)])
    teacher = headers_for(client, room.teacher)
    spec = {"topic": "Đạo hàm", "max_length": 3, "se_target": None}
    quiz = make_quiz(client, room, teacher, selection="adaptive", version_ids=[], adaptive=spec)

    _login(client, room.students[0])
    start_page = client.get(f"/pages/quizzes/{quiz['id']}")
    assert "Tối đa 3" in start_page.text
    assert "Bài thích ứng" in start_page.text
    started = client.post(f"/pages/quizzes/{quiz['id']}/start", follow_redirects=False)
    location = started.headers["location"]
    for number in (1, 2, 3):
        page = client.get(location)
        assert page.status_code == 200
        for secret in (SECRET_RATIONALE, SECRET_FEEDBACK, *IRT_KEYS):
            assert secret not in page.text
        assert f"Câu {number} (tối đa 3 câu)" in page.text
        assert page.text.count('data-question="') == 1  # one question at a time
        key = _current(page.text)
        assert key == f"q{number}"
        answered = client.post(
            f"{location}/adaptive-answer",
            data={"question": key, "kind": "single_choice", "sequence": "1", key: "B"},
            follow_redirects=False,
        )
        assert answered.status_code == 303
    done = client.get(location)
    assert "Đã nộp bài" in done.text
    assert 'id="theta"' in done.text
    assert "Số câu đúng: <strong>3</strong> / 3" in done.text

    late = client.post(
        f"{location}/adaptive-answer",
        data={"question": "q4", "kind": "single_choice", "sequence": "1", "q4": "B"},
    )
    assert late.status_code == 409

    _login(client, room.teacher)
    report = client.get(f"/pages/quizzes/{quiz['id']}")
    assert "Năng lực (θ)" in report.text
    assert re.search(r'class="theta">-?\d\.\d\d<', report.text)
    exported = client.get(f"/pages/quizzes/{quiz['id']}/results.csv?kind=students")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0]["answered"] == "3"
    assert float(rows[0]["se"]) > 0


def test_teacher_sees_live_progress_results_and_exports_csv(client: TestClient, db: Engine) -> None:
    room = classroom(db, students=5)
    teacher_headers = headers_for(client, room.teacher)
    quiz = make_quiz(client, room, teacher_headers)
    plans = [("B", ["A", "B"], SECRET_NUMBER), ("B", ["A"], "1"), ("A", ["C"], "1"), ("B", [], "9")]
    for student, (q1, q2, q3) in zip(room.students, plans, strict=False):
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
        if student is not room.students[3]:
            client.post(f"/attempts/{attempt['id']}/submit", headers=headers)

    _login(client, room.teacher)
    page = client.get(f"/pages/quizzes/{quiz['id']}")
    assert page.status_code == 200
    assert "Chưa bắt đầu: 1 · Đang làm: 1 · Đã nộp: 3" in page.text
    assert "Kết quả từng học sinh" in page.text
    assert "Tương quan điểm-nhị phân" in page.text
    assert "location.reload" in page.text  # live: the page refreshes itself

    items = client.get(f"/pages/quizzes/{quiz['id']}/results.csv?kind=items")
    assert items.status_code == 200
    assert items.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(items.content.decode("utf-8-sig"))))
    assert [r["position"] for r in rows] == ["1", "2", "3"]
    assert rows[0]["facility"] == "0.6667"  # two of the three submitted attempts chose B
    assert rows[0]["point_biserial"] != ""
    students = client.get(f"/quizzes/{quiz['id']}/results.csv", headers=teacher_headers)
    table = list(csv.DictReader(io.StringIO(students.content.decode("utf-8-sig"))))
    assert len(table) == 5
    assert sorted(r["final_score"] for r in table) == ["", "", "0.0", "2.0", "4.0"]
    assert table[0]["theta"] == ""  # not an adaptive quiz

    api = client.get(f"/quizzes/{quiz['id']}/results", headers=teacher_headers).json()
    assert api["items"][0]["point_biserial"] is not None

    _login(client, room.students[0])
    assert client.get(f"/pages/quizzes/{quiz['id']}/results.csv").status_code == 403
    student_api = client.get(
        f"/quizzes/{quiz['id']}/results.csv", headers=headers_for(client, room.students[0])
    )
    assert student_api.status_code == 403
    assert student_api.json()["code"]
