"""What-if: the same applicants and quotas under student-proposing deferred acceptance.

Only the regular track is simulated. Applicants the city placed in specialised or integrated
classes are left out (they never reach the regular rounds), and the city's supplementary
round has no counterpart, so a city placement made there is compared as it stands.
Schools rank applicants by admission score, then the published tie-break values, then
applicant id: DA needs a strict order, so ties the city would admit together are broken by
id (single tie-breaking, as in the NYC high-school match).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from content_service.admissions.rules.applicants import Grade10Applicant, School, validate_grade10
from content_service.admissions.rules.deferred import deferred_acceptance
from content_service.admissions.rules.results import Grade10Result, Phase
from content_service.admissions.rules.rulesets import Grade10RuleSet, Track
from content_service.admissions.rules.scores import from_quarters
from content_service.admissions.rules.scoring import admission_key, ineligibility


@dataclass(frozen=True, slots=True)
class SimulatedPlacement:
    """An applicant's regular-track placement under deferred acceptance."""

    applicant_id: str
    score: Decimal
    school: str | None
    wish_number: int | None


def simulate_deferred_acceptance(
    applicants: Sequence[Grade10Applicant],
    schools: Sequence[School],
    rules: Grade10RuleSet,
    *,
    exclude: frozenset[str] = frozenset(),
) -> dict[str, SimulatedPlacement]:
    """Place eligible applicants over their regular wishes with deferred acceptance.

    Parameters
    ----------
    applicants, schools, rules
        As for :func:`~.grade10.allocate_grade10`.
    exclude : frozenset of str
        Applicant ids to leave out (placed in specialised or integrated classes).

    Returns
    -------
    dict
        ``applicant_id -> SimulatedPlacement`` for every eligible, non-excluded applicant
        with at least one regular wish.
    """
    by_code = validate_grade10(applicants, schools, rules)
    keys: dict[str, tuple[int, ...]] = {}
    for applicant in applicants:
        aid = applicant.applicant_id
        eligible = not ineligibility(applicant, Track.REGULAR, None, rules)
        if aid not in exclude and eligible and applicant.regular_wishes:
            keys[aid] = admission_key(applicant, Track.REGULAR, None, rules)
    # One strict ranking shared by every school: higher key first, then applicant id.
    order = sorted(keys, key=lambda aid: (tuple(-v for v in keys[aid]), aid))
    rank = {aid: position for position, aid in enumerate(order)}
    wishes = {a.applicant_id: a.regular_wishes for a in applicants if a.applicant_id in keys}
    priorities: dict[str, dict[str, int]] = {code: {} for code in by_code}
    for aid, codes in wishes.items():
        for code in codes:
            priorities[code][aid] = rank[aid]
    capacities = {code: school.regular_quota for code, school in by_code.items()}
    matching = deferred_acceptance(wishes, priorities, capacities)
    return {
        aid: SimulatedPlacement(
            aid,
            from_quarters(keys[aid][0]),
            school,
            None if school is None else wishes[aid].index(school) + 1,
        )
        for aid, school in matching.items()
    }


@dataclass(frozen=True, slots=True)
class PlacementDifference:
    """An applicant placed differently by the city rule and by deferred acceptance.

    ``*_wish`` is the rank of the placement in the applicant's regular wishes (``None`` when
    unplaced or, for the city, placed in the supplementary round on a wish not in that list).
    """

    applicant_id: str
    score: Decimal
    city_school: str | None
    city_wish: int | None
    da_school: str | None
    da_wish: int | None

    @property
    def better_under_da(self) -> bool:
        """Whether DA gives the applicant a wish they ranked higher (or any seat)."""
        return _rank(self.da_wish) < _rank(self.city_wish)


def _rank(wish: int | None) -> int:
    return 99 if wish is None else wish


@dataclass(frozen=True, slots=True)
class ComparisonReport:
    """Who is placed differently under the city rule and under deferred acceptance."""

    compared: int
    same: int
    differences: tuple[PlacementDifference, ...]

    @property
    def better_under_da(self) -> tuple[PlacementDifference, ...]:
        """Applicants who get a higher-ranked regular wish (or a seat) under DA."""
        return tuple(d for d in self.differences if d.better_under_da)

    @property
    def worse_under_da(self) -> tuple[PlacementDifference, ...]:
        """Applicants who do better under the city rule."""
        return tuple(d for d in self.differences if not d.better_under_da)


def compare_with_deferred_acceptance(
    applicants: Sequence[Grade10Applicant],
    schools: Sequence[School],
    rules: Grade10RuleSet,
    city: Grade10Result,
) -> ComparisonReport:
    """Compare the city result with a DA simulation over the same applicants and quotas."""
    placements = {p.applicant_id: p for p in city.placements}
    early = frozenset(
        aid for aid, p in placements.items() if p.phase in (Phase.SPECIALISED, Phase.INTEGRATED)
    )
    simulated = simulate_deferred_acceptance(applicants, schools, rules, exclude=early)
    wishes = {a.applicant_id: a.regular_wishes for a in applicants}
    differences = []
    for aid, da in simulated.items():
        placement = placements.get(aid)
        city_school = None if placement is None else placement.school
        if city_school == da.school:
            continue
        city_wish = _wish_rank(wishes[aid], city_school)
        differences.append(
            PlacementDifference(aid, da.score, city_school, city_wish, da.school, da.wish_number)
        )
    differences.sort(key=lambda d: (-d.score, d.applicant_id))
    return ComparisonReport(len(simulated), len(simulated) - len(differences), tuple(differences))


def _wish_rank(wishes: Sequence[str], school: str | None) -> int | None:
    return wishes.index(school) + 1 if school in wishes else None


__all__ = [
    "ComparisonReport",
    "PlacementDifference",
    "SimulatedPlacement",
    "compare_with_deferred_acceptance",
    "simulate_deferred_acceptance",
]
