"""Per-model category probabilities, their parameter Jacobians and the M-step solver.

Items of one group share a model and a number of categories ``K`` and are solved together,
vectorised over items. Free parameters per item (``x``, shape (G, p)):

* ``"rasch"``, ``"1pl"``: ``(d,)`` with a given slope; ``"2pl"``: ``(a, d)``;
* ``"3pl"``: ``(a, d, g)`` where ``g = logit(c)`` keeps ``c`` inside (0, 1);
* ``"grm"``, ``"gpcm"``: ``(a, d_1, ..., d_{K-1})``.

The M-step maximises, for each item, ``sum_q sum_k r_qk log P_k(theta_q) + log prior`` by
Fisher scoring (the exact Newton method for the canonical 2PL/GPCM links) with step halving,
where ``r_qk`` are the expected counts from the E-step.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from .parameters import FloatArray
from .priors import Priors

_TINY = 1e-300
_LOGISTIC = frozenset({"rasch", "1pl", "2pl"})


def n_free(model: str, k: int) -> int:
    """Number of free parameters of one item."""
    return {"rasch": 1, "1pl": 1, "2pl": 2, "3pl": 3}.get(model, k)


def probs_jac(
    model: str, theta: FloatArray, x: FloatArray, slope: FloatArray | None = None
) -> tuple[FloatArray, FloatArray]:
    """Category probabilities (G, Q, K) and Jacobian dP/dx (G, Q, K, p)."""
    if model in ("grm", "gpcm"):
        return (_grm if model == "grm" else _gpcm)(theta, x)
    if model in ("rasch", "1pl"):
        a, d, c = slope, x[:, 0], np.zeros(x.shape[0])
    else:
        a, d = x[:, 0], x[:, 1]
        c = expit(x[:, 2]) if model == "3pl" else np.zeros(x.shape[0])
    z = a[:, None] * theta[None, :] + d[:, None]
    ps, qs = expit(z), expit(-z)
    cc = c[:, None]
    p = np.stack([(1 - cc) * qs, cc + (1 - cc) * ps], axis=2)
    dw = (1 - cc) * ps * qs
    if model in ("rasch", "1pl"):
        cols = [dw]
    else:
        cols = [dw * theta[None, :], dw] + ([cc * (1 - cc) * qs] if model == "3pl" else [])
    j1 = np.stack(cols, axis=2)
    return p, np.stack([-j1, j1], axis=2)


def _grm(theta: FloatArray, x: FloatArray) -> tuple[FloatArray, FloatArray]:
    g, km1 = x.shape[0], x.shape[1] - 1
    z = x[:, None, :1] * theta[None, :, None] + x[:, None, 1:]  # (G, Q, K-1)
    n_q = theta.size
    ps = np.concatenate([np.ones((g, n_q, 1)), expit(z), np.zeros((g, n_q, 1))], axis=2)
    cs = np.concatenate([np.zeros((g, n_q, 1)), expit(-z), np.ones((g, n_q, 1))], axis=2)
    upper_ps, lower_ps = ps[:, :, :-1], ps[:, :, 1:]
    # P_k = P*_k - P*_{k+1}, taken on the complement side when both are close to 1
    p = np.where(lower_ps > 0.5, cs[:, :, 1:] - cs[:, :, :-1], upper_ps - lower_ps)
    w = ps * cs  # derivative of each boundary curve w.r.t. its logit, zero at the pads
    jac = np.zeros((g, n_q, km1 + 1, km1 + 1))
    jac[..., 0] = theta[None, :, None] * (w[:, :, :-1] - w[:, :, 1:])
    for m in range(1, km1 + 1):
        jac[:, :, m, m] = w[:, :, m]
        jac[:, :, m - 1, m] = -w[:, :, m]
    return p, jac


def _gpcm(theta: FloatArray, x: FloatArray) -> tuple[FloatArray, FloatArray]:
    g, km1 = x.shape[0], x.shape[1] - 1
    k = np.arange(km1 + 1, dtype=np.float64)
    d = np.concatenate([np.zeros((g, 1)), x[:, 1:]], axis=1)
    z = k[None, None, :] * (x[:, None, :1] * theta[None, :, None]) + d[:, None, :]
    z -= z.max(axis=2, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=2, keepdims=True)
    mean = p @ k
    jac = np.empty((g, theta.size, km1 + 1, km1 + 1))
    jac[..., 0] = p * theta[None, :, None] * (k[None, None, :] - mean[..., None])
    eye = np.eye(km1 + 1)[:, 1:]
    jac[..., 1:] = p[..., None] * (eye[None, None] - p[:, :, None, 1:])
    return p, jac


def log_prior(
    model: str, x: FloatArray, priors: Priors
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Log prior (G,), its gradient (G, p) and a positive semi-definite curvature (G, p, p)."""
    g, p = x.shape
    value, grad, info = np.zeros(g), np.zeros((g, p)), np.zeros((g, p, p))
    first_d = 0 if model in ("rasch", "1pl") else 1
    last_d = 2 if model == "3pl" else p
    if priors.intercept is not None:
        mean, sd = priors.intercept
        dd = x[:, first_d:last_d]
        value -= np.sum((dd - mean) ** 2, axis=1) / (2 * sd**2)
        grad[:, first_d:last_d] -= (dd - mean) / sd**2
        for i in range(first_d, last_d):
            info[:, i, i] += 1 / sd**2
    if first_d == 1:
        _slope_prior(x[:, 0], priors, value, grad, info)
    if model == "3pl" and priors.guessing is not None:
        alpha, beta = priors.guessing
        c = expit(x[:, 2])
        with np.errstate(divide="ignore"):
            value += (alpha - 1) * np.log(c) + (beta - 1) * np.log1p(-c)
        grad[:, 2] += (alpha - 1) * (1 - c) - (beta - 1) * c
        info[:, 2, 2] += max(alpha + beta - 2, 0.0) * c * (1 - c)
    return value, grad, info


