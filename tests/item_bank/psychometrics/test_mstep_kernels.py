"""The closed-form 3PL M-step kernels against the generic Jacobian path and finite differences."""

from __future__ import annotations

import numpy as np

from item_bank.psychometrics import _kernels as kern
from item_bank.psychometrics.calibration import _slow_em, _warm_start_steps
from item_bank.psychometrics.priors import Priors
from item_bank.psychometrics.responses import prepare_responses

THETA = np.linspace(-6.0, 6.0, 61)


def items_and_counts(seed: int, n: int = 12) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.column_stack([rng.lognormal(0, 0.3, n), rng.normal(0, 1.5, n), rng.normal(-1.4, 1, n)])
    r = rng.uniform(0.0, 200.0, (n, THETA.size, 2))
    r[0, :10, 1] = 0.0  # empty cells take the r > 0 branch of the objective
    return x, r


def test_closed_form_3pl_matches_the_generic_jacobian_path() -> None:
    x, r = items_and_counts(1)
    priors = Priors()
    p, _ = kern.probs_jac("3pl", THETA, x)
    with np.errstate(divide="ignore"):
        generic_ll = np.sum(np.where(r > 0, r * np.log(p), 0.0), axis=(1, 2))
    generic_grad, generic_info = kern._generic_gradient_information("3pl", THETA, x, r, None)
    prior_value, prior_grad, prior_info = kern.log_prior("3pl", x, priors)
    grad, info = kern.gradient_information("3pl", THETA, x, r, priors)
    np.testing.assert_allclose(
        kern.objective("3pl", THETA, x, r, priors), generic_ll + prior_value, rtol=1e-12
    )
    np.testing.assert_allclose(grad, generic_grad + prior_grad, rtol=1e-10, atol=1e-8)
    np.testing.assert_allclose(info, generic_info + prior_info, rtol=1e-10)


def test_observed_3pl_information_is_the_negative_hessian() -> None:
    x, r = items_and_counts(2)
    grad, observed = kern._gradient_information_3pl(THETA, x, r, observed=True)
    h = 1e-5
    for i in range(3):
        e = np.zeros(3)
        e[i] = h
        up = kern._gradient_information_3pl(THETA, x + e, r)[0]
        down = kern._gradient_information_3pl(THETA, x - e, r)[0]
        np.testing.assert_allclose(-(up - down) / (2 * h), observed[:, :, i], rtol=1e-5, atol=1e-4)
    step = 1e-6 * np.eye(3)
    numeric = np.stack(
        [
            (
                kern._objective_3pl(THETA, x + step[i], r)
                - kern._objective_3pl(THETA, x - step[i], r)
            )
            / 2e-6
            for i in range(3)
        ],
        axis=1,
    )
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-3)


def test_3pl_m_step_reaches_the_stationary_point_of_its_objective() -> None:
    truth, _ = items_and_counts(3)
    n = 1000.0 * np.exp(-0.5 * THETA**2)
    c = 1 / (1 + np.exp(-truth[:, 2:3]))
    p1 = c + (1 - c) / (1 + np.exp(-(truth[:, :1] * THETA + truth[:, 1:2])))
    r = np.stack([n * (1 - p1), n * p1], axis=2)
    start = truth + np.array([0.3, -0.4, 0.8])
    priors = Priors()
    x = kern.maximize("3pl", THETA, start, r, priors, max_iter=40, tol=1e-12)
    grad, _ = kern.gradient_information("3pl", THETA, x, r, priors)
    assert np.all(kern.objective("3pl", THETA, x, r, priors) > kern.objective(
        "3pl", THETA, start, r, priors))  # fmt: skip
    assert np.max(np.abs(grad)) < 1e-6 * n.sum()


def test_3pl_adds_a_quarter_size_warm_start_stage() -> None:
    rng = np.random.default_rng(4)
    x = (rng.random((100_000, 30)) < 0.6).astype(float)  # distinct rows: no pattern merging
    data = prepare_responses(x, ("2pl",) * 30)
    free = np.ones(5, dtype=bool)
    assert not _slow_em(("2pl",) * 5, free)
    assert _slow_em(("2pl",) * 4 + ("3pl",), free)
    assert not _slow_em(("2pl",) * 4 + ("3pl",), np.array([True] * 4 + [False]))
    assert _warm_start_steps(data) == [10]
    assert _warm_start_steps(data, slow=True) == [10, 4]
    assert _warm_start_steps(data.every(20), slow=True) == []
