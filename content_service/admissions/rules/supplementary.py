"""Phase 2 of grade-10 admission: the supplementary round for under-filled schools.

After the regular results are published the Department lists the schools that still have
regular seats and, when the rule set says so (``supplementary_round.respect_cutoffs``), the
minimum score a supplementary applicant needs there: the highest regular cut-off the school
published (a later wish never gets in below an earlier one). Applicants not admitted anywhere
then send up to ``max_wishes`` supplementary wishes, only to listed schools, and the city
allocates them wish by wish as in the regular rounds (:func:`.grade10.allocate_grade10`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from content_service.admissions.rules.applicants import Grade10Applicant, School
from content_service.admissions.rules.errors import AdmissionInputError
from content_service.admissions.rules.results import Grade10Result, Phase
from content_service.admissions.rules.rulesets import Grade10RuleSet, Track
from content_service.admissions.rules.scores import from_quarters, normalise_text
from content_service.admissions.rules.scoring import admission_key, ineligibility


@dataclass(frozen=True, slots=True)
class SupplementarySeat:
    """A school open in the supplementary round: seats left and the minimum score (or None)."""

    school: str
    name: str
    seats: int
    min_score: Decimal | None


def supplementary_offer(
    result: Grade10Result, schools: Sequence[School], rules: Grade10RuleSet
) -> tuple[SupplementarySeat, ...]:
    """The schools left under-filled by the regular rounds of ``result``.

    Parameters
    ----------
    result : Grade10Result
        The regular allocation (run with ``supplementary=False``).
    schools : sequence of School
    rules : Grade10RuleSet

    Returns
    -------
    tuple of SupplementarySeat
        Schools with regular seats left, by code. ``min_score`` is the school's highest
        regular cut-off when the rule set carries cut-offs into phase 2, else ``None``.

    Raises
    ------
    AdmissionInputError
        If the rule set has no supplementary round.
    """
    if not rules.supplementary_enabled:
        raise AdmissionInputError(f"{rules.meta.rule_id}: the rule set has no supplementary round")
    admitted: dict[str, int] = {}
    highest: dict[str, Decimal] = {}
    for row in result.cutoffs:
        if row.phase is not Phase.REGULAR:
            continue
        admitted[row.school] = admitted.get(row.school, 0) + row.admitted
        if row.cutoff is not None and (
            row.school not in highest or row.cutoff > highest[row.school]
        ):
            highest[row.school] = row.cutoff
    carry = rules.supplementary_respects_cutoffs and rules.monotone_cutoffs
    offer = []
    for school in sorted(schools, key=lambda s: s.code):
        seats = school.regular_quota - admitted.get(school.code, 0)
        if seats > 0:
            floor = highest.get(school.code) if carry else None
            offer.append(SupplementarySeat(school.code, school.name, seats, floor))
    return tuple(offer)


def check_supplementary_wishes(
    applicant: Grade10Applicant,
    wishes: Sequence[str],
    offer: Mapping[str, SupplementarySeat],
    rules: Grade10RuleSet,
    *,
    admitted: bool,
) -> tuple[str, ...]:
    """Validate one applicant's supplementary wishes against the published offer.

    Returns
    -------
    tuple of str
        The wishes (school codes, normalised) in order.

    Raises
    ------
    AdmissionInputError
        Naming the applicant and the wish: already admitted, too many or duplicated wishes, a
        school not open in the round, an applicant not eligible for regular classes, or a score
        below the school's minimum.
    """
    aid = applicant.applicant_id
    if admitted:
        raise AdmissionInputError(f"{aid}: already admitted, supplementary wishes are closed")
    codes = tuple(normalise_text(w, field=f"{aid}.supplementary_wishes") for w in wishes)
    if not codes:
        raise AdmissionInputError(f"{aid}.supplementary_wishes: at least one wish is needed")
    limit = rules.max_supplementary_wishes
    if len(codes) > limit:
        raise AdmissionInputError(
            f"{aid}.supplementary_wishes: {len(codes)} wishes, at most {limit} allowed"
        )
    if len(set(codes)) != len(codes):
        twice = next(c for c in codes if codes.count(c) > 1)
        raise AdmissionInputError(f"{aid}.supplementary_wishes: duplicated wish {twice!r}")
    reason = ineligibility(applicant, Track.REGULAR, None, rules)
    if reason:
        raise AdmissionInputError(f"{aid}: not eligible for regular classes: {reason}")
    score = from_quarters(admission_key(applicant, Track.REGULAR, None, rules)[0])
    for number, code in enumerate(codes, 1):
        seat = offer.get(code)
        if seat is None:
            raise AdmissionInputError(
                f"{aid}: NV{number} bổ sung {code!r} has no seats in the supplementary round"
            )
        if seat.min_score is not None and score < seat.min_score:
            raise AdmissionInputError(
                f"{aid}: NV{number} bổ sung {code!r} needs at least {seat.min_score:.2f}, "
                f"your score is {score:.2f}"
            )
    return codes


__all__ = ["SupplementarySeat", "check_supplementary_wishes", "supplementary_offer"]
