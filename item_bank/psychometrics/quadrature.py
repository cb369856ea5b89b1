"""Fixed quadrature grid for the latent trait and the normal prior weights on it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

from .parameters import FloatArray

__all__ = ["Quadrature"]


@dataclass(frozen=True, eq=False)
class Quadrature:
    """Equally spaced quadrature points for marginalising over ``theta``.

    The default, 61 points on [-6, 6], is R mirt's default for unidimensional models and
    reproduces mirt's log-likelihoods to about 1e-4. Fewer points (21-31) are faster and
    usually accurate enough for parameter estimates.

    Parameters
    ----------
    n_points : int
        Number of points (at least 5).
    bound : float
        Points span ``[-bound, bound]``.
    """

    n_points: int = 61
    bound: float = 6.0

    def __post_init__(self) -> None:
        if self.n_points < 5 or not self.bound > 0:
            raise ValueError("Quadrature needs n_points >= 5 and bound > 0")

    @property
    def points(self) -> FloatArray:
        """Quadrature nodes, shape (n_points,)."""
        return np.linspace(-self.bound, self.bound, self.n_points)

    def log_weights(self, mean: float = 0.0, sd: float = 1.0) -> FloatArray:
        """Log weights of a N(mean, sd^2) latent distribution on the nodes, summing to 1."""
        z = -0.5 * ((self.points - mean) / sd) ** 2
        return z - logsumexp(z)
