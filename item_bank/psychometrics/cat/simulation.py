"""CAT simulation: recovery studies and Sympson-Hetter exposure parameters."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from item_bank.psychometrics.cat.bank import Blueprint, CATBank
from item_bank.psychometrics.cat.session import CATRules, CATSession
from item_bank.psychometrics.errors import ConvergenceWarning
from item_bank.psychometrics.parameters import FloatArray
from item_bank.psychometrics.response_functions import category_probabilities

__all__ = [
    "CATSimulationResult",
    "SympsonHetterResult",
    "simulate_cat",
    "sympson_hetter_parameters",
]


@dataclass(frozen=True, slots=True)
class CATSimulationResult:
    """Outcome of simulated adaptive tests.

    Attributes
    ----------
    theta : ndarray, shape (n_simulees,)
        True abilities.
    estimate, se : ndarray, shape (n_simulees,)
        Final ability estimates and standard errors.
    length : ndarray of int, shape (n_simulees,)
        Items administered to each simulee.
    exposure_rate : ndarray, shape (n_items,)
        Share of simulees who were given each item, ``P(A)``.
    selection_rate : ndarray, shape (n_items,)
        Share of simulees for whom each item was selected (given, or lost the Sympson-Hetter
        lottery), ``P(S)``.
    area_share : ndarray, shape (n_areas,)
        Mean share of each content area (bank order of ``CATBank.area_names``) in a test.
    """

    theta: FloatArray
    estimate: FloatArray
    se: FloatArray
    length: npt.NDArray[np.int64]
    exposure_rate: FloatArray
    selection_rate: FloatArray
    area_share: FloatArray

    @property
    def rmse(self) -> float:
        """Root mean squared error of the estimates."""
        return float(np.sqrt(np.mean((self.estimate - self.theta) ** 2)))


@dataclass(frozen=True, slots=True)
class SympsonHetterResult:
    """Exposure parameters found by iterated simulation.

    Attributes
    ----------
    exposure_parameters : ndarray, shape (n_items,)
        ``P(administer | selected)`` for :class:`CATBank`.
    exposure_rate : ndarray, shape (n_items,)
        ``P(A)`` in the last simulation round, run with these parameters.
    iterations : int
    converged : bool
        Whether ``max(exposure_rate) <= target + tolerance``.
    """

    exposure_parameters: FloatArray
    exposure_rate: FloatArray
    iterations: int
    converged: bool


def simulate_cat(
    bank: CATBank,
    rules: CATRules,
    theta: npt.ArrayLike,
    *,
    rng: np.random.Generator,
    blueprint: Blueprint | None = None,
) -> CATSimulationResult:
    """Run one simulated adaptive test per true ability.

    Parameters
    ----------
    bank : CATBank
    rules : CATRules
    theta : array_like, shape (n_simulees,)
        True abilities; responses are drawn from the bank's models at these values.
    rng : numpy.random.Generator
    blueprint : Blueprint, optional

    Returns
    -------
    CATSimulationResult
    """
    true = np.asarray(theta, dtype=np.float64).ravel()
    n = true.size
    estimate, se = np.empty(n), np.empty(n)
    length = np.zeros(n, dtype=np.int64)
    given = np.zeros(bank.n_items)
    selected = np.zeros(bank.n_items)
    areas = np.zeros(max(1, len(bank.area_names)))
    params = bank.parameters
    for s in range(n):
        session = CATSession(bank, rules, blueprint=blueprint)
        # Cumulative category probabilities of every item at this simulee's true ability;
        # a response is the number of cumulative probabilities below a uniform draw.
        cumulative = np.cumsum(category_probabilities(true[s : s + 1], params)[0], axis=1)
        while (item := session.next_item(rng)) is not None:
            row = cumulative[item]
            session.record(item, int(np.count_nonzero(rng.random() * row[-1] > row)))
        estimate[s], se[s], length[s] = session.theta, session.se, len(session.items)
        given[session.items] += 1
        selected[session.items] += 1
        selected[session.blocked] += 1
        areas += np.bincount(bank.area_codes[session.items], minlength=areas.size) / max(
            1, len(session.items)
        )
    return CATSimulationResult(true, estimate, se, length, given / n, selected / n, areas / n)


def sympson_hetter_parameters(
    bank: CATBank,
    rules: CATRules,
    *,
    target: float,
    theta: npt.ArrayLike,
    rng: np.random.Generator,
    blueprint: Blueprint | None = None,
    max_iterations: int = 20,
    tolerance: float = 0.02,
) -> SympsonHetterResult:
    """Find Sympson-Hetter exposure parameters by iterated CAT simulation.

    Each round simulates the test for the abilities ``theta`` with the current parameters
    ``K`` and sets ``K_i = target / P(S_i)`` where the selection rate exceeds the target and
    1 elsewhere, until no item's administration rate exceeds ``target + tolerance``.

    Parameters
    ----------
    bank : CATBank
        Its own exposure parameters are ignored; rounds start from 1.
    rules : CATRules
        Rules of the operational test; ``sympson_hetter`` is switched on for the simulation.
    target : float
        Largest admissible exposure rate ``r``, in (0, 1].
    theta : array_like, shape (n_simulees,)
        Abilities representing the examinee population (e.g. draws from N(0, 1)).
    rng : numpy.random.Generator
    blueprint : Blueprint, optional
    max_iterations : int
    tolerance : float
        Allowed excess over the target (simulation noise).

    Returns
    -------
    SympsonHetterResult

    Raises
    ------
    ValueError
        If ``target`` is outside (0, 1] or the pool is too small for it
        (``target * n_items < max_length``).

    Warns
    -----
    ConvergenceWarning
        If the rates still exceed the target after ``max_iterations`` rounds.

    References
    ----------
    Sympson, J. B., & Hetter, R. D. (1985). Controlling item-exposure rates in computerized
    adaptive testing. Proceedings of the 27th annual meeting of the Military Testing
    Association, 973-977.
    """
    if not 0 < target <= 1:
        raise ValueError(f"target must lie in (0, 1], got {target}")
    if target * bank.n_items < rules.max_length:
        raise ValueError("the pool is too small: target * n_items must reach max_length")
    sim_rules = replace(rules, sympson_hetter=True)
    K = np.ones(bank.n_items)
    for iteration in range(1, max_iterations + 1):
        result = simulate_cat(
            bank.with_exposure_parameters(K), sim_rules, theta, rng=rng, blueprint=blueprint
        )
        if result.exposure_rate.max() <= target + tolerance:
            return SympsonHetterResult(K, result.exposure_rate, iteration, True)
        if iteration == max_iterations:
            break
        with np.errstate(divide="ignore", invalid="ignore"):
            K = np.where(result.selection_rate > target, target / result.selection_rate, 1.0)
    warnings.warn(
        f"exposure rates still reach {result.exposure_rate.max():.3f} > {target} after "
        f"{max_iterations} rounds",
        ConvergenceWarning,
        stacklevel=2,
    )
    return SympsonHetterResult(K, result.exposure_rate, max_iterations, False)
