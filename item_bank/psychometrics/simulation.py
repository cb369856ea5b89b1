"""Simulated responses for recovery tests, power studies and CAT simulations."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .parameters import FloatArray, ItemParameters
from .response_functions import category_probabilities

__all__ = ["simulate_responses"]


def simulate_responses(
    parameters: ItemParameters,
    theta: npt.ArrayLike,
    *,
    rng: np.random.Generator,
    missing_rate: float = 0.0,
) -> FloatArray:
    """Draw responses of persons with abilities ``theta`` to the items in ``parameters``.

    Parameters
    ----------
    parameters : ItemParameters
    theta : array_like, shape (n_persons,)
    rng : numpy.random.Generator
        Source of randomness (pass a seeded generator for reproducible data).
    missing_rate : float
        Probability that a cell is set to ``MISSING`` (NaN), completely at random.

    Returns
    -------
    ndarray, shape (n_persons, n_items)
        Categories ``0..K-1`` as floats, NaN where missing.
    """
    if not 0.0 <= missing_rate < 1.0:
        raise ValueError(f"missing_rate must lie in [0, 1), got {missing_rate}")
    t = np.atleast_1d(np.asarray(theta, dtype=np.float64))
    out = np.empty((t.size, parameters.n_items))
    # chunks keep the (persons, items, categories) probability array small
    for start in range(0, t.size, 20_000):
        probs = category_probabilities(t[start : start + 20_000], parameters)
        cumulative = np.cumsum(probs, axis=2)
        u = rng.random(cumulative.shape[:2])[..., None]
        out[start : start + 20_000] = np.minimum(
            (u > cumulative).sum(axis=2), parameters.n_categories - 1
        )
    if missing_rate > 0:
        out[rng.random(out.shape) < missing_rate] = np.nan
    return out
