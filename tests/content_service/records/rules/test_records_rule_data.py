import copy
import json
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from content_service.records.rules import (
    RuleDataError,
    RuleSetNotFoundError,
    SecondaryRuleSet,
    load_rule_sets,
    parse_rule_set,
    read_rule_set_file,
    select_rule_set,
    shipped_rule_sets,
)

DATA = resources.files("content_service.records.rules") / "data"


def tt22_document() -> dict[str, Any]:
    return json.loads((DATA / "vn-secondary-tt22-2021.json").read_text(encoding="utf-8"))


def variant(**changes: Any) -> dict[str, Any]:
    document = copy.deepcopy(tt22_document())
    document.update(changes)
    return document


def test_shipped_rule_sets_load() -> None:
    ids = sorted(r.meta.rule_id for r in shipped_rule_sets())
    assert ids == ["VN-TT22-2021", "VN-TT27-2020"]


@pytest.mark.parametrize(
    ("region", "level", "on", "grade", "rule_id"),
    [
        ("VN", "secondary", date(2021, 9, 5), 6, "VN-TT22-2021"),
        ("hcm", "secondary", date(2025, 1, 1), 12, "VN-TT22-2021"),
        ("HCM", "primary", date(2020, 10, 20), 1, "VN-TT27-2020"),
        ("VN", "primary", date(2024, 9, 5), 5, "VN-TT27-2020"),
    ],
)
def test_selection_by_region_level_date(
    region: str, level: str, on: date, grade: int, rule_id: str
) -> None:
    assert select_rule_set(region, level, on, grade=grade).meta.rule_id == rule_id


@pytest.mark.parametrize(
    ("level", "on", "grade", "message"),
    [
        ("secondary", date(2021, 9, 4), None, "in force on 2021-09-04"),
        # TT22 reached grade 9 only in 2024-25; TT58/2011 still governed it in 2023-24
        ("secondary", date(2023, 12, 1), 9, "grade 9 in force on 2023-12-01"),
        ("primary", date(2022, 1, 1), 4, "grade 4 in force on 2022-01-01"),
    ],
)
def test_selection_outside_range_fails(
    level: str, on: date, grade: int | None, message: str
) -> None:
    with pytest.raises(RuleSetNotFoundError, match=message):
        select_rule_set("VN", level, on, grade=grade)


def test_regional_rule_set_wins_and_new_circular_supersedes() -> None:
    national = parse_rule_set(variant(effective_to="2026-08-31"), "tt22.json")
    successor = parse_rule_set(
        variant(rule_id="VN-NEXT", effective_from="2026-09-01", effective_to=None), "next.json"
    )
    regional_doc = variant(rule_id="HCM-PILOT", region="hcm", effective_from="2025-09-01")
    regional_doc["promotion"] = {"max_absent_days": 40, "retest_below": "5.0"}
    regional = parse_rule_set(regional_doc, "hcm.json")
    catalogue = load_or_check([national, successor, regional])
    assert select_rule_set("HCM", "secondary", date(2025, 10, 1), rule_sets=catalogue) is regional
    assert select_rule_set("HCM", "secondary", date(2025, 8, 1), rule_sets=catalogue) is national
    assert select_rule_set("VN", "secondary", date(2026, 9, 1), rule_sets=catalogue) is successor
    assert isinstance(regional, SecondaryRuleSet)
    assert regional.max_absent_days == 40


def load_or_check(rule_sets: list[Any]) -> list[Any]:
    from content_service.records.rules import check_no_overlap

    check_no_overlap(rule_sets)
    return rule_sets


def test_overlapping_rule_sets_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps(variant()), encoding="utf-8")
    (tmp_path / "b.json").write_text(
        json.dumps(variant(rule_id="OTHER", effective_from="2025-01-01")), encoding="utf-8"
    )
    with pytest.raises(RuleDataError, match="'VN-TT22-2021' and 'OTHER' are both in force"):
        load_rule_sets(tmp_path.iterdir())


def test_duplicate_rule_id_is_refused(tmp_path: Path) -> None:
    for name in ("a.json", "b.json"):
        (tmp_path / name).write_text(json.dumps(variant(region="HCM")), encoding="utf-8")
    with pytest.raises(RuleDataError, match="rule_id 'VN-TT22-2021' is defined twice"):
        load_rule_sets(tmp_path.iterdir())


