"""Psychometrics: classical test theory, item response theory, fit, DIF, linking and CAT.

``responses`` always has shape (n_persons, n_items); :data:`MISSING` (NaN) marks an item that
was not presented.

Main entry points
-----------------
calibrate
    Marginal maximum likelihood (Bock-Aitkin EM) for Rasch/1PL/2PL/3PL, GRM and GPCM items,
    returning a :class:`CalibrationResult` (slope-intercept and a/b/c forms, standard errors,
    log-likelihood, convergence information).
score, sum_score_table
    ML, MAP and EAP ability estimates with standard errors; sum-score-to-EAP tables.
ctt
    Classical item statistics, reliability and distractor analysis (:class:`CTTResult`).
item_fit, person_fit
    S-X2 item fit and person fit statistics.
dif
    Mantel-Haenszel and IRT likelihood-ratio DIF between two groups (:class:`DIFResult`).
link, transform_parameters, calibrate_fixed_anchor
    Put a new calibration on the bank's scale (mean-mean, mean-sigma, Haebara,
    Stocking-Lord) or calibrate pretest items with the bank's anchors fixed.
CATBank, CATSession, CATRules, Blueprint
    Computerised adaptive testing (maximum information, exposure control, content balancing).
"""

from .calibration import calibrate
from .cat import (
    Blueprint,
    CATBank,
    CATRules,
    CATSession,
    CATSimulationResult,
    SympsonHetterResult,
    simulate_cat,
    sympson_hetter_parameters,
)
from .ctt import CTTResult, DistractorAnalysis, ctt, score_choices
from .dif import DIFResult, dif
from .errors import (
    BoundaryEstimateWarning,
    ConvergenceWarning,
    DataWarning,
    PsychometricsError,
    PsychometricsWarning,
    ResponseDataError,
)
from .fit import ItemFitResult, PersonFitResult, item_fit, person_fit, summed_score_likelihood
from .linking import LinkingResult, calibrate_fixed_anchor, link, transform_parameters
from .parameters import ItemParameters
from .priors import Priors
from .quadrature import Quadrature
from .response_functions import (
    category_probabilities,
    expected_score,
    item_information,
    probability_correct,
    test_information,
)
from .responses import MISSING, SparseResponses
from .results import AbilityEstimate, CalibrationResult, ParameterErrors, SumScoreTable
from .scoring import score, sum_score_table
from .simulation import simulate_responses

__all__ = [
    "MISSING",
    "AbilityEstimate",
    "Blueprint",
    "BoundaryEstimateWarning",
    "CATBank",
    "CATRules",
    "CATSession",
    "CATSimulationResult",
    "CTTResult",
    "CalibrationResult",
    "ConvergenceWarning",
    "DIFResult",
    "DataWarning",
    "DistractorAnalysis",
    "ItemFitResult",
    "ItemParameters",
    "LinkingResult",
    "ParameterErrors",
    "PersonFitResult",
    "Priors",
    "PsychometricsError",
    "PsychometricsWarning",
    "Quadrature",
    "ResponseDataError",
    "SparseResponses",
    "SumScoreTable",
    "SympsonHetterResult",
    "calibrate",
    "calibrate_fixed_anchor",
    "category_probabilities",
    "ctt",
    "dif",
    "expected_score",
    "item_fit",
    "item_information",
    "link",
    "person_fit",
    "probability_correct",
    "score",
    "score_choices",
    "simulate_cat",
    "simulate_responses",
    "sum_score_table",
    "summed_score_likelihood",
    "sympson_hetter_parameters",
    "test_information",
    "transform_parameters",
]
