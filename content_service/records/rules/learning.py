"""Learning-result levels Tốt / Khá / Đạt / Chưa đạt (TT22 Điều 9 khoản 2 and 3).

Applies to a semester (from semester results) and to the year (from year results) alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from content_service.records.rules.ratings import CommentRating, Level
from content_service.records.rules.rulesets import LevelCriterion, SecondaryRuleSet
from content_service.records.rules.secondary import SubjectResult


@dataclass(frozen=True, slots=True)
class LearningResult:
    """A learning-result level, with the one-subject adjustment made explicit.

    Attributes
    ----------
    level : Level or None
        The final level; ``None`` when a subject result is incomplete.
    computed_level : Level or None
        The level before the Điều 9 khoản 3 adjustment.
    adjusted_for : str or None
        The single subject that pulled the level down, when the adjustment applied.
    missing : tuple of str
        What is missing when the level cannot be determined.
    """

    level: Level | None
    computed_level: Level | None
    adjusted_for: str | None = None
    missing: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """Whether a level could be determined."""
        return self.level is not None


def meets(criterion: LevelCriterion, scored: Sequence[Decimal], comments_failed: int) -> bool:
    """Whether scored averages and the number of failed comment subjects reach ``criterion``."""
    if comments_failed > criterion.max_comment_failed:
        return False
    if any(score < criterion.min_every_scored for score in scored):
        return False
    return sum(score >= criterion.high_score for score in scored) >= criterion.min_high_subjects


def _plain_level(
    criteria: Sequence[LevelCriterion], scored: Sequence[Decimal], comments_failed: int
) -> Level:
    for criterion in criteria:
        if meets(criterion, scored, comments_failed):
            return criterion.level
    return Level.NOT_ACHIEVED


def _violates(criterion: LevelCriterion, subject: SubjectResult) -> bool:
    if subject.average is not None:
        return subject.average < criterion.min_every_scored
    return subject.rating is CommentRating.NOT_ACHIEVED and criterion.max_comment_failed == 0


def _single_culprit(criterion: LevelCriterion, subjects: Sequence[SubjectResult]) -> str | None:
    """The one subject without which ``criterion`` would be met, if there is exactly one.

    Leaving the subject out (rather than raising its score) keeps "because of a single
    subject" strict: the other subjects must reach the level on their own, counts included.
    Only a subject that itself breaks the criterion can be the culprit, since leaving out a
    subject that meets it never helps; two such subjects mean no adjustment.
    """
    culprits = [s for s in subjects if _violates(criterion, s)]
    if len(culprits) != 1:
        return None
    rest = [s for s in subjects if s is not culprits[0]]
    scored = [s.average for s in rest if s.average is not None]
    failed = sum(s.rating is CommentRating.NOT_ACHIEVED for s in rest)
    return culprits[0].subject if meets(criterion, scored, failed) else None


def assess_learning(subjects: Sequence[SubjectResult], rules: SecondaryRuleSet) -> LearningResult:
    """Learning-result level of a semester or a year.

    Parameters
    ----------
    subjects : sequence of SubjectResult
        All subject results of the period (semester results or year results).
    rules : SecondaryRuleSet
        Level criteria and the adjustment rule.

    Returns
    -------
    LearningResult
        Incomplete when any subject result is incomplete. Otherwise the first level of
        Tốt, Khá, Đạt whose criterion is met (else Chưa đạt), then the adjustment of
        Điều 9 khoản 3: when the level is at least ``adjustment_min_levels_lowered`` levels
        below a reference level (Tốt, Khá) that would be met but for one single subject, it is
        raised to the next level up. Two subjects pulling down never trigger it.
    """
    missing = tuple(m for s in subjects if not s.complete for m in s.missing)
    if missing:
        return LearningResult(None, None, missing=missing)
    scored = [s.average for s in subjects if s.average is not None]
    failed = sum(s.rating is CommentRating.NOT_ACHIEVED for s in subjects)
    computed = _plain_level(rules.learning_criteria, scored, failed)
    by_level = {c.level: c for c in rules.learning_criteria}
    for reference in rules.adjustment_reference_levels:
        if computed.rank > reference.rank - rules.adjustment_min_levels_lowered:
            continue
        culprit = _single_culprit(by_level[reference], subjects)
        if culprit is not None:
            return LearningResult(Level.from_rank(computed.rank + 1), computed, culprit)
    return LearningResult(computed, computed)
