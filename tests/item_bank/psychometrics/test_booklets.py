"""The booklet E-step for sparse designs equals the general sparse E-step."""

from dataclasses import replace

import numpy as np
import pytest
import scipy.sparse as sp

from item_bank.psychometrics import (
    ItemParameters,
    Quadrature,
    SparseResponses,
    _em,
    calibrate,
    simulate_responses,
)
from item_bank.psychometrics._booklets import _same_items, find_booklets
from item_bank.psychometrics.responses import prepare_responses


def _booklet_design(
    rng: np.random.Generator, models: str = "2pl"
) -> tuple[SparseResponses, ItemParameters]:
    n_persons, n_items, forms = 3000, 24, 6
    truth = ItemParameters.from_difficulty(
        rng.normal(0, 1, n_items), rng.lognormal(0, 0.25, n_items)
    )
    full = simulate_responses(truth, rng.standard_normal(n_persons), rng=rng)
    form = rng.integers(0, forms, n_persons)
    # form f holds the items in residue classes f and f + 1 (mod 6), which links the forms
    shown = np.zeros((n_persons, n_items), dtype=bool)
    for f in range(forms):
        cols = [j for j in range(n_items) if j % forms in (f, (f + 1) % forms)]
        shown[np.ix_(form == f, cols)] = True
    persons, items = np.nonzero(shown)
    values = full[persons, items].astype(np.int64)
    return SparseResponses(persons, items, values, n_persons, n_items), truth


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_booklet_e_step_matches_general_sparse_e_step(dtype: type) -> None:
    data, truth = _booklet_design(np.random.default_rng(20240611))
    matrix = prepare_responses(data, ("2pl",) * data.n_items, dtype=dtype)
    assert matrix.booklets is not None
    assert matrix.booklets.items.shape == (6, data.n_items)
    general = replace(matrix, booklets=None)
    quad = Quadrature(41)
    fast = _em.e_step(matrix, truth, quad, 0.2, 1.3)
    slow = _em.e_step(general, truth, quad, 0.2, 1.3)
    rtol = 1e-10 if dtype == np.float64 else 1e-5
    assert fast.loglik == pytest.approx(slow.loglik, rel=rtol)
    np.testing.assert_allclose(fast.counts, slow.counts, rtol=rtol, atol=rtol * slow.counts.max())
    np.testing.assert_allclose(fast.node_mass, slow.node_mass, rtol=rtol)


def test_subsample_keeps_booklets_and_calibration_recovers() -> None:
    data, truth = _booklet_design(np.random.default_rng(7))
    matrix = prepare_responses(data, ("2pl",) * data.n_items)
    half = matrix.every(2)
    assert half.booklets is not None
    assert half.booklets.row_booklet.size == half.n_rows
    result = calibrate(data, "2pl", standard_errors=False)
    assert result.converged
    dense = np.full((data.n_persons, data.n_items), np.nan)
    dense[data.persons, data.items] = data.values
    general = calibrate(dense, "2pl", standard_errors=False)  # the dense E-step
    assert result.loglik == pytest.approx(general.loglik, abs=1e-3)
    np.testing.assert_allclose(
        result.parameters.intercepts, general.parameters.intercepts, atol=1e-3
    )
    rmse_b = np.sqrt(np.mean((result.parameters.difficulty - truth.difficulty) ** 2))
    assert rmse_b < 0.15


def test_designs_without_shared_booklets_keep_the_general_path() -> None:
    rng = np.random.default_rng(3)
    n_persons, n_items = 400, 50
    persons = np.repeat(np.arange(n_persons), 10)
    items = np.concatenate([rng.choice(n_items, 10, replace=False) for _ in range(n_persons)])
    values = rng.integers(0, 2, persons.size)
    matrix = prepare_responses(
        SparseResponses(persons, items, values, n_persons, n_items), ("2pl",) * n_items
    )
    assert matrix.booklets is None


def test_same_items_detects_rows_that_only_share_a_hash() -> None:
    indptr = np.array([0, 2, 4])
    first = np.array([0])
    row_booklet = np.array([0, 0])
    assert _same_items(np.array([1, 3, 1, 3]), indptr, first, row_booklet)
    assert not _same_items(np.array([1, 3, 1, 4]), indptr, first, row_booklet)
    assert not _same_items(np.array([1, 3, 1]), np.array([0, 2, 3]), first, row_booklet)


def test_polytomous_3pl_designs_use_the_general_e_step_with_booklets_present() -> None:
    data, truth = _booklet_design(np.random.default_rng(11))
    matrix = prepare_responses(data, ("3pl",) * data.n_items)
    assert matrix.booklets is not None
    three_pl = ItemParameters(("3pl",) * truth.n_items, truth.discrimination, truth.intercepts,
                              np.full(truth.n_items, 0.2))  # fmt: skip
    quad = Quadrature(21)
    fast = _em.e_step(matrix, three_pl, quad, 0.0, 1.0)
    slow = _em.e_step(replace(matrix, booklets=None), three_pl, quad, 0.0, 1.0)
    assert fast.loglik == slow.loglik
    assert find_booklets(sp.csr_matrix((5, 4)), np.arange(4), np.zeros(4, int), 4) is None
