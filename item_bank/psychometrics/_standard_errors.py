"""Standard errors from the observed information of the marginal likelihood (internal).

The marginal score is analytic by Fisher's identity: the gradient of the marginal
log-likelihood equals the gradient of the expected complete-data log-likelihood with the
posterior held at the current parameters, i.e. the M-step gradient at the E-step counts. The
observed information is minus its Jacobian, taken by central finite differences (two
E-steps per free parameter). This is the quantity the Louis (1982) and Oakes (1999)
formulas compute analytically.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy.special import expit

from . import _em
from . import _kernels as kern
from .parameters import FloatArray
from .priors import Priors
from .quadrature import Quadrature
from .responses import ResponseMatrix
from .results import ParameterErrors


def marginal_score(
    layout: _em.Layout, vec: FloatArray, template: _em.State, data: ResponseMatrix,
    quad: Quadrature, priors: Priors, ids: tuple[str, ...] | None,
) -> FloatArray:  # fmt: skip
    """Gradient of the marginal log posterior with respect to the packed free parameters."""
    state = layout.unpack(vec, template)
    params = layout.to_parameters(state, ids)
    est = _em.e_step(data, params, quad, state.mean, state.sd, precise=True)
    theta = quad.points
    grad = np.zeros(layout.size)
    for model, k, idx, part in layout.blocks():
        r = est.counts[idx, :k, :].transpose(0, 2, 1)
        slope = state.a[idx] if model in ("rasch", "1pl") else None
        x = layout.group_x(state, model, k, idx)
        grad[part] = kern.gradient_information(model, theta, x, r, priors, slope)[0].ravel()
    pos = int(layout.offsets[-1])
    if layout.one_pl.size:
        idx = layout.one_pl
        x = np.column_stack([state.a[idx], state.d[idx, 0]])
        r = est.counts[idx, :2, :].transpose(0, 2, 1)
        g = kern.gradient_information("2pl", theta, x, r, Priors(guessing=None))[0]
        slope_priors = replace(priors, intercept=None, guessing=None)
        grad[pos] = g[:, 0].sum() + kern.log_prior("2pl", x[:1], slope_priors)[1][0, 0]
        pos += 1
    z = (theta - state.mean) / state.sd
    if layout.mean_free:
        grad[pos] = est.node_mass @ z / state.sd
        pos += 1
    if layout.sd_free:
        grad[pos] = est.node_mass @ (z**2 - 1)
    return grad


def observed_information_errors(
    layout: _em.Layout, state: _em.State, data: ResponseMatrix, quad: Quadrature,
    priors: Priors, ids: tuple[str, ...] | None,
) -> tuple[ParameterErrors, FloatArray] | None:  # fmt: skip
    """Standard errors and covariance of the free parameters at the estimate ``state``."""
    vec = layout.pack(state)
    hessian = np.empty((vec.size, vec.size))
    for i in range(vec.size):
        h = 1e-5 * max(1.0, abs(vec[i]))
        up, down = vec.copy(), vec.copy()
        up[i] += h
        down[i] -= h
        plus = marginal_score(layout, up, state, data, quad, priors, ids)
        minus = marginal_score(layout, down, state, data, quad, priors, ids)
        hessian[:, i] = (plus - minus) / (2 * h)
    information = -(hessian + hessian.T) / 2
    try:
        covariance = np.linalg.inv(information)
    except np.linalg.LinAlgError:
        covariance = np.full_like(information, np.nan)
    variances = np.diag(covariance)
    se = np.sqrt(np.where(variances > 0, variances, np.nan))
    return _lay_out(layout, state, se), covariance


def _lay_out(layout: _em.Layout, state: _em.State, se: FloatArray) -> ParameterErrors:
    n_items = state.a.size
    se_a, se_c = np.full(n_items, np.nan), np.full(n_items, np.nan)
    se_d = np.full(state.d.shape, np.nan)
    for model, _k, idx, part in layout.blocks():
        block = se[part].reshape(idx.size, -1)
        if model in ("rasch", "1pl"):
            se_d[idx, 0] = block[:, 0]
            continue
        se_a[idx] = block[:, 0]
        if model == "3pl":
            c = expit(state.g[idx])
            se_d[idx, 0], se_c[idx] = block[:, 1], c * (1 - c) * block[:, 2]
        else:
            se_d[idx, : block.shape[1] - 1] = block[:, 1:]
    pos = int(layout.offsets[-1])
    if layout.one_pl.size:
        se_a[layout.one_pl] = se[pos]
        pos += 1
    se_mean = float(se[pos]) if layout.mean_free else np.nan
    se_sd = float(state.sd * se[pos + layout.mean_free]) if layout.sd_free else np.nan
    return ParameterErrors(se_a, se_d, se_c, se_mean, se_sd)
