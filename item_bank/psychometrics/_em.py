"""Bock-Aitkin EM on a fixed quadrature grid, with SQUAREM acceleration (internal).

The E-step is two matrix products per iteration: the log-likelihood of every person at every
node is ``indicators @ (log P_k - log P_0) + observed @ log P_0`` (BLAS, or a sparse product
for sparse designs), and the expected counts per item, category and node are
``indicators.T @ posterior``. The M-step then only sees those counts (sufficient statistics),
so its cost does not grow with the number of persons.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np
from scipy.special import expit, logit

from . import _kernels as kern
from ._blas import single_threaded_blas
from ._booklets import Booklets, DenseBlocks
from .parameters import FloatArray, ItemParameters
from .priors import Priors
from .quadrature import Quadrature
from .response_functions import log_category_probabilities
from .responses import ResponseMatrix

_LINEAR = frozenset({"rasch", "1pl", "2pl", "gpcm"})
_BLOCK_ROWS = 16_384  # rows per block of the booklet log-likelihood (fits in cache)
_WORKERS = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else os.cpu_count() or 1, 8)  # threads of the booklet E-step  # fmt: skip
_LOG_FLOOR = -700.0  # log of a probability that underflowed; keeps 0 * log P finite


@dataclass(frozen=True, eq=False)
class State:
    """Item and latent parameters during estimation; ``g`` is logit(c), -inf without guessing."""

    a: FloatArray
    d: FloatArray
    g: FloatArray
    mean: float = 0.0
    sd: float = 1.0


@dataclass(frozen=True, eq=False)
class EStep:
    """Output of one E-step."""

    loglik: float
    counts: FloatArray  # (n_items, max K, Q) expected counts
    node_mass: FloatArray  # (Q,) expected number of persons at each node


def e_step(
    data: ResponseMatrix, params: ItemParameters, quad: Quadrature, mean: float, sd: float,
    *, precise: bool = False,
) -> EStep:  # fmt: skip
    """Posterior over the grid for every person and the expected counts it implies.

    Dense data are held transposed, (columns, persons), so that the log-likelihood comes out
    as (nodes, persons): the per-person max and sum then run over 61 contiguous rows, which
    numpy vectorises, instead of over 61-element rows, which it does not.
    """
    theta = quad.points
    logp = np.maximum(log_category_probabilities(theta, params), _LOG_FLOOR).transpose(1, 2, 0)
    ind = data.indicators
    dtype = np.float64 if precise else ind.dtype
    if precise and ind.dtype != np.float64:
        ind = ind.astype(np.float64)
    book = data.booklets if data.sparse else None
    if book is not None and book.dense is not None:
        return _dense_booklet_e_step(data, book, logp, quad.log_weights(mean, sd), dtype)
    linear = _linear_logits(params, data) if book is not None else None
    if book is not None and linear is not None:
        loglik = _booklet_loglik(book, ind, linear, logp[:, 0, :], theta, dtype)
    elif data.sparse:
        book = None
        table = logp[data.col_item, data.col_category].astype(dtype)
        loglik = np.asarray(ind @ table).T  # (Q, n) view of a C-ordered (n, Q) array
    else:
        base = logp[:, 0, :]
        linear = _linear_logits(params, data)
        if linear is not None:  # log P_k - log P_0 = slope * theta + intercept: rank 2
            coef = linear.astype(dtype) @ ind
            loglik = np.multiply(theta.astype(dtype)[:, None], coef[0])
            loglik += coef[1]
        else:
            diff = (logp[data.col_item, data.col_category] - base[data.col_item]).astype(dtype)
            loglik = diff.T @ ind
        obs = data.observed
        if obs is None:
            loglik += base.sum(axis=0).astype(dtype)[:, None]
        else:
            loglik += base.T.astype(dtype) @ obs.astype(dtype, copy=False)
    loglik += quad.log_weights(mean, sd).astype(dtype)[:, None]
    peak = loglik.max(axis=0)
    loglik -= peak
    post = np.exp(loglik, out=loglik)
    total = post.sum(axis=0)
    ll = float(data.weights @ (peak.astype(np.float64) + np.log(total.astype(np.float64))))
    post *= (data.weights / total).astype(dtype)
    mass = post.sum(axis=1).astype(np.float64)
    if book is not None:
        return EStep(ll, _booklet_counts(data, book, post, logp.shape), mass)
    return EStep(ll, _counts(data, ind, post, logp.shape, mass), mass)


def _dense_booklet_e_step(
    data: ResponseMatrix, book: Booklets, logp: FloatArray, log_weights: FloatArray, dtype
) -> EStep:
    """E-step over the dense per-booklet chunks: two BLAS products per chunk of rows.

    Within a booklet the log-likelihood is ``indicators.T @ (log P_k - log P_0)`` plus the
    booklet's sum of ``log P_0`` (the dense E-step with nothing missing); the expected counts
    in categories ``k >= 1`` are ``indicators @ posterior``, and category 0 is the rest of the
    booklet's posterior mass. Chunks are split into contiguous runs, one per core, each run on
    its own thread while BLAS is single-threaded (see ``_blas``); the runs' sums are added in a
    fixed order, never in order of completion. Per-chunk sums run in ``dtype`` and
    accumulate in float64.
    """
    dense = book.dense
    assert dense is not None
    base = logp[:, 0, :]
    table = logp[data.col_item, data.col_category] - base[data.col_item]  # (n_cols, Q)
    per_booklet = (np.asarray(book.items.astype(np.float64) @ base) + log_weights).astype(dtype)
    weights = data.weights[dense.order]
    n_chunks = dense.booklet.size
    rows = dense.stops - dense.starts
    # contiguous runs of chunks with about equal numbers of rows
    cuts = np.searchsorted(np.cumsum(rows), np.arange(1, _WORKERS) * rows.sum() / _WORKERS)
    bounds = np.unique(np.concatenate([[0], cuts, [n_chunks]]))

    def run(lo: int, hi: int) -> tuple[float, FloatArray, FloatArray]:
        return _dense_chunks(dense, lo, hi, table, per_booklet, weights, dtype)

    with single_threaded_blas():
        if bounds.size > 2:
            with ThreadPoolExecutor(bounds.size - 1) as pool:
                parts = list(pool.map(run, bounds[:-1].tolist(), bounds[1:].tolist()))
        else:
            parts = [run(0, n_chunks)]
    loglik = sum(part[0] for part in parts)
    by_col, mass = parts[0][1], parts[0][2]
    for part in parts[1:]:
        by_col += part[1]
        mass += part[2]
    counts = np.zeros(logp.shape)
    upper = data.col_category > 0
    counts[data.col_item[upper], data.col_category[upper]] = by_col[upper]
    seen = np.asarray(book.items.T.astype(np.float64) @ mass)  # (n_items, Q)
    counts[:, 0] = seen - counts[:, 1:].sum(axis=1)
    np.maximum(counts[:, 0], 0.0, out=counts[:, 0])  # float32 rounding
    return EStep(float(loglik), counts, mass.sum(axis=0))


def _dense_chunks(
    dense: DenseBlocks, lo: int, hi: int, table: FloatArray, per_booklet: np.ndarray,
    weights: FloatArray, dtype,
) -> tuple[float, FloatArray, FloatArray]:  # fmt: skip
    """Log-likelihood, counts by column (n_cols, Q) and mass by booklet of chunks lo..hi-1."""
    n_q = per_booklet.shape[1]
    by_col = np.zeros(table.shape)
    mass = np.zeros(per_booklet.shape)
    buffer = np.empty((n_q, int((dense.stops[lo:hi] - dense.starts[lo:hi]).max())), dtype)
    loglik = 0.0
    current, cols, diff = -1, dense.booklet_cols(0), table[:0].T.astype(dtype)
    for i in range(lo, hi):
        b, start, stop = int(dense.booklet[i]), int(dense.starts[i]), int(dense.stops[i])
        if b != current:
            current, cols = b, dense.booklet_cols(b)
            diff = np.ascontiguousarray(table[cols].T, dtype=dtype)  # (Q, m)
        x = dense.chunk(i)
        if x.dtype != dtype:
            x = x.astype(dtype)
        post = buffer[:, : stop - start]
        np.matmul(diff, x, out=post)
        post += per_booklet[b][:, None]
        peak = post.max(axis=0)
        post -= peak
        np.exp(post, out=post)
        total = post.sum(axis=0)
        w = weights[start:stop]
        loglik += float(w @ (peak.astype(np.float64) + np.log(total.astype(np.float64))))
        post *= (w / total).astype(dtype)
        if cols.size:
            by_col[cols] += x @ post.T
        mass[b] += post.sum(axis=1)
    return loglik, by_col, mass


def _booklet_loglik(
    book: Booklets, ind, linear: FloatArray, base: FloatArray, theta: FloatArray, dtype
) -> np.ndarray:
    """(Q, n) log-likelihood from two response sums per row plus a per-booklet term.

    Built block by block into a buffer kept on ``book`` (reused by every E-step on these
    data), so no (n, Q) temporary is allocated per iteration.
    """
    coef = np.asarray(ind @ linear.T.astype(dtype))  # (n, 2): sum of slopes, of intercepts
    per_booklet = np.asarray(book.items.astype(dtype) @ base.astype(dtype))  # (B, Q)
    rows = book.buffer((coef.shape[0], theta.size), dtype)
    t = theta.astype(dtype)
    for start in range(0, rows.shape[0], _BLOCK_ROWS):
        stop = min(start + _BLOCK_ROWS, rows.shape[0])
        block = rows[start:stop]
        np.take(per_booklet, book.row_booklet[start:stop], axis=0, out=block)
        block += np.multiply.outer(coef[start:stop, 0], t)
        block += coef[start:stop, 1:]
    return rows.T


def _booklet_counts(
    data: ResponseMatrix, book: Booklets, post, shape: tuple[int, ...]
) -> FloatArray:
    """Expected counts: categories k >= 1 from the responses, category 0 as the remainder."""
    post_rows = post.T  # (n, Q) C-ordered
    counts = np.zeros(shape)
    positive = np.asarray(book.positive.T @ post_rows, dtype=np.float64)
    counts[data.col_item[book.positive_cols], data.col_category[book.positive_cols]] = positive
    seen = np.asarray(book.items.T @ book.posterior_mass(post_rows))  # (n_items, Q)
    counts[:, 0] = seen - counts[:, 1:].sum(axis=1)
    np.maximum(counts[:, 0], 0.0, out=counts[:, 0])  # float32 rounding
    return counts


def _linear_logits(params: ItemParameters, data: ResponseMatrix) -> FloatArray | None:
    """(2, n_cols) slopes and intercepts of the adjacent-category logits, or None.

    For Rasch/1PL/2PL and GPCM items ``log P_k - log P_0 = k a theta + d_k`` is linear in
    theta, so the person-by-node log-likelihood needs two weighted sums per person instead of
    a product with every node (the weighted sum score is sufficient for theta).
    """
    linear = np.array([m in _LINEAR for m in params.models])
    if not linear[data.col_item].all():
        return None
    slope = data.col_category * params.discrimination[data.col_item]
    intercept = params.intercepts[data.col_item, data.col_category - 1]
    # sparse data also hold category 0, whose logit against itself is 0
    return np.stack([slope, np.where(data.col_category > 0, intercept, 0.0)])


def _counts(data: ResponseMatrix, ind, post, shape: tuple[int, ...], mass) -> FloatArray:
    counts = np.zeros(shape)
    if data.sparse:
        by_col = np.asarray(ind.T @ post.T, dtype=np.float64)
    else:
        by_col = np.asarray(ind @ post.T, dtype=np.float64)
    counts[data.col_item, data.col_category] = by_col
    if not data.sparse:
        if data.observed is None:
            seen = np.broadcast_to(mass, (shape[0], shape[2]))
        else:
            seen = np.asarray(data.observed.astype(post.dtype) @ post.T, dtype=np.float64)
        counts[:, 0] = seen - counts[:, 1:].sum(axis=1)
        np.maximum(counts[:, 0], 0.0, out=counts[:, 0])  # float32 rounding
    return counts


class Layout:
    """Maps the free parameters of a calibration onto a flat vector and back."""

    def __init__(
        self, models: tuple[str, ...], n_categories: np.ndarray, free: np.ndarray,
        mean_free: bool, sd_free: bool,
    ) -> None:  # fmt: skip
        self.models, self.k, self.free = models, n_categories, free
        self.mean_free, self.sd_free = mean_free, sd_free
        keys = sorted({(models[j], int(n_categories[j])) for j in np.flatnonzero(free)})
        self.groups = [
            (m, k, np.flatnonzero(free & (np.array(models) == m) & (n_categories == k)))
            for m, k in keys
        ]
        self.one_pl = np.flatnonzero(free & (np.array(models) == "1pl"))
        sizes = [idx.size * kern.n_free(m, k) for m, k, idx in self.groups]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        self.size = int(self.offsets[-1]) + (self.one_pl.size > 0) + mean_free + sd_free

    def blocks(self) -> list[tuple[str, int, np.ndarray, slice]]:
        """(model, K, item indices, slice of the packed vector) of every free item group."""
        bounds = zip(self.offsets[:-1], self.offsets[1:], strict=True)
        return [
            (m, k, idx, slice(a, b))
            for (m, k, idx), (a, b) in zip(self.groups, bounds, strict=True)
        ]

    def group_x(self, state: State, model: str, k: int, idx: np.ndarray) -> FloatArray:
        """Free parameters of one group, shape (G, p)."""
        a, d0 = state.a[idx, None], state.d[idx, :1]
        if model in ("rasch", "1pl"):
            return d0.copy()
        if model == "2pl":
            return np.hstack([a, d0])
        if model == "3pl":
            return np.hstack([a, d0, state.g[idx, None]])
        return np.hstack([a, state.d[idx, : k - 1]])

    def set_group(self, state: State, model: str, k: int, idx: np.ndarray, x: FloatArray) -> None:
        """Write one group's parameters into ``state`` (its arrays are private copies)."""
        if model in ("rasch", "1pl"):
            state.d[idx, 0] = x[:, 0]
            return
        state.a[idx] = x[:, 0]
        if model == "3pl":
            state.d[idx, 0], state.g[idx] = x[:, 1], x[:, 2]
        else:
            state.d[idx, : k - 1] = x[:, 1:]

    def pack(self, state: State) -> FloatArray:
        parts = [self.group_x(state, m, k, idx).ravel() for m, k, idx in self.groups]
        tail = [state.a[self.one_pl[:1]]] if self.one_pl.size else []
        tail += [[state.mean]] if self.mean_free else []
        tail += [[np.log(state.sd)]] if self.sd_free else []
        return np.concatenate(parts + [np.asarray(t, dtype=float) for t in tail] + [np.empty(0)])

    def unpack(self, vec: FloatArray, template: State) -> State:
        state = replace(template, a=template.a.copy(), d=template.d.copy(), g=template.g.copy())
        for m, k, idx, part in self.blocks():
            self.set_group(state, m, k, idx, vec[part].reshape(idx.size, -1))
        pos = int(self.offsets[-1])
        if self.one_pl.size:
            state.a[self.one_pl] = vec[pos]
            pos += 1
        mean = float(vec[pos]) if self.mean_free else template.mean
        sd = float(np.exp(vec[pos + self.mean_free])) if self.sd_free else template.sd
        return replace(state, mean=mean, sd=sd)

    def to_parameters(self, state: State, item_ids: tuple[str, ...] | None) -> ItemParameters:
        c = expit(state.g)
        return ItemParameters(self.models, state.a, state.d, c, item_ids)


