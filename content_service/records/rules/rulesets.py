"""Rule sets as versioned data objects (thresholds, weights, counts, subject lists).

A rule set is what one circular (or one regional decision) prescribes. It has an effective
date range and a region, so a new circular is a new data file, not a code change. The
objects are built from the JSON files in ``data/`` by :mod:`.ruledata`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from content_service.records.rules.ratings import (
    CompetencyRating,
    Level,
    PrimaryYearResult,
    SubjectRating,
)
from content_service.records.rules.scores import name_key


class SchoolLevel(StrEnum):
    """School level a rule set applies to."""

    PRIMARY = "primary"
    SECONDARY = "secondary"


@dataclass(frozen=True, slots=True)
class RuleSetMeta:
    """Identity and applicability of a rule set.

    ``grade_start_dates`` holds the roadmap: a grade is governed by the rule set only from
    the date given for it (TT22 reached grade 6 in 2021-22 but grade 12 only in 2024-25).
    """

    rule_id: str
    title: str
    region: str
    school_level: SchoolLevel
    effective_from: date
    effective_to: date | None
    grade_start_dates: Mapping[int, date]
    source: str
    notes: tuple[str, ...]

    def covers(self, on: date, grade: int | None = None) -> bool:
        """Whether the rule set is in force on ``on`` (for ``grade`` if given)."""
        if on < self.effective_from or (self.effective_to is not None and on > self.effective_to):
            return False
        if grade is None:
            return True
        start = self.grade_start_dates.get(grade)
        return start is not None and on >= start


@dataclass(frozen=True, slots=True)
class RegularCountBand:
    """Subjects with at most ``max_periods`` periods a year get ``count`` regular assessments."""

    max_periods: int | None
    count: int


@dataclass(frozen=True, slots=True)
class AverageWeights:
    """Weights of ĐTBmhk = (ΣTX + 2·GK + 3·CK)/(nTX + 5) and ĐTBmcn = (HK1 + 2·HK2)/3."""

    regular: int
    midterm: int
    final: int
    semester_1: int
    semester_2: int


@dataclass(frozen=True, slots=True)
class LevelCriterion:
    """Conditions for one learning-result level (TT22 Điều 9 khoản 2).

    The student reaches ``level`` when at most ``max_comment_failed`` comment subjects are
    Chưa đạt, every scored subject is at least ``min_every_scored`` and at least
    ``min_high_subjects`` scored subjects reach ``high_score``.
    """

    level: Level
    max_comment_failed: int
    min_every_scored: Decimal
    high_score: Decimal
    min_high_subjects: int


@dataclass(frozen=True, slots=True)
class SecondaryRuleSet:
    """Everything of TT22/2021 the year-end computation needs."""

    meta: RuleSetMeta
    regular_count_bands: tuple[RegularCountBand, ...]
    weights: AverageWeights
    comment_only_subjects: tuple[str, ...]
    learning_criteria: tuple[LevelCriterion, ...]
    adjustment_min_levels_lowered: int
    adjustment_reference_levels: tuple[Level, ...]
    conduct_year_table: Mapping[tuple[Level, Level], Level]
    max_absent_days: int
    retest_below: Decimal
    excellent_min_subjects: int
    excellent_min_average: Decimal

    def regular_count(self, periods_per_year: int) -> int:
        """Number of regular assessments per semester for a subject (TT22 Điều 6)."""
        if periods_per_year <= 0:
            raise ValueError(
                f"periods_per_year: expected a positive number, got {periods_per_year}"
            )
        for band in self.regular_count_bands:
            if band.max_periods is None or periods_per_year <= band.max_periods:
                return band.count
        raise ValueError(f"periods_per_year: {periods_per_year} is above every band")

    def is_comment_only(self, subject: str) -> bool:
        """Whether ``subject`` is assessed by comments only (Đạt / Chưa đạt)."""
        return name_key(subject) in _keys(self.comment_only_subjects)

    def conduct_year(self, semester_1: Level, semester_2: Level) -> Level:
        """Year conduct from the two semester ratings (TT22 Điều 8 khoản 3)."""
        return self.conduct_year_table[(semester_1, semester_2)]


@dataclass(frozen=True, slots=True)
class PrimaryLevelCriterion:
    """Conditions for one primary year-end result (TT27 Điều 9 khoản 2)."""

    result: PrimaryYearResult
    subject_ratings: frozenset[SubjectRating]
    competency_ratings: frozenset[CompetencyRating]
    min_test_score: int


class TraitGroup(StrEnum):
    """Main qualities (phẩm chất chủ yếu) and core competencies (năng lực cốt lõi)."""

    QUALITY = "quality"
    GENERAL = "general"  # năng lực chung
    SPECIFIC = "specific"  # năng lực đặc thù


@dataclass(frozen=True, slots=True)
class Trait:
    """A quality or competency rated Tốt / Đạt / Cần cố gắng (TT27 Điều 7 khoản 2).

    ``code`` is a short stable key (at most 5 characters) used in gradebook column names.
    """

    code: str
    name: str
    group: TraitGroup


@dataclass(frozen=True, slots=True)
class PrimaryRuleSet:
    """Everything of TT27/2020 the gradebook and the year-end computation need."""

    meta: RuleSetMeta
    tested_subjects: Mapping[int, tuple[str, ...]]
    year_criteria: tuple[PrimaryLevelCriterion, ...]
    midterm_tested_subjects: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    traits: tuple[Trait, ...] = ()

    def tested_subjects_for(self, grade: int) -> tuple[str, ...]:
        """Subjects with an end-of-semester-I and end-of-year periodic test in ``grade``."""
        if grade not in self.tested_subjects:
            raise ValueError(f"grade: {grade} is not a primary grade of {self.meta.rule_id}")
        return self.tested_subjects[grade]

    def has_final_test(self, subject: str, grade: int) -> bool:
        """Whether ``subject`` has end-of-semester tests in ``grade``."""
        return name_key(subject) in _keys(self.tested_subjects_for(grade))

    def has_midterm_test(self, subject: str, grade: int) -> bool:
        """Whether ``subject`` also has mid-semester tests in ``grade`` (grades 4-5: TV, Toán)."""
        self.tested_subjects_for(grade)  # validates the grade
        return name_key(subject) in _keys(self.midterm_tested_subjects.get(grade, ()))


RuleSet = SecondaryRuleSet | PrimaryRuleSet


@functools.lru_cache(maxsize=64)
def _keys(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(name_key(name) for name in names)
