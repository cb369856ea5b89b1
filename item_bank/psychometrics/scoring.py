"""Person scoring: EAP, MAP and ML ability estimates, and EAP sum-score tables."""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
import numpy.typing as npt

from .errors import BoundaryEstimateWarning, ResponseDataError
from .parameters import FloatArray, ItemParameters
from .quadrature import Quadrature
from .response_functions import category_probabilities, log_category_probabilities
from .results import AbilityEstimate, SumScoreTable

__all__ = ["score", "sum_score_table"]

_CHUNK = 20_000  # persons per block: bounds the (persons, items, categories) arrays


def _validate(responses: npt.ArrayLike, parameters: ItemParameters) -> FloatArray:
    x = np.asarray(responses, dtype=np.float64)
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2 or x.shape[1] != parameters.n_items:
        raise ResponseDataError(
            f"responses must have shape (n_persons, {parameters.n_items}), got {x.shape}"
        )
    observed = x[~np.isnan(x)]
    if (
        np.any(observed != np.floor(observed))
        or np.any(observed < 0)
        or np.any(~np.isfinite(observed))
    ):
        raise ResponseDataError("responses must be integer categories 0..K-1 (or MISSING)")
    top = np.where(np.isnan(x), -1, x).max(axis=0) if x.size else np.zeros(0)
    bad = np.flatnonzero(top > parameters.n_categories - 1)
    if bad.size:
        raise ResponseDataError(f"items {bad[:10].tolist()} have responses above K-1")
    return x


def _loglik_at(theta: FloatArray, x: FloatArray, parameters: ItemParameters) -> FloatArray:
    """Log-likelihood of each person's responses at that person's theta, shape (n,)."""
    logp = np.maximum(log_category_probabilities(theta, parameters), -700.0)  # (n, J, K)
    cat = np.where(np.isnan(x), 0, x).astype(np.int64)
    picked = np.take_along_axis(logp, cat[..., None], axis=2)[..., 0]
    return np.where(np.isnan(x), 0.0, picked).sum(axis=1)


def _grid_loglik(x: FloatArray, parameters: ItemParameters, nodes: FloatArray) -> FloatArray:
    """Log-likelihood of every person at every node, shape (n, Q), via one-hot products."""
    logp = np.maximum(log_category_probabilities(nodes, parameters), -700.0)  # (Q, J, K)
    k = parameters.max_categories
    onehot = np.zeros((x.shape[0], parameters.n_items, k))
    rows, items = np.nonzero(~np.isnan(x))
    onehot[rows, items, x[rows, items].astype(np.int64)] = 1.0
    return onehot.reshape(x.shape[0], -1) @ logp.reshape(nodes.size, -1).T


def score(
    responses: npt.ArrayLike,
    parameters: ItemParameters,
    method: Literal["eap", "map", "ml"] = "eap",
    *,
    quadrature: Quadrature | None = None,
    prior_mean: float = 0.0,
    prior_sd: float = 1.0,
    max_iter: int = 100,
    tol: float = 1e-8,
) -> AbilityEstimate:
    """Estimate person abilities from their responses and calibrated item parameters.

    Parameters
    ----------
    responses : array_like, shape (n_persons, n_items) or (n_items,)
        Categories ``0..K-1``; ``MISSING`` (NaN) for items not presented.
    parameters : ItemParameters
    method : {"eap", "map", "ml"}
        Expected a posteriori (quadrature), maximum a posteriori or maximum likelihood
        (both by Newton-Raphson started at the best grid node).
    quadrature : Quadrature, optional
        Grid for EAP and for starting values (default 61 points on [-6, 6]).
    prior_mean, prior_sd : float
        Normal prior of theta (EAP and MAP).
    max_iter, tol : int, float
        Newton iterations for MAP/ML and the step size that stops them.

    Returns
    -------
    AbilityEstimate
        EAP: posterior mean and SD. MAP: mode and ``1/sqrt(-d2 log posterior)``. ML:
        estimate and ``1/sqrt(-d2 log likelihood)``; ``+inf``/``-inf`` with an infinite SE
        for all-highest / all-lowest patterns, NaN for persons without responses.

    Raises
    ------
    ResponseDataError
        Wrong shape or invalid categories.

    Warns
    -----
    BoundaryEstimateWarning
        ML estimates that are infinite or undefined.
    """
    if method not in ("eap", "map", "ml"):
        raise ValueError(f"method must be 'eap', 'map' or 'ml', got {method!r}")
    if not prior_sd > 0:
        raise ValueError(f"prior_sd must be positive, got {prior_sd}")
    x = _validate(responses, parameters)
    quad = Quadrature() if quadrature is None else quadrature
    theta, se = np.empty(x.shape[0]), np.empty(x.shape[0])
    for start in range(0, x.shape[0], _CHUNK):
        block = slice(start, start + _CHUNK)
        theta[block], se[block] = _score_block(
            x[block], parameters, method, quad, prior_mean, prior_sd, max_iter, tol
        )
    if method == "ml":
        _warn_boundary(theta)
    return AbilityEstimate(theta, se, method)


