"""Residence-based assignment for grades 1 and 6 (DOMAIN.md §2, "Grades 1 and 6").

No entrance exam: each school takes the applicants of **group 1** (living in its area and, for
grade 1, of the right age; for grade 6, having completed primary) before those of **group 2**
(applying from outside the area), and inside a group orders them by the published tie-break
priorities, GIS travel distance among them. Each applicant lists the schools they request (in
order); the schools of their own area follow, nearest first, so a child refused outside the
area falls back to a seat at home with group-1 standing there. Seats are assigned with
applicant-proposing deferred acceptance over these per-school priorities, which respects
capacity, never lets a group-2 applicant displace a group-1 applicant, and cannot be gamed by
misreporting preferences.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from content_service.admissions.rules.deferred import deferred_acceptance
from content_service.admissions.rules.errors import AdmissionInputError
from content_service.admissions.rules.rulesets import DISTANCE_KEY, EntryRuleSet
from content_service.admissions.rules.scores import normalise_text


@dataclass(frozen=True, slots=True)
class EntrySchool:
    """A primary or lower-secondary school with its grade-1 or grade-6 capacity."""

    code: str
    name: str
    capacity: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", normalise_text(self.code, field="school.code"))
        object.__setattr__(self, "name", normalise_text(self.name, field=f"{self.code}.name"))
        if (
            isinstance(self.capacity, bool)
            or not isinstance(self.capacity, int)
            or self.capacity < 0
        ):
            raise AdmissionInputError(
                f"{self.code}.capacity: must be a non-negative integer, got {self.capacity!r}"
            )


@dataclass(frozen=True, slots=True)
class EntryApplicant:
    """A child applying to grade 1 or 6.

    Attributes
    ----------
    applicant_id : str
        The student's identification code in the sector database.
    grade : int
        1 or 6.
    birth_date : datetime.date
    completed_primary : bool
        Grade 6 only.
    area_schools : tuple of str
        Schools whose area contains the child's current residence.
    distances_km : Mapping[str, Decimal]
        GIS travel distance to every school the child may be placed in.
    requested_schools : tuple of str
        Schools requested, most wanted first (may include schools outside the area).
    priorities : frozenset of str
        Priority flags held (keys of the rule set's ``priority_flags``).
    """

    applicant_id: str
    grade: int
    birth_date: date
    area_schools: tuple[str, ...]
    distances_km: Mapping[str, Decimal]
    requested_schools: tuple[str, ...] = ()
    completed_primary: bool = False
    priorities: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        aid = normalise_text(self.applicant_id, field="applicant_id")
        object.__setattr__(self, "applicant_id", aid)
        for name in ("area_schools", "requested_schools"):
            codes = tuple(normalise_text(c, field=f"{aid}.{name}") for c in getattr(self, name))
            if len(set(codes)) != len(codes):
                raise AdmissionInputError(f"{aid}.{name}: a school is listed twice")
            object.__setattr__(self, name, codes)
        distances = {}
        for code, km in self.distances_km.items():
            value = Decimal(km) if isinstance(km, int | str) else km
            if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
                raise AdmissionInputError(f"{aid}.distances_km[{code}]: invalid distance {km!r}")
            distances[normalise_text(code, field=f"{aid}.distances_km")] = value
        object.__setattr__(self, "distances_km", distances)
        object.__setattr__(self, "priorities", frozenset(self.priorities))


@dataclass(frozen=True, slots=True)
class EntryOutcome:
    """An applicant's group, placement and one explanation line per school considered."""

    applicant_id: str
    group_one_reason: str
    school: str | None
    lines: tuple[str, ...]

    def explanation(self) -> str:
        """Multi-line explanation."""
        return "\n".join(self.lines)


@dataclass(frozen=True, slots=True)
class EntryResult:
    """Assignment result: applicants per school and an outcome per applicant."""

    rule_id: str
    grade: int
    admitted: Mapping[str, tuple[str, ...]]
    outcomes: Mapping[str, EntryOutcome]


def _group_one(applicant: EntryApplicant, rules: EntryRuleSet, admission_year: int) -> str:
    """Why the applicant is not group 1 anywhere ("" when the personal condition holds)."""
    rule = rules.grades[applicant.grade]
    if rule.age_years is not None and admission_year - applicant.birth_date.year != rule.age_years:
        return f"not {rule.age_years} in {admission_year} (born {applicant.birth_date.year})"
    if rule.requires_completed_primary and not applicant.completed_primary:
        return "has not completed primary school"
    return ""


def _check(
    applicants: Sequence[EntryApplicant],
    schools: Mapping[str, EntrySchool],
    rules: EntryRuleSet,
    grade: int,
) -> None:
    seen: set[str] = set()
    for applicant in applicants:
        aid = applicant.applicant_id
        if aid in seen:
            raise AdmissionInputError(f"applicant {aid!r} is listed twice")
        seen.add(aid)
        if applicant.grade != grade:
            raise AdmissionInputError(f"{aid}: applies to grade {applicant.grade}, not {grade}")
        for code in (*applicant.area_schools, *applicant.requested_schools):
            if code not in schools:
                raise AdmissionInputError(f"{aid}: unknown school {code!r}")
            if code not in applicant.distances_km:
                raise AdmissionInputError(f"{aid}: no distance to school {code!r}")
        unknown = applicant.priorities - set(rules.priority_flags)
        if unknown:
            raise AdmissionInputError(f"{aid}: unknown priorities {sorted(unknown)}")


def _preferences(applicant: EntryApplicant) -> tuple[str, ...]:
    home = sorted(
        (c for c in applicant.area_schools if c not in applicant.requested_schools),
        key=lambda c: (applicant.distances_km[c], c),
    )
    return (*applicant.requested_schools, *home)


def _priority_key(
    applicant: EntryApplicant, code: str, group: int, rules: EntryRuleSet
) -> tuple[object, ...]:
    """Smaller is better: group, then each tie-break criterion, then id for a strict order."""
    values: list[object] = [group]
    for criterion in rules.tie_break:
        if criterion == DISTANCE_KEY:
            values.append(applicant.distances_km[code])
        else:
            values.append(0 if criterion in applicant.priorities else 1)
    values.append(applicant.applicant_id)
    return tuple(values)


def assign_entry_grade(
    applicants: Sequence[EntryApplicant],
    schools: Sequence[EntrySchool],
    rules: EntryRuleSet,
    *,
    grade: int,
    admission_year: int,
) -> EntryResult:
    """Assign grade-1 or grade-6 applicants to schools within capacity.

    Parameters
    ----------
    applicants : sequence of EntryApplicant
    schools : sequence of EntrySchool
    rules : EntryRuleSet
        Group-1 conditions per grade and the ordered tie-break list.
    grade : int
        1 or 6.
    admission_year : int
        Calendar year of entry (a grade-1 child must turn 6 in it).

    Returns
    -------
    EntryResult

    Raises
    ------
    AdmissionInputError
        For an unknown grade or school, a missing distance, an unknown priority flag, or a
        duplicated applicant or school.
    """
    if grade not in rules.grades:
        raise AdmissionInputError(f"grade: {grade} is not an entry grade of {rules.meta.rule_id}")
    by_code = {s.code: s for s in schools}
    if len(by_code) != len(schools):
        raise AdmissionInputError("a school is listed twice")
    _check(applicants, by_code, rules, grade)
    personal = {a.applicant_id: _group_one(a, rules, admission_year) for a in applicants}
    preferences = {a.applicant_id: _preferences(a) for a in applicants}
    keys: dict[str, dict[str, tuple[object, ...]]] = {code: {} for code in by_code}
    for applicant in applicants:
        aid = applicant.applicant_id
        for code in preferences[aid]:
            group = 1 if not personal[aid] and code in applicant.area_schools else 2
            keys[code][aid] = _priority_key(applicant, code, group, rules)
    priorities = {
        code: {aid: rank for rank, aid in enumerate(sorted(ks, key=ks.__getitem__))}
        for code, ks in keys.items()
    }
    matching = deferred_acceptance(
        preferences, priorities, {c: s.capacity for c, s in by_code.items()}
    )
    admitted = {
        code: tuple(
            sorted((a for a, c in matching.items() if c == code), key=priorities[code].__getitem__)
        )
        for code in by_code
    }
    outcomes = {
        a.applicant_id: _explain(
            a,
            matching[a.applicant_id],
            preferences[a.applicant_id],
            personal[a.applicant_id],
            keys,
            admitted,
            by_code,
            rules,
        )
        for a in applicants
    }
    return EntryResult(rules.meta.rule_id, grade, admitted, outcomes)


def _describe(key: tuple[object, ...], rules: EntryRuleSet) -> str:
    parts = [f"group {key[0]}"]
    for criterion, value in zip(rules.tie_break, key[1:], strict=False):
        if criterion == DISTANCE_KEY:
            parts.append(f"{value} km")
        elif value == 0:
            parts.append(criterion)
    return ", ".join(parts)


def _explain(
    applicant: EntryApplicant,
    placed: str | None,
    preferences: Sequence[str],
    personal: str,
    keys: Mapping[str, Mapping[str, tuple[object, ...]]],
    admitted: Mapping[str, tuple[str, ...]],
    schools: Mapping[str, EntrySchool],
    rules: EntryRuleSet,
) -> EntryOutcome:
    aid = applicant.applicant_id
    head = (
        f"{aid}: placed at {schools[placed].name}"
        if placed
        else f"{aid}: no seat; refer to the ward/Department for placement"
    )
    lines = [head + (f" (group 2 everywhere: {personal})" if personal else "")]
    for code in preferences:
        mine = keys[code][aid]
        if code == placed:
            lines.append(f"- {schools[code].name}: admitted as {_describe(mine, rules)}")
            break
        if schools[code].capacity == 0 or not admitted[code]:
            lines.append(f"- {schools[code].name}: no seats")
            continue
        last = keys[code][admitted[code][-1]]
        lines.append(
            f"- {schools[code].name}: full; last admitted ranked ({_describe(last, rules)}) "
            f"ahead of you ({_describe(mine, rules)})"
        )
    return EntryOutcome(aid, personal, placed, tuple(lines))
