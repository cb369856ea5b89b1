"""Tests of item and person fit (item_bank.psychometrics.fit)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from item_bank.psychometrics.errors import ResponseDataError
from item_bank.psychometrics.fit import (
    MISSING,
    item_fit,
    person_fit,
    summed_score_likelihood,
)
from item_bank.psychometrics.parameters import ItemParameters
from item_bank.psychometrics.response_functions import category_probabilities


def simulate_2pl(
    rng: np.random.Generator, n_persons: int, n_items: int
) -> tuple[np.ndarray, ItemParameters, np.ndarray]:
    a = rng.uniform(0.7, 2.0, n_items)
    d = rng.normal(0.0, 1.0, n_items)
    theta = rng.normal(0.0, 1.0, n_persons)
    p = 1 / (1 + np.exp(-(theta[:, None] * a + d)))
    responses = (rng.random(p.shape) < p).astype(float)
    return responses, ItemParameters.dichotomous(a, d), theta


def test_lord_wingersky_matches_brute_force_enumeration() -> None:
    params = ItemParameters.from_thresholds("grm", [1.2, 0.8], [[-1.0, 0.5], [0.0, 1.0]])
    params = ItemParameters.concatenate([params, ItemParameters.dichotomous([1.0], [0.3])])
    nodes = np.array([-1.0, 0.0, 2.0])
    P = category_probabilities(nodes, params)
    L = summed_score_likelihood(P, params.n_categories)
    brute = np.zeros((3, 6))
    for x0 in range(3):
        for x1 in range(3):
            for x2 in range(2):
                brute[:, x0 + x1 + x2] += P[:, 0, x0] * P[:, 1, x1] * P[:, 2, x2]
    assert np.allclose(L, brute, rtol=1e-12, atol=0)
    assert L.sum(axis=1) == pytest.approx(1.0)


def test_sx2_p_values_are_uniform_for_well_fitting_data() -> None:
    rng = np.random.default_rng(20240611)
    responses, params, _ = simulate_2pl(rng, 3000, 30)
    result = item_fit(responses, params, n_estimated=np.zeros(30))
    assert np.all(result.df > 10)
    assert stats.kstest(result.p_value, "uniform").pvalue > 0.01
    assert np.mean(result.p_value < 0.05) < 0.2


def test_sx2_flags_a_misfitting_item() -> None:
    rng = np.random.default_rng(3)
    responses, params, theta = simulate_2pl(rng, 3000, 20)
    # Item 0 really follows a steep curve with a high floor (guessing 0.35, slope 3), but the
    # model claims a moderate 2PL item with the same facility.
    p_true = 0.35 + 0.65 / (1 + np.exp(-3.0 * (theta - 0.5)))
    responses[:, 0] = (rng.random(theta.size) < p_true).astype(float)
    result = item_fit(responses, params, n_estimated=np.zeros(20))
    assert result.p_value[0] < 1e-6
    assert np.median(result.p_value[1:]) > 0.1


def test_sx2_df_subtracts_estimated_parameters() -> None:
    rng = np.random.default_rng(5)
    responses, params, _ = simulate_2pl(rng, 1000, 10)
    known = item_fit(responses, params, n_estimated=np.zeros(10))
    estimated = item_fit(responses, params)
    assert estimated.df == pytest.approx(known.df - 2)
    assert estimated.s_x2 == pytest.approx(known.s_x2)


def test_sx2_handles_polytomous_items() -> None:
    rng = np.random.default_rng(8)
    n = 2000
    theta = rng.normal(0, 1, n)
    params = ItemParameters.from_thresholds(
        "gpcm", rng.uniform(0.8, 1.6, 8), np.sort(rng.normal(0, 1, (8, 3)), axis=1)
    )
    P = category_probabilities(theta, params)
    cum = P.cumsum(axis=2)
    responses = (rng.random((n, 8, 1)) > cum).sum(axis=2).astype(float)
    result = item_fit(responses, params, n_estimated=np.zeros(8))
    assert np.all(np.isfinite(result.s_x2))
    assert np.all(result.p_value > 0.001)


def test_sparse_groups_are_collapsed_so_every_cell_meets_mincell() -> None:
    rng = np.random.default_rng(9)
    responses, params, _ = simulate_2pl(rng, 200, 12)
    loose = item_fit(responses, params, mincell=0.01)
    strict = item_fit(responses, params, mincell=5.0)
    assert np.all(strict.df <= loose.df)


def test_lz_is_standard_normal_for_fitting_persons_and_flags_aberrant_ones() -> None:
    rng = np.random.default_rng(13)
    responses, params, theta = simulate_2pl(rng, 2000, 40)
    fitting = person_fit(responses, params, theta)
    assert abs(np.mean(fitting.lz)) < 0.15
    assert 0.8 < np.std(fitting.lz) < 1.2
    # An able person who misses the easy items and gets the hard ones (a reversed pattern).
    order = np.argsort(params.difficulty)
    aberrant = np.zeros((1, 40))
    aberrant[0, order[20:]] = 1.0
    result = person_fit(aberrant, params, np.array([0.0]))
    assert result.lz[0] < -3
    assert result.outfit[0] > 2
    assert result.outfit_z[0] > 2


def test_infit_outfit_near_one_for_fitting_items() -> None:
    rng = np.random.default_rng(17)
    responses, params, theta = simulate_2pl(rng, 3000, 15)
    result = item_fit(responses, params, theta=theta)
    assert result.infit == pytest.approx(np.ones(15), abs=0.06)
    # Outfit is dominated by a few unexpected answers to extreme items, so its spread is
    # judged on the standardised scale.
    assert result.outfit == pytest.approx(np.ones(15), abs=0.25)
    assert np.all(np.abs(result.infit_z) < 3.5)
    assert np.all(np.abs(result.outfit_z) < 3.5)


def test_missing_responses_are_skipped_in_person_fit() -> None:
    rng = np.random.default_rng(19)
    responses, params, theta = simulate_2pl(rng, 50, 10)
    partial = responses.copy()
    partial[:, 5:] = MISSING
    reduced = person_fit(responses[:, :5], params.subset(range(5)), theta)
    full = person_fit(partial, params, theta)
    assert full.lz == pytest.approx(reduced.lz)
    assert full.outfit == pytest.approx(reduced.outfit)


def test_sx2_rejects_data_without_complete_rows() -> None:
    params = ItemParameters.dichotomous([1.0, 1.0], [0.0, 0.0])
    with pytest.raises(ResponseDataError, match="complete"):
        item_fit(np.array([[1.0, MISSING], [MISSING, 0.0]]), params)


def test_out_of_range_category_is_rejected() -> None:
    params = ItemParameters.dichotomous([1.0, 1.0], [0.0, 0.0])
    with pytest.raises(ResponseDataError, match="category"):
        person_fit(np.array([[1.0, 2.0]]), params, [0.0])


def lsat7() -> np.ndarray:
    path = Path(__file__).resolve().parents[3] / ".." / "shared" / "test-material" / "irt"
    with (path / "lsat7_patterns.csv").open() as f:
        table = np.array(list(csv.reader(f))[1:], dtype=float)
    return np.repeat(table[:, :-1], table[:, -1].astype(int), axis=0)


def test_sx2_matches_mirt_on_lsat7() -> None:
    """Reference: R mirt, as quoted by jpsychometrics' ItemFitSX2Test (itemanalysis.com).

    ``mod1 <- mirt(expand.table(LSAT7), 1); itemfit(mod1, mincell = 0)`` with the mirt
    version's S-X2 quadrature of 41 points on +-0.8 sqrt(41). The 2PL estimates are given to
    3 decimals (a/b form), so the statistics are compared with an absolute tolerance of 1e-2,
    the tolerance of the quoted test.
    """
    params = ItemParameters.from_difficulty(
        [-1.879, -0.748, -1.058, -0.635, -2.520], [0.988, 1.081, 1.706, 0.765, 0.736]
    )
    result = item_fit(lsat7(), params, mincell=0.0, n_nodes=41, theta_range=0.8 * np.sqrt(41))
    expected = [4.7492191, 14.4528980, 1.2703374, 5.2373430, 0.9407036]
    assert result.s_x2 == pytest.approx(expected, abs=1e-2)
    assert result.df.tolist() == [2, 2, 2, 2, 2]
