"""QTI usage data: IRT and classical statistics out, any 2.x/3.0 usage data in."""

from __future__ import annotations

from pathlib import Path

import pytest

from item_bank.errors import ImportFormatError
from item_bank.qti.usage import (
    USAGE_NS,
    classical_statistics,
    export_usage_data,
    irt_statistics,
    read_usage_data,
)
from item_bank.qti.xml import parse_xml


def test_irt_and_classical_statistics_export() -> None:
    statistics = (
        *irt_statistics(
            "item-1", discrimination=1.25, difficulty=-0.4, guessing=0.2, case_count=812,
            std_errors={"discrimination": 0.11, "difficulty": 0.07, "guessing": 0.03},
            context="urn:hcm:calibration:2026-1", last_updated="2026-11-23",
        ),
        *classical_statistics("item-1", p_value=0.62, point_biserial=0.41, case_count=812,
                              std_errors={"p_value": 0.017}),
    )  # fmt: skip
    document = export_usage_data(statistics)
    root = parse_xml(document, source="usage")
    assert root.tag == f"{{{USAGE_NS}}}usageData"
    names = [e.get("name") for e in root]
    assert names == ["A-Parm", "B-Parm", "C-Parm", "P-value", "PTbis"]
    b_parm = root[1]
    assert b_parm.get("caseCount") == "812"
    assert b_parm.get("stdError") == "0.07"
    assert b_parm[0].get("identifier") == "item-1"
    assert b_parm[1].text == "-0.4"
    assert read_usage_data(document, source="usage") == statistics


def test_two_parameter_model_has_no_c_parm() -> None:
    names = [s.name for s in irt_statistics("i", discrimination=1.0, difficulty=0.0)]
    assert names == ["A-Parm", "B-Parm"]


def test_reads_the_qti3_example(test_material: Path) -> None:
    path = test_material / "qti" / "qti3" / "usageData" / "example.xml"
    statistics = read_usage_data(path.read_bytes(), source=path.name)
    by_name = {s.name: s for s in statistics if s.part is None}
    assert by_name["A-Parm"].value == 0.02083
    assert by_name["C-Parm"].value == 0.2275
    assert by_name["P-value"].case_count == 689325
    assert by_name["P-value"].std_error == 0.0022
    assert by_name["D-Parm"].categories[0] == ("d1", 412.5267)
    distractors = [s for s in statistics if s.name == "AIS-Response"]
    assert [s.part for s in distractors] == ["A", "B", "C", "D", "E"]
    assert read_usage_data(export_usage_data(statistics), source="again") == statistics


def test_reads_qti22_usage_data(test_material: Path) -> None:
    path = test_material / "qti" / "qti22" / "usageData" / "USAGE-TOTAL-TEST-106391.xml"
    statistics = read_usage_data(path.read_bytes(), source=path.name)
    codes = [s.value for s in statistics if s.name == "drcDistractorCode"]
    assert codes[:2] == ["A", "B"]  # text values stay text
    assert statistics[0].name == "P-Value"
    assert statistics[0].value == 78.1234


def test_broken_usage_data() -> None:
    with pytest.raises(ImportFormatError, match="not QTI usage data"):
        read_usage_data("<assessmentItem/>", source="u.xml")
    document = (
        f'<usageData xmlns="{USAGE_NS}"><ordinaryStatistic name="P-value" context="c">'
        "<value>1</value></ordinaryStatistic></usageData>"
    )
    with pytest.raises(
        ImportFormatError, match=r"statistic 'P-value' \(line 1\) has no targetObject"
    ):
        read_usage_data(document, source="u.xml")
