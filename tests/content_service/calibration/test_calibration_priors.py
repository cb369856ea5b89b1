"""MAP priors on a calibration run: validated, stored, applied by the worker, kept in provenance."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from content_service.jobs import run_until_empty
from content_service.models.people import Role
from content_service.settings import Settings
from tests.content_service.calibration.factories import (
    create_bank_items,
    response_csv,
    simulated_truth,
)
from tests.factories import PASSWORD, bearer, create_user

ORIGIN = {"Origin": "http://127.0.0.1"}  # the test client's own origin


def _dataset(client: TestClient, db: Engine, researcher: dict[str, str]) -> str:
    rng = np.random.default_rng(7)
    items = create_bank_items(db, 6)
    text = response_csv([ident for ident, _ in items], simulated_truth(6, rng), 300, rng)
    files = {"file": ("responses.csv", text.encode("utf-8"), "text/csv")}
    created = client.post(
        "/calibration/datasets", files=files, data={"name": "Lý 11"}, headers=researcher
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def _run(client: TestClient, headers: dict[str, str], body: dict[str, object]) -> dict:
    started = client.post("/calibration/runs", json=body, headers=headers)
    assert started.status_code == 202, started.text
    return dict(started.json())


def test_a_tight_slope_prior_pulls_every_slope_towards_its_mean(
    client: TestClient, db: Engine, settings: Settings
) -> None:
    researcher = bearer(client, create_user(db, role=Role.RESEARCHER, school=None))
    dataset = _dataset(client, db, researcher)
    plain = _run(client, researcher, {"dataset_id": dataset, "model": "2pl"})
    tight = _run(
        client,
        researcher,
        {"dataset_id": dataset, "model": "2pl", "priors": {"log_discrimination": [0.0, 0.05]}},
    )
    assert plain["priors"] == {}
    assert tight["priors"] == {
        "log_discrimination": [0.0, 0.05],
        "discrimination": None,
        "intercept": None,
        "guessing": [5.0, 17.0],
    }
    assert run_until_empty(settings) >= 2

    def slopes(run: dict) -> np.ndarray:
        done = client.get(f"/calibration/runs/{run['id']}", headers=researcher).json()
        assert done["status"] == "succeeded", done
        return np.array([i["discrimination"] for i in done["result"]["items"]])

    # log a ~ N(0, 0.05): every slope ends near exp(0) = 1, far nearer than without the prior
    assert np.max(np.abs(slopes(tight) - 1.0)) < 0.15
    assert np.max(np.abs(slopes(plain) - 1.0)) > np.max(np.abs(slopes(tight) - 1.0))
    accepted = client.post(
        f"/calibration/runs/{tight['id']}/accept", json={"name": "Lý 11"}, headers=researcher
    )
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["provenance"]["priors"]["log_discrimination"] == [0.0, 0.05]


@pytest.mark.parametrize(
    ("priors", "message"),
    [
        ({"intercept": [0.0, 0.0]}, "intercept prior must be (mean, sd) with sd > 0"),
        ({"guessing": [0.0, 17.0]}, "guessing prior must be (alpha, beta) > 0"),
        ({"slope": [0.0, 1.0]}, '"priors","slope"'),  # validation error: its loc
        ({"intercept": [0.0]}, '"priors","intercept"'),
    ],
)
def test_bad_priors_are_refused_naming_the_prior_and_nothing_is_queued(
    client: TestClient, db: Engine, priors: dict[str, object], message: str
) -> None:
    researcher = bearer(client, create_user(db, role=Role.RESEARCHER, school=None))
    dataset = _dataset(client, db, researcher)
    refused = client.post(
        "/calibration/runs",
        json={"dataset_id": dataset, "model": "2pl", "priors": priors},
        headers=researcher,
    )
    assert refused.status_code == 422
    assert message in refused.text
    runs = client.get(f"/calibration/runs?dataset_id={dataset}", headers=researcher).json()
    assert runs["total"] == 0


def test_the_run_form_takes_priors_and_names_a_bad_one(client: TestClient, db: Engine) -> None:
    user = create_user(db, role=Role.RESEARCHER, school=None)
    assert (
        client.post(
            "/auth/login", json={"username": user.username, "password": PASSWORD}
        ).status_code
        == 200
    )
    dataset = _dataset(client, db, {})
    url = f"/pages/calibration/datasets/{dataset}/runs"
    page = client.get(f"/pages/calibration/datasets/{dataset}")
    assert 'name="prior_log_discrimination_1"' in page.text
    assert 'name="prior_guessing_2"' in page.text
    assert 'value="17"' in page.text

    base = {"model": "3pl", "quadrature_points": "41", "prior_guessing_1": "5"}
    bad = client.post(
        url,
        data=base | {"prior_guessing_2": "17", "prior_intercept_1": "0", "prior_intercept_2": "x"},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert bad.status_code == 422
    assert "prior_intercept" in bad.text
    started = client.post(
        url,
        data=base
        | {
            "prior_guessing_2": "17",
            "prior_log_discrimination_1": "0",
            "prior_log_discrimination_2": "0,5",
        },
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert started.status_code == 303, started.text
    run_id = started.headers["location"].rsplit("/", 1)[-1]
    run = client.get(f"/calibration/runs/{run_id}").json()
    assert run["priors"]["log_discrimination"] == [0.0, 0.5]
    assert run["priors"]["guessing"] == [5.0, 17.0]
    assert run["priors"]["intercept"] is None
    plain = client.post(
        url, data=base | {"prior_guessing_2": "17"}, headers=ORIGIN, follow_redirects=False
    )
    assert plain.status_code == 303
    plain_id = plain.headers["location"].rsplit("/", 1)[-1]
    assert client.get(f"/calibration/runs/{plain_id}").json()["priors"] == {}
