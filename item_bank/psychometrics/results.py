"""Result objects of calibration and person scoring."""

from __future__ import annotations

from dataclasses import dataclass

from .parameters import FloatArray, ItemParameters
from .quadrature import Quadrature

__all__ = ["AbilityEstimate", "CalibrationResult", "ParameterErrors", "SumScoreTable"]


@dataclass(frozen=True, eq=False)
class ParameterErrors:
    """Standard errors laid out like :class:`ItemParameters` (NaN where not estimated).

    Attributes
    ----------
    discrimination : ndarray, shape (n_items,)
    intercepts : ndarray, shape (n_items, max_categories - 1)
    guessing : ndarray, shape (n_items,)
        Delta-method standard error of ``c`` (estimated on the logit scale).
    latent_mean, latent_sd : float
        NaN when the latent mean / SD was fixed.
    """

    discrimination: FloatArray
    intercepts: FloatArray
    guessing: FloatArray
    latent_mean: float
    latent_sd: float


@dataclass(frozen=True, eq=False)
class CalibrationResult:
    """Outcome of :func:`item_bank.psychometrics.calibrate`.

    Attributes
    ----------
    parameters : ItemParameters
        Estimated (and fixed anchor) item parameters.
    standard_errors : ParameterErrors or None
        From the observed information matrix (see ``calibrate``); None when not computed.
    covariance : ndarray, shape (n_parameters, n_parameters), or None
        Inverse observed information of the free parameters, in ``parameter_names`` order
        (3PL guessing on the logit scale, the latent SD on the log scale).
    parameter_names : tuple of str
        ``"a[j]"``, ``"d[j,k]"``, ``"logit_c[j]"``, ``"a_common"``, ``"latent_mean"``,
        ``"log_latent_sd"``.
    loglik : float
        Marginal log-likelihood at the estimate (log-posterior minus log-prior is not
        subtracted: with priors this is the likelihood part only).
    aic, bic : float
        ``-2 loglik + 2 p`` and ``-2 loglik + p log N`` with ``N`` the weighted person count.
    n_parameters, n_persons, n_items : int
    iterations : int
        Number of E-steps.
    converged : bool
    max_change : float
        Largest parameter change in the last EM step.
    latent_mean, latent_sd : float
        Mean and SD of the latent distribution (estimated or fixed).
    warnings : tuple of str
        Messages of the warnings emitted during calibration.
    quadrature : Quadrature
    model : tuple of str
        Model of each item.
    """

    parameters: ItemParameters
    standard_errors: ParameterErrors | None
    covariance: FloatArray | None
    parameter_names: tuple[str, ...]
    loglik: float
    aic: float
    bic: float
    n_parameters: int
    n_persons: int
    n_items: int
    iterations: int
    converged: bool
    max_change: float
    latent_mean: float
    latent_sd: float
    warnings: tuple[str, ...]
    quadrature: Quadrature

    @property
    def model(self) -> tuple[str, ...]:
        """Model of each item."""
        return self.parameters.models


@dataclass(frozen=True, eq=False)
class AbilityEstimate:
    """Person ability estimates from :func:`item_bank.psychometrics.score`.

    Attributes
    ----------
    theta : ndarray, shape (n_persons,)
        Estimates; ``+inf``/``-inf`` for ML on all-correct/all-wrong patterns, NaN for
        persons without responses under ML.
    standard_error : ndarray, shape (n_persons,)
        Posterior SD (EAP), inverse-curvature SE (MAP) or ``1/sqrt(test information)`` (ML).
    method : str
        ``"eap"``, ``"map"`` or ``"ml"``.
    """

    theta: FloatArray
    standard_error: FloatArray
    method: str


@dataclass(frozen=True, eq=False)
class SumScoreTable:
    """EAP ability for each summed score (Lord-Wingersky recursion).

    Attributes
    ----------
    sum_score : ndarray of int, shape (max_score + 1,)
    theta : ndarray, shape (max_score + 1,)
        EAP[theta | sum score].
    standard_error : ndarray, shape (max_score + 1,)
        Posterior SD of theta given the sum score.
    probability : ndarray, shape (max_score + 1,)
        Model-implied marginal probability of each sum score.
    """

    sum_score: FloatArray
    theta: FloatArray
    standard_error: FloatArray
    probability: FloatArray
