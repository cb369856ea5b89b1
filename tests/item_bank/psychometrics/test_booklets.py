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
from item_bank.psychometrics.errors import ResponseDataError
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


def test_3pl_designs_get_the_exact_booklet_e_step_too() -> None:
    data, truth = _booklet_design(np.random.default_rng(11))
    matrix = prepare_responses(data, ("3pl",) * data.n_items)
    assert matrix.booklets is not None
    three_pl = ItemParameters(("3pl",) * truth.n_items, truth.discrimination, truth.intercepts,
                              np.full(truth.n_items, 0.2))  # fmt: skip
    quad = Quadrature(21)
    assert matrix.booklets.dense is not None  # any model: within a booklet nothing is missing
    fast = _em.e_step(matrix, three_pl, quad, 0.0, 1.0)
    slow = _em.e_step(replace(matrix, booklets=None), three_pl, quad, 0.0, 1.0)
    assert fast.loglik == pytest.approx(slow.loglik, rel=1e-12)
    np.testing.assert_allclose(fast.counts, slow.counts, rtol=1e-10, atol=1e-9)
    assert find_booklets(sp.csr_matrix((5, 4)), np.arange(4), np.zeros(4, int), 4) is None


def _forms_design(
    rng: np.random.Generator, truth: ItemParameters, sizes: list[int], forms: list[list[int]]
) -> SparseResponses:
    """Persons in blocks of ``sizes``; block ``f`` answers the items ``forms[f]``."""
    theta = rng.standard_normal(sum(sizes))
    full = simulate_responses(truth, theta, rng=rng)
    form = np.repeat(np.arange(len(sizes)), sizes)
    rng.shuffle(form)  # booklet members are spread over the rows
    persons = np.concatenate([np.flatnonzero(form == f).repeat(len(forms[f]))
                              for f in range(len(sizes))])  # fmt: skip
    items = np.concatenate([np.tile(forms[f], sizes[f]) for f in range(len(sizes))])
    order = np.lexsort((items, persons))
    persons, items = persons[order], items[order]
    values = full[persons, items].astype(np.int64)
    return SparseResponses(persons, items, values, theta.size, truth.n_items)


@pytest.mark.parametrize("model", ["grm", "gpcm", "2pl"])
def test_dense_booklets_with_forms_of_different_lengths_match_the_general_e_step(
    model: str,
) -> None:
    rng = np.random.default_rng(42)
    n_items = 9
    if model == "2pl":
        truth = ItemParameters.from_difficulty(rng.normal(0, 1, n_items), np.full(n_items, 1.2))
    else:
        steps = np.sort(rng.uniform(-1.5, 1.5, (n_items, 3)), axis=1)
        truth = ItemParameters.from_thresholds(model, rng.uniform(0.8, 1.6, n_items), steps)
    forms = [[0, 1, 2, 3], [2, 3, 4, 5, 6], [6, 7, 8, 0, 1, 4]]  # lengths 4, 5, 6
    data = _forms_design(rng, truth, [700, 500, 5000], forms)  # the last form: two chunks
    matrix = prepare_responses(data, (model,) * n_items)
    book = matrix.booklets
    assert book is not None
    assert book.dense is not None
    assert np.bincount(book.dense.booklet).max() == 2  # the large form is cut in two chunks
    quad = Quadrature(31)
    fast = _em.e_step(matrix, truth, quad, -0.3, 1.2)
    slow = _em.e_step(replace(matrix, booklets=None), truth, quad, -0.3, 1.2)
    assert fast.loglik == pytest.approx(slow.loglik, rel=1e-12)
    np.testing.assert_allclose(fast.counts, slow.counts, rtol=1e-9, atol=1e-8)
    np.testing.assert_allclose(fast.node_mass, slow.node_mass, rtol=1e-10)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_dense_and_sparse_booklet_paths_agree_with_weights(dtype: type) -> None:
    data, truth = _booklet_design(np.random.default_rng(5))
    weights = np.random.default_rng(6).uniform(0.5, 2.0, data.n_persons)
    matrix = prepare_responses(data, ("2pl",) * data.n_items, weights=weights, dtype=dtype)
    assert matrix.booklets is not None
    assert matrix.booklets.dense is not None
    sparse_book = find_booklets(matrix.indicators, matrix.col_item, matrix.col_category,
                                matrix.n_items, dense=False)  # fmt: skip
    assert sparse_book is not None
    assert sparse_book.dense is None
    quad = Quadrature(41)
    fast = _em.e_step(matrix, truth, quad, 0.1, 0.9)
    slow = _em.e_step(replace(matrix, booklets=sparse_book), truth, quad, 0.1, 0.9)
    rtol = 1e-10 if dtype == np.float64 else 2e-5
    assert fast.loglik == pytest.approx(slow.loglik, rel=rtol)
    np.testing.assert_allclose(fast.counts, slow.counts, rtol=rtol, atol=rtol * slow.counts.max())


def test_small_booklets_keep_the_sparse_booklet_path() -> None:
    rng = np.random.default_rng(8)
    truth = ItemParameters.from_difficulty(rng.normal(0, 1, 6), np.ones(6))
    data = _forms_design(rng, truth, [30, 30], [[0, 1, 2], [3, 4, 5]])  # < 64 rows per booklet
    matrix = prepare_responses(data, ("2pl",) * 6)
    assert matrix.booklets is not None
    assert matrix.booklets.dense is None
    fast = _em.e_step(matrix, truth, Quadrature(21), 0.0, 1.0)
    slow = _em.e_step(replace(matrix, booklets=None), truth, Quadrature(21), 0.0, 1.0)
    assert fast.loglik == pytest.approx(slow.loglik, rel=1e-12)


def test_a_repeated_response_is_refused_also_for_row_ordered_triplets() -> None:
    persons, items = np.array([0, 0, 1, 1]), np.array([0, 0, 0, 1])
    with pytest.raises(ResponseDataError, match="more than once"):
        prepare_responses(SparseResponses(persons, items, np.array([1, 0, 1, 1]), 2, 2),
                          ("2pl", "2pl"))  # fmt: skip
    # the same column at the end of one row and the start of the next is no repeat
    ok = prepare_responses(
        SparseResponses(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 0]), np.array([1, 0, 1, 0]),
                        2, 2), ("2pl", "2pl"))  # fmt: skip
    assert ok.indicators.nnz == 4
