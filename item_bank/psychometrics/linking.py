"""Scale linking: put a newly calibrated form onto the item bank's ability scale.

A linear transformation ``theta_bank = A * theta_new + B`` is estimated from the common
(anchor) items, calibrated once on each scale. In the slope-intercept form every model
transforms as ``a* = a / A`` and ``d_k* = d_k - s_k * a * B / A``, where ``s_k = 1`` for
dichotomous and GRM intercepts and ``s_k = k`` for the cumulative GPCM intercepts (so that
every threshold ``b`` becomes ``A * b + B``); guessing is unchanged.

Methods (Kolen & Brennan 2014, ch. 6): moment methods ``"mean-mean"`` and ``"mean-sigma"``
on the anchors' slopes and thresholds, and the characteristic-curve methods ``"haebara"``
(item curves) and ``"stocking-lord"`` (test curve), minimised over A and B with
:func:`scipy.optimize.minimize` on a weighted theta grid of the bank scale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy import optimize, stats

from item_bank.psychometrics.calibration import calibrate
from item_bank.psychometrics.parameters import FloatArray, ItemParameters
from item_bank.psychometrics.response_functions import category_probabilities, expected_score
from item_bank.psychometrics.responses import ResponsesLike
from item_bank.psychometrics.results import CalibrationResult

__all__ = [
    "LinkingMethod",
    "LinkingResult",
    "calibrate_fixed_anchor",
    "link",
    "transform_parameters",
]

LinkingMethod = Literal["mean-mean", "mean-sigma", "haebara", "stocking-lord"]
_METHODS = ("mean-mean", "mean-sigma", "haebara", "stocking-lord")


@dataclass(frozen=True, slots=True)
class LinkingResult:
    """A linear scale transformation and the new form's parameters on the bank scale.

    Attributes
    ----------
    slope, intercept : float
        ``A`` and ``B`` of ``theta_bank = A * theta_new + B``.
    method : str
    parameters : ItemParameters
        Every item of the new form, transformed onto the bank scale.
    anchors : tuple of (int, int)
        Pairs (index in the new form, index in the bank parameters) of the common items.
    criterion : float
        Value of the minimised loss (0 for the moment methods).
    converged : bool
        Whether the optimiser reported success (always True for the moment methods).
    """

    slope: float
    intercept: float
    method: str
    parameters: ItemParameters
    anchors: tuple[tuple[int, int], ...]
    criterion: float
    converged: bool

    def to_bank_scale(self, theta: npt.ArrayLike) -> FloatArray:
        """Map abilities from the new form's scale to the bank's, ``A * theta + B``."""
        return self.slope * np.asarray(theta, dtype=np.float64) + self.intercept


def transform_parameters(
    parameters: ItemParameters, slope: float, intercept: float
) -> ItemParameters:
    """Express item parameters on the scale ``theta' = slope * theta + intercept``.

    Parameters
    ----------
    parameters : ItemParameters
        Parameters on the original scale.
    slope, intercept : float
        ``A`` (> 0) and ``B``.

    Returns
    -------
    ItemParameters
        Same items; response probabilities at ``theta'`` equal the original ones at ``theta``.

    Raises
    ------
    ValueError
        If ``slope`` is not positive and finite.
    """
    if not (np.isfinite(slope) and slope > 0) or not np.isfinite(intercept):
        raise ValueError(f"slope must be positive and finite, got {slope}")
    a = parameters.discrimination / slope
    steps = np.ones_like(parameters.intercepts)
    gpcm = np.array([m == "gpcm" for m in parameters.models])
    steps[gpcm] = np.arange(1, parameters.intercepts.shape[1] + 1)
    d = parameters.intercepts - steps * (a * intercept)[:, None]
    return ItemParameters(parameters.models, a, d, parameters.guessing, parameters.item_ids)


def link(
    new: ItemParameters,
    bank: ItemParameters,
    *,
    method: LinkingMethod = "stocking-lord",
    anchors: Sequence[tuple[int, int]] | None = None,
    theta: npt.ArrayLike | None = None,
    weights: npt.ArrayLike | None = None,
) -> LinkingResult:
    """Estimate the transformation from a new form's scale to the bank's and apply it.

    Parameters
    ----------
    new : ItemParameters
        Calibration of the new form (its own scale, usually N(0, 1) for its examinees).
    bank : ItemParameters
        Bank parameters of (at least) the anchor items.
    method : {"mean-mean", "mean-sigma", "haebara", "stocking-lord"}
    anchors : sequence of (int, int), optional
        Pairs (index in ``new``, index in ``bank``); by default the items whose ``item_ids``
        appear in both.
    theta : array_like, shape (n_points,), optional
        Grid on the bank scale for the curve methods; default 61 points on [-4, 4].
    weights : array_like, shape (n_points,), optional
        Grid weights; default the N(0, 1) density, normalised.

    Returns
    -------
    LinkingResult

    Raises
    ------
    ValueError
        For an unknown method, fewer than two anchors (one for the curve methods), anchors
        whose models or category counts differ, or moment statistics that are zero.

    References
    ----------
    Kolen, M. J., & Brennan, R. L. (2014). Test Equating, Scaling, and Linking (3rd ed.),
    ch. 6. Springer.
    Haebara, T. (1980). Equating logistic ability scales by a weighted least squares method.
    Japanese Psychological Research 22, 144-149.
    Stocking, M. L., & Lord, F. M. (1983). Developing a common metric in item response
    theory. Applied Psychological Measurement 7, 201-210.
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    pairs = _anchor_pairs(new, bank, anchors)
    new_anchor = new.subset([p[0] for p in pairs])
    bank_anchor = bank.subset([p[1] for p in pairs])
    _check_compatible(new_anchor, bank_anchor)
    A, B = _moments(new_anchor, bank_anchor, "mean-sigma" if method != "mean-mean" else method)
    criterion, converged = 0.0, True
    if method in ("haebara", "stocking-lord"):
        grid, w = _grid(theta, weights)
        A, B, criterion, converged = _curve_link(new_anchor, bank_anchor, grid, w, method, A, B)
    return LinkingResult(
        slope=A,
        intercept=B,
        method=method,
        parameters=transform_parameters(new, A, B),
        anchors=pairs,
        criterion=criterion,
        converged=converged,
    )


