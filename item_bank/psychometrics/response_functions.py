"""Item response functions and Fisher information (1PL/Rasch, 2PL, 3PL, GRM, GPCM).

All functions broadcast a 1-D ``theta`` of shape (n_theta,) against item arrays of shape
(n_items,) and return arrays whose first axis is theta: (n_theta, n_items) for probabilities
of a correct answer and information, (n_theta, n_items, K) for category probabilities.
See :mod:`item_bank.psychometrics.parameters` for the parametrisation (slope-intercept form,
``logit P = a * theta + d``, as in R mirt).

References
----------
Baker, F. B. & Kim, S.-H. (2004). *Item Response Theory: Parameter Estimation Techniques*
(2nd ed.). Marcel Dekker. (information functions, ch. 2 and 9)
Samejima, F. (1969). Estimation of latent ability using a response pattern of graded scores.
Muraki, E. (1992). A generalized partial credit model. *Applied Psychological Measurement* 16.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.special import expit, log_expit, logsumexp

from .parameters import FloatArray, ItemParameters

__all__ = [
    "category_probabilities",
    "category_probabilities_gpcm",
    "category_probabilities_grm",
    "expected_score",
    "information_dichotomous",
    "information_gpcm",
    "information_grm",
    "item_information",
    "log_category_probabilities",
    "probability_correct",
    "test_information",
]


def _theta(theta: npt.ArrayLike) -> FloatArray:
    t = np.asarray(theta, dtype=np.float64)
    if t.ndim > 1:
        raise ValueError(f"theta must be a scalar or 1-D, got shape {t.shape}")
    return np.atleast_1d(t)[:, None]


def probability_correct(
    theta: npt.ArrayLike,
    discrimination: npt.ArrayLike,
    intercept: npt.ArrayLike,
    guessing: npt.ArrayLike = 0.0,
) -> FloatArray:
    """Probability of a correct answer under the 1PL/2PL/3PL model.

    ``P = c + (1 - c) * expit(a * theta + d)``.

    Parameters
    ----------
    theta : array_like, shape (n_theta,)
    discrimination, intercept, guessing : array_like, shape (n_items,) or scalar

    Returns
    -------
    ndarray, shape (n_theta, n_items)
    """
    a, d, c = (
        np.atleast_1d(np.asarray(v, dtype=np.float64))
        for v in (discrimination, intercept, guessing)
    )
    return c + (1.0 - c) * expit(_theta(theta) * a + d)


def information_dichotomous(
    theta: npt.ArrayLike,
    discrimination: npt.ArrayLike,
    intercept: npt.ArrayLike,
    guessing: npt.ArrayLike = 0.0,
) -> FloatArray:
    """Fisher information of dichotomous items, ``(dP/dtheta)^2 / (P (1 - P))``.

    For the 3PL this equals ``a^2 (1-P)/P ((P-c)/(1-c))^2`` (Birnbaum).

    Parameters
    ----------
    theta : array_like, shape (n_theta,)
    discrimination, intercept, guessing : array_like, shape (n_items,) or scalar

    Returns
    -------
    ndarray, shape (n_theta, n_items)
    """
    a, d, c = (
        np.atleast_1d(np.asarray(v, dtype=np.float64))
        for v in (discrimination, intercept, guessing)
    )
    z = _theta(theta) * a + d
    p_star = expit(z)
    q_star = expit(-z)
    # dP/dtheta = (1-c) a P* Q* and 1 - P = (1-c) Q*, so I = a^2 (1-c) P* Q* (P*/P):
    # written this way nothing cancels and P*/P <= 1/(1-c) stays bounded.
    p = c + (1.0 - c) * p_star
    with np.errstate(invalid="ignore", divide="ignore"):
        info = a**2 * (1.0 - c) * p_star * q_star * (p_star / p)
    return np.where(np.isfinite(info), info, 0.0)


def _grm_cumulative(
    theta: FloatArray, a: FloatArray, d: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Boundary logits padded with +inf / -inf, shape (n_theta, n_items, K + 1)."""
    z = theta[:, :, None] * a[None, :, None] + d[None, :, :]
    z = np.where(np.isnan(z), -np.inf, z)
    n_t, n_i, _ = z.shape
    return (
        np.concatenate(
            [np.full((n_t, n_i, 1), np.inf), z, np.full((n_t, n_i, 1), -np.inf)], axis=2
        ),
        z,
    )


