"""Subject averages of Circular 22/2021 (grades 6-12): semester and year, scored or comment-only.

A subject with missing assessments gets an explicit *incomplete* result that lists what is
missing; it never gets an average computed from the assessments that happen to be there.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from content_service.records.rules.ratings import CommentRating
from content_service.records.rules.rulesets import SecondaryRuleSet
from content_service.records.rules.scores import (
    name_key,
    normalise_name,
    parse_score,
    round_half_up,
)


def _periods(value: int, subject: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{subject}.periods_per_year: expected a positive integer, got {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class ScoredSemester:
    """Scores of one scored subject in one semester.

    ``regular`` holds the regular assessments (ĐĐGtx), ``midterm`` the mid-term (ĐĐGgk) and
    ``final`` the end-of-term (ĐĐGck) score; ``None`` marks a test not (yet) taken. Scores are
    0-10 with one decimal; anything else raises :class:`~.errors.InvalidScoreError`.
    """

    subject: str
    periods_per_year: int
    regular: tuple[Decimal, ...]
    midterm: Decimal | None
    final: Decimal | None

    def __post_init__(self) -> None:
        name = normalise_name(self.subject, field="subject")
        object.__setattr__(self, "subject", name)
        object.__setattr__(self, "periods_per_year", _periods(self.periods_per_year, name))
        regular = tuple(
            parse_score(s, field=f"{name}.regular[{i}]") for i, s in enumerate(self.regular)
        )
        object.__setattr__(self, "regular", regular)
        for part in ("midterm", "final"):
            value = getattr(self, part)
            if value is not None:
                object.__setattr__(self, part, parse_score(value, field=f"{name}.{part}"))


@dataclass(frozen=True, slots=True)
class CommentSemester:
    """Ratings (Đạt / Chưa đạt) of one comment-only subject in one semester."""

    subject: str
    periods_per_year: int
    regular: tuple[CommentRating, ...]
    midterm: CommentRating | None
    final: CommentRating | None

    def __post_init__(self) -> None:
        name = normalise_name(self.subject, field="subject")
        object.__setattr__(self, "subject", name)
        object.__setattr__(self, "periods_per_year", _periods(self.periods_per_year, name))
        regular = tuple(
            CommentRating.parse(r, field=f"{name}.regular[{i}]") for i, r in enumerate(self.regular)
        )
        object.__setattr__(self, "regular", regular)
        for part in ("midterm", "final"):
            value = getattr(self, part)
            if value is not None:
                object.__setattr__(self, part, CommentRating.parse(value, field=f"{name}.{part}"))


SubjectSemester = ScoredSemester | CommentSemester


@dataclass(frozen=True, slots=True)
class SubjectResult:
    """A subject's semester or year result.

    Exactly one of ``average`` (scored subject) and ``rating`` (comment-only subject) is set
    when the result is complete; both are ``None`` and ``missing`` names what is missing
    otherwise.
    """

    subject: str
    comment_only: bool
    average: Decimal | None
    rating: CommentRating | None
    missing: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """Whether every required assessment was present."""
        return not self.missing


def _missing(assessment: SubjectSemester, required: int) -> tuple[str, ...]:
    missing = [
        f"{assessment.subject}: regular assessment (ĐĐGtx) {i + 1} of {required}"
        for i in range(len(assessment.regular), required)
    ]
    if assessment.midterm is None:
        missing.append(f"{assessment.subject}: mid-term assessment (ĐĐGgk)")
    if assessment.final is None:
        missing.append(f"{assessment.subject}: end-of-term assessment (ĐĐGck)")
    return tuple(missing)


def assess_semester(assessment: SubjectSemester, rules: SecondaryRuleSet) -> SubjectResult:
    """Semester result of one subject (TT22 Điều 9 khoản 1).

    Scored subjects: ``ĐTBmhk = (ΣĐĐGtx + 2·ĐĐGgk + 3·ĐĐGck) / (số ĐĐGtx + 5)`` rounded half-up
    to one decimal. The number of regular assessments required follows from the periods per
    year (Điều 6); more than that many are accepted and all enter the average, as the formula's
    denominator counts the assessments actually given. Comment-only subjects: Đạt when every
    assessment is present and rated Đạt.

    Parameters
    ----------
    assessment : ScoredSemester or CommentSemester
        The subject's assessments; the kind must match the rule set's comment-only list.
    rules : SecondaryRuleSet
        Weights, counts and the comment-only subject list.

    Returns
    -------
    SubjectResult
        Incomplete (``missing`` non-empty) when an assessment is missing.

    Raises
    ------
    ValueError
        If a comment-only subject is given scores or a scored subject is given ratings.
    """
    comment_only = rules.is_comment_only(assessment.subject)
    if comment_only != isinstance(assessment, CommentSemester):
        kind = "comment-only" if comment_only else "scored"
        raise ValueError(
            f"{assessment.subject}: is a {kind} subject under {rules.meta.rule_id} but was given "
            f"{type(assessment).__name__}"
        )
    missing = _missing(assessment, rules.regular_count(assessment.periods_per_year))
    if missing:
        return SubjectResult(assessment.subject, comment_only, None, None, missing)
    if isinstance(assessment, CommentSemester):
        ratings = (*assessment.regular, assessment.midterm, assessment.final)
        passed = all(r is CommentRating.ACHIEVED for r in ratings)
        rating = CommentRating.ACHIEVED if passed else CommentRating.NOT_ACHIEVED
        return SubjectResult(assessment.subject, True, None, rating)
    return SubjectResult(assessment.subject, False, _semester_average(assessment, rules), None)


def _semester_average(assessment: ScoredSemester, rules: SecondaryRuleSet) -> Decimal:
    weights = rules.weights
    # Completeness was checked by the caller; the asserts narrow the types.
    assert assessment.midterm is not None
    assert assessment.final is not None
    total = (
        weights.regular * sum(assessment.regular, Decimal(0))
        + weights.midterm * assessment.midterm
        + weights.final * assessment.final
    )
    count = weights.regular * len(assessment.regular) + weights.midterm + weights.final
    return round_half_up(total / count)


def assess_year(
    semester_1: SubjectResult, semester_2: SubjectResult, rules: SecondaryRuleSet
) -> SubjectResult:
    """Year result of one subject from its two semester results.

    Scored: ``ĐTBmcn = (ĐTBmhkI + 2·ĐTBmhkII) / 3`` from the rounded semester averages,
    rounded half-up. Comment-only: the semester II rating.

    Raises
    ------
    ValueError
        If the two results belong to different subjects or kinds.
    """
    if (name_key(semester_1.subject), semester_1.comment_only) != (
        name_key(semester_2.subject),
        semester_2.comment_only,
    ):
        raise ValueError(
            f"semester results of {semester_1.subject!r} and {semester_2.subject!r} do not match"
        )
    subject, comment_only = semester_1.subject, semester_1.comment_only
    if comment_only:
        # The year of a comment-only subject is its semester II result alone.
        if not semester_2.complete:
            return SubjectResult(subject, True, None, None, semester_2.missing)
        return SubjectResult(subject, True, None, semester_2.rating)
    missing = (*semester_1.missing, *semester_2.missing)
    if missing:
        return SubjectResult(subject, False, None, None, missing)
    assert semester_1.average is not None
    assert semester_2.average is not None
    w1, w2 = rules.weights.semester_1, rules.weights.semester_2
    average = (w1 * semester_1.average + w2 * semester_2.average) / (w1 + w2)
    return SubjectResult(subject, False, round_half_up(average), None)
