"""Researcher pages: create a dataset, start a run, watch it, review it and accept it."""

from __future__ import annotations

import re

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from content_service.jobs import run_until_empty
from content_service.models.calibration import (
    CalibrationRunRecord,
    ParameterSetRecord,
    ResponseDatasetRecord,
)
from content_service.models.people import Role
from content_service.settings import Settings
from tests.content_service.calibration.factories import (
    create_bank_items,
    create_quiz_answers,
    response_csv,
    simulated_truth,
    utc,
)
from tests.factories import PASSWORD, bearer, create_school, create_user

ORIGIN = {"Origin": "http://127.0.0.1"}  # the test client's own origin (see test_cross_site)


def _count(db: Engine, model: type) -> int:
    with Session(db) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def _log_in(client: TestClient, db: Engine, role: Role = Role.RESEARCHER) -> None:
    school = None if role in (Role.RESEARCHER, Role.SYSTEM_ADMIN) else create_school(db)
    user = create_user(db, role=role, school=school)
    response = client.post("/auth/login", json={"username": user.username, "password": PASSWORD})
    assert response.status_code == 200


def _upload(client: TestClient, text: str, name: str = "Toán 10 — đợt 1", **headers: str):
    files = {"file": ("responses.csv", text.encode("utf-8"), "text/csv")}
    return client.post("/pages/calibration/datasets/upload", files=files,
                       data={"name": name, "description": "thử"},
                       headers=ORIGIN | headers, follow_redirects=False)  # fmt: skip


def test_researcher_uploads_runs_watches_reviews_and_accepts_through_forms(
    client: TestClient, db: Engine, settings: Settings
) -> None:
    _log_in(client, db)
    rng = np.random.default_rng(11)
    items = create_bank_items(db, 6)
    truth = simulated_truth(6, rng)
    form = client.get("/pages/calibration/datasets/new")
    assert form.status_code == 200
    assert 'action="/pages/calibration/datasets/upload"' in form.text
    assert 'enctype="multipart/form-data"' in form.text
    assert 'action="/pages/calibration/datasets/from-quizzes"' in form.text

    created = _upload(client, response_csv([i for i, _ in items], truth, 800, rng))
    assert created.status_code == 303, created.text
    dataset_url = created.headers["location"]
    dataset_id = dataset_url.rsplit("/", 1)[-1]
    page = client.get(dataset_url)
    assert page.status_code == 200
    assert "Toán 10 — đợt 1" in page.text
    assert "800" in page.text
    assert f'action="/pages/calibration/datasets/{dataset_id}/runs"' in page.text
    for model in ("rasch", "1pl", "2pl", "3pl", "grm", "gpcm"):
        assert f'<option value="{model}"' in page.text

    bad = client.post(f"{dataset_url}/runs", data={"model": "4pl", "quadrature_points": "61"},
                      headers=ORIGIN, follow_redirects=False)  # fmt: skip
    assert bad.status_code == 422
    assert "model: &#39;4pl&#39;" in bad.text
    too_many = client.post(f"{dataset_url}/runs", data={"model": "2pl", "quadrature_points": "500"},
                           headers=ORIGIN, follow_redirects=False)  # fmt: skip
    assert too_many.status_code == 422
    assert "quadrature_points" in too_many.text
    assert _count(db, CalibrationRunRecord) == 0

    started = client.post(f"{dataset_url}/runs", data={"model": "2pl", "quadrature_points": "41"},
                          headers=ORIGIN, follow_redirects=False)  # fmt: skip
    assert started.status_code == 303
    run_url = started.headers["location"]
    waiting = client.get(run_url)
    assert waiting.status_code == 200
    assert '<meta http-equiv="refresh" content="5">' in waiting.text
    assert re.search(r'id="job-status">[^<]+<', waiting.text)
    assert 'action="' + run_url + '/accept"' not in waiting.text  # nothing to accept yet

    assert run_until_empty(settings) >= 1
    done = client.get(run_url)
    assert done.status_code == 200
    assert 'http-equiv="refresh"' not in done.text
    assert "plots/icc.svg" in done.text
    assert "plots/wright.svg" in done.text
    assert f'action="{run_url}/accept"' in done.text
    empty_name = client.post(f"{run_url}/accept", data={"name": " "}, headers=ORIGIN)
    assert empty_name.status_code == 422
    assert _count(db, ParameterSetRecord) == 0
    accepted = client.post(f"{run_url}/accept", data={"name": "Toán 10", "note": "đợt 1"},
                           headers=ORIGIN, follow_redirects=False)  # fmt: skip
    assert accepted.status_code == 303
    assert accepted.headers["location"].startswith("/pages/calibration?accepted=")
    home = client.get(accepted.headers["location"])
    assert "Toán 10" in home.text
    assert 'role="status"' in home.text
    with Session(db) as session:
        saved = session.exec(select(ParameterSetRecord)).one()
    assert (saved.name, saved.version, saved.note, saved.model) == ("Toán 10", 1, "đợt 1", "2pl")
    assert str(saved.dataset_id) == dataset_id


