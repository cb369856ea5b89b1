"""Marginal maximum-likelihood item calibration (Bock-Aitkin EM) for 1PL to 3PL, GRM, GPCM."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy.special import logit

from . import _em
from ._squarem import iterate
from ._standard_errors import observed_information_errors
from .errors import ConvergenceWarning, ResponseDataError
from .parameters import MODELS, POLYTOMOUS_MODELS, ItemParameters
from .priors import Priors
from .quadrature import Quadrature
from .responses import ResponseMatrix, ResponsesLike, prepare_responses
from .results import CalibrationResult

__all__ = ["calibrate"]

_FLOAT32_CELLS = 2_000_000  # above this many cells float32 E-steps pay off (2x less traffic)
_AUTO_SE_LIMIT = 400  # numerical observed information costs 2 E-steps per free parameter
_WARM_START_ROWS = 10_000  # rows of the first warm-start subsample
_WARM_START_PER_ITEM = 500  # and at least this many responses per item on average
_STAGE_FACTOR = 10  # each further warm-start stage uses this many times more rows
_SLOW_LAST_STEP = 4  # slowly converging models (3PL) add a stage on every 4th row


def calibrate(
    responses: ResponsesLike,
    model: str | Sequence[str] = "2pl",
    *,
    weights: npt.ArrayLike | None = None,
    n_categories: npt.ArrayLike | None = None,
    priors: Priors | None = None,
    quadrature: Quadrature | None = None,
    fixed_items: Sequence[int] = (),
    fixed_parameters: ItemParameters | None = None,
    latent_mean: float | None = None,
    latent_sd: float | None = None,
    tol: float = 1e-4,
    max_iter: int = 500,
    standard_errors: bool | None = None,
    accelerate: bool = True,
    item_ids: Sequence[str] | None = None,
) -> CalibrationResult:
    """Calibrate items by marginal maximum likelihood (Bock-Aitkin EM, optionally MAP).

    Parameters
    ----------
    responses : ndarray (n_persons, n_items), scipy.sparse matrix or SparseResponses
        Response categories ``0..K-1`` (0/1 for dichotomous models); ``MISSING`` (NaN) for
        items not presented (missing by design). In a sparse matrix every stored entry,
        explicit zeros included, is an observed response.
    model : str or sequence of str
        ``"rasch"`` (a = 1, latent SD estimated), ``"1pl"`` (one common slope, latent
        N(0, 1)), ``"2pl"``, ``"3pl"``, ``"grm"`` or ``"gpcm"``; one per item to mix them.
    weights : array_like, shape (n_persons,), optional
        Frequency weights, e.g. the counts of a response-pattern table.
    n_categories : array_like of int, shape (n_items,), optional
        Categories per polytomous item (default: largest observed category + 1).
    priors : Priors, optional
        Priors for MAP estimation; default ``Priors()`` (Beta(5, 17) on 3PL guessing only).
    quadrature : Quadrature, optional
        Default 61 points on [-6, 6] (as R mirt).
    fixed_items : sequence of int
        Columns whose parameters are fixed at ``fixed_parameters`` (anchor items). The
        latent mean and SD are then estimated, which puts the free items on the anchors'
        scale (fixed-anchor calibration of pretest items).
    fixed_parameters : ItemParameters, optional
        Parameters of ``fixed_items``, in the same order.
    latent_mean, latent_sd : float, optional
        Fix the latent mean/SD to these values. By default they are estimated when
        identified (SD for Rasch, both with anchors) and 0/1 otherwise. ``model="rasch",
        latent_sd=1.0`` gives the a = 1, N(0, 1) Rasch model of R ltm.
    tol : float
        Convergence when no parameter changes by more than ``tol`` in one EM step.
    max_iter : int
        Maximum number of E-steps.
    standard_errors : bool, optional
        Compute standard errors from the observed information, obtained as the central
        finite-difference Jacobian of the analytic marginal score (Fisher's identity), which
        equals the Louis/Oakes observed information. Costs two E-steps per free parameter;
        by default computed when there are at most 400 free parameters.
    accelerate : bool
        Use SQUAREM extrapolation (same fixed point, fewer iterations).
    item_ids : sequence of str, optional

    Returns
    -------
    CalibrationResult

    Raises
    ------
    ResponseDataError
        Bad shapes or values, fewer than two persons, a free item nobody answered, or a free
        item with an unobserved category (its parameters are not identified) unless an
        intercept prior is given.
    ValueError
        Unknown model or inconsistent fixed parameters.

    Warns
    -----
    ConvergenceWarning
        When ``max_iter`` E-steps did not reach ``tol``.
    DataWarning
        When persons without any response are dropped.

    References
    ----------
    Bock, R. D. & Aitkin, M. (1981). Marginal maximum likelihood estimation of item
    parameters: application of an EM algorithm. *Psychometrika* 46, 443-459.
    Chalmers, R. P. (2012). mirt: A multidimensional item response theory package for the R
    environment. *Journal of Statistical Software* 48(6).
    """
    priors = Priors() if priors is None else priors
    quad = Quadrature() if quadrature is None else quadrature
    n_items = _n_items(responses)
    models = _models(model, n_items, fixed_items, fixed_parameters)
    free = np.ones(n_items, dtype=bool)
    free[list(fixed_items)] = False
    k_arg = _category_argument(n_categories, n_items, fixed_items, fixed_parameters)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = prepare_responses(responses, models, weights=weights, n_categories=k_arg,
                                 dtype=_dtype(responses, n_items))  # fmt: skip
    _reemit(caught)
    _check_identified(data, free, priors)
    layout = _em.Layout(models, data.n_categories, free, *_latent_free(
        models, free, latent_mean, latent_sd))  # fmt: skip
    state0 = _start(data, models, priors, fixed_items, fixed_parameters, latent_mean, latent_sd)
    ids = None if item_ids is None else tuple(item_ids)

    def em_on(sub: ResponseMatrix, grid: Quadrature):
        def em(vec: np.ndarray) -> tuple[np.ndarray, float]:
            state = layout.unpack(vec, state0)
            est = _em.e_step(sub, layout.to_parameters(state, ids), grid, state.mean, state.sd)
            return layout.pack(_em.m_step(layout, state, est, grid, priors)), est.loglik

        return em

    def valid(vec: np.ndarray) -> bool:
        return _valid(layout.unpack(vec, state0), models)

    slack = 1e-7 if data.indicators.dtype == np.float32 else 1e-10
    start = layout.pack(state0)
    # Warm start on systematic subsamples; the last iterations run on all data, so the
    # fixed point (and the convergence test) is that of the full data.
    for step in _warm_start_steps(data, slow=_slow_em(models, free)):
        start = iterate(em_on(data.every(step), quad), start, valid, tol=10 * tol,
                        max_iter=min(max_iter, 100), accelerate=accelerate,
                        ll_slack=slack).x  # fmt: skip
    trace = iterate(em_on(data, quad), start, valid, tol=tol, max_iter=max_iter,
                    accelerate=accelerate, ll_slack=slack)  # fmt: skip
    final = layout.unpack(trace.x, state0)
    params = layout.to_parameters(final, ids)
    loglik = _em.e_step(data, params, quad, final.mean, final.sd, precise=True).loglik
    messages = [str(w.message) for w in caught]
    if not trace.converged:
        msg = (f"EM stopped after {trace.iterations} E-steps with a largest parameter change "
               f"of {trace.max_change:.3g} > tol={tol}")  # fmt: skip
        warnings.warn(msg, ConvergenceWarning, stacklevel=2)
        messages.append(msg)
    want_se = layout.size <= _AUTO_SE_LIMIT if standard_errors is None else standard_errors
    se = observed_information_errors(layout, final, data, quad, priors, ids) if want_se else None
    n_obs = float(data.weights.sum())
    return CalibrationResult(
        parameters=params,
        standard_errors=None if se is None else se[0],
        covariance=None if se is None else se[1],
        parameter_names=_names(layout),
        loglik=loglik,
        aic=-2 * loglik + 2 * layout.size,
        bic=-2 * loglik + layout.size * np.log(n_obs),
        n_parameters=layout.size,
        n_persons=round(n_obs) if weights is not None else data.n_persons,
        n_items=n_items,
        iterations=trace.iterations,
        converged=trace.converged,
        max_change=trace.max_change,
        latent_mean=final.mean,
        latent_sd=final.sd,
        warnings=tuple(messages),
        quadrature=quad,
    )


def _warm_start_steps(data: ResponseMatrix, *, slow: bool = False) -> list[int]:
    """Subsampling steps of the warm-start stages, coarsest first, each 10x more rows.

    A subsample's estimate lies within its sampling error of the full-data estimate, so the
    expensive full-data iterations start close to the fixed point. The first stage keeps at
    least 10,000 rows and about 500 responses per item (sparse designs need more rows). A
    coarser grid for the early stages was tried and dropped: its bias cost more full-data
    iterations than it saved. When EM converges slowly (``slow``: free 3PL items, whose
    guessing parameters carry much missing information) a last stage on a quarter of the
    rows is added: on 100,000 x 100 it cut the full-data E-steps of the 3PL from 22-23 to 16
    for 11 quarter-size ones (about 20 full-data E-steps' worth of work instead of 24.6).
    """
    per_row = float(data.counts.sum()) / max(float(data.weights.sum()), 1.0)
    needed = max(_WARM_START_ROWS, _WARM_START_PER_ITEM * data.n_items / max(per_row, 1e-9))
    steps: list[int] = []
    step = int(data.n_rows // needed)
    while step >= 4:  # a stage on more than a quarter of the data saves too little
        steps.append(step)
        step //= _STAGE_FACTOR
    if slow and steps and steps[-1] >= 2 * _SLOW_LAST_STEP:
        steps.append(_SLOW_LAST_STEP)
    return steps


def _slow_em(models: tuple[str, ...], free: np.ndarray) -> bool:
    """Whether EM is expected to converge slowly (any free 3PL item)."""
    return any(m == "3pl" for m, f in zip(models, free, strict=True) if f)


def _n_items(responses: ResponsesLike) -> int:
    shape = getattr(responses, "shape", None)
    if shape is None and hasattr(responses, "n_items"):
        return int(responses.n_items)  # type: ignore[union-attr]
    if shape is None:
        shape = np.shape(responses)  # type: ignore[arg-type]
    if len(shape) != 2:
        raise ResponseDataError(f"responses must be 2-D (n_persons, n_items), got shape {shape}")
    return int(shape[1])


def _models(
    model: str | Sequence[str], n_items: int, fixed_items: Sequence[int],
    fixed: ItemParameters | None,
) -> tuple[str, ...]:  # fmt: skip
    models = [model] * n_items if isinstance(model, str) else list(model)
    models = [str(m).lower() for m in models]
    if len(models) != n_items:
        raise ValueError(f"{len(models)} models given for {n_items} items")
    unknown = sorted(set(models) - MODELS)
    if unknown:
        raise ValueError(f"unknown model(s) {unknown}; expected one of {sorted(MODELS)}")
    if len(fixed_items) and (fixed is None or fixed.n_items != len(fixed_items)):
        raise ValueError("fixed_parameters must describe exactly the fixed_items")
    if len(set(fixed_items)) != len(fixed_items) or any(not 0 <= j < n_items for j in fixed_items):
        raise ValueError(f"fixed_items must be distinct column indices in 0..{n_items - 1}")
    for pos, j in enumerate(fixed_items):
        models[j] = fixed.models[pos]  # type: ignore[union-attr]
    return tuple(models)


def _category_argument(
    n_categories: npt.ArrayLike | None, n_items: int, fixed_items: Sequence[int],
    fixed: ItemParameters | None,
) -> npt.NDArray[np.int64] | None:  # fmt: skip
    if n_categories is None and not len(fixed_items):
        return None
    k = np.full(n_items, -1, dtype=np.int64)
    if n_categories is not None:
        k[:] = np.broadcast_to(np.asarray(n_categories, dtype=np.int64), (n_items,))
    if fixed is not None and len(fixed_items):
        k[list(fixed_items)] = fixed.n_categories
    return k  # -1 marks "infer from the data"


def _dtype(responses: ResponsesLike, n_items: int) -> type[np.floating]:
    shape = getattr(responses, "shape", None) or (getattr(responses, "n_persons", 0), n_items)
    return np.float32 if shape[0] * shape[1] > _FLOAT32_CELLS else np.float64


def _reemit(caught: list[warnings.WarningMessage]) -> None:
    for w in caught:
        warnings.warn(w.message, w.category, stacklevel=3)


def _check_identified(data: ResponseMatrix, free: np.ndarray, priors: Priors) -> None:
    n = float(data.weights.sum())
    if data.n_rows < 2 and n < 2:
        raise ResponseDataError("at least two persons with responses are needed to calibrate")
    counts = data.counts
    unseen = np.flatnonzero(free & (counts.sum(axis=1) == 0))
    if unseen.size:
        raise ResponseDataError(
            f"items {unseen[:10].tolist()} have no responses; drop them or fix their parameters"
        )
    used = counts > 0
    k = data.n_categories
    missing_cat = [int(j) for j in np.flatnonzero(free) if not used[j, : k[j]].all()]
    if missing_cat and priors.intercept is None:
        raise ResponseDataError(
            f"items {missing_cat[:10]} have a response category nobody chose (e.g. a constant "
            "column); their intercepts diverge. Drop them, merge categories or give "
            "Priors(intercept=...)"
        )


def _latent_free(
    models: tuple[str, ...], free: np.ndarray, mean: float | None, sd: float | None
) -> tuple[bool, bool]:
    anchored = not free.all()
    rasch = any(m == "rasch" for m, f in zip(models, free, strict=True) if f)
    return (mean is None and anchored), (sd is None and (anchored or rasch))


def _start(
    data: ResponseMatrix, models: tuple[str, ...], priors: Priors, fixed_items: Sequence[int],
    fixed: ItemParameters | None, mean: float | None, sd: float | None,
) -> _em.State:  # fmt: skip
    state = _em.initial_state(data, models, priors)
    if fixed is not None and len(fixed_items):
        idx = np.asarray(fixed_items)
        width = min(fixed.intercepts.shape[1], state.d.shape[1])
        state.a[idx] = fixed.discrimination
        state.d[idx] = np.nan
        state.d[idx, :width] = fixed.intercepts[:, :width]
        with np.errstate(divide="ignore"):
            state.g[idx] = np.where(fixed.guessing > 0, logit(fixed.guessing), -np.inf)
    return _em.State(state.a, state.d, state.g, 0.0 if mean is None else float(mean),
                     1.0 if sd is None else float(sd))  # fmt: skip


def _valid(state: _em.State, models: tuple[str, ...]) -> bool:
    if not (np.all(np.isfinite(state.a)) and np.isfinite(state.mean) and state.sd > 0):
        return False
    grm = np.array([m == "grm" for m in models])
    if grm.any():
        steps = np.diff(state.d[grm], axis=1)
        if np.any(steps[np.isfinite(steps)] >= 0):
            return False
    return not np.any(np.isnan(state.g))


def _names(layout: _em.Layout) -> tuple[str, ...]:
    names: list[str] = []
    for model, k, idx in layout.groups:
        for j in idx:
            if model in ("rasch", "1pl"):
                names.append(f"d[{j},0]")
            elif model in POLYTOMOUS_MODELS:
                names += [f"a[{j}]"] + [f"d[{j},{m}]" for m in range(k - 1)]
            else:
                names += [f"a[{j}]", f"d[{j},0]"] + ([f"logit_c[{j}]"] if model == "3pl" else [])
    names += ["a_common"] if layout.one_pl.size else []
    names += ["latent_mean"] if layout.mean_free else []
    names += ["log_latent_sd"] if layout.sd_free else []
    return tuple(names)
