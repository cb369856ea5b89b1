"""QTI usage data for polytomous (GRM, GPCM) items: written, parsed back, item rebuilt."""

from __future__ import annotations

import numpy as np
import pytest
from lxml import etree

from item_bank.psychometrics import ItemParameters
from item_bank.qti.usage import (
    POLYTOMOUS_GLOSSARY,
    USAGE_NS,
    export_usage_data,
    irt_statistics,
    polytomous_statistics,
    read_usage_data,
)


@pytest.mark.parametrize(("model", "location"), [("grm", "GRM-B"), ("gpcm", "GPCM-B")])
def test_polytomous_parameters_round_trip_through_usage_data(model: str, location: str) -> None:
    truth = ItemParameters.from_thresholds(model, [1.3], [[-1.2, 0.1, 0.9]])
    b = truth.thresholds[0].tolist()
    d = truth.intercepts[0].tolist()
    stats = polytomous_statistics(
        "toan10-cau-7", model=model, discrimination=1.3, intercepts=d, thresholds=b,
        case_count=812, discrimination_error=0.07, context="urn:test:v1", last_updated="2026-11-23",
    )  # fmt: skip
    stats += irt_statistics("toan10-cau-1", discrimination=0.9, difficulty=-0.4, context="urn:t")
    xml = export_usage_data(stats)
    root = etree.fromstring(xml.encode("utf-8"))
    assert etree.QName(root).namespace == USAGE_NS
    kinds = {e.get("name"): etree.QName(e).localname for e in root}
    assert kinds == {"IRT-Model": "ordinaryStatistic", "A-Parm": "ordinaryStatistic",
                     location: "categorizedStatistic", "D-Parm": "categorizedStatistic",
                     "B-Parm": "ordinaryStatistic"}  # fmt: skip

    back = {(s.item, s.name): s for s in read_usage_data(xml, source="usage.xml")}
    assert back[("toan10-cau-7", "IRT-Model")].value == model.upper()
    slope = back[("toan10-cau-7", "A-Parm")]
    assert (slope.value, slope.std_error, slope.case_count) == (1.3, 0.07, 812)
    assert slope.glossary == f"{POLYTOMOUS_GLOSSARY}#A-Parm"
    assert slope.context == "urn:test:v1"
    assert slope.last_updated == "2026-11-23"
    steps = back[("toan10-cau-7", location)].categories
    assert [k for k, _ in steps] == ["1", "2", "3"]
    np.testing.assert_allclose([v for _, v in steps], b, rtol=1e-12)
    intercepts = [v for _, v in back[("toan10-cau-7", "D-Parm")].categories]
    rebuilt = ItemParameters.from_thresholds(model, [1.3], [[v for _, v in steps]])
    np.testing.assert_allclose(rebuilt.intercepts[0], intercepts, rtol=1e-12)
    np.testing.assert_allclose(intercepts, d, rtol=1e-12)
    assert back[("toan10-cau-1", "B-Parm")].value == -0.4  # dichotomous items unchanged


def test_polytomous_statistics_reject_unknown_models_and_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="'grm' or 'gpcm'"):
        polytomous_statistics("x", model="2pl", discrimination=1.0, intercepts=[0.0],
                              thresholds=[0.0])  # fmt: skip
    with pytest.raises(ValueError, match="one value per category"):
        polytomous_statistics("x", model="grm", discrimination=1.0, intercepts=[0.0, 1.0],
                              thresholds=[0.0])  # fmt: skip
