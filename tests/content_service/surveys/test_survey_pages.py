"""Survey pages without JavaScript: Vietnamese, labelled, skip logic enforced by the server."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from content_service.models.people import Role
from tests.content_service.surveys.factories import open_survey, students_in_class
from tests.factories import PASSWORD, bearer, create_school, create_user


def _log_in(client: TestClient, user: object) -> None:
    response = client.post(
        "/login",
        data={"username": user.username, "password": PASSWORD},  # type: ignore[attr-defined]
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_pages_need_a_login(client: TestClient) -> None:
    response = client.get("/pages/surveys", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


def test_a_student_answers_through_the_form_once(client: TestClient, db: Engine) -> None:
    school = create_school(db)
    klass, (student,) = students_in_class(db, school, 1)
    teacher = create_user(db, role=Role.TEACHER, school=school)
    survey_id = open_survey(client, bearer(client, teacher), [klass])
    _log_in(client, student)

    listing = client.get("/pages/surveys")
    form = client.get(f"/pages/surveys/{survey_id}")

    assert f'href="/pages/surveys/{survey_id}"' in listing.text
    assert '<html lang="vi">' in form.text
    assert "Khảo sát ẩn danh" in form.text
    assert form.text.count("<fieldset") == 4
    assert "<legend>" in form.text
    assert 'data-show-if="an-toan"' in form.text
    assert "/static/survey.js" in form.text

    missing = client.post(f"/pages/surveys/{survey_id}", data={"an-toan": "co"})
    assert missing.status_code == 422
    assert 'role="alert"' in missing.text
    assert "hai-long" in missing.text

    # Without JavaScript the hidden question is shown; the server drops its answer.
    sent = client.post(
        f"/pages/surveys/{survey_id}",
        data={
            "hai-long": "5",
            "an-toan": "co",
            "ly-do": "bị bỏ qua",
            "hoat-dong": ["the-thao", "am-nhac"],
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert client.get(sent.headers["location"]).status_code == 200
    with db.connect() as conn:
        stored = conn.execute(text("SELECT answers FROM survey_response")).scalar_one()
    assert "bị bỏ qua" not in str(stored)
    assert "am-nhac" in str(stored)

    again = client.post(f"/pages/surveys/{survey_id}", data={"hai-long": "1", "an-toan": "co"})
    assert again.status_code == 409
    assert "đã trả lời khảo sát này rồi" in again.text
    assert "Em đã trả lời" in client.get("/pages/surveys").text


def test_the_report_page_is_english_on_request(client: TestClient, db: Engine) -> None:
    school = create_school(db)
    klass, _ = students_in_class(db, school, 1)
    teacher = create_user(db, role=Role.TEACHER, school=school)
    survey_id = open_survey(client, bearer(client, teacher), [klass])
    _log_in(client, teacher)

    page = client.get(f"/pages/surveys/{survey_id}/report", params={"lang": "en"})

    assert page.status_code == 200
    assert "Whole school" in page.text
    assert page.text.count('class="withheld"') == 2
    assert f"/surveys/{survey_id}/report.csv" in page.text