def calibrate_fixed_anchor(
    responses: ResponsesLike,
    bank: ItemParameters,
    *,
    anchors: Sequence[tuple[int, int]] | None = None,
    item_ids: Sequence[str] | None = None,
    model: str | Sequence[str] = "2pl",
    **options: Any,
) -> CalibrationResult:
    """Calibrate a form with its anchor items fixed at their bank parameters.

    The latent mean and SD of the examinees are estimated, so the new items land directly
    on the bank scale (fixed-parameter calibration, as in pretest-item seeding).

    Parameters
    ----------
    responses : ndarray, shape (n_persons, n_items), or a sparse form accepted by ``calibrate``
        Response categories; ``MISSING`` (NaN) for items not presented.
    bank : ItemParameters
        Bank parameters containing the anchors.
    anchors : sequence of (int, int), optional
        Pairs (column of ``responses``, index in ``bank``). By default the columns whose
        ``item_ids`` occur in ``bank.item_ids``.
    item_ids : sequence of str, optional
        Ids of the response columns (also passed on to the result).
    model : str or sequence of str
        Model of the free items (anchors keep their bank model).
    **options
        Further keyword arguments of :func:`item_bank.psychometrics.calibration.calibrate`
        (``priors``, ``quadrature``, ``tol``, ...).

    Returns
    -------
    CalibrationResult
        ``latent_mean``/``latent_sd`` give the group's ability distribution on the bank scale.

    Raises
    ------
    ValueError
        If no anchors are given or found.
    """
    if anchors is None:
        if item_ids is None or bank.item_ids is None:
            raise ValueError("give anchors, or item_ids here and on the bank parameters")
        where = {item: j for j, item in enumerate(bank.item_ids)}
        anchors = [(i, where[item]) for i, item in enumerate(item_ids) if item in where]
    if not anchors:
        raise ValueError("there are no anchor items to fix")
    columns = [int(i) for i, _ in anchors]
    fixed = bank.subset([int(j) for _, j in anchors])
    return calibrate(responses, model, fixed_items=columns, fixed_parameters=fixed,
                     item_ids=item_ids, **options)  # fmt: skip