def _slope_prior(
    a: FloatArray, priors: Priors, value: FloatArray, grad: FloatArray, info: FloatArray
) -> None:
    if priors.discrimination is not None:
        mean, sd = priors.discrimination
        value -= (a - mean) ** 2 / (2 * sd**2)
        grad[:, 0] -= (a - mean) / sd**2
        info[:, 0, 0] += 1 / sd**2
    if priors.log_discrimination is not None:
        mean, sd = priors.log_discrimination
        with np.errstate(invalid="ignore", divide="ignore"):
            la = np.log(a)
            value += np.where(a > 0, -la - (la - mean) ** 2 / (2 * sd**2), -np.inf)
            grad[:, 0] += np.where(a > 0, -(1 + (la - mean) / sd**2) / a, 0.0)
            curv = (1 / sd**2 - 1 - (la - mean) / sd**2) / a**2
        info[:, 0, 0] += np.where(a > 0, np.maximum(curv, 0.0), 0.0)


def objective(
    model: str, theta: FloatArray, x: FloatArray, r: FloatArray, priors: Priors, slope=None
) -> FloatArray:
    """Expected complete-data log posterior of each item, shape (G,)."""
    if model in _LOGISTIC:
        z = _logit(model, theta, x, slope)
        ll = np.sum(r[..., 1] * z - r.sum(axis=2) * np.logaddexp(0.0, z), axis=1)
        return ll + log_prior(model, x, priors)[0]
    if model == "3pl":
        return _objective_3pl(theta, x, r) + log_prior(model, x, priors)[0]
    p, _ = probs_jac(model, theta, x, slope)
    with np.errstate(divide="ignore", invalid="ignore"):
        ll = np.sum(np.where(r > 0, r * np.log(np.where(p > 0, p, 0.0)), 0.0), axis=(1, 2))
    ll = np.where(np.all(p >= 0, axis=(1, 2)), ll, -np.inf)  # crossed GRM boundaries
    return ll + log_prior(model, x, priors)[0]


def gradient_information(
    model: str, theta: FloatArray, x: FloatArray, r: FloatArray, priors: Priors, slope=None
) -> tuple[FloatArray, FloatArray]:
    """Gradient (G, p) and expected information (G, p, p) of :func:`objective`."""
    if model in _LOGISTIC:
        grad, info = _logistic_gradient_information(model, theta, x, r, slope)
    elif model == "3pl":
        grad, info = _gradient_information_3pl(theta, x, r)
    else:
        grad, info = _generic_gradient_information(model, theta, x, r, slope)
    _, pg, pinfo = log_prior(model, x, priors)
    return grad + pg, info + pinfo


