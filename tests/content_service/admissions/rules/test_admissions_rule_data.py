import copy
import json
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from content_service.admissions.rules import (
    AdmissionRuleDataError,
    AdmissionRuleSetNotFoundError,
    Grade10RuleSet,
    TieMode,
    Track,
    load_admission_rule_sets,
    parse_admission_rule_set,
    read_admission_rule_file,
    select_admission_rule_set,
)

DATA = resources.files("content_service.admissions.rules") / "data"


def document(name: str = "hcm-grade10-2025.json") -> dict[str, Any]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def test_shipped_grade10_rules() -> None:
    rules = select_admission_rule_set("hcm", "grade10", date(2025, 6, 1))
    assert isinstance(rules, Grade10RuleSet)
    assert rules.priority_points == {1: 2, 2: 1.5, 3: 1}
    assert rules.tracks[Track.REGULAR].max_wishes == 3
    assert rules.phase_order == (Track.SPECIALISED, Track.INTEGRATED, Track.REGULAR)
    assert rules.tie_mode is TieMode.ADMIT_ALL


@pytest.mark.parametrize(
    ("region", "kind", "on"),
    [("HCM", "grade10", date(2024, 12, 31)), ("HN", "grade10", date(2025, 6, 1))],
)
def test_selection_outside_scope_fails(region: str, kind: str, on: date) -> None:
    with pytest.raises(AdmissionRuleSetNotFoundError, match=f"region '{region}'"):
        select_admission_rule_set(region, kind, on)


def test_region_specific_rules_are_selected_by_date(tmp_path: Path) -> None:
    old = document() | {"effective_to": "2025-12-31"}
    region2 = document() | {"rule_id": "HCM-R2-2026", "effective_from": "2026-01-01"}
    region2["supplementary_round"] = {"enabled": False, "respect_cutoffs": True, "max_wishes": 3}
    for name, doc in (("old.json", old), ("new.json", region2)):
        (tmp_path / name).write_text(json.dumps(doc), encoding="utf-8")
    rule_sets = load_admission_rule_sets(tmp_path.iterdir())
    later = select_admission_rule_set("HCM", "grade10", date(2026, 6, 1), rule_sets=rule_sets)
    assert later.meta.rule_id == "HCM-R2-2026"
    assert isinstance(later, Grade10RuleSet)
    assert not later.supplementary_enabled


def test_overlapping_and_duplicate_rule_sets_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps(document()), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps(document() | {"rule_id": "X"}), encoding="utf-8")
    with pytest.raises(AdmissionRuleDataError, match="overlap for HCM/grade10"):
        load_admission_rule_sets(tmp_path.iterdir())
    (tmp_path / "b.json").write_text(json.dumps(document() | {"region": "HN"}), encoding="utf-8")
    with pytest.raises(AdmissionRuleDataError, match="is defined twice"):
        load_admission_rule_sets(tmp_path.iterdir())


def broken(path: str, value: Any, name: str = "hcm-grade10-2025.json") -> dict[str, Any]:
    doc = copy.deepcopy(document(name))
    *parents, last = path.split("/")
    target = doc
    for part in parents:
        target = target[part]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return doc


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("kind", "grade11", "kind: expected 'grade10' or 'entry'"),
        ("schema_version", 3, "schema_version: unsupported version 3"),
        ("effective_from", "2025/01/01", "effective_from: expected an ISO date"),
        ("effective_to", "2020-01-01", "effective_to: is before effective_from"),
        ("priority_points/1", 2.0, r"priority_points.1: expected a non-negative multiple of 0.25"),
        (
            "priority_points/2",
            "1.3",
            r"priority_points.2: expected a non-negative multiple of 0.25",
        ),
        ("priority_points/x", "1.0", r"priority_points.x: priority groups are numbered"),
        ("tracks/regular/max_wishes", 0, r"tracks.regular.max_wishes: expected an integer >= 1"),
        ("tracks/integrated", KeyError, r"tracks.integrated: missing required field"),
        (
            "tracks/regular/add_priority",
            "yes",
            r"tracks.regular.add_priority: expected true or false",
        ),
        ("tie_rule/mode", "lottery", r"tie_rule.mode: expected 'admit_all' or 'tie_break'"),
        ("tie_rule/order", ["height"], r"tie_rule.order: expected a list of priority_points"),
        ("phase_order", ["regular", "regular"], "phase_order: lists an entry twice"),
        ("test_weights/mathematics", 0, r"test_weights.mathematics: expected an integer >= 1"),
        ("rule_id", "", "rule_id: expected a non-empty string"),
        ("tie_mode", "admit_all", "tie_mode: unknown field"),
    ],
)
def test_malformed_grade10_data(path: str, value: Any, message: str) -> None:
    with pytest.raises(AdmissionRuleDataError, match=message):
        parse_admission_rule_set(broken(path, value), "x.json")


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("grades/2", {"requires_completed_primary": False}, "grades.2: entry grades are 1 and 6"),
        ("grades/1/age_years", 0, r"grades.1.age_years: expected a positive integer"),
        (
            "tie_break",
            ["distance", "wealth"],
            "tie_break: expected a list of completed_school_locally",
        ),
    ],
)
def test_malformed_entry_data(path: str, value: Any, message: str) -> None:
    with pytest.raises(AdmissionRuleDataError, match=message):
        parse_admission_rule_set(broken(path, value, "hcm-entry-2025.json"), "x.json")


def test_undecodable_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("= 1", encoding="utf-8")
    with pytest.raises(AdmissionRuleDataError, match=r"bad.toml: cannot be decoded"):
        read_admission_rule_file(bad)
    other = tmp_path / "rules.ini"
    other.write_text("", encoding="utf-8")
    with pytest.raises(AdmissionRuleDataError, match=r"rules.ini: unsupported rule-file type"):
        read_admission_rule_file(other)
    with pytest.raises(AdmissionRuleDataError, match=r"x.json: top level: expected an object"):
        parse_admission_rule_set([], "x.json")