def test_toml_rule_file_loads(tmp_path: Path) -> None:
    document = tt22_document()
    lines = [
        f"{key} = {json.dumps(value)}"
        for key, value in document.items()
        if key != "conduct_year" and not isinstance(value, dict | list) and value is not None
    ]
    # TOML has no null; an open end date is simply omitted.
    lines.append("effective_from = 2021-09-05")
    lines = [line for line in lines if not line.startswith('effective_from = "')]
    for key in ("regular_assessments", "comment_only_subjects", "learning_levels", "notes"):
        lines.append(f"{key} = {toml_value(document[key])}")
    for key in (
        "grades",
        "weights",
        "one_subject_adjustment",
        "promotion",
        "awards",
        "conduct_year",
    ):
        lines.append(f"{key} = {toml_value(document[key])}")
    path = tmp_path / "tt22.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    rule_set = read_rule_set_file(path)
    assert rule_set.meta.effective_from == date(2021, 9, 5)
    assert rule_set.meta.effective_to is None


def toml_value(value: Any) -> str:
    if isinstance(value, dict):
        pairs = [f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items() if v is not None]
        return "{" + ", ".join(pairs) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value)


def broken(path: str, value: Any) -> dict[str, Any]:
    document = tt22_document()
    *parents, last = path.split("/")
    target: Any = document
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is KeyError:
        del target[int(last) if last.isdigit() else last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return document


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("rule_id", KeyError, "x.json: rule_id: missing required field"),
        ("schema_version", 2, "x.json: schema_version: unsupported version 2"),
        ("school_level", "college", "x.json: school_level: expected 'primary' or 'secondary'"),
        ("effective_from", "5/9/2021", "x.json: effective_from: expected an ISO date"),
        ("effective_to", "2020-01-01", "x.json: effective_to: is before effective_from"),
        ("grades/six", "2021-09-05", "x.json: grades.six: grade keys must be whole numbers"),
        (
            "learning_levels/1/high_score",
            6.5,
            r"x.json: learning_levels\[1\].high_score: expected a decimal written as a string",
        ),
        (
            "learning_levels/0/min_every_scored",
            "6,5",
            r"learning_levels\[0\].min_every_scored: '6,5' is not a decimal",
        ),
        ("learning_levels/0/level", "Giỏi", r"learning_levels\[0\].level: 'Giỏi' is not one of"),
        ("learning_levels/2", KeyError, "learning_levels: must list Tốt, Khá, Đạt in that order"),
        ("promotion/retest_below", "11", "promotion.retest_below: '11' is outside 0-10"),
        ("promotion/max_absent_days", -1, "promotion.max_absent_days: expected an integer >= 0"),
        ("regular_assessments/2/max_periods_per_year", 140, "only the last may be open"),
        ("regular_assessments/0/max_periods_per_year", "35", "expected an integer or null"),
        ("comment_only_subjects", [], "comment_only_subjects: expected a non-empty list"),
        ("conduct_year/Khá/Đạt", KeyError, "conduct_year.Khá.Đạt: missing required field"),
        ("weights/midterm", 0, "weights.midterm: expected an integer >= 1"),
        ("retest_below", "5.0", "retest_below: unknown field"),
    ],
)
def test_malformed_rule_data_is_refused_with_field_path(
    path: str, value: Any, message: str
) -> None:
    with pytest.raises(RuleDataError, match=message):
        parse_rule_set(broken(path, value), "x.json")


def test_undecodable_files_are_refused(tmp_path: Path) -> None:
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{", encoding="utf-8")
    with pytest.raises(RuleDataError, match=r"bad.json: not valid JSON"):
        read_rule_set_file(bad_json)
    other = tmp_path / "rules.yaml"
    other.write_text("a: 1", encoding="utf-8")
    with pytest.raises(RuleDataError, match=r"rules.yaml: unsupported rule-file type '.yaml'"):
        read_rule_set_file(other)
    with pytest.raises(RuleDataError, match=r"x.json: top level: expected an object"):
        parse_rule_set([1, 2], "x.json")


def tt27_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        (DATA / "vn-primary-tt27-2020.json").read_text(encoding="utf-8")
    )
    return document


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("traits/0/code", "Yeu-Nuoc", r"traits\[0\].code: expected 1-5 lowercase ASCII"),
        ("traits/1/code", "yn", "traits: codes must be unique"),
        ("traits/2/group", "virtue", r"traits\[2\].group: expected one of quality"),
        ("traits/3/colour", "x", r"traits\[3\].colour: unknown field"),
        ("midterm_tested_subjects/6", ["Toán"], "midterm_tested_subjects: grade 6 has no tested"),
        ("midterm_tested_subjects/four", ["Toán"], "grade keys must be whole numbers"),
    ],
)
def test_malformed_primary_traits_and_tests_are_refused(
    path: str, value: Any, message: str
) -> None:
    document = tt27_document()
    *parents, last = path.split("/")
    target: Any = document
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    target[int(last) if isinstance(target, list) else last] = value
    with pytest.raises(RuleDataError, match=message):
        parse_rule_set(document, "x.json")