def m_step(layout: Layout, state: State, est: EStep, quad: Quadrature, priors: Priors) -> State:
    """Maximise the expected complete-data log posterior given the E-step counts.

    Its matrix products are small (items x nodes): BLAS runs them single-threaded, as waking
    BLAS worker threads for them cost more than it saved (4x more on a busy machine).
    """
    with single_threaded_blas():
        return _m_step(layout, state, est, quad, priors)


def _m_step(layout: Layout, state: State, est: EStep, quad: Quadrature, priors: Priors) -> State:
    theta = quad.points
    new = replace(state, a=state.a.copy(), d=state.d.copy(), g=state.g.copy())
    for model, k, idx in layout.groups:
        r = est.counts[idx, :k, :].transpose(0, 2, 1)
        slope = new.a[idx] if model in ("rasch", "1pl") else None
        x = kern.maximize(model, theta, layout.group_x(new, model, k, idx), r, priors, slope)
        layout.set_group(new, model, k, idx, x)
    if layout.one_pl.size:
        new.a[layout.one_pl] = _common_slope(layout.one_pl, new, est, theta, priors)
    mass = est.node_mass / est.node_mass.sum()
    mean = float(mass @ theta) if layout.mean_free else new.mean
    sd = float(np.sqrt(mass @ (theta - mean) ** 2)) if layout.sd_free else new.sd
    return replace(new, mean=mean, sd=sd)


