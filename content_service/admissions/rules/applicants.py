"""Grade-10 applicants and schools, validated on construction and against a rule set."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from content_service.admissions.rules.errors import AdmissionInputError
from content_service.admissions.rules.rulesets import Grade10RuleSet, Track
from content_service.admissions.rules.scores import normalise_text, parse_test_score


def _quota(value: int, field_name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise AdmissionInputError(
            f"{field_name}: quota must be a non-negative integer, got {value!r}"
        )
    return value


@dataclass(frozen=True, slots=True)
class School:
    """A public upper-secondary school and its quotas (chỉ tiêu) per track.

    ``specialised_quotas`` maps a specialised subject (e.g. ``"Toán"``) to its class quota.
    """

    code: str
    name: str
    regular_quota: int
    integrated_quota: int = 0
    specialised_quotas: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        code = normalise_text(self.code, field="school.code")
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "name", normalise_text(self.name, field=f"{code}.name"))
        _quota(self.regular_quota, f"{code}.regular_quota")
        _quota(self.integrated_quota, f"{code}.integrated_quota")
        quotas = {
            normalise_text(s, field=f"{code}.specialised_quotas"): _quota(q, f"{code}.chuyên {s}")
            for s, q in self.specialised_quotas.items()
        }
        object.__setattr__(self, "specialised_quotas", quotas)


@dataclass(frozen=True, slots=True)
class SpecialisedWish:
    """A wish for a specialised class: the school and the specialised subject."""

    school: str
    subject: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "school", normalise_text(self.school, field="wish.school"))
        object.__setattr__(self, "subject", normalise_text(self.subject, field="wish.subject"))


def _optional_score(value: object, field_name: str) -> Decimal | None:
    return None if value is None else parse_test_score(value, field=field_name)


def _no_duplicates(values: Sequence[object], field_name: str) -> None:
    seen: set[object] = set()
    for value in values:
        if value in seen:
            raise AdmissionInputError(f"{field_name}: duplicated wish {value!r}")
        seen.add(value)


@dataclass(frozen=True, slots=True)
class Grade10Applicant:
    """One applicant: exam scores, priority group and ranked wishes.

    A test score of ``None`` means the applicant did not sit that test. ``priority_group``
    is 1, 2 or 3 (Circular 30/2024 Điều 14 khoản 2) or ``None``. ``violated_rules`` marks a
    candidate disqualified for breaking exam rules.
    """

    applicant_id: str
    literature: Decimal | None
    mathematics: Decimal | None
    foreign_language: Decimal | None
    regular_wishes: tuple[str, ...]
    priority_group: int | None = None
    specialised_wishes: tuple[SpecialisedWish, ...] = ()
    specialised_scores: Mapping[str, Decimal] = field(default_factory=dict)
    integrated_wishes: tuple[str, ...] = ()
    integrated_score: Decimal | None = None
    supplementary_wishes: tuple[str, ...] = ()
    violated_rules: bool = False

    def __post_init__(self) -> None:
        aid = normalise_text(self.applicant_id, field="applicant_id")
        object.__setattr__(self, "applicant_id", aid)
        for name in ("literature", "mathematics", "foreign_language", "integrated_score"):
            object.__setattr__(self, name, _optional_score(getattr(self, name), f"{aid}.{name}"))
        specialised = {
            normalise_text(s, field=f"{aid}.specialised_scores"): parse_test_score(
                v, field=f"{aid}.specialised_scores[{s}]"
            )
            for s, v in self.specialised_scores.items()
        }
        object.__setattr__(self, "specialised_scores", specialised)
        for name in ("regular_wishes", "integrated_wishes", "supplementary_wishes"):
            wishes = tuple(normalise_text(w, field=f"{aid}.{name}") for w in getattr(self, name))
            _no_duplicates(wishes, f"{aid}.{name}")
            object.__setattr__(self, name, wishes)
        object.__setattr__(self, "specialised_wishes", tuple(self.specialised_wishes))
        _no_duplicates(self.specialised_wishes, f"{aid}.specialised_wishes")

    @property
    def tests(self) -> dict[str, Decimal | None]:
        """The three common tests by subject key."""
        return {
            "literature": self.literature,
            "mathematics": self.mathematics,
            "foreign_language": self.foreign_language,
        }


def validate_grade10(
    applicants: Sequence[Grade10Applicant], schools: Sequence[School], rules: Grade10RuleSet
) -> dict[str, School]:
    """Check applicants and schools against each other and the rule set.

    Returns
    -------
    dict
        Schools by code.

    Raises
    ------
    AdmissionInputError
        For a duplicated school or applicant, an unknown school or specialised class, too many
        wishes of a track, or an unknown priority group.
    """
    by_code: dict[str, School] = {}
    for school in schools:
        if school.code in by_code:
            raise AdmissionInputError(f"school {school.code!r} is listed twice")
        by_code[school.code] = school
    seen: set[str] = set()
    for applicant in applicants:
        if applicant.applicant_id in seen:
            raise AdmissionInputError(f"applicant {applicant.applicant_id!r} is listed twice")
        seen.add(applicant.applicant_id)
        _check_applicant(applicant, by_code, rules)
    return by_code


def _check_applicant(
    applicant: Grade10Applicant, schools: Mapping[str, School], rules: Grade10RuleSet
) -> None:
    aid = applicant.applicant_id
    counts = {
        Track.REGULAR: len(applicant.regular_wishes),
        Track.INTEGRATED: len(applicant.integrated_wishes),
        Track.SPECIALISED: len(applicant.specialised_wishes),
    }
    for track, count in counts.items():
        limit = rules.tracks[track].max_wishes
        if count > limit:
            raise AdmissionInputError(f"{aid}: {count} {track} wishes, at most {limit} allowed")
    if len(applicant.supplementary_wishes) > rules.max_supplementary_wishes:
        raise AdmissionInputError(
            f"{aid}: {len(applicant.supplementary_wishes)} supplementary wishes, "
            f"at most {rules.max_supplementary_wishes} allowed"
        )
    wishes = (*applicant.regular_wishes, *applicant.integrated_wishes)
    for code in (*wishes, *applicant.supplementary_wishes):
        if code not in schools:
            raise AdmissionInputError(f"{aid}: unknown school {code!r}")
    for code in applicant.integrated_wishes:
        if schools[code].integrated_quota == 0:
            raise AdmissionInputError(f"{aid}: school {code!r} has no integrated classes")
    for wish in applicant.specialised_wishes:
        if wish.school not in schools:
            raise AdmissionInputError(f"{aid}: unknown school {wish.school!r}")
        if wish.subject not in schools[wish.school].specialised_quotas:
            raise AdmissionInputError(
                f"{aid}: school {wish.school!r} has no specialised class in {wish.subject!r}"
            )
    group = applicant.priority_group
    if group is not None and group not in rules.priority_points:
        known = ", ".join(str(g) for g in sorted(rules.priority_points))
        raise AdmissionInputError(f"{aid}: unknown priority group {group!r} (known: {known})")
