"""Admission rule sets as versioned, per-region data objects.

Rules differ by region (after the July-2025 merger the supplementary round applied to the old
HCMC area only) and by year, so every threshold, weight and tie-break order is data with an
effective date range, loaded from ``data/*.json`` by :mod:`.ruledata`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum


class RuleKind(StrEnum):
    """What a rule set governs."""

    GRADE10 = "grade10"
    ENTRY = "entry"  # grades 1 and 6, residence-based


class Track(StrEnum):
    """Grade-10 class tracks, each with its own wishes, quotas and score formula."""

    SPECIALISED = "specialised"
    INTEGRATED = "integrated"
    REGULAR = "regular"


class TieMode(StrEnum):
    """How applicants tied on score at a cut-off are resolved (published each year)."""

    ADMIT_ALL = "admit_all"
    TIE_BREAK = "tie_break"


TIE_BREAK_KEYS = (
    "priority_points",
    "mathematics",
    "literature",
    "foreign_language",
    "specialised_subject",
    "integrated_score",
)
TEST_SUBJECTS = ("literature", "mathematics", "foreign_language")
DISTANCE_KEY = "distance"


@dataclass(frozen=True, slots=True)
class AdmissionRuleMeta:
    """Identity and applicability of an admission rule set."""

    rule_id: str
    title: str
    region: str
    kind: RuleKind
    effective_from: date
    effective_to: date | None
    source: str
    notes: tuple[str, ...]

    def covers(self, on: date) -> bool:
        """Whether the rule set is in force on ``on``."""
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


@dataclass(frozen=True, slots=True)
class TrackRule:
    """Score formula and eligibility of one track.

    Admission score = Σ weight·test (+ ``extra_weight`` · the track's own score: the
    specialised subject or the integrated-programme score) (+ priority points if
    ``add_priority``). Every counted test must be strictly above ``min_test_score_exclusive``.
    """

    max_wishes: int
    extra_weight: int
    add_priority: bool
    min_test_score_exclusive: Decimal


@dataclass(frozen=True, slots=True)
class Grade10RuleSet:
    """The Department's grade-10 admission plan for one region and year."""

    meta: AdmissionRuleMeta
    test_weights: Mapping[str, int]
    priority_points: Mapping[int, Decimal]
    tracks: Mapping[Track, TrackRule]
    phase_order: tuple[Track, ...]
    monotone_cutoffs: bool
    tie_mode: TieMode
    tie_break_order: tuple[str, ...]
    supplementary_enabled: bool
    supplementary_respects_cutoffs: bool
    max_supplementary_wishes: int


@dataclass(frozen=True, slots=True)
class EntryGradeRule:
    """Group-1 condition for one entry grade.

    Grade 1: the child turns ``age_years`` in the admission year. Grade 6: completed primary.
    """

    grade: int
    age_years: int | None
    requires_completed_primary: bool


@dataclass(frozen=True, slots=True)
class EntryRuleSet:
    """Residence-based assignment rules for grades 1 and 6.

    ``tie_break`` lists, in order, priority flags (an applicant holding the flag comes first)
    and ``"distance"`` (shorter GIS travel distance first). ``priority_flags`` maps each
    known flag to its Vietnamese label.
    """

    meta: AdmissionRuleMeta
    grades: Mapping[int, EntryGradeRule]
    priority_flags: Mapping[str, str]
    tie_break: tuple[str, ...]


AdmissionRuleSet = Grade10RuleSet | EntryRuleSet
