from collections.abc import Callable
from decimal import Decimal

import pytest
from admissions_builders import applicant, hcm_grade10

from content_service.admissions.rules import (
    AdmissionInputError,
    Grade10Applicant,
    Grade10Result,
    Phase,
    School,
    SpecialisedWish,
    TieMode,
    WishStatus,
    allocate_grade10,
)

SCHOOLS = [School("X", "THPT X", 2), School("Y", "THPT Y", 2), School("Z", "THPT Z", 3)]


def statuses(result: Grade10Result, aid: str) -> list[tuple[str, WishStatus]]:
    return [(o.label, o.status) for o in result.reports[aid].outcomes]


def test_nv1_admits_from_the_top_and_explains_why_not() -> None:
    applicants = [
        applicant("a", "25.00", ["X", "Y"]),
        applicant("b", "23.50", ["X", "Y"]),
        applicant("c", "21.75", ["X", "Y"]),
        applicant("d", "20.00", ["Y"]),
    ]
    result = allocate_grade10(applicants, SCHOOLS, hcm_grade10())
    assert result.cutoff("X") == Decimal("23.50")
    assert result.placement("c").label == "NV2"
    assert result.cutoff("Y", wish_number=2) == Decimal("21.75")
    explanation = result.reports["c"].explanation()
    assert "NV1 THPT X: not admitted, your score 21.75 < NV1 cut-off 23.50" in explanation
    assert "NV2 THPT Y: admitted, your score 21.75 >= NV2 cut-off 21.75" in explanation
    assert statuses(result, "a") == [
        ("NV1", WishStatus.ADMITTED),
        ("NV2", WishStatus.NOT_CONSIDERED),
    ]
    # admitted list: by class, highest score first
    assert [p.applicant_id for p in result.admitted] == ["a", "b", "c", "d"]


def test_nv1_admissions_are_final_against_higher_nv2_scores() -> None:
    # Immediate acceptance: the 24.00 NV2 applicant cannot displace the 12.00 NV1 applicant.
    applicants = [
        applicant("top", "27.00", ["Y"]),
        applicant("nv2", "24.00", ["Y", "X"]),
        applicant("low", "12.00", ["X"]),
        applicant("low2", "11.00", ["X"]),
    ]
    schools = [School("X", "THPT X", 2), School("Y", "THPT Y", 1)]
    result = allocate_grade10(applicants, schools, hcm_grade10())
    assert result.placement("low").school == "X"
    assert result.placement("low2").school == "X"
    assert result.placement("nv2") is None
    assert statuses(result, "nv2")[1] == ("NV2", WishStatus.NO_SEATS)
    assert "no seats were left" in result.reports["nv2"].explanation()


def test_later_wish_cutoff_is_never_lower() -> None:
    # X under-fills in NV1 (cut-off 20.00) but an NV2 applicant with 19.00 is still refused.
    applicants = [
        applicant("a", "20.00", ["X"]),
        applicant("b", "22.00", ["Y", "X"]),
        applicant("c", "23.00", ["Y"]),
        applicant("d", "24.00", ["Y"]),
        applicant("e", "19.00", ["Y", "X"]),
    ]
    result = allocate_grade10(applicants, SCHOOLS, hcm_grade10(supplementary_enabled=False))
    assert result.cutoff("X", wish_number=1) == Decimal("20.00")
    assert result.cutoff("X", wish_number=2) == Decimal("22.00")
    assert result.placement("b").label == "NV2"
    assert result.placement("e") is None
    outcome = result.reports["e"].outcomes[1]
    assert outcome.status is WishStatus.BELOW_EARLIER_CUTOFF
    assert outcome.earlier_cutoff == Decimal("20.00")
    assert "< the earlier cut-off 20.00" in outcome.explain()


def test_without_monotone_cutoffs_the_seat_goes_to_the_lower_score() -> None:
    applicants = [applicant("a", "20.00", ["X"]), applicant("e", "19.00", ["Y", "X"])]
    schools = [School("X", "THPT X", 2), School("Y", "THPT Y", 0)]
    rules = hcm_grade10(monotone_cutoffs=False, supplementary_enabled=False)
    assert allocate_grade10(applicants, schools, rules).placement("e").school == "X"


def test_ties_at_the_cutoff_admit_all() -> None:
    applicants = [
        applicant("a", "25.00", ["X"]),
        applicant("b", "22.00", ["X"]),
        applicant("c", "22.00", ["X"]),
        applicant("d", "21.75", ["X"]),
    ]
    result = allocate_grade10(applicants, SCHOOLS, hcm_grade10())
    admitted = {p.applicant_id for p in result.admitted if p.school == "X"}
    assert admitted == {"a", "b", "c"}  # 3 admitted for 2 seats: the tie is admitted whole
    row = next(r for r in result.cutoffs if r.school == "X")
    assert (row.admitted, row.seats_before, row.cutoff) == (3, 2, Decimal("22.00"))


