"""Pure grading rules for Vietnamese school records (TT22/2021 secondary, TT27/2020 primary).

Rules are data: thresholds, weights, counts and subject lists live in versioned rule-set files
under ``data/``, selected by region, school level and date with :func:`select_rule_set`.
This package imports nothing from the web or database layers.
"""

from content_service.records.rules.catalogue import (
    check_no_overlap,
    load_rule_sets,
    select_primary_rule_set,
    select_rule_set,
    select_secondary_rule_set,
    shipped_rule_sets,
)
from content_service.records.rules.errors import (
    InvalidScoreError,
    RuleDataError,
    RuleSetNotFoundError,
)
from content_service.records.rules.learning import LearningResult, assess_learning
from content_service.records.rules.primary import (
    PrimaryStudentYear,
    PrimaryYearOutcome,
    assess_primary_year,
)
from content_service.records.rules.ratings import (
    CommentRating,
    CompetencyRating,
    Level,
    PrimaryYearResult,
    SubjectRating,
)
from content_service.records.rules.ruledata import parse_rule_set, read_rule_set_file
from content_service.records.rules.rulesets import (
    PrimaryRuleSet,
    RuleSet,
    SchoolLevel,
    SecondaryRuleSet,
    Trait,
    TraitGroup,
)
from content_service.records.rules.scores import parse_integer_score, parse_score, round_half_up
from content_service.records.rules.secondary import (
    CommentSemester,
    ScoredSemester,
    SubjectResult,
    assess_semester,
    assess_year,
)
from content_service.records.rules.yearend import (
    Award,
    PromotionDecision,
    PromotionStatus,
    StudentYear,
    StudentYearResult,
    compute_year_end,
    decide_award,
    decide_promotion,
    retest_subjects,
)

__all__ = [
    "Award",
    "CommentRating",
    "CommentSemester",
    "CompetencyRating",
    "InvalidScoreError",
    "LearningResult",
    "Level",
    "PrimaryRuleSet",
    "PrimaryStudentYear",
    "PrimaryYearOutcome",
    "PrimaryYearResult",
    "PromotionDecision",
    "PromotionStatus",
    "RuleDataError",
    "RuleSet",
    "RuleSetNotFoundError",
    "SchoolLevel",
    "ScoredSemester",
    "SecondaryRuleSet",
    "StudentYear",
    "StudentYearResult",
    "SubjectRating",
    "SubjectResult",
    "Trait",
    "TraitGroup",
    "assess_learning",
    "assess_primary_year",
    "assess_semester",
    "assess_year",
    "check_no_overlap",
    "compute_year_end",
    "decide_award",
    "decide_promotion",
    "load_rule_sets",
    "parse_integer_score",
    "parse_rule_set",
    "parse_score",
    "read_rule_set_file",
    "retest_subjects",
    "round_half_up",
    "select_primary_rule_set",
    "select_rule_set",
    "select_secondary_rule_set",
    "shipped_rule_sets",
]
