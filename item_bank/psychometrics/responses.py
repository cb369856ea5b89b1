"""Validation of response data and the indicator matrices the EM algorithm multiplies.

``responses`` always has shape (n_persons, n_items); :data:`MISSING` (NaN) marks an item that
was not presented. Sparse designs may be passed as a ``scipy.sparse`` matrix (every *stored*
entry, explicit zeros included, is an observed response) or as :class:`SparseResponses`
triplets.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from ._booklets import Booklets, find_booklets
from .errors import DataWarning, ResponseDataError
from .parameters import DICHOTOMOUS_MODELS, FloatArray

__all__ = ["MISSING", "ResponseMatrix", "SparseResponses", "prepare_responses"]

MISSING = np.nan
"""Marker of a response that was not observed (item not presented)."""

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class SparseResponses:
    """Responses as (person, item, value) triplets, for designs where most cells are missing.

    Parameters
    ----------
    persons, items : array_like of int, shape (n_responses,)
        Row (person) and column (item) index of each observed response.
    values : array_like of int, shape (n_responses,)
        Response category, ``0..K-1``.
    n_persons, n_items : int
        Shape of the full (mostly missing) response matrix.
    """

    persons: IntArray
    items: IntArray
    values: IntArray
    n_persons: int
    n_items: int

    def __post_init__(self) -> None:
        for name in ("persons", "items", "values"):
            object.__setattr__(self, name, np.asarray(getattr(self, name)).ravel())
        if not (self.persons.size == self.items.size == self.values.size):
            raise ResponseDataError("persons, items and values must have the same length")
        if self.persons.size and (self.persons.min() < 0 or self.persons.max() >= self.n_persons):
            raise ResponseDataError("a person index lies outside 0..n_persons-1")
        if self.items.size and (self.items.min() < 0 or self.items.max() >= self.n_items):
            raise ResponseDataError("an item index lies outside 0..n_items-1")


ResponsesLike = npt.ArrayLike | sp.sparray | sp.spmatrix | SparseResponses


@dataclass(frozen=True, eq=False)
class ResponseMatrix:
    """Validated responses in the form the E-step uses (internal).

    Dense data keep ``indicators`` (n_cols, n_rows) for categories ``k >= 1`` of every item
    and ``observed`` (n_items, n_rows) or None when nothing is missing (both transposed); the
    likelihood of category 0 enters through ``observed``. Sparse data keep one CSR matrix
    with a 1 in column ``offset[j] + k`` for every response, ``k`` including 0.
    """

    n_persons: int
    n_items: int
    n_categories: IntArray
    weights: FloatArray
    indicators: npt.NDArray[np.floating] | sp.csr_matrix
    observed: npt.NDArray[np.floating] | None
    col_item: IntArray
    col_category: IntArray
    sparse: bool
    counts: FloatArray  # weighted count of each (item, category), shape (n_items, max K)
    booklets: Booklets | None = None  # sparse data: rows grouped by their set of items

    @property
    def n_rows(self) -> int:
        """Rows after compressing repeated response patterns."""
        return int(self.weights.size)

    def every(self, step: int) -> ResponseMatrix:
        """Systematic subsample of every ``step``-th row, weights scaled to the full size."""
        obs = None if self.observed is None else np.ascontiguousarray(self.observed[:, ::step])
        if not self.sparse:
            ind = np.ascontiguousarray(self.indicators[:, ::step])
            return replace(self, indicators=ind, observed=obs, weights=self.weights[::step] * step)
        ind = self.indicators[::step]
        book = find_booklets(ind, self.col_item, self.col_category, self.n_items)
        return replace(self, indicators=ind, weights=self.weights[::step] * step, booklets=book)


def _dense_values(responses: npt.ArrayLike) -> FloatArray:
    x = np.asarray(responses, dtype=np.float64)
    if x.ndim != 2:
        raise ResponseDataError(f"responses must be 2-D (n_persons, n_items), got {x.ndim}-D")
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ResponseDataError(f"responses must be non-empty, got shape {x.shape}")
    return x


def _to_triplets(responses: ResponsesLike) -> tuple[IntArray, IntArray, FloatArray, int, int]:
    if isinstance(responses, SparseResponses):
        r = responses
        return r.persons, r.items, r.values, r.n_persons, r.n_items
    coo = sp.coo_matrix(responses)  # type: ignore[arg-type]
    return coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data.astype(float), *coo.shape


def _largest_per_item(values: npt.NDArray, items: IntArray, n_items: int) -> FloatArray:
    """Largest category of each item, -1 where unseen."""
    if np.issubdtype(values.dtype, np.unsignedinteger):
        values = values.astype(np.int64)
    # ufunc.at has a fast path only when the target and the values share a dtype
    top = np.full(n_items, -1, dtype=values.dtype)
    np.maximum.at(top, items, values)
    return top.astype(np.float64)


def _check_values(values: npt.NDArray, items: IntArray, models: tuple[str, ...]) -> None:
    integral = np.issubdtype(values.dtype, np.integer) or (
        np.all(np.isfinite(values)) and np.all(values == np.round(values))
    )
    if not integral or (values.size and values.min() < 0):
        raise ResponseDataError("responses must be integer categories 0..K-1 (or MISSING)")
    dich = np.array([m in DICHOTOMOUS_MODELS for m in models])
    bad = dich[items] & (values > 1)
    if bad.any():
        bad_items = np.unique(items[bad])[:10].tolist()
        raise ResponseDataError(f"dichotomous items {bad_items} have responses other than 0/1")


def _compress(x: FloatArray, weights: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Merge identical response patterns, summing their weights (exact for MML)."""
    key = np.where(np.isnan(x), -1.0, x)
    uniq, inverse = np.unique(key, axis=0, return_inverse=True)
    merged = np.bincount(inverse.ravel(), weights=weights, minlength=uniq.shape[0])
    return np.where(uniq < 0, np.nan, uniq), merged