def test_ties_at_the_cutoff_broken_by_published_order() -> None:
    rules = hcm_grade10(tie_mode=TieMode.TIE_BREAK, tie_break_order=("mathematics", "literature"))
    tests_b = {
        "literature": Decimal("7"),
        "mathematics": Decimal("8"),
        "foreign_language": Decimal("7"),
    }
    tests_c = {
        "literature": Decimal("8"),
        "mathematics": Decimal("7"),
        "foreign_language": Decimal("7"),
    }
    applicants = [
        applicant("a", "25.00", ["X"]),
        applicant("b", "22.00", ["X"], tests=tests_b),
        applicant("c", "22.00", ["X"], tests=tests_c),
    ]
    result = allocate_grade10(applicants, SCHOOLS, rules)
    assert result.placement("b").school == "X"
    assert result.placement("c") is None
    outcome = result.reports["c"].outcomes[0]
    assert outcome.status is WishStatus.LOST_TIE_BREAK
    assert "equals the NV1 cut-off 22.00" in outcome.explain()
    assert "tie-break (mathematics, literature)" in outcome.explain()


def test_identical_keys_after_tie_break_are_all_admitted() -> None:
    rules = hcm_grade10(tie_mode=TieMode.TIE_BREAK, tie_break_order=("mathematics",))
    applicants = [applicant(name, "22.00", ["X"]) for name in ("a", "b", "c")]
    result = allocate_grade10(applicants, SCHOOLS, rules)
    assert len(result.admitted) == 3


def test_priority_points_are_added() -> None:
    applicants = [
        applicant("plain", "22.00", ["X"]),
        applicant("group1", "20.25", ["X"], priority_group=1),
        applicant("group3", "20.75", ["X"], priority_group=3),
    ]
    result = allocate_grade10(applicants, [School("X", "THPT X", 2)], hcm_grade10())
    assert result.placement("group1").score == Decimal("22.25")
    assert result.placement("group3") is None
    assert "your score 21.75 < NV1 cut-off 22.00" in result.reports["group3"].explanation()


@pytest.mark.parametrize(
    ("tests", "extra", "reason"),
    [
        ({"mathematics": None}, {}, "did not sit Toán"),
        ({"literature": Decimal(0)}, {}, "every test must be above 0: Ngữ văn 0.00"),
        ({}, {"violated_rules": True}, "disqualified for breaking the exam rules"),
    ],
)
def test_ineligible_applicants_are_explained(
    tests: dict[str, Decimal | None], extra: dict[str, bool], reason: str
) -> None:
    person = applicant("p", "24.00", ["X"], tests=tests, **extra)
    result = allocate_grade10([person], SCHOOLS, hcm_grade10())
    assert result.placement("p") is None
    [outcome] = result.reports["p"].outcomes
    assert outcome.status is WishStatus.NOT_ELIGIBLE
    assert reason in outcome.explain()


def specialised_school() -> list[School]:
    return [
        School(
            "LHP",
            "THPT chuyên Lê Hồng Phong",
            0,
            integrated_quota=1,
            specialised_quotas={"Toán": 1},
        ),
        School("X", "THPT X", 2),
    ]


def test_specialised_admission_removes_applicant_from_regular_rounds() -> None:
    star = applicant(
        "star",
        "27.00",
        ["X"],
        specialised_wishes=(SpecialisedWish("LHP", "Toán"),),
        specialised_scores={"Toán": Decimal("9.5")},
    )
    other = applicant("other", "20.00", ["X"])
    result = allocate_grade10([star, other], specialised_school(), hcm_grade10())
    placement = result.placement("star")
    assert (placement.phase, placement.class_name) == (
        Phase.SPECIALISED,
        "THPT chuyên Lê Hồng Phong (chuyên Toán)",
    )
    assert placement.score == Decimal("46.00")  # 27 + 2 x 9.5
    assert statuses(result, "star") == [
        ("NV1 chuyên", WishStatus.ADMITTED),
        ("NV1", WishStatus.NOT_CONSIDERED),
    ]
    assert "already admitted to THPT chuyên Lê Hồng Phong (chuyên Toán) (NV1 chuyên)" in (
        result.reports["star"].explanation()
    )
    assert result.placement("other").school == "X"


def test_specialised_requires_every_test_above_two() -> None:
    weak = applicant(
        "weak",
        "20.00",
        ["X"],
        specialised_wishes=(SpecialisedWish("LHP", "Toán"),),
        specialised_scores={"Toán": Decimal("2")},
    )
    result = allocate_grade10([weak], specialised_school(), hcm_grade10())
    first = result.reports["weak"].outcomes[0]
    assert first.status is WishStatus.NOT_ELIGIBLE
    assert "every test must be above 2: specialised subject 2.00" in first.explain()
    assert result.placement("weak").school == "X"