def category_probabilities_grm(
    theta: npt.ArrayLike, discrimination: npt.ArrayLike, intercepts: npt.ArrayLike
) -> FloatArray:
    """Category probabilities of Samejima's graded response model.

    ``P(X >= k) = expit(a * theta + d_k)`` and ``P(X = k) = P(X >= k) - P(X >= k + 1)``.

    Parameters
    ----------
    theta : array_like, shape (n_theta,)
    discrimination : array_like, shape (n_items,)
    intercepts : array_like, shape (n_items, K - 1)
        Decreasing ``d_1 > ... > d_{K-1}``, NaN-padded for items with fewer categories.

    Returns
    -------
    ndarray, shape (n_theta, n_items, K)
        Zero for categories an item does not have.
    """
    a = np.atleast_1d(np.asarray(discrimination, dtype=np.float64))
    d = np.atleast_2d(np.asarray(intercepts, dtype=np.float64))
    z, _ = _grm_cumulative(_theta(theta), a, d)
    upper, lower = z[:, :, :-1], z[:, :, 1:]
    # difference of two logistics computed on the side where it does not cancel
    direct = expit(upper) - expit(lower)
    complement = expit(-lower) - expit(-upper)
    return np.clip(np.where(lower > 0, complement, direct), 0.0, 1.0)


def category_probabilities_gpcm(
    theta: npt.ArrayLike, discrimination: npt.ArrayLike, intercepts: npt.ArrayLike
) -> FloatArray:
    """Category probabilities of Muraki's generalised partial credit model.

    ``P(X = k) ∝ exp(k * a * theta + d_k)`` with ``d_0 = 0``.

    Parameters
    ----------
    theta : array_like, shape (n_theta,)
    discrimination : array_like, shape (n_items,)
    intercepts : array_like, shape (n_items, K - 1)
        ``d_1..d_{K-1}``, NaN-padded for items with fewer categories.

    Returns
    -------
    ndarray, shape (n_theta, n_items, K)
    """
    return np.exp(_gpcm_log_probabilities(_theta(theta), discrimination, intercepts))


def _gpcm_log_probabilities(
    theta: FloatArray, discrimination: npt.ArrayLike, intercepts: npt.ArrayLike
) -> FloatArray:
    a = np.atleast_1d(np.asarray(discrimination, dtype=np.float64))
    d = np.atleast_2d(np.asarray(intercepts, dtype=np.float64))
    d = np.concatenate([np.zeros((d.shape[0], 1)), np.where(np.isnan(d), -np.inf, d)], axis=1)
    k = np.arange(d.shape[1], dtype=np.float64)
    z = k[None, None, :] * (theta[:, :, None] * a[None, :, None]) + d[None, :, :]
    return z - logsumexp(z, axis=2, keepdims=True)


def information_grm(
    theta: npt.ArrayLike, discrimination: npt.ArrayLike, intercepts: npt.ArrayLike
) -> FloatArray:
    """Fisher information of graded-response items, ``sum_k (dP_k/dtheta)^2 / P_k``.

    Returns
    -------
    ndarray, shape (n_theta, n_items)
    """
    a = np.atleast_1d(np.asarray(discrimination, dtype=np.float64))
    d = np.atleast_2d(np.asarray(intercepts, dtype=np.float64))
    z, _ = _grm_cumulative(_theta(theta), a, d)
    w = expit(z) * expit(-z)  # derivative of each boundary curve divided by a
    dp = a[None, :, None] * (w[:, :, :-1] - w[:, :, 1:])
    p = category_probabilities_grm(theta, a, d)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, dp**2 / p, 0.0)
    return terms.sum(axis=2)


def information_gpcm(
    theta: npt.ArrayLike, discrimination: npt.ArrayLike, intercepts: npt.ArrayLike
) -> FloatArray:
    """Fisher information of GPCM items, ``a^2 Var(X | theta)``.

    Returns
    -------
    ndarray, shape (n_theta, n_items)
    """
    a = np.atleast_1d(np.asarray(discrimination, dtype=np.float64))
    p = category_probabilities_gpcm(theta, a, intercepts)
    k = np.arange(p.shape[2], dtype=np.float64)
    mean = p @ k
    return a**2 * np.maximum(p @ k**2 - mean**2, 0.0)