def _score_block(
    x: FloatArray, parameters: ItemParameters, method: str, quad: Quadrature,
    mean: float, sd: float, max_iter: int, tol: float,
) -> tuple[FloatArray, FloatArray]:  # fmt: skip
    nodes = quad.points
    grid = _grid_loglik(x, parameters, nodes)
    log_post = grid if method == "ml" else grid - 0.5 * ((nodes - mean) / sd) ** 2
    if method == "eap":
        w = np.exp(log_post - log_post.max(axis=1, keepdims=True))
        w /= w.sum(axis=1, keepdims=True)
        eap = w @ nodes
        return eap, np.sqrt(np.maximum(w @ nodes**2 - eap**2, 0.0))
    start = nodes[np.argmax(log_post, axis=1)]
    prior_sd = np.inf if method == "ml" else sd
    theta, se = _newton(x, parameters, start, mean, prior_sd, max_iter, tol)
    if method == "ml":
        theta, se = _ml_boundaries(x, parameters, theta, se)
    return theta, se


def _newton(
    x: FloatArray, parameters: ItemParameters, theta: FloatArray, mean: float, sd: float,
    max_iter: int, tol: float,
) -> tuple[FloatArray, FloatArray]:  # fmt: skip
    """Vectorised Newton-Raphson on each person's log posterior (finite-difference slopes)."""

    def objective(t: FloatArray) -> FloatArray:
        return _loglik_at(t, x, parameters) - 0.5 * ((t - mean) / sd) ** 2

    h = 1e-4
    theta = theta.copy()
    for _ in range(max_iter):
        f0, fp, fm = objective(theta), objective(theta + h), objective(theta - h)
        grad, curv = (fp - fm) / (2 * h), (fp - 2 * f0 + fm) / h**2
        # a non-concave point gets a gradient step; steps are limited to 1 logit
        step = np.where(curv < -1e-8, -grad / np.where(curv < -1e-8, curv, 1.0), np.sign(grad))
        step = np.clip(step, -1.0, 1.0)
        theta += step
        if np.all(np.abs(step) < tol) or np.all(~np.isfinite(step) | (np.abs(step) < tol)):
            break
    f0, fp, fm = objective(theta), objective(theta + h), objective(theta - h)
    curv = (fp - 2 * f0 + fm) / h**2
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.where(curv < 0, 1.0 / np.sqrt(-curv), np.inf)
    return theta, se


def _ml_boundaries(
    x: FloatArray, parameters: ItemParameters, theta: FloatArray, se: FloatArray
) -> tuple[FloatArray, FloatArray]:
    seen = ~np.isnan(x)
    top = parameters.n_categories[None, :] - 1
    all_high = seen.any(axis=1) & np.all(~seen | (x == top), axis=1)
    all_low = seen.any(axis=1) & np.all(~seen | (x == 0), axis=1)
    none = ~seen.any(axis=1)
    theta = np.where(all_high, np.inf, np.where(all_low, -np.inf, theta))
    theta = np.where(none, np.nan, theta)
    se = np.where(all_high | all_low, np.inf, np.where(none, np.nan, se))
    return theta, se


def _warn_boundary(theta: FloatArray) -> None:
    infinite, undefined = int(np.isinf(theta).sum()), int(np.isnan(theta).sum())
    if infinite or undefined:
        warnings.warn(
            f"ML ability is infinite for {infinite} all-highest/all-lowest patterns and "
            f"undefined for {undefined} persons without responses; use EAP or MAP for them",
            BoundaryEstimateWarning,
            stacklevel=3,
        )


def sum_score_table(
    parameters: ItemParameters,
    *,
    quadrature: Quadrature | None = None,
    prior_mean: float = 0.0,
    prior_sd: float = 1.0,
) -> SumScoreTable:
    """EAP ability and posterior SD for every summed score (Lord-Wingersky recursion).

    Categories are scored 0..K-1, so the summed score runs from 0 to ``sum(K - 1)``; works
    for dichotomous, polytomous and mixed item sets.

    Parameters
    ----------
    parameters : ItemParameters
    quadrature : Quadrature, optional
    prior_mean, prior_sd : float
        Normal latent distribution.

    Returns
    -------
    SumScoreTable

    References
    ----------
    Lord, F. M. & Wingersky, M. S. (1984). Comparison of IRT true-score and equipercentile
    observed-score "equatings". *Applied Psychological Measurement* 8, 453-461.
    Thissen, D., Pommerich, M., Billeaud, K. & Williams, V. S. L. (1995). Item response
    theory for scores on tests including polytomous items with ordered responses.
    *Applied Psychological Measurement* 19, 39-49.
    """
    quad = Quadrature() if quadrature is None else quadrature
    nodes = quad.points
    probs = category_probabilities(nodes, parameters)  # (Q, J, K)
    k = parameters.n_categories
    likelihood = np.zeros((int((k - 1).sum()) + 1, nodes.size))
    likelihood[0] = 1.0
    top = 0
    for j in range(parameters.n_items):
        new = np.zeros_like(likelihood)
        for cat in range(int(k[j])):
            new[cat : top + cat + 1] += likelihood[: top + 1] * probs[:, j, cat]
        likelihood, top = new, top + int(k[j]) - 1
    joint = likelihood * np.exp(quad.log_weights(prior_mean, prior_sd))
    marginal = joint.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        post = joint / marginal[:, None]
    eap = post @ nodes
    sd = np.sqrt(np.maximum(post @ nodes**2 - eap**2, 0.0))
    return SumScoreTable(np.arange(likelihood.shape[0]), eap, sd, marginal)
