import random
import warnings
from decimal import Decimal

from admissions_builders import applicant, hcm_grade10
from hypothesis import given, settings
from hypothesis import strategies as st
from matching.games import HospitalResident

from content_service.admissions.rules import (
    Phase,
    School,
    allocate_grade10,
    compare_with_deferred_acceptance,
    deferred_acceptance,
    simulate_deferred_acceptance,
)


def random_instance(rng: random.Random) -> tuple[dict, dict, dict]:
    n_students, n_schools = rng.randint(1, 25), rng.randint(1, 6)
    schools = [f"H{j}" for j in range(n_schools)]
    preferences = {
        f"R{i}": rng.sample(schools, rng.randint(1, n_schools)) for i in range(n_students)
    }
    rankings = {}
    for school in schools:
        applicants = [r for r, wishes in preferences.items() if school in wishes]
        rng.shuffle(applicants)
        if applicants:
            rankings[school] = applicants
    capacities = {school: rng.randint(1, 4) for school in rankings}
    return preferences, rankings, capacities


def test_deferred_acceptance_agrees_with_matching_package() -> None:
    rng = random.Random(20250606)
    for _ in range(60):
        preferences, rankings, capacities = random_instance(rng)
        game = HospitalResident.create_from_dictionaries(preferences, rankings, capacities)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            reference = game.solve(optimal="resident")
        expected = dict.fromkeys(preferences)
        for hospital, residents in reference.items():
            for resident in residents:
                expected[resident.name] = hospital.name
        priorities = {s: {r: i for i, r in enumerate(order)} for s, order in rankings.items()}
        assert deferred_acceptance(preferences, priorities, capacities) == expected


def test_unacceptable_and_zero_capacity_programs_are_skipped() -> None:
    matching = deferred_acceptance(
        {"a": ["X", "Y", "Z"], "b": ["X"]},
        {"X": {"b": 0}, "Y": {"a": 0}, "Z": {"a": 0}},
        {"X": 1, "Y": 0, "Z": 1},
    )
    assert matching == {"a": "Z", "b": "X"}


def justified_envy_case() -> tuple[list, list[School]]:
    """DOMAIN.md §3d: 8 students, 3 schools, one common score order."""
    applicants = [
        applicant("s1", "27.00", ["A"]),
        applicant("s2", "25.00", ["A"]),
        applicant("s3", "15.50", ["A", "B"]),
        applicant("s4", "14.00", ["B"]),
        applicant("s5", "11.00", ["B"]),
        applicant("s6", "18.00", ["C"]),
        applicant("s7", "17.00", ["C"]),
        applicant("s8", "9.00", ["C", "B"]),
    ]
    schools = [School("A", "THPT A", 2), School("B", "THPT B", 2), School("C", "THPT C", 2)]
    return applicants, schools


def test_justified_envy_city_rule_versus_deferred_acceptance() -> None:
    applicants, schools = justified_envy_case()
    rules = hcm_grade10(supplementary_enabled=False)
    city = allocate_grade10(applicants, schools, rules)
    # City rule: the 15.5 student is left out, the 11.0 student keeps the B seat she ranked first.
    assert city.placement("s3") is None
    assert city.placement("s5").school == "B"
    assert "NV2 THPT B: not admitted, no seats were left" in city.reports["s3"].explanation()
    simulated = simulate_deferred_acceptance(applicants, schools, rules)
    assert (simulated["s3"].school, simulated["s3"].wish_number) == ("B", 2)
    assert simulated["s5"].school is None
    report = compare_with_deferred_acceptance(applicants, schools, rules, city)
    assert (report.compared, report.same) == (8, 6)
    assert [d.applicant_id for d in report.better_under_da] == ["s3"]
    assert [d.applicant_id for d in report.worse_under_da] == ["s5"]
    assert report.differences[0].score == Decimal("15.50")


def test_deferred_acceptance_equals_serial_dictatorship_with_common_scores() -> None:
    applicants, schools = justified_envy_case()
    simulated = simulate_deferred_acceptance(applicants, schools, hcm_grade10())
    seats = {s.code: s.regular_quota for s in schools}
    expected = {}
    for person in sorted(applicants, key=lambda a: -sum(a.tests.values())):
        choice = next((w for w in person.regular_wishes if seats[w] > 0), None)
        if choice is not None:
            seats[choice] -= 1
        expected[person.applicant_id] = choice
    assert {aid: p.school for aid, p in simulated.items()} == expected


def test_simulation_leaves_out_early_phase_and_ineligible_applicants() -> None:
    applicants, schools = justified_envy_case()
    absent = applicant("absent", "20.00", ["A"], tests={"mathematics": None})
    simulated = simulate_deferred_acceptance(
        [*applicants, absent], schools, hcm_grade10(), exclude=frozenset({"s1"})
    )
    assert "absent" not in simulated
    assert "s1" not in simulated
    assert simulated["s3"].school == "A"


@st.composite
def markets(draw: st.DrawFn) -> tuple[list, list[School]]:
    n_schools = draw(st.integers(1, 4))
    schools = [School(f"S{j}", f"THPT {j}", draw(st.integers(0, 4))) for j in range(n_schools)]
    applicants = []
    for i in range(draw(st.integers(1, 20))):
        total = Decimal(draw(st.integers(12, 120))) / 4
        wishes = draw(st.permutations([s.code for s in schools]))[: draw(st.integers(1, 3))]
        extra = draw(st.permutations([s.code for s in schools]))[: draw(st.integers(0, 2))]
        applicants.append(applicant(f"a{i}", str(total), wishes, supplementary_wishes=tuple(extra)))
    return applicants, schools


@settings(max_examples=60, deadline=None)
@given(markets())
def test_city_rule_invariants(market: tuple[list, list[School]]) -> None:
    applicants, schools = market
    result = allocate_grade10(applicants, schools, hcm_grade10())
    placed = [p.applicant_id for p in result.placements]
    assert len(placed) == len(set(placed))  # one admission per applicant
    for school in schools:
        cutoffs = [
            r.cutoff
            for r in result.cutoffs
            if r.school == school.code
            and r.phase in (Phase.REGULAR, Phase.SUPPLEMENTARY)
            and r.cutoff is not None
        ]
        assert cutoffs == sorted(cutoffs)  # NV1 <= NV2 <= NV3 <= supplementary
    for row in result.cutoffs:
        if row.admitted > row.seats_before:
            # Only a tie at the cut-off can exceed the seats left for the round.
            tied = [
                p
                for p in result.placements
                if (p.school, p.phase, p.wish_number) == (row.school, row.phase, row.wish_number)
                and p.score == row.cutoff
            ]
            assert row.admitted - row.seats_before < len(tied)
