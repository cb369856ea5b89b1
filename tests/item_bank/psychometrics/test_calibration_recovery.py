"""Parameter recovery on seeded simulated data, for every model and for sparse designs."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from irt_helpers import rmse, simulate

from item_bank.psychometrics import (
    ItemParameters,
    Priors,
    Quadrature,
    SparseResponses,
    calibrate,
)


def true_items(model: str, n_items: int, seed: int) -> ItemParameters:
    g = np.random.default_rng(seed)
    a = g.uniform(0.8, 2.0, n_items)
    if model in ("rasch", "1pl", "2pl", "3pl"):
        a = {"rasch": np.ones(n_items), "1pl": np.full(n_items, 1.3)}.get(model, a)
        c = g.uniform(0.1, 0.25, n_items) if model == "3pl" else None
        return ItemParameters.from_difficulty(g.normal(0, 1, n_items), a, c, model=model)
    b = g.normal(-1.0, 0.4, (n_items, 1)) + np.cumsum(g.uniform(0.0, 1.2, (n_items, 3)), axis=1)
    b[: n_items // 3, 2] = np.nan  # some items have 3 categories, the rest 4
    return ItemParameters.from_thresholds(model, a, b)


@pytest.mark.parametrize(
    ("model", "n_persons", "a_tol", "d_tol"),
    [
        ("rasch", 2000, 0.0, 0.12),
        ("1pl", 2000, 0.08, 0.12),
        ("2pl", 2000, 0.15, 0.15),
        ("grm", 1500, 0.15, 0.15),
        ("gpcm", 1500, 0.15, 0.2),
    ],
)
def test_recovery(model: str, n_persons: int, a_tol: float, d_tol: float) -> None:
    truth = true_items(model, 12, seed=7)
    _, x = simulate(truth, n_persons, seed=11)
    result = calibrate(x, model, standard_errors=False)
    assert result.converged
    est = result.parameters
    assert est.models == truth.models
    assert rmse(est.discrimination, truth.discrimination) <= a_tol + 1e-12
    assert rmse(est.intercepts, truth.intercepts) <= d_tol
    if model == "rasch":
        assert result.latent_sd == pytest.approx(1.0, abs=0.1)


def test_3pl_recovery_with_default_guessing_prior() -> None:
    truth = true_items("3pl", 15, seed=3)
    _, x = simulate(truth, 4000, seed=5)
    result = calibrate(x, "3pl", standard_errors=False)
    est = result.parameters
    assert rmse(est.guessing, truth.guessing) < 0.07
    assert rmse(est.difficulty, truth.difficulty) < 0.2
    assert rmse(est.discrimination, truth.discrimination) < 0.3


def booklet_design(x: np.ndarray) -> np.ndarray:
    """Three booklets sharing items 0-3; every person sees 4 anchors + 4 of 12 others."""
    out = np.full_like(x, np.nan)
    booklet = np.arange(x.shape[0]) % 3
    for form in range(3):
        cols = list(range(4)) + list(range(4 + 4 * form, 8 + 4 * form))
        rows = booklet == form
        out[np.ix_(rows, cols)] = x[np.ix_(rows, cols)]
    return out


def test_missing_by_design_recovers_all_items_and_sparse_inputs_agree() -> None:
    truth = true_items("2pl", 16, seed=21)
    _, full = simulate(truth, 3000, seed=22)
    x = booklet_design(full)
    dense = calibrate(x, "2pl", standard_errors=False)
    assert rmse(dense.parameters.discrimination, truth.discrimination) < 0.2
    assert rmse(dense.parameters.intercept, truth.intercept) < 0.2
    rows, cols = np.nonzero(~np.isnan(x))
    triplets = SparseResponses(rows, cols, x[rows, cols].astype(int), *x.shape)
    from_triplets = calibrate(triplets, "2pl", standard_errors=False)
    # explicit zeros of a sparse matrix are observed wrong answers
    matrix = sp.csr_matrix((x[rows, cols], (rows, cols)), shape=x.shape)
    from_matrix = calibrate(matrix, "2pl", standard_errors=False)
    for other in (from_triplets, from_matrix):
        np.testing.assert_allclose(
            other.parameters.intercepts, dense.parameters.intercepts, atol=2e-4
        )
        assert other.loglik == pytest.approx(dense.loglik, abs=1e-3)


def test_fixed_anchor_calibration_puts_new_items_on_the_bank_scale() -> None:
    truth = true_items("2pl", 14, seed=31)
    generator = np.random.default_rng(32)
    theta = generator.normal(0.5, 1.2, 3000)
    from item_bank.psychometrics import simulate_responses

    x = simulate_responses(truth, theta, rng=generator)
    anchors = list(range(8))
    result = calibrate(
        x, "2pl", fixed_items=anchors, fixed_parameters=truth.subset(anchors), standard_errors=False
    )
    np.testing.assert_array_equal(result.parameters.intercept[:8], truth.intercept[:8])
    assert result.latent_mean == pytest.approx(0.5, abs=0.1)
    assert result.latent_sd == pytest.approx(1.2, abs=0.1)
    assert rmse(result.parameters.difficulty[8:], truth.difficulty[8:]) < 0.15
    assert rmse(result.parameters.discrimination[8:], truth.discrimination[8:]) < 0.2


def test_mixed_models_and_standard_errors_track_sampling_error() -> None:
    parts = [true_items("2pl", 6, seed=41), true_items("gpcm", 4, seed=42)]
    truth = ItemParameters.concatenate(parts)
    _, x = simulate(truth, 2000, seed=43)
    result = calibrate(x, list(truth.models), quadrature=Quadrature(41))
    se = result.standard_errors
    assert se is not None
    z = (result.parameters.discrimination - truth.discrimination) / se.discrimination
    assert np.all(np.abs(z) < 4)
    assert result.n_parameters == 6 * 2 + sum(int(k) for k in truth.n_categories[6:])


def test_priors_shrink_slopes_and_identify_constant_items() -> None:
    truth = true_items("2pl", 8, seed=51)
    _, x = simulate(truth, 400, seed=52)
    x[:, 0] = 1.0  # nobody got item 0 wrong
    result = calibrate(
        x,
        "2pl",
        priors=Priors(log_discrimination=(0.0, 0.5), intercept=(0.0, 2.0)),
        standard_errors=False,
    )
    assert result.converged
    assert 0 < result.parameters.intercept[0] < 10
    free = calibrate(x[:, 1:], "2pl", standard_errors=False)
    tight = calibrate(
        x[:, 1:], "2pl", priors=Priors(log_discrimination=(0.0, 0.05)), standard_errors=False
    )
    spread_free = np.abs(np.log(free.parameters.discrimination)).mean()
    assert np.abs(np.log(tight.parameters.discrimination)).mean() < spread_free


@pytest.mark.slow
def test_large_data_use_float32_and_warm_start_without_losing_accuracy() -> None:
    truth = true_items("2pl", 30, seed=61)
    _, x = simulate(truth, 100_000, seed=62)
    result = calibrate(x, "2pl", standard_errors=False)
    assert result.converged
    assert result.n_persons == 100_000
    assert rmse(result.parameters.discrimination, truth.discrimination) < 0.03
    assert rmse(result.parameters.intercept, truth.intercept) < 0.03
    # shuffled rows give other warm-start subsamples but must reach the same fixed point
    order = np.random.default_rng(63).permutation(x.shape[0])
    shuffled = calibrate(x[order], "2pl", standard_errors=False)
    np.testing.assert_allclose(
        shuffled.parameters.intercept, result.parameters.intercept, atol=2e-3
    )
    assert shuffled.loglik == pytest.approx(result.loglik, abs=1e-2)


def test_fixed_polytomous_and_3pl_anchors_estimate_the_latent_distribution() -> None:
    truth = ItemParameters.concatenate([true_items("grm", 8, seed=1), true_items("3pl", 6, seed=2)])
    generator = np.random.default_rng(5)
    from item_bank.psychometrics import simulate_responses

    x = simulate_responses(truth, generator.normal(-0.3, 0.8, 3000), rng=generator)
    anchors = [0, 1, 2, 3, 8, 9, 10]
    result = calibrate(
        x, list(truth.models), fixed_items=anchors, fixed_parameters=truth.subset(anchors)
    )
    free = [j for j in range(truth.n_items) if j not in anchors]
    assert result.latent_mean == pytest.approx(-0.3, abs=0.06)
    assert result.latent_sd == pytest.approx(0.8, abs=0.06)
    np.testing.assert_allclose(result.parameters.guessing[anchors], truth.guessing[anchors])
    assert rmse(result.parameters.intercepts[free], truth.intercepts[free]) < 0.15
    se = result.standard_errors
    assert se is not None
    assert 0 < se.latent_mean < 0.05
    assert np.isnan(se.discrimination[anchors]).all()
