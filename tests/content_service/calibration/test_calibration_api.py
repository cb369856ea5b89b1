"""Calibration through the API: upload, background job, results, acceptance, exports, access."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient
from lxml import etree
from sqlalchemy import Engine

from content_service.jobs import run_until_empty
from content_service.models.people import Role
from content_service.settings import Settings
from tests.content_service.calibration.factories import (
    create_bank_items,
    create_quiz_answers,
    response_csv,
    simulated_truth,
    utc,
)
from tests.factories import bearer, create_school, create_user


@pytest.fixture
def people(client: TestClient, db: Engine) -> dict[str, dict[str, str]]:
    school = create_school(db)
    users = {
        "researcher": create_user(db, role=Role.RESEARCHER, school=None),
        "teacher": create_user(db, role=Role.TEACHER, school=school),
        "student": create_user(db, role=Role.STUDENT, school=school),
        "admin": create_user(db, role=Role.SYSTEM_ADMIN, school=None),
    }
    return {name: bearer(client, user) for name, user in users.items()}


def _upload(client: TestClient, headers: dict[str, str], text: str, name: str = "Toán 10"):
    files = {"file": ("responses.csv", text.encode("utf-8"), "text/csv")}
    return client.post("/calibration/datasets", files=files, data={"name": name}, headers=headers)


def test_full_flow_recovers_parameters_and_keeps_every_accepted_set(
    client: TestClient, db: Engine, settings: Settings, people
) -> None:
    rng = np.random.default_rng(20240611)
    items = create_bank_items(db, 8)
    truth = simulated_truth(8, rng)
    # half the columns by item identifier, half by item version id
    columns = [ident if j % 2 else str(vid) for j, (ident, vid) in enumerate(items)]
    researcher = people["researcher"]
    created = _upload(client, researcher, response_csv(columns, truth, 2000, rng))
    assert created.status_code == 201, created.text
    dataset = created.json()
    assert dataset["n_persons"] == 2000
    assert dataset["item_versions"] == [str(v) for _, v in items]

    started = client.post("/calibration/runs", json={"dataset_id": dataset["id"], "model": "2pl"},
                          headers=researcher)  # fmt: skip
    assert started.status_code == 202, started.text
    run = started.json()
    assert run["status"] == "queued"
    assert client.get(f"/jobs/{run['job_id']}", headers=researcher).json()["status"] == "queued"
    too_early = client.post(f"/calibration/runs/{run['id']}/accept", json={"name": "Toán 10"},
                            headers=researcher)  # fmt: skip
    assert too_early.status_code == 409

    assert run_until_empty(settings) >= 1
    job = client.get(f"/jobs/{run['job_id']}", headers=researcher).json()
    assert job["status"] == "succeeded", job
    done = client.get(f"/calibration/runs/{run['id']}", headers=researcher).json()
    assert done["status"] == "succeeded"
    result = done["result"]
    assert result["converged"] is True
    estimated = result["items"]
    a = np.array([i["discrimination"] for i in estimated])
    b = np.array([i["difficulty"] for i in estimated])
    assert np.sqrt(np.mean((a - truth.discrimination) ** 2)) < 0.2
    assert np.sqrt(np.mean((b - truth.difficulty) ** 2)) < 0.2
    assert all(i["standard_errors"]["discrimination"] > 0 for i in estimated)
    assert all(0 < i["standard_errors"]["difficulty"] < 0.3 for i in estimated)
    assert all(i["fit"]["df"] > 0 and 0 <= i["fit"]["p_value"] <= 1 for i in estimated)

    page = client.get(f"/pages/calibration/runs/{run['id']}", headers=researcher)
    assert page.status_code == 200
    assert "plots/wright.svg" in page.text
    for kind in ("icc", "information", "wright"):
        svg = client.get(
            f"/pages/calibration/runs/{run['id']}/plots/{kind}.svg", headers=researcher
        )
        assert svg.status_code == 200
        assert svg.headers["content-type"].startswith("image/svg+xml")
        assert "<svg" in svg.text

    first = client.post(f"/calibration/runs/{run['id']}/accept",
                        json={"name": "Toán 10", "note": "đợt 1"}, headers=researcher)  # fmt: skip
    second = client.post(f"/calibration/runs/{run['id']}/accept", json={"name": "Toán 10"},
                         headers=researcher)  # fmt: skip
    assert first.status_code == second.status_code == 201, first.text
    assert (first.json()["version"], second.json()["version"]) == (1, 2)
    provenance = first.json()["provenance"]
    assert provenance["dataset"]["name"] == "Toán 10"
    assert provenance["model"] == "2pl"
    assert provenance["job_id"] == run["job_id"]
    assert "item_bank" in provenance["software_version"]

    listing = client.get("/pages/calibration", headers=people["teacher"])
    assert listing.status_code == 200
    assert "Toán 10" in listing.text
    assert f"/calibration/parameter-sets/{second.json()['id']}/export.csv" in listing.text
    sets = client.get("/calibration/parameter-sets", headers=people["teacher"]).json()
    assert sets["total"] == 2  # the first set was not overwritten
    version_id = items[3][1]
    current = client.get(f"/calibration/item-versions/{version_id}/parameters",
                         headers=people["teacher"])  # fmt: skip
    assert current.status_code == 200
    assert current.json()["parameter_set_id"] == second.json()["id"]
    assert current.json()["discrimination"] == pytest.approx(a[3])

    set_id = second.json()["id"]
    exported = client.get(f"/calibration/parameter-sets/{set_id}/export.csv",
                          headers=people["teacher"])  # fmt: skip
    lines = exported.text.strip().splitlines()
    assert lines[0].startswith("item_version_id,model")
    assert len(lines) == 9
    usage = client.get(f"/calibration/parameter-sets/{set_id}/usage-data.xml", headers=researcher)
    root = etree.fromstring(usage.content)
    names = {e.get("name") for e in root}
    assert names == {"A-Parm", "B-Parm"}
    targets = {e.get("identifier") for e in root.iter("{*}targetObject")}
    assert items[1][0] in targets


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("hs,{c0},{c1}\nhs1,1,0\nhs2,1,x\n", "row 3, column '{c1}'"),
        ("hs,{c0},{c1}\nhs1,1,0\nhs2,1,0,1\n", "row 3 has 4 cells"),
        ("hs,{c0},khong-co-cau-nay\nhs1,1,0\n", "column 'khong-co-cau-nay'"),
        ("hs,{c0},{c1}\nhs1,1,2.5\n", "row 2, column '{c1}'"),
        ("hs,{c0},{c0}\nhs1,1,0\n", "appears twice"),
        ("hs\n", "header"),
    ],
)
def test_bad_uploads_are_422_naming_row_and_column(
    client: TestClient, db: Engine, people, body: str, message: str
) -> None:
    (c0, _), (c1, _) = create_bank_items(db, 2)
    response = _upload(client, people["researcher"], body.format(c0=c0, c1=c1))
    assert response.status_code == 422, response.text
    assert message.format(c0=c0, c1=c1) in response.json()["detail"]


def test_a_constant_item_fails_the_run_with_a_clear_error(
    client: TestClient, db: Engine, settings: Settings, people
) -> None:
    items = create_bank_items(db, 3)
    rows = "\n".join(f"hs{i},1,{i % 2},{(i // 2) % 2}" for i in range(40))
    dataset = _upload(
        client, people["researcher"], f"hs,{items[0][0]},{items[1][0]},{items[2][0]}\n" + rows
    )
    assert dataset.status_code == 201
    run = client.post("/calibration/runs", json={"dataset_id": dataset.json()["id"]},
                      headers=people["researcher"]).json()  # fmt: skip
    run_until_empty(settings)
    failed = client.get(f"/calibration/runs/{run['id']}", headers=people["researcher"]).json()
    assert failed["status"] == "failed"
    assert "nobody chose" in failed["error"]
    job = client.get(f"/jobs/{run['job_id']}", headers=people["researcher"]).json()
    assert job["status"] == "failed"


def test_access_rules(client: TestClient, db: Engine, people) -> None:
    items = create_bank_items(db, 2)
    text = f"hs,{items[0][0]},{items[1][0]}\nhs1,1,0\nhs2,0,1\n"
    for who in ("teacher", "student"):
        assert _upload(client, people[who], text).status_code == 403
        assert client.get("/calibration/datasets", headers=people[who]).status_code == 403
    assert _upload(client, people["admin"], text).status_code == 201
    assert client.get("/calibration/parameter-sets", headers=people["teacher"]).status_code == 200
    assert client.get("/calibration/parameter-sets", headers=people["student"]).status_code == 403
    version = items[0][1]
    missing = client.get(
        f"/calibration/item-versions/{version}/parameters", headers=people["teacher"]
    )
    assert missing.status_code == 404
    assert missing.json()["code"] == "no_parameters"
    assert client.get("/calibration/datasets").status_code == 401
    page = client.get("/pages/calibration", headers=people["student"])
    assert page.status_code == 403


def test_dataset_from_quiz_answers_selects_by_quiz_and_period(
    client: TestClient, db: Engine, people
) -> None:
    school = create_school(db)
    students = [create_user(db, role=Role.STUDENT, school=school) for _ in range(6)]
    versions = [v for _, v in create_bank_items(db, 3)]
    correct = np.random.default_rng(5).integers(0, 2, (6, 3))
    quiz = create_quiz_answers(db, school=school, students=students, versions=versions,
                               correct=correct, submitted_at=utc(2026, 10, 5))  # fmt: skip
    body = {
        "name": "Kiểm tra tháng 10",
        "quiz_ids": [str(quiz)],
        "submitted_from": "2026-10-01T00:00:00Z",
        "submitted_until": "2026-11-01T00:00:00Z",
    }
    created = client.post(
        "/calibration/datasets/from-quizzes", json=body, headers=people["researcher"]
    )
    assert created.status_code == 201, created.text
    dataset = created.json()
    assert dataset["source"] == "quizzes"
    assert dataset["n_persons"] == 6
    assert dataset["n_responses"] == 18
    assert sorted(dataset["item_versions"]) == sorted(str(v) for v in versions)
    later = body | {"submitted_from": "2026-11-01T00:00:00Z", "submitted_until": None}
    empty = client.post(
        "/calibration/datasets/from-quizzes", json=later, headers=people["researcher"]
    )
    assert empty.status_code == 422
    assert empty.json()["code"] == "empty_selection"
