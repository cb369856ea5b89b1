"""Grade-10 admission scores and eligibility (DOMAIN.md §2).

Điểm xét tuyển = Ngữ văn + Toán + Ngoại ngữ + điểm ưu tiên (regular); specialised adds twice
the specialised subject, integrated adds the integrated-programme score. All three tests must
be sat, with no rule violation and every test above the track's floor.
"""

from __future__ import annotations

from decimal import Decimal

from content_service.admissions.rules.applicants import Grade10Applicant
from content_service.admissions.rules.rulesets import Grade10RuleSet, TieMode, Track
from content_service.admissions.rules.scores import to_quarters

SUBJECT_NAMES = {"literature": "Ngữ văn", "mathematics": "Toán", "foreign_language": "Ngoại ngữ"}


def _tests(applicant: Grade10Applicant) -> tuple[tuple[str, Decimal | None], ...]:
    # A tuple, not the ``tests`` dict: this runs for every applicant of a city-wide run.
    return (
        ("literature", applicant.literature),
        ("mathematics", applicant.mathematics),
        ("foreign_language", applicant.foreign_language),
    )


def ineligibility(
    applicant: Grade10Applicant, track: Track, own: Decimal | None, rules: Grade10RuleSet
) -> str:
    """Why ``applicant`` cannot be considered on ``track`` ("" when eligible).

    ``own`` is the track's own score (specialised subject or integrated score).
    """
    if applicant.violated_rules:
        return "disqualified for breaking the exam rules"
    tests = _tests(applicant)
    absent = [SUBJECT_NAMES[s] for s, v in tests if v is None]
    if absent:
        return f"did not sit {', '.join(absent)} (all three tests are required)"
    floor = rules.tracks[track].min_test_score_exclusive
    low = [f"{SUBJECT_NAMES[s]} {v}" for s, v in tests if v is not None and v <= floor]
    if track is not Track.REGULAR and own is None:
        low.append(
            "no specialised-subject score" if track is Track.SPECIALISED else "no integrated score"
        )
    elif track is Track.SPECIALISED and own is not None and own <= floor:
        low.append(f"specialised subject {own}")
    if low:
        return f"every test must be above {floor}: {', '.join(low)}"
    return ""


def admission_key(
    applicant: Grade10Applicant, track: Track, own: Decimal | None, rules: Grade10RuleSet
) -> tuple[int, ...]:
    """Ranking key in quarter-points: the admission score, then the published tie-break values.

    Admission score = Σ weight·test + extra_weight·own + priority points (if the track adds
    them). Under ``admit_all`` the key is the score alone, so equal scores tie.
    """
    rule = rules.tracks[track]
    group = applicant.priority_group
    bonus = to_quarters(rules.priority_points[group]) if group is not None else 0
    tests = {s: to_quarters(v) for s, v in _tests(applicant) if v is not None}
    weights = rules.test_weights
    total = sum([weights[s] * q for s, q in tests.items()])
    own_q = to_quarters(own) if own is not None else 0
    total += rule.extra_weight * own_q + (bonus if rule.add_priority else 0)
    if rules.tie_mode is TieMode.ADMIT_ALL:
        return (total,)
    values = {
        **tests,
        "priority_points": bonus,
        "specialised_subject": own_q if track is Track.SPECIALISED else 0,
        "integrated_score": own_q if track is Track.INTEGRATED else 0,
    }
    return (total, *(values[k] for k in rules.tie_break_order))
