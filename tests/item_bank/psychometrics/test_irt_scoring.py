"""Person scoring (EAP, MAP, ML), sum-score tables and simulation."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from irt_helpers import simulate

from item_bank.psychometrics import (
    MISSING,
    BoundaryEstimateWarning,
    ItemParameters,
    ResponseDataError,
    score,
    simulate_responses,
    sum_score_table,
)
from item_bank.psychometrics.response_functions import category_probabilities


@pytest.fixture(scope="module")
def items() -> ItemParameters:
    return ItemParameters.from_difficulty(np.linspace(-2, 2, 9), np.linspace(0.8, 2.0, 9))


@pytest.fixture(scope="module")
def mixed() -> ItemParameters:
    return ItemParameters.concatenate(
        [
            ItemParameters.dichotomous([1.2, 0.7], [0.3, -0.5], [0.0, 0.2], model="3pl"),
            ItemParameters.from_thresholds("grm", [1.5], [[-1.0, 0.5]]),
            ItemParameters.from_thresholds("gpcm", [0.9], [[-0.5, 0.2, 1.0]]),
        ]
    )


def test_eap_of_rasch_pattern_equals_sum_score_table() -> None:
    rasch = ItemParameters.from_difficulty([-1.0, -0.2, 0.4, 1.3], 1.0, model="rasch")
    patterns = np.array(list(itertools.product([0, 1], repeat=4)), dtype=float)
    eap = score(patterns, rasch, "eap")
    table = sum_score_table(rasch)
    sums = patterns.sum(axis=1).astype(int)
    np.testing.assert_allclose(eap.theta, table.theta[sums], atol=1e-10)
    np.testing.assert_allclose(eap.standard_error, table.standard_error[sums], atol=1e-10)


def test_sum_score_table_matches_brute_force_enumeration(mixed: ItemParameters) -> None:
    table = sum_score_table(mixed)
    assert table.sum_score.tolist() == list(range(1 + 1 + 2 + 3 + 1))
    np.testing.assert_allclose(table.probability.sum(), 1.0)
    nodes = np.linspace(-6, 6, 61)
    weights = np.exp(-0.5 * nodes**2)
    weights /= weights.sum()
    probs = category_probabilities(nodes, mixed)
    joint = np.zeros((table.sum_score.size, nodes.size))
    for pattern in itertools.product(*(range(int(k)) for k in mixed.n_categories)):
        like = np.prod([probs[:, j, c] for j, c in enumerate(pattern)], axis=0)
        joint[sum(pattern)] += like * weights
    np.testing.assert_allclose(table.probability, joint.sum(axis=1), atol=1e-12)
    np.testing.assert_allclose(table.theta, (joint @ nodes) / joint.sum(axis=1), atol=1e-10)
    assert np.all(np.diff(table.theta) > 0)


def test_ml_recovers_theta_and_its_standard_error() -> None:
    long_test = ItemParameters.from_difficulty(np.linspace(-3, 3, 80), 1.5)
    theta, x = simulate(long_test, 300, seed=9)
    est = score(x, long_test, "ml")
    assert np.sqrt(np.mean((est.theta - theta) ** 2)) < 0.35
    from item_bank.psychometrics import test_information

    np.testing.assert_allclose(
        est.standard_error, 1 / np.sqrt(test_information(est.theta, long_test)), rtol=1e-3
    )


def test_map_shrinks_towards_the_prior_and_is_more_precise(items: ItemParameters) -> None:
    _, x = simulate(items, 200, seed=4)
    x = x[(x.sum(axis=1) > 0) & (x.sum(axis=1) < items.n_items)]
    ml, map_ = score(x, items, "ml"), score(x, items, "map", prior_mean=0.0, prior_sd=1.0)
    assert np.all(np.abs(map_.theta) <= np.abs(ml.theta) + 1e-9)
    assert np.all(map_.standard_error < ml.standard_error)
    eap = score(x, items, "eap")
    assert np.corrcoef(eap.theta, map_.theta)[0, 1] > 0.99


def test_ml_boundary_patterns_warn_instead_of_crashing(items: ItemParameters) -> None:
    x = np.vstack([np.ones(9), np.zeros(9), np.full(9, MISSING), np.r_[1, 0, np.full(7, np.nan)]])
    with pytest.warns(BoundaryEstimateWarning, match="infinite for 2"):
        est = score(x, items, "ml")
    assert est.theta[0] == np.inf
    assert est.theta[1] == -np.inf
    assert np.isnan(est.theta[2])
    assert np.isfinite(est.theta[3])
    assert np.all(np.isinf(est.standard_error[:2]))


def test_eap_without_responses_returns_the_prior(items: ItemParameters) -> None:
    est = score(np.full((1, 9), MISSING), items, prior_mean=0.5, prior_sd=0.8)
    assert est.theta[0] == pytest.approx(0.5, abs=1e-6)
    assert est.standard_error[0] == pytest.approx(0.8, abs=1e-3)


def test_polytomous_map_scoring_of_mixed_items(mixed: ItemParameters) -> None:
    est = score(np.array([[1, 1, 2, 3], [0, 0, 0, 0], [1, 0, 1, np.nan]]), mixed, "map")
    assert est.theta[0] > est.theta[2] > est.theta[1]
    assert est.method == "map"


def test_scoring_rejects_bad_input(items: ItemParameters) -> None:
    with pytest.raises(ResponseDataError, match=r"shape \(n_persons, 9\)"):
        score(np.zeros((2, 3)), items)
    with pytest.raises(ResponseDataError, match="above K-1"):
        score(np.full((1, 9), 2.0), items)
    with pytest.raises(ValueError, match="method"):
        score(np.zeros((1, 9)), items, "wle")  # type: ignore[arg-type]


def test_simulation_is_reproducible_and_respects_missing_rate(mixed: ItemParameters) -> None:
    theta = np.zeros(4000)
    a = simulate_responses(mixed, theta, rng=np.random.default_rng(1), missing_rate=0.25)
    b = simulate_responses(mixed, theta, rng=np.random.default_rng(1), missing_rate=0.25)
    np.testing.assert_array_equal(a, b)
    assert np.isnan(a).mean() == pytest.approx(0.25, abs=0.02)
    observed = a[:, 2][~np.isnan(a[:, 2])]
    expected = category_probabilities(np.zeros(1), mixed)[0, 2, :3]
    np.testing.assert_allclose(
        np.bincount(observed.astype(int)) / observed.size, expected, atol=0.03
    )
    with pytest.raises(ValueError, match="missing_rate"):
        simulate_responses(mixed, theta, rng=np.random.default_rng(1), missing_rate=1.0)