def log_category_probabilities(theta: npt.ArrayLike, parameters: ItemParameters) -> FloatArray:
    """Log category probabilities of every item, computed without underflow where possible.

    Parameters
    ----------
    theta : array_like, shape (n_theta,)
    parameters : ItemParameters

    Returns
    -------
    ndarray, shape (n_theta, n_items, max_categories)
        ``-inf`` for categories an item does not have.
    """
    t = _theta(theta)
    out = np.full((t.shape[0], parameters.n_items, parameters.max_categories), -np.inf)
    a, d, c = parameters.discrimination, parameters.intercepts, parameters.guessing
    dich = parameters.is_dichotomous
    if dich.any():
        z = t * a[dich] + d[dich, 0]
        cc = c[dich]
        if not cc.any():  # no guessing: the same values without the logaddexp with log(0)
            out[:, dich, 1] = log_expit(z)
            out[:, dich, 0] = log_expit(-z)
        else:
            _log_guessing(out, dich, z, cc)
    for model in ("grm", "gpcm"):
        sel = np.array([m == model for m in parameters.models], dtype=bool)
        if not sel.any():
            continue
        width = int(np.isfinite(d[sel]).sum(axis=1).max())
        if model == "grm":
            with np.errstate(divide="ignore"):
                logp = np.log(category_probabilities_grm(theta, a[sel], d[sel, :width]))
        else:
            logp = _gpcm_log_probabilities(t, a[sel], d[sel, :width])
        out[:, sel, : width + 1] = logp
    return out


def category_probabilities(theta: npt.ArrayLike, parameters: ItemParameters) -> FloatArray:
    """Category probabilities of every item of a mixed item set.

    Dichotomous items put ``1 - P`` in category 0 and ``P`` in category 1.

    Returns
    -------
    ndarray, shape (n_theta, n_items, max_categories)
        Zero for categories an item does not have.
    """
    return np.exp(log_category_probabilities(theta, parameters))


def expected_score(theta: npt.ArrayLike, parameters: ItemParameters) -> FloatArray:
    """Expected item score ``E[X | theta]`` (categories scored 0..K-1).

    Returns
    -------
    ndarray, shape (n_theta, n_items)
        For dichotomous items this is the probability of a correct answer.
    """
    p = category_probabilities(theta, parameters)
    return p @ np.arange(p.shape[2], dtype=np.float64)


def item_information(theta: npt.ArrayLike, parameters: ItemParameters) -> FloatArray:
    """Fisher information of every item of a mixed item set.

    Returns
    -------
    ndarray, shape (n_theta, n_items)
    """
    t = np.atleast_1d(np.asarray(theta, dtype=np.float64))
    out = np.zeros((t.size, parameters.n_items))
    a, d, c = parameters.discrimination, parameters.intercepts, parameters.guessing
    dich = parameters.is_dichotomous
    if dich.any():
        out[:, dich] = information_dichotomous(t, a[dich], d[dich, 0], c[dich])
    for model, fn in (("grm", information_grm), ("gpcm", information_gpcm)):
        sel = np.array([m == model for m in parameters.models], dtype=bool)
        if sel.any():
            out[:, sel] = fn(t, a[sel], d[sel])
    return out


def test_information(theta: npt.ArrayLike, parameters: ItemParameters) -> FloatArray:
    """Test information, the sum of the item information functions.

    Returns
    -------
    ndarray, shape (n_theta,)
        ``1 / sqrt(test_information)`` is the asymptotic standard error of the ML ability.
    """
    return item_information(theta, parameters).sum(axis=1)


# pytest would collect a module-level function named test_*; tell it this is not a test.
test_information.__test__ = False  # type: ignore[attr-defined]


def _log_guessing(
    out: FloatArray, dich: npt.NDArray[np.bool_], z: FloatArray, cc: FloatArray
) -> None:
    """Dichotomous log probabilities with a lower asymptote ``c``."""
    with np.errstate(divide="ignore"):
        # log(c + (1-c) expit(z)) = logaddexp(log c, log(1-c) + log_expit(z))
        out[:, dich, 1] = np.logaddexp(np.log(cc), np.log1p(-cc) + log_expit(z))
    out[:, dich, 0] = np.log1p(-cc) + log_expit(-z)
