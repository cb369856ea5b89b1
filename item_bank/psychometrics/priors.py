"""Prior distributions for MAP item calibration (Bayes modal estimation)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Priors"]


@dataclass(frozen=True)
class Priors:
    """Priors on item parameters, added to the marginal log-likelihood (MAP estimation).

    Parameters
    ----------
    discrimination : (mean, sd), optional
        Normal prior on the slope ``a``.
    log_discrimination : (mean, sd), optional
        Normal prior on ``log a`` (a log-normal prior on ``a``; keeps slopes positive).
    intercept : (mean, sd), optional
        Normal prior on every intercept ``d`` (dichotomous and polytomous).
    guessing : (alpha, beta), optional
        Beta prior on the 3PL lower asymptote ``c``. The default Beta(5, 17) has mode 0.2 and
        weight of about 20 observations, the BILOG-MG convention for five-option items.

    Notes
    -----
    The default puts a prior only on ``c``: without one, 3PL guessing parameters of easy
    items are not identified. Use ``Priors(guessing=None)`` for plain maximum likelihood.
    """

    discrimination: tuple[float, float] | None = None
    log_discrimination: tuple[float, float] | None = None
    intercept: tuple[float, float] | None = None
    guessing: tuple[float, float] | None = (5.0, 17.0)

    def __post_init__(self) -> None:
        for name in ("discrimination", "log_discrimination", "intercept"):
            value = getattr(self, name)
            if value is not None and not (len(value) == 2 and value[1] > 0):
                raise ValueError(f"{name} prior must be (mean, sd) with sd > 0, got {value}")
        if self.guessing is not None and not (len(self.guessing) == 2 and min(self.guessing) > 0):
            raise ValueError(f"guessing prior must be (alpha, beta) > 0, got {self.guessing}")
