"""Property and formula tests of the item response and information functions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from item_bank.psychometrics import response_functions as rf
from item_bank.psychometrics.parameters import ItemParameters

slopes = st.floats(0.2, 3.0)
locations = st.floats(-3.0, 3.0)
thetas = st.lists(st.floats(-6.0, 6.0), min_size=2, max_size=20)


def mixed_items() -> ItemParameters:
    return ItemParameters.concatenate(
        [
            ItemParameters.dichotomous([1.0, 1.7], [0.5, -1.0], [0.0, 0.2], model="3pl"),
            ItemParameters.from_thresholds("grm", [1.2], [[-1.0, 0.3, 1.5]]),
            ItemParameters.from_thresholds(
                "gpcm", [0.8, 1.4], [[-0.5, 0.7, np.nan], [0.2, -0.4, 1.1]]
            ),
        ]
    )


@given(theta=thetas, a=slopes, b=locations, c=st.floats(0.0, 0.4))
def test_dichotomous_probability_in_unit_interval_and_increasing(
    theta: list[float], a: float, b: float, c: float
) -> None:
    t = np.sort(np.array(theta))
    p = rf.probability_correct(t, a, -a * b, c)[:, 0]
    assert np.all((p >= c) & (p <= 1.0))
    assert np.all(np.diff(p) >= -1e-15)


@given(theta=thetas, a=slopes, b=locations, c=st.floats(0.0, 0.4))
def test_dichotomous_information_matches_derivative_formula(
    theta: list[float], a: float, b: float, c: float
) -> None:
    t = np.array(theta)
    info = rf.information_dichotomous(t, a, -a * b, c)[:, 0]
    assert np.all(info >= 0)
    h = 1e-6
    dp = (
        rf.probability_correct(t + h, a, -a * b, c) - rf.probability_correct(t - h, a, -a * b, c)
    )[:, 0] / (2 * h)
    p = rf.probability_correct(t, a, -a * b, c)[:, 0]
    np.testing.assert_allclose(info, dp**2 / (p * (1 - p)), rtol=1e-4, atol=1e-9)


@settings(max_examples=50)
@given(
    theta=thetas,
    a=slopes,
    steps=st.lists(st.floats(-2.5, 2.5), min_size=1, max_size=4, unique=True),
    model=st.sampled_from(["grm", "gpcm"]),
)
def test_polytomous_categories_sum_to_one_and_expected_score_rises(
    theta: list[float], a: float, steps: list[float], model: str
) -> None:
    b = np.sort(np.array(steps)) if model == "grm" else np.array(steps)
    items = ItemParameters.from_thresholds(model, [a], [b])
    t = np.sort(np.array(theta))
    p = rf.category_probabilities(t, items)
    assert np.all((p >= 0) & (p <= 1))
    np.testing.assert_allclose(p.sum(axis=2), 1.0, atol=1e-12)
    assert np.all(np.diff(rf.expected_score(t, items)[:, 0]) >= -1e-12)
    assert np.all(rf.item_information(t, items) >= 0)


def test_information_equals_sum_of_squared_category_slopes_over_probability() -> None:
    items = mixed_items()
    t = np.linspace(-4, 4, 17)
    h = 1e-6
    p = rf.category_probabilities(t, items)
    dp = (rf.category_probabilities(t + h, items) - rf.category_probabilities(t - h, items)) / (
        2 * h
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.where(p > 0, dp**2 / p, 0.0).sum(axis=2)
    np.testing.assert_allclose(rf.item_information(t, items), expected, rtol=1e-5, atol=1e-10)
    np.testing.assert_allclose(rf.test_information(t, items), expected.sum(axis=1), rtol=1e-5)


def test_grm_matches_cumulative_definition_and_pads_missing_categories() -> None:
    a, d = np.array([1.3, 0.9]), np.array([[1.0, -0.5], [0.4, np.nan]])
    t = np.array([-1.0, 0.0, 2.0])
    p = rf.category_probabilities_grm(t, a, d)
    star = 1 / (1 + np.exp(-(a[0] * t[:, None] + d[0])))
    np.testing.assert_allclose(p[:, 0, 0], 1 - star[:, 0])
    np.testing.assert_allclose(p[:, 0, 1], star[:, 0] - star[:, 1])
    np.testing.assert_allclose(p[:, 1, 2], 0.0)


def test_gpcm_matches_divide_by_total_definition() -> None:
    a, d = 0.8, np.array([[0.5, -0.2]])
    t = np.array([0.3])
    z = np.array([0.0, a * 0.3 + 0.5, 2 * a * 0.3 - 0.2])
    np.testing.assert_allclose(
        rf.category_probabilities_gpcm(t, [a], d)[0, 0], np.exp(z) / np.exp(z).sum()
    )


def test_log_probabilities_stay_finite_far_out() -> None:
    logp = rf.log_category_probabilities(np.array([-40.0, 40.0]), mixed_items())
    real = np.isfinite(rf.log_category_probabilities(np.array([0.0]), mixed_items()))[0]
    assert np.all(np.isfinite(logp[:, real]) | (logp[:, real] < -700))
    assert logp[0, 0, 0] == pytest.approx(0.0, abs=1e-12)


def test_theta_must_be_one_dimensional() -> None:
    with pytest.raises(ValueError, match="1-D"):
        rf.probability_correct(np.zeros((2, 2)), 1.0, 0.0)
