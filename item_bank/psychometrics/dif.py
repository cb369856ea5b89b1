"""Differential item functioning: Mantel-Haenszel and the IRT likelihood-ratio test.

Missing responses are ``NaN`` (:data:`MISSING`). A person without a response to the studied
item is left out of that item's analysis; in the total-score matching variable a missing
response counts 0 (the usual choice of ETS and ``difR``, which need a complete matching score).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import optimize, stats
from scipy.special import expit, logsumexp

from item_bank.psychometrics.calibration import calibrate
from item_bank.psychometrics.errors import ResponseDataError
from item_bank.psychometrics.parameters import ItemParameters
from item_bank.psychometrics.response_functions import log_category_probabilities
from item_bank.psychometrics.responses import MISSING

__all__ = ["DELTA_SCALE", "MISSING", "DIFResult", "dif"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_LR_NODES = np.linspace(-6.0, 6.0, 61)  # R mirt's default quadrature

DELTA_SCALE = -2.35
"""ETS delta metric: ``delta = -2.35 ln(alpha_MH)``; negative values favour the reference group."""


@dataclass(frozen=True, slots=True)
class DIFResult:
    """DIF statistics, one entry per item.

    Attributes
    ----------
    method : {"mh", "lr"}
    statistic : ndarray, shape (n_items,)
        MH chi-square with continuity correction (1 df), or the likelihood-ratio G2.
    df : ndarray, shape (n_items,)
        Degrees of freedom of ``statistic``.
    p_value : ndarray, shape (n_items,)
    odds_ratio : ndarray, shape (n_items,)
        Mantel-Haenszel common odds ratio (reference vs focal); NaN for ``"lr"``.
    delta : ndarray, shape (n_items,)
        ETS delta ``-2.35 ln(odds_ratio)`` (MH D-DIF); for ``"lr"`` the same metric from the
        intercept difference of a free 2PL, ``-2.35 (d_ref - d_focal)``, exact for uniform DIF.
    delta_se : ndarray, shape (n_items,)
        Standard error of ``delta`` (Robins-Breslow-Greenland for MH; NaN for ``"lr"``).
    classification : tuple of str
        ETS category per item: "A" negligible, "B" moderate, "C" large ("" for ``"lr"``).
    flagged : ndarray of bool, shape (n_items,)
        Items with DIF: category B or C for MH, ``p_value < alpha`` for LR.
    anchor : ndarray of bool, shape (n_items,)
        Items used to match persons (the total score) after purification.
    n_iterations : int
        Purification rounds run (1 without purification).
    """

    method: str
    statistic: FloatArray
    df: FloatArray
    p_value: FloatArray
    odds_ratio: FloatArray
    delta: FloatArray
    delta_se: FloatArray
    classification: tuple[str, ...]
    flagged: BoolArray
    anchor: BoolArray
    n_iterations: int


def dif(
    responses: npt.ArrayLike,
    group: npt.ArrayLike,
    *,
    focal: object,
    reference: object | None = None,
    method: Literal["mh", "lr"] = "mh",
    matching: Literal["total"] | npt.ArrayLike = "total",
    purify: bool = False,
    max_iterations: int = 10,
    alpha: float = 0.05,
) -> DIFResult:
    """Test every item for DIF between a focal and a reference group.

    Parameters
    ----------
    responses : array_like, shape (n_persons, n_items)
        Item scores 0/1, :data:`MISSING` (``NaN``) for no response.
    group : array_like, shape (n_persons,)
        Group label of each person.
    focal : object
        Label of the focal group (e.g. the minority language group).
    reference : object, optional
        Label of the reference group; by default everyone not in the focal group.
    method : {"mh", "lr"}
        ``"mh"``: Mantel-Haenszel stratified by the matching score. ``"lr"``: IRT
        likelihood-ratio test (2 df) of each item: a 2PL with the item's slope and intercept
        shared by both groups against one with them free in each group. The anchor items
        keep the estimates of one pooled :func:`calibrate` run, each group's latent mean and
        SD are estimated from the anchors (so impact is not taken for DIF), and the studied
        item is fitted by marginal ML on 61 nodes over [-6, 6].
    matching : "total" or array_like, shape (n_persons,)
        ``"total"``: the total score over the anchor items plus the studied item (Holland and
        Thayer's recommendation). An array gives an external matching score (e.g. a previous
        test); purification then does not apply. Ignored by ``"lr"``.
    purify : bool
        Iteratively drop flagged items from the anchor and test again, until the flagged set
        repeats or ``max_iterations`` is reached.
    max_iterations : int
        Upper bound of purification rounds.
    alpha : float
        Significance level of the tests.

    Returns
    -------
    DIFResult

    Raises
    ------
    ValueError
        For non-binary scores, mismatched shapes, a missing focal or reference group, or
        ``purify`` together with an external matching score.

    Notes
    -----
    ETS categories (Zieky 1993; Zwick 2012): A if the MH chi-square is not significant or
    ``|delta| < 1``; C if ``|delta| >= 1.5`` and ``|delta|`` is significantly larger than 1
    (one-sided z test at ``alpha`` with the RBG standard error); B otherwise.

    References
    ----------
    Holland, P. W., & Thayer, D. T. (1988). Differential item performance and the
    Mantel-Haenszel procedure. In Wainer & Braun (Eds.), Test Validity, 129-145.
    Zwick, R. (2012). A review of ETS differential item functioning assessment procedures.
    ETS Research Report RR-12-08.
    Thissen, D., Steinberg, L., & Wainer, H. (1993). Detection of differential item
    functioning using the parameters of item response models. In Holland & Wainer (Eds.),
    Differential Item Functioning, 67-113.
    Woods, C. M. (2009). Empirical selection of anchors for tests of differential item
    functioning. Applied Psychological Measurement 33, 42-57.
    """
    X, is_focal = _prepare(responses, group, focal, reference)
    keep = ~np.isnan(is_focal)
    X, focal_mask = X[keep], is_focal[keep].astype(bool)
    if method == "lr":
        fixed_matching = None
    elif isinstance(matching, str):
        if matching != "total":
            raise ValueError(f"matching must be 'total' or an array, got {matching!r}")
        fixed_matching = None
    else:
        fixed_matching = np.asarray(matching, dtype=np.float64)[keep]
        if purify:
            raise ValueError("purification needs the total score as matching variable")
    if method not in ("mh", "lr"):
        raise ValueError(f"method must be 'mh' or 'lr', got {method!r}")
    anchor = np.ones(X.shape[1], dtype=bool)
    # The anchors' parameters come from one pooled calibration of every item.
    pooled = calibrate(X, "2pl", standard_errors=False).parameters if method == "lr" else None
    seen: list[bytes] = []
    for iteration in range(1, max_iterations + 1):
        if method == "mh":
            result = _mh_all(X, focal_mask, anchor, fixed_matching, alpha, iteration)
        else:
            result = _lr_all(X, focal_mask, anchor, alpha, iteration, pooled)  # type: ignore[arg-type]
        new_anchor = ~result.flagged
        if not purify or new_anchor.tobytes() in seen or np.array_equal(new_anchor, anchor):
            return result
        seen.append(anchor.tobytes())
        anchor = new_anchor if new_anchor.sum() >= 1 else anchor
    return result


def _prepare(
    responses: npt.ArrayLike, group: npt.ArrayLike, focal: object, reference: object | None
) -> tuple[FloatArray, FloatArray]:
    X = np.asarray(responses, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] < 2:
        raise ResponseDataError(f"responses must be 2-D with 2+ items, got shape {X.shape}")
    if not np.all(np.isin(X[~np.isnan(X)], (0.0, 1.0))):
        raise ResponseDataError("DIF needs item scores 0/1 (and NaN for missing)")
    labels = np.asarray(group, dtype=object)
    if labels.shape != (X.shape[0],):
        raise ValueError(f"group must have shape ({X.shape[0]},), got {labels.shape}")
    is_focal = labels == focal
    is_ref = ~is_focal if reference is None else labels == reference
    if not is_focal.any() or not is_ref.any():
        raise ValueError("both the focal and the reference group need persons")
    # NaN marks persons in neither group; they are dropped.
    return X, np.where(is_focal, 1.0, np.where(is_ref, 0.0, np.nan))


def _mh_all(
    X: FloatArray,
    focal: BoolArray,
    anchor: BoolArray,
    fixed_matching: FloatArray | None,
    alpha: float,
    iteration: int,
) -> DIFResult:
    Xz = np.nan_to_num(X)
    anchor_total = Xz[:, anchor].sum(axis=1)
    n_items = X.shape[1]
    cols = np.empty((5, n_items))
    for j in range(n_items):
        if fixed_matching is not None:
            score = fixed_matching
        else:  # the studied item always belongs to its own matching score
            score = anchor_total + (0.0 if anchor[j] else Xz[:, j])
        seen = ~np.isnan(X[:, j])
        cols[:, j] = _mantel_haenszel(X[seen, j], focal[seen], score[seen])
    chi2, p, odds, delta, delta_se = cols
    categories = tuple(
        _ets_category(d, s, pv, alpha) for d, s, pv in zip(delta, delta_se, p, strict=True)
    )
    return DIFResult(
        method="mh",
        statistic=chi2,
        df=np.ones(n_items),
        p_value=p,
        odds_ratio=odds,
        delta=delta,
        delta_se=delta_se,
        classification=categories,
        flagged=np.array([c in ("B", "C") for c in categories]),
        anchor=anchor.copy(),
        n_iterations=iteration,
    )


def _mantel_haenszel(
    correct: FloatArray, focal: BoolArray, score: FloatArray
) -> tuple[float, float, float, float, float]:
    """MH chi-square, p, common odds ratio, delta and its SE for one item."""
    strata, index = np.unique(score, return_inverse=True)
    K = strata.size
    right = correct == 1.0
    # 2x2xK counts: A ref right, B ref wrong, C focal right, D focal wrong.
    A = np.bincount(index, weights=(~focal & right), minlength=K)
    B = np.bincount(index, weights=(~focal & ~right), minlength=K)
    C = np.bincount(index, weights=(focal & right), minlength=K)
    D = np.bincount(index, weights=(focal & ~right), minlength=K)
    T = A + B + C + D
    # Strata with one group only or a single person carry no information.
    use = (A + B > 0) & (C + D > 0) & (T > 1)
    A, B, C, D, T = A[use], B[use], C[use], D[use], T[use]
    n_ref, n_foc, m1, m0 = A + B, C + D, A + C, B + D
    expected = n_ref * m1 / T
    variance = n_ref * n_foc * m1 * m0 / (T**2 * (T - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        chi2 = (abs(A.sum() - expected.sum()) - 0.5) ** 2 / variance.sum()
        if abs(A.sum() - expected.sum()) <= 0.5:
            chi2 = 0.0  # the continuity correction cannot make the statistic negative
        R, S = A * D / T, B * C / T
        P, Q = (A + D) / T, (B + C) / T
        odds = R.sum() / S.sum()
        var_log = (
            (P * R).sum() / (2 * R.sum() ** 2)
            + (P * S + Q * R).sum() / (2 * R.sum() * S.sum())
            + (Q * S).sum() / (2 * S.sum() ** 2)
        )
        delta = DELTA_SCALE * np.log(odds)
    p = float(stats.chi2.sf(chi2, 1)) if np.isfinite(chi2) else float("nan")
    return float(chi2), p, float(odds), float(delta), float(2.35 * np.sqrt(var_log))


def _ets_category(delta: float, delta_se: float, p: float, alpha: float) -> str:
    if not (p < alpha) or abs(delta) < 1.0:
        return "A"
    z = stats.norm.ppf(1.0 - alpha)
    if abs(delta) >= 1.5 and (abs(delta) - 1.0) > z * delta_se:
        return "C"
    return "B"


def _lr_all(
    X: FloatArray,
    focal: BoolArray,
    anchor: BoolArray,
    alpha: float,
    iteration: int,
    pooled: ItemParameters,
) -> DIFResult:
    n_items = X.shape[1]
    g2, shift = _lr_statistics(X, focal, anchor, pooled)
    df = np.full(n_items, 2.0)
    p = stats.chi2.sf(g2, df)
    nan = np.full(n_items, np.nan)
    return DIFResult(
        method="lr",
        statistic=g2,
        df=df,
        p_value=p,
        odds_ratio=nan,
        delta=DELTA_SCALE * shift,
        delta_se=nan.copy(),
        classification=("",) * n_items,
        flagged=p < alpha,
        anchor=anchor.copy(),
        n_iterations=iteration,
    )


def _lr_statistics(
    X: FloatArray, focal: BoolArray, anchor: BoolArray, pooled: ItemParameters
) -> tuple[FloatArray, FloatArray]:
    """G2 (free vs constrained studied item) and ``d_ref - d_focal`` of every item.

    The anchor items keep their pooled 2PL estimates and each group's N(mean, sd) is
    estimated from them; the studied item's slope and intercept are then fitted by marginal
    ML once shared by both groups and once per group (Thissen, Steinberg & Wainer 1993,
    with the anchors fixed as in Woods 2009).
    """
    seen = ~np.isnan(X)
    x = np.nan_to_num(X).astype(np.int64)
    logp = log_category_probabilities(_LR_NODES, pooled)  # (n_nodes, n_items, 2)
    contrib = [np.where(seen[:, j, None], logp[:, j, x[:, j]].T, 0.0) for j in range(X.shape[1])]
    anchor_ll = np.sum([contrib[j] for j in np.flatnonzero(anchor)], axis=0)
    groups = (~focal, focal)
    log_w = [_latent_log_weights(anchor_ll[g]) for g in groups]
    g2, shift = np.zeros(X.shape[1]), np.zeros(X.shape[1])
    for j in range(X.shape[1]):
        base = anchor_ll - contrib[j] if anchor[j] else anchor_ll
        parts = [_weights(base[g & seen[:, j]] + lw) for g, lw in zip(groups, log_w, strict=True)]
        xs = [x[g & seen[:, j], j] for g in groups]
        start = np.array([pooled.discrimination[j], pooled.intercept[j]])
        shared = _fit_item(start, parts, xs)
        ref, foc = (_fit_item(start, [w], [xg]) for w, xg in zip(parts, xs, strict=True))
        g2[j] = max(0.0, 2.0 * (ref[0] + foc[0] - shared[0]))
        shift[j] = ref[1][1] - foc[1][1]
    return g2, shift


def _latent_log_weights(anchor_ll: FloatArray) -> FloatArray:
    """Log quadrature weights of the group's N(mean, sd), fitted to its anchor responses."""

    def negative(v: FloatArray) -> float:
        lw = stats.norm.logpdf(_LR_NODES, v[0], np.exp(v[1]))
        lw -= logsumexp(lw)
        return -float(logsumexp(anchor_ll + lw, axis=1).sum())

    fit = optimize.minimize(negative, np.zeros(2), method="Nelder-Mead")
    lw = stats.norm.logpdf(_LR_NODES, fit.x[0], np.exp(fit.x[1]))
    return lw - logsumexp(lw)