def test_a_bad_upload_shows_the_row_and_column_and_saves_nothing(
    client: TestClient, db: Engine
) -> None:
    _log_in(client, db)
    (c0, _), (c1, _) = create_bank_items(db, 2)
    response = _upload(client, f"hs,{c0},{c1}\nhs1,1,0\nhs2,1,x\n")
    assert response.status_code == 422
    assert f"row 3, column &#39;{c1}&#39;" in response.text
    assert 'action="/pages/calibration/datasets/upload"' in response.text  # the form again
    other_field = {"other": ("a.txt", b"", "text/plain")}
    missing = client.post("/pages/calibration/datasets/upload", data={"name": "x"},
                          files=other_field, headers=ORIGIN)  # fmt: skip
    assert missing.status_code == 422
    assert "file:" in missing.text
    assert _count(db, ResponseDatasetRecord) == 0


def test_dataset_from_quizzes_by_quiz_school_and_inclusive_period(
    client: TestClient, db: Engine
) -> None:
    _log_in(client, db)
    school = create_school(db)
    students = [create_user(db, role=Role.STUDENT, school=school) for _ in range(5)]
    versions = [v for _, v in create_bank_items(db, 3)]
    correct = np.random.default_rng(3).integers(0, 2, (5, 3))
    quiz = create_quiz_answers(db, school=school, students=students, versions=versions,
                               correct=correct, submitted_at=utc(2026, 10, 31))  # fmt: skip
    form = client.get("/pages/calibration/datasets/new")
    assert f'value="{quiz}"' in form.text
    assert f'value="{school.id}"' in form.text
    data = {"name": "Tháng 10", "quiz_ids": [str(quiz)], "school_id": str(school.id),
            "submitted_from": "2026-10-01", "submitted_until": "2026-10-31",
            "item_version_ids": f"{versions[0]}, {versions[2]}"}  # fmt: skip
    created = client.post("/pages/calibration/datasets/from-quizzes", data=data,
                          headers=ORIGIN, follow_redirects=False)  # fmt: skip
    assert created.status_code == 303, created.text
    with Session(db) as session:
        dataset = session.exec(select(ResponseDatasetRecord)).one()
    assert (dataset.n_persons, dataset.n_responses) == (5, 10)  # the last day counts
    assert sorted(dataset.item_versions) == sorted(str(v) for v in (versions[0], versions[2]))
    assert dataset.selection["school_id"] == str(school.id)

    for field, value in (("submitted_from", "31/10/2026"), ("quiz_ids", "không-phải-mã")):
        bad = client.post("/pages/calibration/datasets/from-quizzes",
                          data=data | {field: value}, headers=ORIGIN)  # fmt: skip
        assert bad.status_code == 422
        assert f"{field}:" in bad.text
    later = client.post("/pages/calibration/datasets/from-quizzes",
                        data=data | {"submitted_from": "2026-11-01", "submitted_until": ""},
                        headers=ORIGIN)  # fmt: skip
    assert later.status_code == 422
    assert _count(db, ResponseDatasetRecord) == 1


