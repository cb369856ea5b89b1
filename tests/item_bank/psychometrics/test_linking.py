"""Tests of scale linking (item_bank.psychometrics.linking)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from item_bank.psychometrics.calibration import calibrate
from item_bank.psychometrics.linking import calibrate_fixed_anchor, link, transform_parameters
from item_bank.psychometrics.parameters import ItemParameters
from item_bank.psychometrics.response_functions import category_probabilities
from item_bank.psychometrics.simulation import simulate_responses

A_TRUE, B_TRUE = 1.3, -0.6  # theta_bank = A * theta_new + B
METHODS = ["mean-mean", "mean-sigma", "haebara", "stocking-lord"]


def bank_2pl(rng: np.random.Generator, n: int, model: str = "2pl") -> ItemParameters:
    a = rng.uniform(0.7, 2.0, n)
    b = rng.normal(0.0, 1.0, n)
    c = rng.uniform(0.1, 0.25, n) if model == "3pl" else None
    ids = [f"item{j}" for j in range(n)]
    return ItemParameters.from_difficulty(b, a, c, model=model, item_ids=ids)


def on_new_scale(bank: ItemParameters) -> ItemParameters:
    # The inverse transformation: theta_new = (theta_bank - B) / A.
    return transform_parameters(bank, 1 / A_TRUE, -B_TRUE / A_TRUE)


def test_transform_preserves_response_probabilities() -> None:
    rng = np.random.default_rng(1)
    params = ItemParameters.concatenate(
        [
            bank_2pl(rng, 3, "3pl"),
            ItemParameters.from_thresholds("grm", [1.1, 0.7], [[-1, 0, 1.5], [-0.5, 0.4, 2]]),
            ItemParameters.from_thresholds("gpcm", [0.9], [[-0.8, 0.3, 0.2]]),
        ]
    )
    theta = np.linspace(-3, 3, 13)
    moved = transform_parameters(params, A_TRUE, B_TRUE)
    before = category_probabilities(theta, params)
    after = category_probabilities(A_TRUE * theta + B_TRUE, moved)
    assert after == pytest.approx(before, abs=1e-12)
    finite = np.isfinite(params.thresholds)
    assert moved.thresholds[finite] == pytest.approx(A_TRUE * params.thresholds[finite] + B_TRUE)


@pytest.mark.parametrize("method", METHODS)
def test_exact_recovery_without_estimation_error(method: str) -> None:
    rng = np.random.default_rng(2)
    bank = bank_2pl(rng, 15)
    result = link(on_new_scale(bank), bank, method=method)
    assert result.slope == pytest.approx(A_TRUE, abs=1e-5)
    assert result.intercept == pytest.approx(B_TRUE, abs=1e-5)
    assert result.converged
    assert result.parameters.discrimination == pytest.approx(bank.discrimination, abs=1e-5)
    assert result.to_bank_scale([0.0, 1.0]) == pytest.approx([B_TRUE, A_TRUE + B_TRUE], abs=1e-5)


@pytest.mark.parametrize("method", ["haebara", "stocking-lord"])
def test_curve_methods_recover_3pl_and_polytomous_anchors(method: str) -> None:
    rng = np.random.default_rng(3)
    bank = ItemParameters.concatenate(
        [
            bank_2pl(rng, 8, "3pl"),
            ItemParameters.from_thresholds(
                "grm", rng.uniform(0.8, 1.8, 4), np.sort(rng.normal(0, 1, (4, 3)), axis=1)
            ),
            ItemParameters.from_thresholds(
                "gpcm", rng.uniform(0.8, 1.8, 4), rng.normal(0, 1, (4, 3))
            ),
        ]
    )
    anchors = [(j, j) for j in range(bank.n_items)]
    result = link(on_new_scale(bank), bank, method=method, anchors=anchors)
    assert result.slope == pytest.approx(A_TRUE, abs=1e-4)
    assert result.intercept == pytest.approx(B_TRUE, abs=1e-4)


@pytest.mark.parametrize("method", METHODS)
def test_recovery_with_estimation_noise(method: str) -> None:
    # Twenty anchors calibrated twice with independent estimation error of realistic size
    # (SE ~ 0.08 on slopes, 0.1 on intercepts): the constants stay close to the truth.
    rng = np.random.default_rng(4)
    bank = bank_2pl(rng, 20)
    new = on_new_scale(bank)
    noisy_new = ItemParameters.dichotomous(
        new.discrimination * np.exp(rng.normal(0, 0.08, 20)),
        new.intercept + rng.normal(0, 0.1, 20),
        item_ids=new.item_ids,
    )
    result = link(noisy_new, bank, method=method)
    assert result.slope == pytest.approx(A_TRUE, abs=0.15)
    assert result.intercept == pytest.approx(B_TRUE, abs=0.15)


def test_only_common_items_define_the_link_but_all_items_move() -> None:
    rng = np.random.default_rng(5)
    bank = bank_2pl(rng, 10)
    form = bank_2pl(np.random.default_rng(6), 5)
    form = ItemParameters.dichotomous(
        form.discrimination, form.intercept, item_ids=[f"new{j}" for j in range(5)]
    )
    new_form = ItemParameters.concatenate([on_new_scale(bank.subset(range(6))), form])
    result = link(new_form, bank, method="stocking-lord")
    assert result.anchors == tuple((j, j) for j in range(6))
    assert result.parameters.n_items == 11
    moved_unique = result.parameters.subset(range(6, 11))
    assert moved_unique.difficulty == pytest.approx(A_TRUE * form.difficulty + B_TRUE, abs=1e-4)


def test_mean_sigma_by_hand() -> None:
    bank = ItemParameters.from_difficulty([-1.0, 0.0, 2.0], [1.0, 1.0, 1.0])
    new = ItemParameters.from_difficulty([-0.5, 0.0, 1.0], [2.0, 2.0, 2.0])
    pairs = [(0, 0), (1, 1), (2, 2)]
    sigma = link(new, bank, method="mean-sigma", anchors=pairs)
    assert sigma.slope == pytest.approx(2.0)  # sd(b_bank) / sd(b_new)
    assert sigma.intercept == pytest.approx(1 / 3 - 2.0 * 1 / 6)
    mean = link(new, bank, method="mean-mean", anchors=pairs)
    assert mean.slope == pytest.approx(2.0)  # mean(a_new) / mean(a_bank)


def test_bad_inputs_are_rejected() -> None:
    bank = ItemParameters.from_difficulty([-1.0, 0.0, 2.0], [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="method"):
        link(bank, bank, method="equipercentile", anchors=[(0, 0)])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="anchors"):
        link(bank, bank)
    with pytest.raises(ValueError, match="out of range"):
        link(bank, bank, anchors=[(0, 7)])
    with pytest.raises(ValueError, match="slope"):
        transform_parameters(bank, -1.0, 0.0)


@pytest.fixture(scope="module")
def two_forms() -> tuple[ItemParameters, ItemParameters, np.ndarray, list[str], ItemParameters]:
    """A bank of 12 anchors and a new form (anchors + 18 new items) taken by a group whose
    abilities on the bank scale are N(B_TRUE, A_TRUE^2); the new form is calibrated on its
    own N(0, 1) scale, so theta_bank = A_TRUE * theta_new + B_TRUE."""
    rng = np.random.default_rng(20240611)
    truth = bank_2pl(rng, 30)
    ids = [f"item{j}" for j in range(30)]
    theta = rng.normal(B_TRUE, A_TRUE, 3000)
    responses = simulate_responses(truth, theta, rng=rng)
    new = calibrate(responses, "2pl", item_ids=ids, standard_errors=False).parameters
    return truth.subset(range(12)), truth, responses, ids, new


@pytest.mark.parametrize("method", METHODS)
def test_linking_recovers_the_scale_of_a_calibrated_form(method: str, two_forms: tuple) -> None:
    bank, truth, _, _, new = two_forms
    result = link(new, bank, method=method)
    assert result.slope == pytest.approx(A_TRUE, abs=0.12)
    assert result.intercept == pytest.approx(B_TRUE, abs=0.12)
    unique = result.parameters.subset(range(12, 30))
    assert unique.difficulty == pytest.approx(truth.subset(range(12, 30)).difficulty, abs=0.35)


def test_fixed_anchor_calibration_puts_new_items_on_the_bank_scale(two_forms: tuple) -> None:
    bank, truth, responses, ids, _ = two_forms
    result = calibrate_fixed_anchor(responses, bank, item_ids=ids, standard_errors=False)
    assert result.latent_mean == pytest.approx(B_TRUE, abs=0.1)
    assert result.latent_sd == pytest.approx(A_TRUE, abs=0.1)
    assert np.allclose(result.parameters.discrimination[:12], bank.discrimination)
    unique = result.parameters.subset(range(12, 30))
    assert unique.difficulty == pytest.approx(truth.subset(range(12, 30)).difficulty, abs=0.3)
    with pytest.raises(ValueError, match="anchor"):
        calibrate_fixed_anchor(responses, bank)


@given(
    slope=st.floats(0.2, 5.0),
    intercept=st.floats(-3.0, 3.0),
    seed=st.integers(0, 2**32 - 1),
)
@settings(max_examples=50, deadline=None)
def test_transform_then_inverse_is_identity(slope: float, intercept: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    params = ItemParameters.concatenate(
        [
            bank_2pl(rng, 3, "3pl"),
            ItemParameters.from_thresholds(
                "gpcm", rng.uniform(0.5, 2, 2), rng.normal(0, 1, (2, 3))
            ),
        ]
    )
    there = transform_parameters(params, slope, intercept)
    back = transform_parameters(there, 1 / slope, -intercept / slope)
    assert np.allclose(back.discrimination, params.discrimination)
    assert np.allclose(back.intercepts, params.intercepts, equal_nan=True)
