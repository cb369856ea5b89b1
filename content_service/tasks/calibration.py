"""Job "calibration": calibrate a response dataset and store parameters, SEs, fit and plots data.

The numerical work is item_bank.psychometrics (MML/EM, S-X2 item fit, EAP scoring); this module
only loads the dataset, converts the stored triplets to a matrix and writes the run's result.
"""

from __future__ import annotations

import uuid
import warnings
from typing import Any

import numpy as np
from sqlmodel import Session

from content_service.jobs import JobContext, PermanentJobError, handler
from content_service.models.base import utcnow
from content_service.models.calibration import (
    CalibrationRunRecord,
    ResponseDatasetRecord,
    RunStatus,
)
from content_service.services.calibration import JOB_KIND, run_priors
from item_bank.psychometrics import (
    MISSING,
    CalibrationResult,
    Priors,
    PsychometricsError,
    Quadrature,
    calibrate,
    item_fit,
    score,
)

THETA_BINS = np.linspace(-4.0, 4.0, 33)  # Wright map histogram edges


@handler(JOB_KIND)
def run(params: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """Calibrate the run's dataset; a data problem fails the run (and the job) for good."""
    run_id = uuid.UUID(str(params.get("run_id")))
    with Session(ctx.engine, expire_on_commit=False) as session:
        record = session.get(CalibrationRunRecord, run_id)
        if record is None:
            raise PermanentJobError(f"calibration run {run_id} no longer exists")
        dataset = session.get(ResponseDatasetRecord, record.dataset_id)
        assert dataset is not None
        try:
            result = calibrate_dataset(
                dataset, record.model, record.quadrature_points, priors=run_priors(record.priors)
            )
        except (PsychometricsError, ValueError) as exc:
            record.status, record.error, record.finished_at = RunStatus.FAILED, str(exc), utcnow()
            session.add(record)
            session.commit()
            raise PermanentJobError(f"calibration failed: {exc}") from exc
        record.status, record.result, record.finished_at = RunStatus.SUCCEEDED, result, utcnow()
        session.add(record)
        session.commit()
    return {"run_id": str(run_id), "converged": result["converged"], "loglik": result["loglik"]}


def response_matrix(dataset: ResponseDatasetRecord) -> np.ndarray:
    """(n_persons, n_items) float matrix, MISSING where an item was not presented."""
    x = np.full((dataset.n_persons, len(dataset.item_versions)), MISSING)
    triplets = dataset.responses
    x[triplets["persons"], triplets["items"]] = triplets["values"]
    return x


def calibrate_dataset(
    dataset: ResponseDatasetRecord, model: str, points: int, *, priors: Priors | None = None
) -> dict[str, Any]:
    """The JSON result stored on the run."""
    x = response_matrix(dataset)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fitted = calibrate(
            x, model, quadrature=Quadrature(points), item_ids=dataset.item_versions, priors=priors
        )
        fit = _item_fit(x, fitted)
        theta = score(x, fitted.parameters, method="eap").theta
    messages = list(dict.fromkeys(str(w.message) for w in caught))
    counts, _ = np.histogram(np.clip(theta, THETA_BINS[0], THETA_BINS[-1]), THETA_BINS)
    return {
        "loglik": fitted.loglik,
        "aic": fitted.aic,
        "bic": fitted.bic,
        "converged": fitted.converged,
        "iterations": fitted.iterations,
        "latent_mean": fitted.latent_mean,
        "latent_sd": fitted.latent_sd,
        "n_persons": fitted.n_persons,
        "warnings": messages,
        "theta_histogram": {"edges": THETA_BINS.tolist(), "counts": counts.tolist()},
        "items": _items(x, fitted, fit),
    }


def _item_fit(x: np.ndarray, fitted: CalibrationResult) -> dict[str, np.ndarray] | None:
    complete = ~np.isnan(x).any(axis=1)
    if complete.sum() < 10:  # S-X2 groups complete response rows by summed score
        warnings.warn("too few complete response rows for S-X2 item fit", UserWarning, stacklevel=2)
        return None
    result = item_fit(x, fitted.parameters)
    return {"s_x2": result.s_x2, "df": result.df, "p_value": result.p_value}


def _items(
    x: np.ndarray, fitted: CalibrationResult, fit: dict[str, np.ndarray] | None
) -> list[dict[str, Any]]:
    p, se = fitted.parameters, fitted.standard_errors
    answered = (~np.isnan(x)).sum(axis=0)
    items = []
    for j in range(p.n_items):
        k = int(p.n_categories[j])
        dichotomous = k == 2
        entry: dict[str, Any] = {
            "item_version_id": (p.item_ids or ())[j],
            "model": p.models[j],
            "n_categories": k,
            "discrimination": _f(p.discrimination[j]),
            "intercepts": [_f(v) for v in p.intercepts[j, : k - 1]],
            "difficulty": _f(p.difficulty[j]) if dichotomous else None,
            "thresholds": [] if dichotomous else [_f(v) for v in p.thresholds[j, : k - 1]],
            "guessing": _f(p.guessing[j]),
            "n_responses": int(answered[j]),
            "standard_errors": _errors(fitted, j, k) if se is not None else {},
            "fit": {} if fit is None else {key: _f(v[j]) for key, v in fit.items()},
        }
        items.append(entry)
    return items


def _errors(fitted: CalibrationResult, j: int, k: int) -> dict[str, Any]:
    se = fitted.standard_errors
    assert se is not None
    out: dict[str, Any] = {
        "discrimination": _f(se.discrimination[j]),
        "intercepts": [_f(v) for v in se.intercepts[j, : k - 1]],
    }
    if k == 2:  # delta method for b = -d / a
        a, d = fitted.parameters.discrimination[j], fitted.parameters.intercepts[j, 0]
        cov = _pair_covariance(fitted, j)
        if cov is not None and a != 0:
            grad = np.array([d / a**2, -1 / a])
            out["difficulty"] = _f(float(np.sqrt(max(grad @ cov @ grad, 0.0))))
    if fitted.parameters.models[j] == "3pl":
        out["guessing"] = _f(se.guessing[j])
    return out


def _pair_covariance(fitted: CalibrationResult, j: int) -> np.ndarray | None:
    names = fitted.parameter_names
    if fitted.covariance is None or f"d[{j},0]" not in names:
        return None
    d = names.index(f"d[{j},0]")
    if f"a[{j}]" not in names:  # Rasch/1PL: the slope is fixed or common
        return np.array([[0.0, 0.0], [0.0, fitted.covariance[d, d]]])
    a = names.index(f"a[{j}]")
    return fitted.covariance[np.ix_([a, d], [a, d])]


def _f(value: float) -> float | None:
    value = float(value)
    return value if np.isfinite(value) else None
