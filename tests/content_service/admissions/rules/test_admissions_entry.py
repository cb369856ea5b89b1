from datetime import date
from decimal import Decimal

import pytest
from admissions_builders import hcm_entry

from content_service.admissions.rules import (
    AdmissionInputError,
    EntryApplicant,
    EntrySchool,
    assign_entry_grade,
)

SCHOOLS = [
    EntrySchool("P1", "TH Phú Mỹ", 2),
    EntrySchool("P2", "TH Tân Phong", 1),
    EntrySchool("P3", "TH Kim Đồng", 1),
]
SIX = date(2019, 3, 1)  # turns 6 in 2025


def child(aid: str, area: tuple[str, ...], km: dict[str, str], **extra: object) -> EntryApplicant:
    fields = {"grade": 1, "birth_date": SIX, **extra}
    distances = {code: Decimal(value) for code, value in km.items()}
    return EntryApplicant(aid, area_schools=area, distances_km=distances, **fields)  # type: ignore[arg-type]


def assign(applicants: list[EntryApplicant], **rule_changes: object):
    return assign_entry_grade(
        applicants, SCHOOLS, hcm_entry(**rule_changes), grade=1, admission_year=2025
    )


def test_group_one_comes_before_group_two() -> None:
    insider = child("in", ("P2",), {"P2": "3.0"})
    outsider = child(
        "out",
        ("P3",),
        {"P2": "0.1", "P3": "4.0"},
        requested_schools=("P2",),
        priorities=frozenset({"completed_school_locally", "parent_works_locally"}),
    )
    result = assign([insider, outsider])
    assert result.outcomes["in"].school == "P2"
    # Refused outside the area, the child falls back to the home school.
    assert result.outcomes["out"].school == "P3"
    lines = result.outcomes["out"].lines
    assert lines[1] == (
        "- TH Tân Phong: full; last admitted ranked (group 1, 3.0 km) ahead of you "
        "(group 2, completed_school_locally, parent_works_locally, 0.1 km)"
    )
    assert lines[2] == (
        "- TH Kim Đồng: admitted as group 1, completed_school_locally, parent_works_locally, 4.0 km"
    )


def test_tie_break_order_is_configurable() -> None:
    near = child("near", ("P2",), {"P2": "0.4"})
    local = child(
        "local", ("P2",), {"P2": "2.5"}, priorities=frozenset({"completed_school_locally"})
    )
    assert assign([near, local]).admitted["P2"] == ("local",)
    distance_first = ("distance", "completed_school_locally", "parent_works_locally")
    assert assign([near, local], tie_break=distance_first).admitted["P2"] == ("near",)


def test_nearest_area_school_first_and_capacity() -> None:
    kids = [child(f"c{i}", ("P1", "P2"), {"P1": f"0.{i}", "P2": "1.5"}) for i in range(1, 5)]
    result = assign(kids)
    assert result.admitted["P1"] == ("c1", "c2")
    assert result.admitted["P2"] == ("c3",)
    assert result.outcomes["c4"].school is None
    assert (
        result.outcomes["c4"]
        .explanation()
        .startswith("c4: no seat; refer to the ward/Department for placement")
    )


def test_wrong_age_is_group_two() -> None:
    older = child("older", ("P2",), {"P2": "0.1"}, birth_date=date(2018, 5, 1))
    right = child("right", ("P2",), {"P2": "5.0"})
    result = assign([older, right])
    assert result.outcomes["right"].school == "P2"
    assert result.outcomes["older"].group_one_reason == "not 6 in 2025 (born 2018)"
    assert "group 2 everywhere: not 6 in 2025" in result.outcomes["older"].lines[0]


def test_grade_six_requires_completed_primary() -> None:
    done = child("done", ("P2",), {"P2": "3"}, grade=6, completed_primary=True)
    not_done = child("notdone", ("P2",), {"P2": "1"}, grade=6)
    result = assign_entry_grade(
        [done, not_done], SCHOOLS, hcm_entry(), grade=6, admission_year=2025
    )
    assert result.admitted["P2"] == ("done",)
    assert result.outcomes["notdone"].group_one_reason == "has not completed primary school"


@pytest.mark.parametrize(
    ("applicants", "message"),
    [
        ([child("a", ("P9",), {"P9": "1"})], "a: unknown school 'P9'"),
        ([child("a", ("P1",), {})], "a: no distance to school 'P1'"),
        (
            [child("a", ("P1",), {"P1": "1"}, priorities=frozenset({"vip"}))],
            r"a: unknown priorities \['vip'\]",
        ),
        ([child("a", ("P1",), {"P1": "1"}, grade=6)], "a: applies to grade 6, not 1"),
        (
            [child("a", ("P1",), {"P1": "1"}), child("a", ("P2",), {"P2": "1"})],
            "applicant 'a' is listed twice",
        ),
    ],
)
def test_bad_entry_input_is_refused(applicants: list[EntryApplicant], message: str) -> None:
    with pytest.raises(AdmissionInputError, match=message):
        assign(applicants)


def test_bad_entry_records_are_refused_on_construction() -> None:
    with pytest.raises(AdmissionInputError, match=r"P4.capacity: must be a non-negative integer"):
        EntrySchool("P4", "TH 4", -2)
    with pytest.raises(AdmissionInputError, match=r"a.area_schools: a school is listed twice"):
        child("a", ("P1", "P1"), {"P1": "1"})
    with pytest.raises(AdmissionInputError, match=r"a.distances_km\[P1\]: invalid distance"):
        child("a", ("P1",), {"P1": "-1"})
    with pytest.raises(AdmissionInputError, match="grade: 2 is not an entry grade"):
        assign_entry_grade([], SCHOOLS, hcm_entry(), grade=2, admission_year=2025)