def _anchor_pairs(
    new: ItemParameters, bank: ItemParameters, anchors: Sequence[tuple[int, int]] | None
) -> tuple[tuple[int, int], ...]:
    if anchors is None:
        if new.item_ids is None or bank.item_ids is None:
            raise ValueError("give anchors, or item_ids on both parameter sets")
        where = {item: j for j, item in enumerate(bank.item_ids)}
        anchors = [(i, where[item]) for i, item in enumerate(new.item_ids) if item in where]
    pairs = tuple((int(i), int(j)) for i, j in anchors)
    for i, j in pairs:
        if not (0 <= i < new.n_items and 0 <= j < bank.n_items):
            raise ValueError(f"anchor pair {(i, j)} is out of range")
    if not pairs:
        raise ValueError("there are no common items to link on")
    return pairs


def _check_compatible(new: ItemParameters, bank: ItemParameters) -> None:
    for j, (m_new, m_bank) in enumerate(zip(new.models, bank.models, strict=True)):
        if m_new != m_bank and not {m_new, m_bank} <= {"rasch", "1pl", "2pl", "3pl"}:
            raise ValueError(f"anchor {j}: model {m_new!r} in the new form, {m_bank!r} in bank")
    if not np.array_equal(new.n_categories, bank.n_categories):
        raise ValueError("anchors must have the same number of categories on both forms")


def _moments(new: ItemParameters, bank: ItemParameters, method: str) -> tuple[float, float]:
    """Mean-mean or mean-sigma constants from the anchors' slopes and thresholds."""
    b_new = new.thresholds[np.isfinite(new.thresholds)]
    b_bank = bank.thresholds[np.isfinite(bank.thresholds)]
    if method == "mean-mean":
        if bank.discrimination.mean() <= 0:
            raise ValueError("mean-mean needs anchors with positive mean slope")
        A = float(new.discrimination.mean() / bank.discrimination.mean())
    else:
        if b_new.size < 2 or b_new.std() == 0:
            raise ValueError("mean-sigma needs at least two distinct anchor thresholds")
        A = float(b_bank.std() / b_new.std())
    if not A > 0:
        raise ValueError(f"moment methods gave a non-positive slope {A}")
    return A, float(b_bank.mean() - A * b_new.mean())


def _grid(
    theta: npt.ArrayLike | None, weights: npt.ArrayLike | None
) -> tuple[FloatArray, FloatArray]:
    grid = np.linspace(-4.0, 4.0, 61) if theta is None else np.asarray(theta, dtype=np.float64)
    w = stats.norm.pdf(grid) if weights is None else np.asarray(weights, dtype=np.float64)
    if grid.ndim != 1 or w.shape != grid.shape or np.any(w < 0) or w.sum() <= 0:
        raise ValueError("theta and weights must be 1-D of equal length, weights >= 0")
    return grid, w / w.sum()


def _curve_link(
    new: ItemParameters,
    bank: ItemParameters,
    grid: FloatArray,
    w: FloatArray,
    method: str,
    A0: float,
    B0: float,
) -> tuple[float, float, float, bool]:
    # Curves are compared on the bank scale: the bank's at theta, the new form's after
    # transformation, which is the same as the untransformed new form at (theta - B) / A.
    if method == "stocking-lord":
        target = expected_score(grid, bank).sum(axis=1)

        def loss(x: FloatArray) -> float:
            A, B = np.exp(x[0]), x[1]
            tcc = expected_score((grid - B) / A, new).sum(axis=1)
            return float(w @ (target - tcc) ** 2)
    else:
        target_p = category_probabilities(grid, bank)

        def loss(x: FloatArray) -> float:
            A, B = np.exp(x[0]), x[1]
            p = category_probabilities((grid - B) / A, new)
            return float(w @ ((target_p - p) ** 2).sum(axis=(1, 2)))

    # Optimise log A so the slope stays positive without bounds. Nelder-Mead: with two
    # parameters it is cheap, and it does not stall on numerical gradients near a zero loss
    # (perfectly matching anchors), where BFGS reports precision loss.
    fit = optimize.minimize(
        loss,
        np.array([np.log(A0), B0]),
        method="Nelder-Mead",
        options={"xatol": 1e-9, "fatol": 1e-15, "maxiter": 2000},
    )
    return float(np.exp(fit.x[0])), float(fit.x[1]), float(fit.fun), bool(fit.success)
