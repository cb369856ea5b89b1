"""Nasty data: calibration must raise a clear error or warn, never crash."""

from __future__ import annotations

import numpy as np
import pytest
from irt_helpers import simulate

from item_bank.psychometrics import (
    ConvergenceWarning,
    DataWarning,
    ItemParameters,
    ResponseDataError,
    SparseResponses,
    calibrate,
)


@pytest.fixture(scope="module")
def responses() -> np.ndarray:
    items = ItemParameters.from_difficulty(np.linspace(-1.5, 1.5, 6), 1.2)
    return simulate(items, 300, seed=3)[1]


def test_one_dimensional_responses(responses: np.ndarray) -> None:
    with pytest.raises(ResponseDataError, match="2-D"):
        calibrate(responses[0])


def test_empty_responses() -> None:
    with pytest.raises(ResponseDataError, match="non-empty"):
        calibrate(np.zeros((0, 3)))


def test_non_binary_values_for_dichotomous_models(responses: np.ndarray) -> None:
    x = responses.copy()
    x[0, 2] = 2
    with pytest.raises(ResponseDataError, match=r"dichotomous items \[2\]"):
        calibrate(x, "2pl")


@pytest.mark.parametrize("value", [0.5, -1.0, np.inf])
def test_non_category_values(responses: np.ndarray, value: float) -> None:
    x = responses.copy()
    x[1, 1] = value
    with pytest.raises(ResponseDataError, match="integer categories"):
        calibrate(x)


def test_constant_column_is_named(responses: np.ndarray) -> None:
    x = responses.copy()
    x[:, 4] = 1
    with pytest.raises(ResponseDataError, match=r"items \[4\].*constant"):
        calibrate(x)


def test_item_nobody_saw(responses: np.ndarray) -> None:
    x = responses.copy()
    x[:, 3] = np.nan
    with pytest.raises(ResponseDataError, match=r"items \[3\] have no responses"):
        calibrate(x)


def test_single_respondent(responses: np.ndarray) -> None:
    with pytest.raises(ResponseDataError, match="two persons"):
        calibrate(responses[:1])


def test_persons_without_responses_are_dropped_with_a_warning(responses: np.ndarray) -> None:
    x = responses.copy()
    x[:5] = np.nan
    with pytest.warns(DataWarning, match="5 persons without any response"):
        result = calibrate(x, standard_errors=False)
    assert result.converged
    assert any("without any response" in w for w in result.warnings)


def test_all_correct_and_all_wrong_persons_are_fine_in_mml(responses: np.ndarray) -> None:
    x = responses.copy()
    x[:20] = 1
    x[20:40] = 0
    result = calibrate(x, standard_errors=False)
    assert result.converged
    assert np.all(np.isfinite(result.parameters.intercepts[:, 0]))


def test_non_convergence_warns_and_is_reported(responses: np.ndarray) -> None:
    with pytest.warns(ConvergenceWarning, match="EM stopped after 3 E-steps"):
        result = calibrate(responses, max_iter=3, standard_errors=False)
    assert not result.converged
    assert result.iterations == 3
    assert result.warnings


def test_polytomous_category_nobody_chose() -> None:
    x = np.array([[0, 1], [2, 2], [0, 0], [2, 1]], dtype=float)
    with pytest.raises(ResponseDataError, match=r"items \[0\]"):
        calibrate(x, "grm")


def test_response_above_declared_categories() -> None:
    x = np.array([[0, 1], [2, 2], [1, 0], [2, 1]], dtype=float)
    with pytest.raises(ResponseDataError, match="n_categories"):
        calibrate(x, "gpcm", n_categories=[3, 2])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"model": "4pl"}, "unknown model"),
        ({"model": ["2pl", "2pl"]}, "2 models given for 6 items"),
        ({"fixed_items": [0]}, "fixed_parameters must describe"),
        (
            {"fixed_items": [9], "fixed_parameters": ItemParameters.dichotomous([1.0], [0.0])},
            "column indices",
        ),
    ],
)
def test_bad_arguments(responses: np.ndarray, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        calibrate(responses, **kwargs)


def test_bad_weights(responses: np.ndarray) -> None:
    with pytest.raises(ResponseDataError, match="weights"):
        calibrate(responses, weights=-np.ones(responses.shape[0]))


def test_triplets_outside_the_matrix() -> None:
    with pytest.raises(ResponseDataError, match="item index"):
        SparseResponses(np.array([0]), np.array([5]), np.array([1]), 2, 3)