@pytest.mark.parametrize("role", [Role.TEACHER, Role.STUDENT])
def test_only_researchers_see_and_submit_the_forms(
    client: TestClient, db: Engine, role: Role
) -> None:
    (c0, _), (c1, _) = create_bank_items(db, 2)
    _log_in(client, db, role)
    assert client.get("/pages/calibration/datasets/new").status_code == 403
    assert _upload(client, f"hs,{c0},{c1}\nhs1,1,0\nhs2,0,1\n").status_code == 403
    assert _count(db, ResponseDatasetRecord) == 0


def test_forms_refuse_other_origins_and_anonymous_users(client: TestClient, db: Engine) -> None:
    (c0, _), (c1, _) = create_bank_items(db, 2)
    text = f"hs,{c0},{c1}\nhs1,1,0\nhs2,0,1\n"
    anonymous = _upload(client, text)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login"
    _log_in(client, db)
    forged = _upload(client, text, Origin="https://evil.example")
    assert forged.status_code == 403
    assert forged.json()["code"] == "cross_site_request"
    assert _count(db, ResponseDatasetRecord) == 0
    assert _upload(client, text).status_code == 303
    assert _count(db, ResponseDatasetRecord) == 1


def test_teacher_with_a_bearer_token_cannot_start_or_accept_runs(
    client: TestClient, db: Engine
) -> None:
    researcher = bearer(client, create_user(db, role=Role.RESEARCHER, school=None))
    teacher = bearer(client, create_user(db, role=Role.TEACHER, school=create_school(db)))
    (c0, _), (c1, _) = create_bank_items(db, 2)
    files = {"file": ("r.csv", f"hs,{c0},{c1}\nhs1,1,0\nhs2,0,1\n".encode(), "text/csv")}
    created = client.post("/calibration/datasets", files=files, headers=researcher).json()
    refused = client.post(f"/pages/calibration/datasets/{created['id']}/runs",
                          data={"model": "2pl"}, headers=teacher)  # fmt: skip
    assert refused.status_code == 403
    assert _count(db, CalibrationRunRecord) == 0


def test_researchers_of_a_school_do_not_see_another_schools_datasets_or_runs(
    client: TestClient, db: Engine
) -> None:
    north, south = create_school(db), create_school(db)
    mine = bearer(client, create_user(db, role=Role.RESEARCHER, school=north))
    other = bearer(client, create_user(db, role=Role.RESEARCHER, school=south))
    roaming = bearer(client, create_user(db, role=Role.RESEARCHER, school=None))
    (c0, _), (c1, _) = create_bank_items(db, 2)
    files = {"file": ("r.csv", f"hs,{c0},{c1}\nhs1,1,0\nhs2,0,1\n".encode(), "text/csv")}
    dataset = client.post("/calibration/datasets", files=files, headers=mine).json()
    run = client.post("/calibration/runs", json={"dataset_id": dataset["id"]}, headers=mine).json()
    for path in (f"/calibration/datasets/{dataset['id']}", f"/calibration/runs/{run['id']}"):
        refused = client.get(path, headers=other)
        assert refused.status_code == 403
        assert refused.json()["code"] == "other_school"
        assert client.get(path, headers=roaming).status_code == 200
    assert client.get("/calibration/datasets", headers=other).json()["total"] == 0
    assert client.get("/calibration/runs", headers=other).json()["total"] == 0
    assert client.get("/calibration/datasets", headers=mine).json()["total"] == 1
    page = client.get(f"/pages/calibration/datasets/{dataset['id']}", headers=other)
    assert page.status_code == 403
    started = client.post(f"/pages/calibration/datasets/{dataset['id']}/runs",
                          data={"model": "2pl"}, headers=other)  # fmt: skip
    assert started.status_code == 403
    assert client.get("/calibration/runs", headers=mine).json()["total"] == 1
