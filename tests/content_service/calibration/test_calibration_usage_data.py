"""QTI usage data export of an accepted set with polytomous (GRM) items, parsed back."""

from __future__ import annotations

import numpy as np
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from content_service.jobs import run_until_empty
from content_service.models.people import Role
from content_service.settings import Settings
from item_bank.psychometrics import ItemParameters
from item_bank.qti.usage import read_usage_data
from tests.content_service.calibration.factories import create_bank_items, response_csv
from tests.factories import bearer, create_user


def test_graded_items_are_exported_with_thresholds_and_intercepts(
    client: TestClient, db: Engine, settings: Settings
) -> None:
    researcher = bearer(client, create_user(db, role=Role.RESEARCHER, school=None))
    rng = np.random.default_rng(2026)
    items = create_bank_items(db, 5, prefix="khaosat")
    thresholds = np.sort(rng.uniform(-1.5, 1.5, (5, 3)), axis=1)
    truth = ItemParameters.from_thresholds("grm", rng.uniform(0.9, 1.8, 5), thresholds)
    text = response_csv([i for i, _ in items], truth, 1500, rng, missing_rate=0.0)
    files = {"file": ("likert.csv", text.encode("utf-8"), "text/csv")}
    dataset = client.post("/calibration/datasets", files=files, headers=researcher).json()
    run = client.post("/calibration/runs", json={"dataset_id": dataset["id"], "model": "grm"},
                      headers=researcher).json()  # fmt: skip
    assert run_until_empty(settings) >= 1
    done = client.get(f"/calibration/runs/{run['id']}", headers=researcher).json()
    assert done["status"] == "succeeded", done["error"]
    accepted = client.post(f"/calibration/runs/{run['id']}/accept", json={"name": "Khảo sát"},
                           headers=researcher).json()  # fmt: skip

    xml = client.get(f"/calibration/parameter-sets/{accepted['id']}/usage-data.xml",
                     headers=researcher)  # fmt: skip
    assert xml.status_code == 200
    stats = read_usage_data(xml.content, source="usage-data.xml")
    by_item: dict[str, dict[str, object]] = {}
    for s in stats:
        by_item.setdefault(s.item, {})[s.name] = s
    assert set(by_item) == {ident for ident, _ in items}  # no item skipped
    for j, entry in enumerate(done["result"]["items"]):
        got = by_item[items[j][0]]
        assert set(got) == {"IRT-Model", "A-Parm", "GRM-B", "D-Parm"}
        assert got["IRT-Model"].value == "GRM"  # type: ignore[attr-defined]
        assert got["A-Parm"].value == entry["discrimination"]  # type: ignore[attr-defined]
        assert got["A-Parm"].std_error == entry["standard_errors"]["discrimination"]  # type: ignore[attr-defined]
        assert got["A-Parm"].case_count == 1500  # type: ignore[attr-defined]
        b = [v for _, v in got["GRM-B"].categories]  # type: ignore[attr-defined]
        d = [v for _, v in got["D-Parm"].categories]  # type: ignore[attr-defined]
        assert b == entry["thresholds"]
        assert d == entry["intercepts"]
        np.testing.assert_allclose(b, thresholds[j], atol=0.35)  # recovered from the data