def _logit(model: str, theta: FloatArray, x: FloatArray, slope: FloatArray | None) -> FloatArray:
    a = slope if model in ("rasch", "1pl") else x[:, 0]
    return a[:, None] * theta[None, :] + x[:, -1][:, None]


def _logistic_gradient_information(
    model: str, theta: FloatArray, x: FloatArray, r: FloatArray, slope: FloatArray | None
) -> tuple[FloatArray, FloatArray]:
    """Closed forms for the canonical logistic link (1PL/2PL): Fisher scoring is Newton."""
    p = expit(_logit(model, theta, x, slope))
    n = r.sum(axis=2)
    resid, w = r[..., 1] - n * p, n * p * (1.0 - p)
    if model in ("rasch", "1pl"):
        return resid.sum(axis=1)[:, None], w.sum(axis=1)[:, None, None]
    wt = w @ theta
    info = np.empty((x.shape[0], 2, 2))
    info[:, 0, 0], info[:, 0, 1], info[:, 1, 1] = w @ theta**2, wt, w.sum(axis=1)
    info[:, 1, 0] = wt
    return np.column_stack([resid @ theta, resid.sum(axis=1)]), info


def _objective_3pl(theta: FloatArray, x: FloatArray, r: FloatArray) -> FloatArray:
    """Closed form of the 3PL expected complete-data log-likelihood, shape (G,).

    ``log P_0 = log(1 - c) + log(1 - s)`` and ``log P_1 = log(c + (1 - c) s)`` with
    ``s = expit(a theta + d)``, computed without the (G, Q, K, p) Jacobian.
    """
    z = x[:, :1] * theta[None, :] + x[:, 1:2]
    c = expit(x[:, 2:3])
    log_p0 = -np.logaddexp(0.0, x[:, 2:3]) - np.logaddexp(0.0, z)
    p1 = c + (1.0 - c) * expit(z)
    r0, r1 = r[..., 0], r[..., 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        ll = np.where(r1 > 0, r1 * np.log(p1), 0.0) + np.where(r0 > 0, r0 * log_p0, 0.0)
    total: FloatArray = ll.sum(axis=1)
    return total


def _gradient_information_3pl(
    theta: FloatArray, x: FloatArray, r: FloatArray, *, observed: bool = False
) -> tuple[FloatArray, FloatArray]:
    """Closed-form 3PL score (G, 3) and expected information (G, 3, 3), all items at once.

    With ``j = dP_1/dx = ((1-c) s q theta, (1-c) s q, c (1-c) q)`` (``q = 1 - s``) the score
    is ``sum_q (r_1 / P_1 - r_0 / P_0) j`` and the information ``sum_q n / (P_0 P_1) j j'``.
    """
    z = x[:, :1] * theta[None, :] + x[:, 1:2]
    s, q = expit(z), expit(-z)
    c = expit(x[:, 2:3])
    p1 = np.maximum(c + (1.0 - c) * s, _TINY)
    p0 = np.maximum((1.0 - c) * q, _TINY)
    dw = (1.0 - c) * s * q
    jac = np.stack([dw * theta[None, :], dw, c * (1.0 - c) * q], axis=2)  # (G, Q, 3)
    r0, r1 = r[..., 0], r[..., 1]
    resid = r1 / p1 - r0 / p0
    grad = np.matmul(resid[:, None, :], jac)[:, 0, :]
    if not observed:
        weighted = jac * ((r0 + r1) / (p0 * p1))[..., None]
        return grad, np.matmul(weighted.transpose(0, 2, 1), jac)
    # observed information: sum_q (r_1/P_1^2 + r_0/P_0^2) j j' - (r_1/P_1 - r_0/P_0) d2P_1
    weighted = jac * (r1 / p1**2 + r0 / p0**2)[..., None]
    info = np.matmul(weighted.transpose(0, 2, 1), jac)
    u = 1.0 - c
    curv = resid * u * s * q  # times (q - s) gives d2P_1/dd2 weights
    w2 = curv * (q - s)
    t = theta[None, :]
    h = np.empty_like(info)
    h[:, 0, 0] = np.sum(w2 * t * t, axis=1)
    h[:, 0, 1] = h[:, 1, 0] = np.sum(w2 * t, axis=1)
    h[:, 1, 1] = np.sum(w2, axis=1)
    h[:, 0, 2] = h[:, 2, 0] = -np.sum(curv * c * t, axis=1)
    h[:, 1, 2] = h[:, 2, 1] = -np.sum(curv * c, axis=1)
    h[:, 2, 2] = np.sum(resid * c * u * q * (1.0 - 2.0 * c), axis=1)
    return grad, info - h


def _generic_gradient_information(
    model: str, theta: FloatArray, x: FloatArray, r: FloatArray, slope: FloatArray | None
) -> tuple[FloatArray, FloatArray]:
    p, jac = probs_jac(model, theta, x, slope)
    p = np.maximum(p, _TINY)
    grad = np.einsum("gqk,gqkp->gp", r / p, jac)
    n = r.sum(axis=2, keepdims=True)
    scaled = jac * np.sqrt(n / p)[..., None]
    flat = scaled.reshape(x.shape[0], -1, x.shape[1])
    return grad, np.matmul(flat.transpose(0, 2, 1), flat)


def maximize(
    model: str,
    theta: FloatArray,
    x: FloatArray,
    r: FloatArray,
    priors: Priors,
    slope: FloatArray | None = None,
    *,
    max_iter: int = 8,
    tol: float = 1e-7,
) -> FloatArray:
    """M-step for one item group: Fisher scoring with step halving, vectorised over items.

    The iterations start from the current EM values and need not converge fully: any
    increase of the expected complete-data objective is a valid (generalised) EM step with
    the same fixed points. Fisher scoring is only linearly convergent for the 3PL/GRM; the
    3PL therefore takes exact Newton steps where its observed information is positive
    definite (see :func:`_newton_system`).
    """
    x = x.copy()
    f = objective(model, theta, x, r, priors, slope)
    active = np.ones(x.shape[0], dtype=bool)
    for _ in range(max_iter):
        grad, info = _newton_system(model, theta, x[active], r[active], priors, _sel(slope, active))
        ridge = 1e-9 * (np.trace(info, axis1=1, axis2=2)[:, None, None] + 1e-12)
        step = np.linalg.solve(info + ridge * np.eye(x.shape[1]), grad[..., None])[..., 0]
        step = np.where(np.isfinite(step), step, 0.0)
        idx = np.flatnonzero(active)
        f_new = f[idx]
        taken = np.zeros(idx.size, dtype=bool)
        moved = np.zeros_like(step)
        for _half in range(12):
            trial = x[idx] + step
            f_try = objective(model, theta, trial, r[idx], priors, _sel(slope, idx))
            ok = (f_try >= f_new - 1e-12 * np.abs(f_new)) & ~taken
            x[idx[ok]] = trial[ok]
            moved[ok] = step[ok]
            f_new = np.where(ok, f_try, f_new)
            taken |= ok
            if taken.all():
                break
            step = step / 2
        f[idx] = f_new
        done = np.max(np.abs(moved), axis=1) < tol
        active[idx[done | ~taken]] = False
        if not active.any():
            break
    return x


def _newton_system(
    model: str, theta: FloatArray, x: FloatArray, r: FloatArray, priors: Priors,
    slope: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray]:  # fmt: skip
    """Gradient and curvature for one M-step iteration.

    For the 3PL the exact Newton direction (observed information) converges quadratically
    where Fisher scoring is only linear; items whose observed information is not positive
    definite (far from the optimum) keep the expected information.
    """
    if model != "3pl":
        return gradient_information(model, theta, x, r, priors, slope)
    grad, observed = _gradient_information_3pl(theta, x, r, observed=True)
    _, pg, pinfo = log_prior(model, x, priors)
    observed += pinfo
    definite = np.linalg.eigvalsh(observed)[:, 0] > 1e-9 * np.trace(observed, axis1=1, axis2=2)
    if not definite.all():
        bad = ~definite
        observed[bad] = _gradient_information_3pl(theta, x[bad], r[bad])[1] + pinfo[bad]
    return grad + pg, observed


def _sel(slope: FloatArray | None, idx: np.ndarray) -> FloatArray | None:
    return None if slope is None else slope[idx]
