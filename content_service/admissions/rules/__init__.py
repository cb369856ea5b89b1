"""Pure admission rules: HCMC grade-10 allocation, a deferred-acceptance what-if simulator,
and residence-based assignment for grades 1 and 6.

Rules are per-region data files under ``data/`` selected with
:func:`select_admission_rule_set`. This package imports nothing from the web or database layers.
"""

from content_service.admissions.rules.applicants import (
    Grade10Applicant,
    School,
    SpecialisedWish,
    validate_grade10,
)
from content_service.admissions.rules.deferred import deferred_acceptance
from content_service.admissions.rules.entry import (
    EntryApplicant,
    EntryOutcome,
    EntryResult,
    EntrySchool,
    assign_entry_grade,
)
from content_service.admissions.rules.errors import (
    AdmissionInputError,
    AdmissionRuleDataError,
    AdmissionRuleSetNotFoundError,
)
from content_service.admissions.rules.grade10 import allocate_grade10
from content_service.admissions.rules.results import (
    ApplicantReport,
    Grade10Result,
    Phase,
    Placement,
    RoundCutoff,
    WishOutcome,
)
from content_service.admissions.rules.rounds import WishStatus
from content_service.admissions.rules.ruledata import (
    load_admission_rule_sets,
    parse_admission_rule_set,
    read_admission_rule_file,
    select_admission_rule_set,
    shipped_admission_rule_sets,
)
from content_service.admissions.rules.rulesets import (
    EntryRuleSet,
    Grade10RuleSet,
    RuleKind,
    TieMode,
    Track,
)
from content_service.admissions.rules.scores import parse_test_score
from content_service.admissions.rules.simulation import (
    ComparisonReport,
    PlacementDifference,
    SimulatedPlacement,
    compare_with_deferred_acceptance,
    simulate_deferred_acceptance,
)
from content_service.admissions.rules.supplementary import (
    SupplementarySeat,
    check_supplementary_wishes,
    supplementary_offer,
)

__all__ = [
    "AdmissionInputError",
    "AdmissionRuleDataError",
    "AdmissionRuleSetNotFoundError",
    "ApplicantReport",
    "ComparisonReport",
    "EntryApplicant",
    "EntryOutcome",
    "EntryResult",
    "EntryRuleSet",
    "EntrySchool",
    "Grade10Applicant",
    "Grade10Result",
    "Grade10RuleSet",
    "Phase",
    "Placement",
    "PlacementDifference",
    "RoundCutoff",
    "RuleKind",
    "School",
    "SimulatedPlacement",
    "SpecialisedWish",
    "SupplementarySeat",
    "TieMode",
    "Track",
    "WishOutcome",
    "WishStatus",
    "allocate_grade10",
    "assign_entry_grade",
    "check_supplementary_wishes",
    "compare_with_deferred_acceptance",
    "deferred_acceptance",
    "load_admission_rule_sets",
    "parse_admission_rule_set",
    "parse_test_score",
    "read_admission_rule_file",
    "select_admission_rule_set",
    "shipped_admission_rule_sets",
    "simulate_deferred_acceptance",
    "supplementary_offer",
    "validate_grade10",
]
