"""Classical test theory: item facility, discrimination, distractors and reliability.

What Moodle's quiz statistics report shows (facility index, discrimination index, discriminative
efficiency, effective weight, standard deviation, Cronbach's alpha, standard error) plus the
classical upper/lower 27 % discrimination index and a distractor table by score group.

Missing responses are ``NaN`` (:data:`MISSING`). Two policies are offered because the two
usual sources of missingness call for different treatment:

``missing="pairwise"`` (default)
    A ``NaN`` means "not presented" (random forms, CAT, adaptive quizzes). Each item's statistics
    use the persons who saw the item; a person's total is the sum of the items they saw; the
    covariance matrix behind alpha is built from pairwise-complete cases (as ``psych::alpha``
    with ``use="pairwise"``).
``missing="zero"``
    A ``NaN`` means "seen but not answered" and scores 0, which is what Moodle does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from item_bank.psychometrics.errors import ResponseDataError
from item_bank.psychometrics.responses import MISSING

__all__ = [
    "MISSING",
    "CTTResult",
    "DistractorAnalysis",
    "ctt",
    "score_choices",
]

FloatArray = npt.NDArray[np.float64]

UPPER_LOWER_FRACTION = 0.27  # Kelley (1939): 27 % tails maximise the D index's precision


@dataclass(frozen=True, slots=True)
class DistractorAnalysis:
    """Option choice proportions of one multiple-choice item.

    Attributes
    ----------
    item : int
        Column index of the item.
    key : str
        The correct option.
    options : tuple of str
        Options seen in the data (sorted), the key included even if nobody chose it.
    proportion : ndarray, shape (n_options,)
        Share of the persons who answered the item that chose each option.
    upper, lower : ndarray, shape (n_options,)
        The same shares in the top and bottom 27 % of total scores.
    groups : ndarray, shape (n_groups, n_options)
        The shares within score groups of near-equal size, lowest scores first.
    rest_correlation : ndarray, shape (n_options,)
        Point-biserial correlation of choosing the option with the rest score (the total without
        this item). A distractor should have a negative value, the key a positive one.
    omitted : float
        Share of persons with no choice recorded.
    """

    item: int
    key: str
    options: tuple[str, ...]
    proportion: FloatArray
    upper: FloatArray
    lower: FloatArray
    groups: FloatArray
    rest_correlation: FloatArray
    omitted: float


@dataclass(frozen=True, slots=True)
class CTTResult:
    """Classical item and test statistics.

    All per-item arrays have shape ``(n_items,)``; percentages follow Moodle only in
    :attr:`effective_weight`, every other value is a proportion or a correlation.

    Attributes
    ----------
    n_persons : ndarray of int
        Persons with a response to each item.
    mean, sd : ndarray
        Mean and standard deviation (ddof=1) of the item score.
    max_score : ndarray
        Maximum score of each item (given or observed).
    facility : ndarray
        Mean score divided by the maximum score (the p value for 0/1 items; Moodle's facility).
    item_total_correlation : ndarray
        Pearson correlation of the item with the total including it (the point-biserial).
    item_rest_correlation : ndarray
        Corrected item-total correlation: with the total of the other items (Moodle's
        "discrimination index", there shown times 100).
    discriminative_efficiency : ndarray
        Item-rest covariance divided by the largest covariance the same two marginal
        distributions allow (sorted pairing), as Moodle computes it.
    discrimination_upper_lower : ndarray
        Facility in the top 27 % minus facility in the bottom 27 % of total scores.
    effective_weight : ndarray
        Share (in %) of the total-score variance due to each item, Moodle's formula
        ``100 * sqrt(cov(item, total)) / sum(sqrt(cov(i, total)))``; NaN when the covariance is
        negative (Moodle then shows nothing).
    alpha : float
        Cronbach's alpha (equals KR-20 when every item is 0/1).
    kr20 : float or None
        KR-20, given only when every item is scored 0/1.
    alpha_if_deleted : ndarray
        Alpha of the test without each item.
    total_mean, total_sd : float
        Mean and standard deviation of the total score.
    sem : float
        Standard error of measurement ``total_sd * sqrt(1 - alpha)``.
    distractors : tuple of DistractorAnalysis
        One per item when raw choices and keys were given, else empty.
    """

    n_persons: npt.NDArray[np.int64]
    mean: FloatArray
    sd: FloatArray
    max_score: FloatArray
    facility: FloatArray
    item_total_correlation: FloatArray
    item_rest_correlation: FloatArray
    discriminative_efficiency: FloatArray
    discrimination_upper_lower: FloatArray
    effective_weight: FloatArray
    alpha: float
    kr20: float | None
    alpha_if_deleted: FloatArray
    total_mean: float
    total_sd: float
    sem: float
    distractors: tuple[DistractorAnalysis, ...]


def score_choices(choices: npt.ArrayLike, keys: Sequence[object]) -> FloatArray:
    """Score raw multiple-choice answers against keys.

    Parameters
    ----------
    choices : array_like, shape (n_persons, n_items)
        Raw options as strings or numbers; ``None``, ``""`` or ``NaN`` mean no answer.
    keys : sequence, length n_items
        The correct option of each item (compared as strings).

    Returns
    -------
    ndarray, shape (n_persons, n_items)
        1.0 for the key, 0.0 for another option, :data:`MISSING` for no answer.

    Raises
    ------
    ValueError
        If the shapes disagree.
    """
    labels = _choice_labels(choices)
    if len(keys) != labels.shape[1]:
        raise ValueError(f"got {len(keys)} keys for {labels.shape[1]} items")
    key_row = np.array([str(k) for k in keys], dtype=object)
    scored = (labels == key_row).astype(np.float64)
    scored[labels == ""] = np.nan
    return scored


def ctt(
    responses: npt.ArrayLike | None,
    *,
    keys: Sequence[object] | None = None,
    choices: npt.ArrayLike | None = None,
    max_scores: npt.ArrayLike | None = None,
    missing: Literal["pairwise", "zero"] = "pairwise",
    n_groups: int = 5,
) -> CTTResult:
    """Compute classical item statistics and test reliability.

    Parameters
    ----------
    responses : array_like, shape (n_persons, n_items)
        Item scores (0/1 or polytomous, e.g. 0-4 marks); :data:`MISSING` (``NaN``) for no
        response. May be ``None`` when ``choices`` and ``keys`` are given: the choices are then
        scored with :func:`score_choices`.
    keys : sequence, length n_items, optional
        Correct options, needed for the distractor analysis.
    choices : array_like, shape (n_persons, n_items), optional
        Raw options chosen, needed for the distractor analysis.
    max_scores : array_like, shape (n_items,), optional
        Maximum score of each item; defaults to the largest observed score (at least 1).
    missing : {"pairwise", "zero"}
        How ``NaN`` is treated; see the module docstring.
    n_groups : int
        Number of score groups in the distractor tables.

    Returns
    -------
    CTTResult

    Raises
    ------
    ResponseDataError
        If ``responses`` is not 2-D with at least two persons and two items, or holds
        negative scores (a ``ValueError`` subclass).
    ValueError
        If ``choices`` and ``keys`` are not given together or disagree in shape.

    References
    ----------
    Moodle Docs, "Quiz statistics calculations" (facility, discrimination index,
    discriminative efficiency, effective weight).
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    Psychometrika 16, 297-334.
    """
    if (keys is None) != (choices is None):
        raise ValueError("choices and keys must be given together")
    if responses is None:
        if keys is None or choices is None:
            raise ValueError("responses are required unless choices and keys are given")
        responses = score_choices(choices, keys)
    X = _as_scores(responses)
    if missing == "zero":
        X = np.nan_to_num(X, nan=0.0)
    elif missing != "pairwise":
        raise ValueError(f"missing must be 'pairwise' or 'zero', got {missing!r}")
    observed = ~np.isnan(X)
    Xz = np.where(observed, X, 0.0)
    total = Xz.sum(axis=1)
    maxs = _max_scores(X, max_scores)
    stats = _item_statistics(X, observed, total, maxs)
    alpha, alpha_deleted, total_var = _reliability(X)
    total_sd = float(np.sqrt(total_var))
    distractors: tuple[DistractorAnalysis, ...] = ()
    if keys is not None and choices is not None:
        distractors = _distractor_tables(_choice_labels(choices), keys, Xz, total, n_groups)
    dichotomous = bool(np.all(np.isin(X[observed], (0.0, 1.0))))
    return CTTResult(
        **stats,
        alpha=alpha,
        kr20=alpha if dichotomous else None,
        alpha_if_deleted=alpha_deleted,
        total_mean=float(total.mean()),
        total_sd=total_sd,
        sem=float(total_sd * np.sqrt(max(0.0, 1.0 - alpha))),
        distractors=distractors,
    )


def _as_scores(responses: npt.ArrayLike) -> FloatArray:
    X = np.asarray(responses, dtype=np.float64)
    if X.ndim != 2:
        raise ResponseDataError(f"responses must be 2-D (n_persons, n_items), got {X.ndim}-D")
    if X.shape[0] < 2 or X.shape[1] < 2:
        raise ResponseDataError(f"need at least 2 persons and 2 items, got shape {X.shape}")
    if np.any(X[~np.isnan(X)] < 0):
        raise ResponseDataError("item scores must be non-negative")
    return X


def _max_scores(X: FloatArray, max_scores: npt.ArrayLike | None) -> FloatArray:
    if max_scores is None:
        return np.maximum(np.nan_to_num(np.nanmax(X, axis=0, initial=0.0)), 1.0)
    maxs = np.asarray(max_scores, dtype=np.float64)
    if maxs.shape != (X.shape[1],) or np.any(maxs <= 0):
        raise ValueError(f"max_scores must be {X.shape[1]} positive numbers")
    return maxs


def _corr(x: FloatArray, y: FloatArray) -> float:
    # NaN rather than a warning when one side is constant: the statistic is undefined.
    sx, sy = x.std(), y.std()
    if x.size < 2 or sx == 0 or sy == 0:
        return float("nan")
    return float(np.mean((x - x.mean()) * (y - y.mean())) / (sx * sy))


def _item_statistics(
    X: FloatArray, observed: npt.NDArray[np.bool_], total: FloatArray, maxs: FloatArray
) -> dict[str, FloatArray | npt.NDArray[np.int64]]:
    n_items = X.shape[1]
    order = np.argsort(total, kind="stable")
    n_tail = max(1, int(np.ceil(UPPER_LOWER_FRACTION * X.shape[0])))
    lower, upper = order[:n_tail], order[-n_tail:]
    out = {
        name: np.full(n_items, np.nan)
        for name in ("mean", "sd", "itc", "irc", "eff", "dul", "cov_total")
    }
    for j in range(n_items):
        seen = observed[:, j]
        x, t = X[seen, j], total[seen]
        rest = t - x
        out["mean"][j] = x.mean() if x.size else np.nan
        out["sd"][j] = x.std(ddof=1) if x.size > 1 else np.nan
        out["itc"][j] = _corr(x, t)
        out["irc"][j] = _corr(x, rest)
        out["eff"][j] = _efficiency(x, rest)
        out["dul"][j] = (_nanmean(X[upper, j]) - _nanmean(X[lower, j])) / maxs[j]
        out["cov_total"][j] = np.mean((x - x.mean()) * (t - t.mean())) if x.size else np.nan
    root = np.sqrt(np.where(out["cov_total"] > 0, out["cov_total"], np.nan))
    return {
        "n_persons": observed.sum(axis=0).astype(np.int64),
        "mean": out["mean"],
        "sd": out["sd"],
        "max_score": maxs,
        "facility": out["mean"] / maxs,
        "item_total_correlation": out["itc"],
        "item_rest_correlation": out["irc"],
        "discriminative_efficiency": out["eff"],
        "discrimination_upper_lower": out["dul"],
        "effective_weight": 100.0 * root / np.nansum(root),
    }


def _nanmean(x: FloatArray) -> float:
    x = x[~np.isnan(x)]
    return float(x.mean()) if x.size else float("nan")


def _efficiency(x: FloatArray, rest: FloatArray) -> float:
    # Moodle: the largest covariance two marginals allow pairs their sorted values.
    if x.size < 2:
        return float("nan")
    cov = np.mean((x - x.mean()) * (rest - rest.mean()))
    xs, rs = np.sort(x), np.sort(rest)
    cov_max = np.mean((xs - xs.mean()) * (rs - rs.mean()))
    return float(cov / cov_max) if cov_max > 0 else float("nan")


def _pairwise_cov(X: FloatArray) -> FloatArray:
    """Covariance matrix from pairwise-complete cases (ddof=1)."""
    obs = (~np.isnan(X)).astype(np.float64)
    Xz = np.nan_to_num(X)
    n = obs.T @ obs
    sx = Xz.T @ obs  # sx[i, j]: sum of item i over persons who have both i and j
    sxy = Xz.T @ Xz
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = (sxy - sx * sx.T / n) / (n - 1)
    return np.where(n > 1, cov, np.nan)


def _alpha_from_cov(cov: FloatArray) -> float:
    k = cov.shape[0]
    total_var = cov.sum()
    if k < 2 or not np.isfinite(total_var) or total_var <= 0:
        return float("nan")
    return float(k / (k - 1) * (1.0 - np.trace(cov) / total_var))


def _reliability(X: FloatArray) -> tuple[float, FloatArray, float]:
    cov = _pairwise_cov(X)
    k = cov.shape[0]
    deleted = np.empty(k)
    for j in range(k):
        keep = np.arange(k) != j
        deleted[j] = _alpha_from_cov(cov[np.ix_(keep, keep)])
    return _alpha_from_cov(cov), deleted, float(cov.sum())


def _choice_labels(choices: npt.ArrayLike) -> npt.NDArray[np.object_]:
    raw = np.asarray(choices, dtype=object)
    if raw.ndim != 2:
        raise ValueError(f"choices must be 2-D (n_persons, n_items), got {raw.ndim}-D")
    return np.vectorize(_label, otypes=[object])(raw)


def _label(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 3.0 from a float CSV column is option "3"
    return str(value)


def _distractor_tables(
    labels: npt.NDArray[np.object_],
    keys: Sequence[object],
    scores: FloatArray,
    total: FloatArray,
    n_groups: int,
) -> tuple[DistractorAnalysis, ...]:
    if labels.shape != scores.shape:
        raise ValueError(f"choices shape {labels.shape} differs from responses {scores.shape}")
    if len(keys) != labels.shape[1]:
        raise ValueError(f"got {len(keys)} keys for {labels.shape[1]} items")
    if n_groups < 2:
        raise ValueError(f"n_groups must be at least 2, got {n_groups}")
    order = np.argsort(total, kind="stable")
    n_tail = max(1, int(np.ceil(UPPER_LOWER_FRACTION * len(total))))
    groups = np.array_split(order, n_groups)
    return tuple(
        _distractor_table(
            j, _label(keys[j]), labels[:, j], scores[:, j], total, order, n_tail, groups
        )
        for j in range(labels.shape[1])
    )


def _distractor_table(
    j: int,
    key: str,
    col: npt.NDArray[np.object_],
    score: FloatArray,
    total: FloatArray,
    order: npt.NDArray[np.intp],
    n_tail: int,
    groups: list[npt.NDArray[np.intp]],
) -> DistractorAnalysis:
    options = tuple(sorted(set(col[col != ""].tolist()) | {key}))
    chosen = np.stack([col == o for o in options], axis=1).astype(np.float64)
    answered = col != ""

    def shares(rows: npt.NDArray[np.intp]) -> FloatArray:
        rows = rows[answered[rows]]
        return chosen[rows].mean(axis=0) if rows.size else np.full(len(options), np.nan)

    rest = (total - score)[answered]
    return DistractorAnalysis(
        item=j,
        key=key,
        options=options,
        proportion=shares(np.arange(len(col))),
        upper=shares(order[-n_tail:]),
        lower=shares(order[:n_tail]),
        groups=np.stack([shares(g) for g in groups]),
        rest_correlation=np.array([_corr(chosen[answered, i], rest) for i in range(len(options))]),
        omitted=float(1.0 - answered.mean()),
    )