def prepare_responses(
    responses: ResponsesLike,
    models: tuple[str, ...],
    *,
    weights: npt.ArrayLike | None = None,
    n_categories: npt.ArrayLike | None = None,
    dtype: type[np.floating] = np.float64,
) -> ResponseMatrix:
    """Validate responses and build the indicator matrices.

    Parameters
    ----------
    responses : ndarray (n_persons, n_items), scipy.sparse matrix or SparseResponses
        Categories ``0..K-1``; :data:`MISSING` (NaN) where an item was not presented.
    models : tuple of str, length n_items
    weights : array_like, shape (n_persons,), optional
        Frequency weights (e.g. the ``freq`` column of a pattern table).
    n_categories : array_like of int, shape (n_items,), optional
        Number of categories per item; default (or -1 for an item): largest observed
        category + 1 (always 2 for dichotomous items).
    dtype : numpy floating type
        Precision of the indicator matrices (float32 halves the E-step cost on large data).

    Raises
    ------
    ResponseDataError
        Wrong shape, non-integer or negative values, values above 1 for dichotomous items,
        values above ``n_categories - 1``, or bad weights.

    Warns
    -----
    DataWarning
        When persons without any response are dropped.
    """
    sparse_input = sp.issparse(responses) or isinstance(responses, SparseResponses)
    if sparse_input:
        rows, items, values, n_persons, n_items = _to_triplets(responses)
    else:
        x = _dense_values(responses)  # type: ignore[arg-type]
        n_persons, n_items = x.shape
    if len(models) != n_items:
        raise ResponseDataError(f"{len(models)} item models given for {n_items} items")
    w = np.ones(n_persons) if weights is None else np.asarray(weights, dtype=np.float64)
    if w.shape != (n_persons,) or np.any(w < 0) or not np.all(np.isfinite(w)):
        raise ResponseDataError(f"weights must be {n_persons} finite non-negative numbers")
    if sparse_input:
        _check_values(values, items, models)
        answered = np.bincount(rows, minlength=n_persons) > 0
        top = _largest_per_item(values, items, n_items)
    else:
        missing = np.isnan(x)
        top = _check_dense(x, missing, models)
        answered = ~missing.all(axis=1)
    if not answered.all():
        warnings.warn(
            f"{int((~answered).sum())} persons without any response were ignored",
            DataWarning,
            stacklevel=3,
        )
    k = _categories(top, models, n_categories)
    if sparse_input:
        if not answered.all():
            keep = answered[rows]
            rows, items, values = rows[keep], items[keep], values[keep]
        return _build_sparse(rows, items, values, w, k, answered, dtype)
    if not answered.all():
        x, w = x[answered], w[answered]
    if n_items <= 24:  # few items: patterns repeat, and compressing is exact
        x, w = _compress(x, w)
    return _build_dense(x, w, k, dtype, n_persons)


def _check_dense(
    x: FloatArray, missing: npt.NDArray[np.bool_], models: tuple[str, ...]
) -> FloatArray:
    """Validate a dense matrix; return the largest category of each item (-1 if unseen)."""
    filled = np.where(missing, 0.0, x)
    if not np.all(np.isfinite(filled)) or np.any(filled < 0) or np.any(filled != np.floor(filled)):
        raise ResponseDataError("responses must be integer categories 0..K-1 (or MISSING)")
    top = np.where(missing, -1.0, x).max(axis=0)
    dich = np.array([m in DICHOTOMOUS_MODELS for m in models])
    bad = np.flatnonzero(dich & (top > 1))
    if bad.size:
        raise ResponseDataError(
            f"dichotomous items {bad[:10].tolist()} have responses other than 0/1"
        )
    return top