def _common_slope(
    idx: np.ndarray, state: State, est: EStep, theta: FloatArray, priors: Priors
) -> float:
    """One Newton step (with halving) for the slope shared by all 1PL items."""
    slope_only = Priors(guessing=None)
    x = np.column_stack([state.a[idx], state.d[idx, 0]])
    r = est.counts[idx, :2, :].transpose(0, 2, 1)

    def total(a: float) -> float:
        xx = np.column_stack([np.full(idx.size, a), x[:, 1]])
        value = kern.objective("2pl", theta, xx, r, slope_only).sum()
        extra = kern.log_prior("2pl", xx[:1], replace(priors, intercept=None, guessing=None))
        return float(value + extra[0][0])

    grad, info = kern.gradient_information("2pl", theta, x, r, slope_only)
    pr = kern.log_prior("2pl", x[:1], replace(priors, intercept=None, guessing=None))
    step = (grad[:, 0].sum() + pr[1][0, 0]) / (info[:, 0, 0].sum() + pr[2][0, 0, 0])
    a0, f0 = float(x[0, 0]), total(float(x[0, 0]))
    for _ in range(20):
        if total(a0 + step) >= f0:
            return a0 + step
        step /= 2
    return a0


def initial_state(data: ResponseMatrix, models: tuple[str, ...], priors: Priors) -> State:
    """Starting values from observed category proportions (like mirt's defaults)."""
    n_items, width = data.n_items, max(int(data.n_categories.max()) - 1, 1)
    d = np.full((n_items, width), np.nan)
    props = (data.counts + 0.5) / (data.counts + 0.5).sum(axis=1, keepdims=True)
    g = np.full(n_items, -np.inf)
    for j, model in enumerate(models):
        k = int(data.n_categories[j])
        p = props[j, :k]
        if model == "gpcm":
            d[j, : k - 1] = np.cumsum(np.log(p[1:] / p[:-1]))
        else:  # cumulative logits: d_k = logit P(X >= k)
            d[j, : k - 1] = logit(np.clip(1 - np.cumsum(p)[:-1], 1e-4, 1 - 1e-4))
    is_3pl = np.array([m == "3pl" for m in models])
    if is_3pl.any():
        alpha, beta = priors.guessing or (5.0, 17.0)
        c0 = min(max((alpha - 1) / (alpha + beta - 2), 0.05), 0.35)
        g[is_3pl] = logit(c0)
        p1 = np.clip((props[is_3pl, 1] - c0) / (1 - c0), 0.02, 0.98)
        d[is_3pl, 0] = logit(p1)
    return State(np.ones(n_items), d, g)
