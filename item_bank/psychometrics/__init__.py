"""Psychometrics: item response theory calibration, scoring and information.

``responses`` always has shape (n_persons, n_items); :data:`MISSING` (NaN) marks an item that
was not presented.
"""

from .calibration import calibrate
from .errors import (
    BoundaryEstimateWarning,
    ConvergenceWarning,
    DataWarning,
    PsychometricsError,
    PsychometricsWarning,
    ResponseDataError,
)
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
    "BoundaryEstimateWarning",
    "CalibrationResult",
    "ConvergenceWarning",
    "DataWarning",
    "ItemParameters",
    "ParameterErrors",
    "Priors",
    "PsychometricsError",
    "PsychometricsWarning",
    "Quadrature",
    "ResponseDataError",
    "SparseResponses",
    "SumScoreTable",
    "calibrate",
    "category_probabilities",
    "expected_score",
    "item_information",
    "probability_correct",
    "score",
    "simulate_responses",
    "sum_score_table",
    "test_information",
]