def _categories(
    top: FloatArray, models: tuple[str, ...], n_categories: npt.ArrayLike | None
) -> IntArray:
    n_items = top.size
    if n_categories is None:
        k = np.maximum(top + 1, 2).astype(np.int64)
    else:
        k = np.broadcast_to(np.asarray(n_categories, dtype=np.int64), (n_items,)).copy()
        k = np.where(k < 0, np.maximum(top + 1, 2), k).astype(np.int64)  # -1: infer
        if np.any(top >= k):
            raise ResponseDataError("a response exceeds its item's n_categories - 1")
    dich = np.array([m in DICHOTOMOUS_MODELS for m in models])
    k[dich] = 2
    return k


def _column_layout(k: IntArray) -> tuple[IntArray, IntArray]:
    col_item = np.repeat(np.arange(k.size), k)
    col_category = np.concatenate([np.arange(kj) for kj in k]).astype(np.int64)
    return col_item, col_category


def _build_dense(
    x: FloatArray, w: FloatArray, k: IntArray, dtype: type[np.floating], n_persons: int
) -> ResponseMatrix:
    col_item, col_cat = _column_layout(k)
    upper = col_cat >= 1
    col_item, col_cat = col_item[upper], col_cat[upper]
    # stored transposed, (columns, persons): see the E-step for why
    xt = x.T
    if np.all(k == 2):
        indicators = (xt == 1).astype(dtype)
    else:
        indicators = (xt[col_item] == col_cat[:, None]).astype(dtype)
    missing = np.isnan(x)
    observed = (~missing.T).astype(dtype) if missing.any() else None
    counts = _category_counts(x, w, k)
    return ResponseMatrix(
        n_persons, x.shape[1], k, w, indicators, observed, col_item, col_cat, False, counts
    )


def _category_counts(x: FloatArray, w: FloatArray, k: IntArray) -> FloatArray:
    counts = np.zeros((k.size, int(k.max())))
    for cat in range(int(k.max())):
        counts[:, cat] = (cat == x.T).astype(np.float32) @ w.astype(np.float32)
    return counts


def _build_sparse(
    rows: IntArray,
    items: IntArray,
    values: npt.NDArray,
    w: FloatArray,
    k: IntArray,
    answered: npt.NDArray[np.bool_],
    dtype: type[np.floating],
) -> ResponseMatrix:
    if not answered.all():  # renumber persons so that dropped ones leave no empty rows
        rows = (np.cumsum(answered) - 1)[rows]
    # 32-bit column numbers where they fit: the arrays below have one entry per response
    index = np.int32 if int(k.sum()) < 2**31 - 1 else np.int64
    offset = np.concatenate([[0], np.cumsum(k)[:-1]]).astype(index)
    cols = offset[items]
    cols += values if np.issubdtype(values.dtype, np.integer) else values.astype(index)
    n_rows = int(answered.sum())
    col_item, col_cat = _column_layout(k)
    matrix = _csr_indicators(rows, cols, n_rows, col_item, dtype)
    w = w[answered]
    if np.all(w == 1.0):  # unweighted: integer counting is several times faster
        flat = np.bincount(cols, minlength=int(k.sum())).astype(np.float64)
    else:
        flat = np.bincount(cols, weights=w[rows], minlength=int(k.sum()))
    counts = np.zeros((k.size, int(k.max())))
    counts[col_item, col_cat] = flat
    book = find_booklets(matrix, col_item, col_cat, k.size)
    return ResponseMatrix(
        int(answered.size), k.size, k, w, matrix, None, col_item, col_cat, True, counts, book
    )


def _csr_indicators(
    rows: IntArray, cols: IntArray, n_rows: int, col_item: IntArray, dtype: type[np.floating]
) -> sp.csr_matrix:
    """Canonical CSR 0/1 matrix with a 1 at every (row, col).

    A (person, item) pair given twice, with the same or another category, is an error.
    Triplets already ordered by row (the usual export order) are assembled directly, which
    avoids the COO conversion's scatter of every response.
    """
    shape = (n_rows, col_item.size)
    ones = np.ones(rows.size, dtype=dtype)
    if rows.size and bool(np.all(rows[1:] >= rows[:-1])):
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n_rows))])
        matrix = sp.csr_matrix((ones, cols, indptr), shape=shape)
    else:
        matrix = sp.csr_matrix((ones, (rows, cols)), shape=shape)  # sums repeated pairs
    matrix.sort_indices()
    item = col_item.astype(np.int32 if col_item.size < 2**31 else np.int64)[matrix.indices]
    same = np.flatnonzero(item[1:] == item[:-1]) + 1  # a row's items are ascending
    repeated = bool(same.size and not np.all(np.isin(same, matrix.indptr)))
    if repeated or (matrix.nnz and matrix.data.max() > 1):
        raise ResponseDataError("a (person, item) response is given more than once")
    return matrix
