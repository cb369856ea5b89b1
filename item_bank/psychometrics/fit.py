"""Item and person fit: Orlando-Thissen S-X2, Drasgow's lz and Rasch infit/outfit.

Responses are category scores ``0..K-1`` per item (0/1 for dichotomous items); missing
responses are ``NaN`` (:data:`MISSING`). S-X2 groups persons by their summed score, so it uses
complete response rows only (as ``mirt::itemfit(..., na.rm = TRUE)``); lz and infit/outfit
skip missing responses person by person.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from item_bank.psychometrics.errors import ResponseDataError
from item_bank.psychometrics.parameters import ItemParameters
from item_bank.psychometrics.response_functions import category_probabilities
from item_bank.psychometrics.responses import MISSING

__all__ = [
    "MISSING",
    "ItemFitResult",
    "PersonFitResult",
    "item_fit",
    "person_fit",
    "summed_score_likelihood",
]

FloatArray = npt.NDArray[np.float64]

_FREE_PARAMETERS = {"rasch": 1, "1pl": 1, "2pl": 2, "3pl": 3}


@dataclass(frozen=True, slots=True)
class ItemFitResult:
    """Item fit statistics, one entry per item.

    Attributes
    ----------
    s_x2, df, p_value : ndarray, shape (n_items,)
        Orlando-Thissen S-X2 after collapsing sparse cells, its degrees of freedom
        (cells - score groups - estimated item parameters) and p value. NaN when df <= 0.
    infit, outfit : ndarray, shape (n_items,)
        Information-weighted and unweighted mean-square residuals (expected value 1);
        NaN when ``theta`` was not given.
    infit_z, outfit_z : ndarray, shape (n_items,)
        Wilson-Hilferty standardised mean squares (ZSTD), approximately N(0, 1).
    n_persons : int
        Complete response rows used by S-X2.
    """

    s_x2: FloatArray
    df: FloatArray
    p_value: FloatArray
    infit: FloatArray
    outfit: FloatArray
    infit_z: FloatArray
    outfit_z: FloatArray
    n_persons: int


@dataclass(frozen=True, slots=True)
class PersonFitResult:
    """Person fit statistics, one entry per person.

    Attributes
    ----------
    lz : ndarray, shape (n_persons,)
        Standardised log-likelihood; large negative values (< -1.645) flag aberrant patterns.
    infit, outfit, infit_z, outfit_z : ndarray, shape (n_persons,)
        Mean squares over the person's answered items and their ZSTD.
    """

    lz: FloatArray
    infit: FloatArray
    outfit: FloatArray
    infit_z: FloatArray
    outfit_z: FloatArray


def summed_score_likelihood(probabilities: FloatArray, n_categories: npt.ArrayLike) -> FloatArray:
    """Lord-Wingersky recursion: likelihood of each summed score at each quadrature node.

    Parameters
    ----------
    probabilities : ndarray, shape (n_nodes, n_items, max_categories)
        Category probabilities of each item at each node.
    n_categories : array_like of int, shape (n_items,)

    Returns
    -------
    ndarray, shape (n_nodes, max_score + 1)
        ``L[q, s] = P(summed score = s | theta_q)``.

    References
    ----------
    Lord, F. M., & Wingersky, M. S. (1984). Comparison of IRT true-score and equipercentile
    observed-score "equatings". Applied Psychological Measurement 8, 453-461.
    """
    K = np.asarray(n_categories, dtype=np.int64)
    L = np.ones((probabilities.shape[0], 1))
    for j in range(K.size):
        nxt = np.zeros((L.shape[0], L.shape[1] + K[j] - 1))
        for x in range(K[j]):
            nxt[:, x : x + L.shape[1]] += L * probabilities[:, j, x, None]
        L = nxt
    return L


def item_fit(
    responses: npt.ArrayLike,
    parameters: ItemParameters,
    *,
    theta: npt.ArrayLike | None = None,
    n_estimated: npt.ArrayLike | None = None,
    mincell: float = 1.0,
    n_nodes: int = 61,
    theta_range: float = 6.0,
) -> ItemFitResult:
    """Compute S-X2 and, given abilities, infit/outfit for every item.

    Parameters
    ----------
    responses : array_like, shape (n_persons, n_items)
        Category scores ``0..K-1``; :data:`MISSING` (``NaN``) for no response.
    parameters : ItemParameters
        Calibrated parameters, on a scale where abilities are N(0, 1).
    theta : array_like, shape (n_persons,), optional
        Ability estimates (e.g. EAP from ``score``) for infit/outfit.
    n_estimated : array_like of int, shape (n_items,), optional
        Estimated parameters per item, subtracted from the df. Defaults to the model's count
        (Rasch/1PL 1, 2PL 2, 3PL 3, GRM/GPCM K); pass zeros for known parameters.
    mincell : float
        Minimum expected count per cell before neighbouring score groups are merged
        (``mirt``'s ``mincell``).
    n_nodes, theta_range : int, float
        Rectangular quadrature over ``[-theta_range, theta_range]`` with N(0, 1) weights
        (``mirt``'s default 61 points on [-6, 6]).

    Returns
    -------
    ItemFitResult

    Raises
    ------
    ResponseDataError
        If the responses do not match the parameters or fewer than two rows are complete.

    Notes
    -----
    Cells are collapsed as ``mirt`` does: score groups nobody reached are dropped, groups with
    one person join the next group, cells of polytomous items with expected count below
    ``mincell`` are merged into a neighbouring category of the same group, and then any group
    still holding a cell with ``0 < E < mincell`` joins its neighbour with the fewer persons.
    ``mirt`` additionally drops very rare top categories of polytomous items; we do not, so
    polytomous df may differ slightly.

    References
    ----------
    Orlando, M., & Thissen, D. (2000). Likelihood-based item-fit indices for dichotomous item
    response theory models. Applied Psychological Measurement 24, 50-64.
    Kang, T., & Chen, T. T. (2008). Performance of the generalized S-X2 item fit index for
    polytomous IRT models. Journal of Educational Measurement 45, 391-406.
    """
    X = _as_responses(responses, parameters)
    K = parameters.n_categories
    n_est = _n_estimated(parameters, n_estimated)
    complete = X[~np.isnan(X).any(axis=1)].astype(np.int64)
    if complete.shape[0] < 2:
        raise ResponseDataError("S-X2 needs at least two complete response rows")
    nodes = np.linspace(-theta_range, theta_range, n_nodes)
    weights = stats.norm.pdf(nodes)
    weights /= weights.sum()
    P = category_probabilities(nodes, parameters)
    full = weights @ summed_score_likelihood(P, K)  # P(summed score = s)
    totals = complete.sum(axis=1)
    n_by_score = np.bincount(totals, minlength=full.size).astype(np.float64)
    chi2, df = np.full(K.size, np.nan), np.full(K.size, np.nan)
    for j in range(K.size):
        rest = summed_score_likelihood(np.delete(P, j, axis=1), np.delete(K, j))
        expected = _expected_table(P[:, j, : K[j]], rest, weights, full) * n_by_score[:, None]
        observed = np.zeros_like(expected)
        np.add.at(observed, (totals, complete[:, j]), 1.0)
        # Scores 0 and the maximum carry no information about the item (Orlando-Thissen).
        obs, expd = _collapse(observed[1:-1], expected[1:-1], mincell)
        chi2[j], df[j] = _sx2(obs, expd, n_est[j])
    p = np.where(df > 0, stats.chi2.sf(chi2, np.maximum(df, 1)), np.nan)
    infit, outfit, infit_z, outfit_z = (np.full(K.size, np.nan) for _ in range(4))
    if theta is not None:
        moments = _residual_moments(X, parameters, theta)
        infit, outfit, infit_z, outfit_z = _mean_squares(*moments, axis=0)
    return ItemFitResult(chi2, df, p, infit, outfit, infit_z, outfit_z, int(complete.shape[0]))


def person_fit(
    responses: npt.ArrayLike, parameters: ItemParameters, theta: npt.ArrayLike
) -> PersonFitResult:
    """Compute lz and infit/outfit for every person.

    Parameters
    ----------
    responses : array_like, shape (n_persons, n_items)
        Category scores ``0..K-1``; :data:`MISSING` (``NaN``) for items not answered, which are
        left out of the person's sums.
    parameters : ItemParameters
    theta : array_like, shape (n_persons,)
        Ability estimates (EAP, MAP or ML; ``mirt::personfit`` uses EAP).

    Returns
    -------
    PersonFitResult

    Raises
    ------
    ResponseDataError
        If the responses do not match the parameters or ``theta``.

    References
    ----------
    Drasgow, F., Levine, M. V., & Williams, expd. A. (1985). Appropriateness measurement with
    polychotomous item response models and standardized indices. British Journal of
    Mathematical and Statistical Psychology 38, 67-86.
    Wright, B. D., & Masters, G. N. (1982). Rating Scale Analysis. MESA Press.
    """
    X = _as_responses(responses, parameters)
    P, seen, _ = _person_probabilities(X, parameters, theta)
    with np.errstate(divide="ignore"):
        logP = np.where(P > 0, np.log(P), 0.0)
    x = np.nan_to_num(X).astype(np.int64)
    observed_ll = np.take_along_axis(logP, x[:, :, None], axis=2)[:, :, 0]
    mean_ll = (P * logP).sum(axis=2)
    var_ll = (P * logP**2).sum(axis=2) - mean_ll**2
    l0 = np.where(seen, observed_ll, 0.0).sum(axis=1)
    expected = np.where(seen, mean_ll, 0.0).sum(axis=1)
    variance = np.where(seen, var_ll, 0.0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        lz = np.where(variance > 0, (l0 - expected) / np.sqrt(variance), np.nan)
    moments = _residual_moments(X, parameters, theta)
    infit, outfit, infit_z, outfit_z = _mean_squares(*moments, axis=1)
    return PersonFitResult(lz, infit, outfit, infit_z, outfit_z)


def _as_responses(responses: npt.ArrayLike, parameters: ItemParameters) -> FloatArray:
    X = np.asarray(responses, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != parameters.n_items:
        raise ResponseDataError(
            f"responses must have shape (n_persons, {parameters.n_items}), got {X.shape}"
        )
    seen = ~np.isnan(X)
    n_cat = np.broadcast_to(parameters.n_categories, X.shape)
    bad = seen & ((X < 0) | (n_cat <= X) | (np.round(X) != X))
    if bad.any():
        person, item = np.argwhere(bad)[0]
        raise ResponseDataError(
            f"response {X[person, item]} of person {person} to item {item} is not a category "
            f"0..{n_cat[person, item] - 1}"
        )
    return X


def _n_estimated(parameters: ItemParameters, n_estimated: npt.ArrayLike | None) -> FloatArray:
    if n_estimated is not None:
        out = np.asarray(n_estimated, dtype=np.float64)
        if out.shape != (parameters.n_items,):
            raise ValueError(f"n_estimated must have shape ({parameters.n_items},)")
        return out
    K = parameters.n_categories
    return np.array(
        [_FREE_PARAMETERS.get(m, int(K[j])) for j, m in enumerate(parameters.models)],
        dtype=np.float64,
    )


def _expected_table(
    item_p: FloatArray, rest: FloatArray, weights: FloatArray, full: FloatArray
) -> FloatArray:
    """P(item = x | summed score = s), shape (n_scores, K), from the leave-one-out recursion."""
    n_scores, K = full.size, item_p.shape[1]
    table = np.zeros((n_scores, K))
    for x in range(K):
        # P(item = x, total = s) = sum_q w_q P_x(q) L_rest(q, s - x)
        table[x : x + rest.shape[1], x] = (weights * item_p[:, x]) @ rest
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(full[:, None] > 0, table / full[:, None], 0.0)


def _merge_rows(
    obs: FloatArray, expd: FloatArray, src: int, dst: int
) -> tuple[FloatArray, FloatArray]:
    obs[dst] += obs[src]
    expd[dst] += expd[src]
    return np.delete(obs, src, axis=0), np.delete(expd, src, axis=0)


def _collapse(obs: FloatArray, expd: FloatArray, mincell: float) -> tuple[FloatArray, FloatArray]:
    keep = obs.sum(axis=1) > 0
    obs, expd = obs[keep].copy(), expd[keep].copy()
    i = 0
    while i < obs.shape[0] - 1:  # a lone person cannot form a group
        if obs[i].sum() == 1:
            obs, expd = _merge_rows(obs, expd, i, i + 1)
        else:
            i += 1
    if obs.shape[0] > 1 and obs[-1].sum() == 1:
        obs, expd = _merge_rows(obs, expd, obs.shape[0] - 1, obs.shape[0] - 2)
    if obs.shape[1] > 2:
        for row in range(obs.shape[0]):
            _collapse_categories(obs[row], expd[row], mincell)
    while obs.shape[0] > 1:
        sparse = ((expd > 0) & (expd < mincell)).any(axis=1)
        if not sparse.any():
            break
        row = int(np.argmax(sparse))
        if row == 0:
            dst = 1
        elif row == obs.shape[0] - 1:
            dst = row - 1
        else:  # join the neighbour with fewer persons (the lower one on ties, as mirt)
            dst = row - 1 if obs[row - 1].sum() <= obs[row + 1].sum() else row + 1
        obs, expd = _merge_rows(obs, expd, row, dst)
    return obs, expd


def _collapse_categories(o: FloatArray, e: FloatArray, mincell: float) -> None:
    """Merge a score group's sparse categories into neighbours, in place (0 = merged away)."""
    while True:
        live = np.flatnonzero(e > 0)
        if live.size <= 2 or e[live].min() >= mincell:
            return
        at = live[np.flatnonzero(e[live] == e[live].min())[-1]]
        pos = int(np.searchsorted(live, at))
        if pos == 0:
            dst = live[1]
        elif pos == live.size - 1:
            dst = live[-2]
        else:
            dst = live[pos - 1] if e[live[pos - 1]] <= e[live[pos + 1]] else live[pos + 1]
        o[dst] += o[at]
        e[dst] += e[at]
        o[at] = e[at] = 0.0


def _sx2(obs: FloatArray, expd: FloatArray, n_estimated: float) -> tuple[float, float]:
    cells = expd > 0
    df = float(cells.sum() - obs.shape[0] - n_estimated)
    if df <= 0:
        return float("nan"), df
    return float(((obs[cells] - expd[cells]) ** 2 / expd[cells]).sum()), df


def _person_probabilities(
    X: FloatArray, parameters: ItemParameters, theta: npt.ArrayLike
) -> tuple[FloatArray, npt.NDArray[np.bool_], FloatArray]:
    t = np.asarray(theta, dtype=np.float64)
    if t.shape != (X.shape[0],) or not np.all(np.isfinite(t)):
        raise ResponseDataError(f"theta must be {X.shape[0]} finite abilities, got {t.shape}")
    return category_probabilities(t, parameters), ~np.isnan(X), t


def _residual_moments(
    X: FloatArray, parameters: ItemParameters, theta: npt.ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    """Squared residuals, variances and fourth central moments, shape (n_persons, n_items)."""
    P, seen, _ = _person_probabilities(X, parameters, theta)
    k = np.arange(P.shape[2], dtype=np.float64)
    mean = P @ k
    dev = k[None, None, :] - mean[:, :, None]
    W = (P * dev**2).sum(axis=2)
    C = (P * dev**4).sum(axis=2)
    y2 = np.where(seen, (np.nan_to_num(X) - mean) ** 2, 0.0)
    return y2, np.where(seen, W, 0.0), np.where(seen, C, 0.0), seen


def _mean_squares(
    y2: FloatArray, W: FloatArray, C: FloatArray, seen: npt.NDArray[np.bool_], *, axis: int
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    n = seen.sum(axis=axis).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Outfit: mean of squared standardised residuals; infit: information-weighted.
        outfit = np.where(seen, y2 / W, 0.0).sum(axis=axis) / n
        infit = y2.sum(axis=axis) / W.sum(axis=axis)
        # Wright & Masters (1982) variances of the mean squares for the Wilson-Hilferty cube root.
        q_out = np.sqrt(np.maximum(np.where(seen, C / W**2, 0.0).sum(axis=axis) / n**2 - 1 / n, 0))
        q_in = np.sqrt(np.maximum((C - W**2).sum(axis=axis) / W.sum(axis=axis) ** 2, 0))
        outfit_z = (np.cbrt(outfit) - 1.0) * (3.0 / q_out) + q_out / 3.0
        infit_z = (np.cbrt(infit) - 1.0) * (3.0 / q_in) + q_in / 3.0
    return infit, outfit, infit_z, outfit_z