def _weights(log_joint: FloatArray) -> tuple[FloatArray, float]:
    top = log_joint.max(axis=1, keepdims=True)
    return np.exp(log_joint - top), float(top.sum())


def _fit_item(
    start: FloatArray, parts: list[tuple[FloatArray, float]], xs: list[npt.NDArray[np.int64]]
) -> tuple[float, FloatArray]:
    """Marginal ML of one 2PL item over the given groups; returns (loglik, [a, d])."""

    def negative(v: FloatArray) -> tuple[float, FloatArray]:
        z = v[0] * _LR_NODES + v[1]
        ll, grad = 0.0, np.zeros(2)
        for (W, offset), x in zip(parts, xs, strict=True):
            p1 = expit(z)
            P = np.where(x[:, None] == 1, p1, 1.0 - p1)
            S = (W * P).sum(axis=1)
            R = W * P / S[:, None]  # posterior over nodes including the studied item
            resid = R * (x[:, None] - p1)
            ll += float(np.log(S).sum()) + offset
            grad += [float((resid * _LR_NODES).sum()), float(resid.sum())]
        return -ll, -grad

    fit = optimize.minimize(negative, start, jac=True, method="L-BFGS-B",
                            bounds=[(-5.0, 10.0), (-20.0, 20.0)])  # fmt: skip
    return -float(fit.fun), fit.x