def test_integrated_phase_uses_integrated_score() -> None:
    people = [
        applicant("i1", "21.00", ["X"], integrated_wishes=("LHP",), integrated_score=Decimal("9")),
        applicant("i2", "24.00", ["X"], integrated_wishes=("LHP",), integrated_score=Decimal("5")),
    ]
    result = allocate_grade10(people, specialised_school(), hcm_grade10())
    assert result.placement("i1").phase is Phase.INTEGRATED
    assert result.placement("i1").score == Decimal("30.00")
    assert result.placement("i2").label == "NV1"


def test_supplementary_round_fills_underfilled_school() -> None:
    applicants = [
        applicant("a", "26.00", ["X"]),
        applicant("b", "25.00", ["X"]),
        applicant("c", "24.00", ["X"], supplementary_wishes=("Z",)),
        applicant("d", "15.00", ["Y"], supplementary_wishes=("Z",)),
        applicant("e", "18.00", ["Z"]),
    ]
    result = allocate_grade10(applicants, SCHOOLS, hcm_grade10())
    placement = result.placement("c")
    assert (placement.phase, placement.school, placement.label) == (
        Phase.SUPPLEMENTARY,
        "Z",
        "NV1 bổ sung",
    )
    assert result.cutoff("Z", Phase.SUPPLEMENTARY) == Decimal("24.00")
    # d was placed at Y in NV1 and never enters the supplementary round
    assert result.placement("d").label == "NV1"
    disabled = allocate_grade10(applicants, SCHOOLS, hcm_grade10(supplementary_enabled=False))
    assert disabled.placement("c") is None


def test_supplementary_round_respects_regular_cutoffs() -> None:
    applicants = [
        applicant("e", "18.00", ["Z"]),
        applicant("late", "17.00", ["X"], supplementary_wishes=("Z",)),
        applicant("a", "26.00", ["X"]),
        applicant("b", "25.00", ["X"]),
    ]
    result = allocate_grade10(applicants, SCHOOLS, hcm_grade10())
    assert result.placement("late") is None
    assert result.reports["late"].outcomes[-1].status is WishStatus.BELOW_EARLIER_CUTOFF
    relaxed = hcm_grade10(supplementary_respects_cutoffs=False)
    assert allocate_grade10(applicants, SCHOOLS, relaxed).placement("late").school == "Z"


def test_cutoff_of_unknown_round_raises() -> None:
    result = allocate_grade10([applicant("a", "20", ["X"])], SCHOOLS, hcm_grade10())
    with pytest.raises(KeyError, match="no NV2 round at 'X'"):
        result.cutoff("X", wish_number=2)
    with pytest.raises(KeyError):
        result.reports["nobody"]
    assert list(result.reports) == ["a"]
    assert len(result.reports) == 1


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: applicant("p", "20", ["X"], tests={"mathematics": Decimal("7.3")}),
            r"p.mathematics: score 7.3 is not in steps of 0.25",
        ),
        (
            lambda: applicant("p", "20", ["X"], tests={"mathematics": "10.25"}),
            r"p.mathematics: score 10.25 is outside 0-10",
        ),
        (
            lambda: applicant("p", "20", ["X"], tests={"mathematics": 7.5}),
            r"p.mathematics: expected Decimal, int or str, got float",
        ),
        (lambda: applicant("p", "20", ["X", "Y", "X"]), r"p.regular_wishes: duplicated wish 'X'"),
        (
            lambda: School("Q", "THPT Q", -1),
            r"Q.regular_quota: quota must be a non-negative integer, got -1",
        ),
    ],
)
def test_bad_input_refused_on_construction(build: Callable[[], object], message: str) -> None:
    with pytest.raises(AdmissionInputError, match=message):
        build()


@pytest.mark.parametrize(
    ("applicants", "message"),
    [
        ([applicant("p", "20", ["X", "Y", "Z", "W"])], "p: 4 regular wishes, at most 3 allowed"),
        ([applicant("p", "20", ["Q"])], "p: unknown school 'Q'"),
        (
            [applicant("p", "20", ["X"]), applicant("p", "21", ["Y"])],
            "applicant 'p' is listed twice",
        ),
        (
            [applicant("p", "20", ["X"], priority_group=4)],
            r"p: unknown priority group 4 \(known: 1, 2, 3\)",
        ),
        (
            [applicant("p", "20", ["X"], integrated_wishes=("X",))],
            "p: school 'X' has no integrated classes",
        ),
        (
            [applicant("p", "20", ["X"], specialised_wishes=(SpecialisedWish("X", "Toán"),))],
            "p: school 'X' has no specialised class in 'Toán'",
        ),
    ],
)
def test_bad_input_refused_by_allocation(applicants: list[Grade10Applicant], message: str) -> None:
    schools = [*SCHOOLS, School("W", "THPT W", 1)]
    with pytest.raises(AdmissionInputError, match=message):
        allocate_grade10(applicants, schools, hcm_grade10())
