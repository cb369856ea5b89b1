"""EM iterations with SQUAREM extrapolation (Varadhan & Roland 2008, scheme SqS3) (internal).

Plain EM converges linearly, slowly when much information is missing (few items per
person). SQUAREM combines two EM steps into one extrapolated step and keeps it only when the
marginal log-likelihood does not fall, so the result is the same fixed point as plain EM.

References
----------
Varadhan, R. & Roland, C. (2008). Simple and globally convergent methods for accelerating the
convergence of any EM algorithm. *Scandinavian Journal of Statistics* 35, 335-353.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .parameters import FloatArray

EmMap = Callable[[FloatArray], tuple[FloatArray, float]]
Valid = Callable[[FloatArray], bool]


@dataclass(frozen=True)
class EmTrace:
    """Outcome of the iterations."""

    x: FloatArray
    loglik: float
    iterations: int
    max_change: float
    converged: bool


def iterate(
    em: EmMap, x0: FloatArray, valid: Valid, *, tol: float, max_iter: int, accelerate: bool,
    ll_slack: float = 1e-9,
) -> EmTrace:  # fmt: skip
    """Iterate the EM map ``em`` (returning the next point and the log-likelihood at its input).

    Converged when one EM step moves no parameter by more than ``tol`` (mirt's criterion).
    ``iterations`` counts EM maps, i.e. E-steps. An extrapolated point is kept when its
    log-likelihood is not below the previous one by more than ``ll_slack`` (relative), which
    absorbs float32 rounding in the E-step.
    """
    x, n_evals, step_max = x0, 0, 1.0
    change, ll = np.inf, -np.inf
    while n_evals < max_iter:
        x1, ll = em(x)
        n_evals += 1
        r = x1 - x
        change = float(np.max(np.abs(r))) if r.size else 0.0
        if change < tol:
            return EmTrace(x1, ll, n_evals, change, True)
        if not accelerate or n_evals + 2 > max_iter:
            x = x1
            continue
        x2, ll1 = em(x1)
        n_evals += 1
        second = float(np.max(np.abs(x2 - x1)))
        if second < tol:
            return EmTrace(x2, ll1, n_evals, second, True)
        v = x2 - x1 - r
        norm_v = float(np.linalg.norm(v))
        alpha = -float(np.linalg.norm(r)) / norm_v if norm_v > 0 else -1.0
        alpha = max(min(alpha, -1.0), -step_max)
        if alpha == -step_max:
            step_max *= 4.0  # the bound was active: allow longer steps next time
        x_new = x - 2 * alpha * r + alpha**2 * v  # alpha = -1 gives x2, plain EM
        if not (np.all(np.isfinite(x_new)) and valid(x_new)):
            x_new, step_max = x2, max(1.0, step_max / 4.0)
        x3, ll_new = em(x_new)
        n_evals += 1
        if np.isfinite(ll_new) and ll_new >= ll1 - ll_slack * abs(ll1):
            x = x3
        else:  # the extrapolation overshot: fall back to the two plain EM steps
            step_max = max(1.0, step_max / 4.0)
            x = x2
    return EmTrace(x, ll, n_evals, change, False)
