"""The demo survey: loads once on the demo school, answers and report are consistent."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from content_service.demo import DEMO_PASSWORD, load_demo
from content_service.demo_surveys import load_surveys_demo
from content_service.models.surveys import (
    SurveyParticipationRecord,
    SurveyRecord,
    SurveyResponseRecord,
)


def _token(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.text
    token = client.post("/me/tokens", json={"name": "test"}).json()["token"]
    client.cookies.clear()
    return {"Authorization": f"Bearer {token}"}


def test_the_demo_survey_loads_once_and_reports_by_class(client: TestClient, db: Engine) -> None:
    load_demo(db)
    with Session(db) as session:
        assert load_surveys_demo(session) == 1
        assert load_surveys_demo(session) == 0
        assert session.exec(select(func.count()).select_from(SurveyRecord)).one() == 1
        responses = session.exec(select(SurveyResponseRecord)).all()
        participants = session.exec(select(SurveyParticipationRecord)).all()
        survey_id = session.exec(select(SurveyRecord.id)).one()
    assert len(responses) == len(participants) == 5
    assert all(r.respondent_id is None for r in responses)

    report = client.get(f"/surveys/{survey_id}/report", headers=_token(client, "gv.toan")).json()
    groups = {g["name"]: g for g in report["groups"]}
    assert groups["10A1"]["responses"] == 5
    assert groups["11A2"]["withheld"] is True

    student = _token(client, "hs.10a1.01")
    listed = client.get("/surveys", headers=student).json()
    assert [s["id"] for s in listed["items"]] == [str(survey_id)]
    sent = client.post(
        f"/surveys/{survey_id}/responses",
        json={"answers": {"tiet-hoc": 5, "thay-co": 5, "an-toan": "co"}},
        headers=student,
    )
    assert sent.status_code == 201, sent.text
