"""Pure rules of adaptive (CAT) delivery: the pool's bank, the rules, seeded steps, scoring.

An adaptive attempt pins its pool when it starts (item versions with the accepted parameter rows
of that moment); every later step rebuilds the CAT session from the stored state and draws its
randomness from ``(attempt seed, step)``, so the same answers always give the same next items.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from item_bank.psychometrics.cat import Blueprint, CATBank, CATRules, CATSession
from item_bank.psychometrics.cat.simulation import sympson_hetter_parameters
from item_bank.psychometrics.errors import ConvergenceWarning
from item_bank.psychometrics.parameters import ItemParameters

# Simulees for the Sympson-Hetter exposure parameters of a pool (seeded by the pool itself).
_EXPOSURE_SIMULEES = 400


@dataclass(frozen=True, slots=True)
class PoolItem:
    """One item of an adaptive pool: its version, accepted parameters and content area."""

    version_id: str
    parameter_id: str
    model: str
    discrimination: float
    intercepts: tuple[float, ...]
    guessing: float = 0.0
    area: str = ""


def pool_key(items: Sequence[PoolItem]) -> tuple[PoolItem, ...]:
    """A hashable, order-preserving key of a pool (the bank cache key)."""
    return tuple(items)


@lru_cache(maxsize=64)
def _bank(
    items: tuple[PoolItem, ...],
    max_exposure: float | None,
    rules: CATRules,
    targets: tuple[tuple[str, float], ...],
) -> CATBank:
    width = max(len(item.intercepts) for item in items)
    intercepts = [
        [*item.intercepts] + [math.nan] * (width - len(item.intercepts)) for item in items
    ]
    parameters = ItemParameters(
        models=tuple(item.model for item in items),
        discrimination=np.array([item.discrimination for item in items]),
        intercepts=np.array(intercepts, dtype=np.float64),
        guessing=np.array([item.guessing if item.model == "3pl" else 0.0 for item in items]),
        item_ids=tuple(item.version_id for item in items),
    )
    bank = CATBank(parameters, content_areas=[item.area for item in items])
    if max_exposure is None or max_exposure >= 1.0:
        return bank
    # The exposure parameters depend only on the pool and the rules: seeded by the pool.
    rng = np.random.default_rng(bank.checksum)
    with warnings.catch_warnings():
        # Not converged within the rounds: the parameters still lower the top exposure rates.
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = sympson_hetter_parameters(
            bank,
            rules,
            target=max_exposure,
            theta=rng.standard_normal(_EXPOSURE_SIMULEES),
            rng=rng,
            blueprint=Blueprint(dict(targets)) if targets else None,
        )
    return bank.with_exposure_parameters(result.exposure_parameters)


def cat_rules(spec: Mapping[str, Any]) -> CATRules:
    """The CAT rules of an adaptive quiz spec (EAP scoring, maximum information selection)."""
    return CATRules(
        max_length=int(spec.get("max_length", 20)),
        min_length=int(spec.get("min_length", 1)),
        se_target=spec.get("se_target"),
        estimator="eap",
        selection="max_info",
        randomesque=int(spec.get("randomesque", 1)),
        sympson_hetter=spec.get("max_exposure") is not None,
    )


def build_bank(items: Sequence[PoolItem], spec: Mapping[str, Any]) -> CATBank:
    """The CAT bank of a pinned pool (cached per process: pools repeat across attempts)."""
    if not items:
        raise ValueError("an adaptive pool needs at least one calibrated item")
    targets = tuple(sorted((spec.get("content_blueprint") or {}).items()))
    return _bank(pool_key(items), spec.get("max_exposure"), cat_rules(spec), targets)


def content_blueprint(spec: Mapping[str, Any]) -> Blueprint | None:
    targets = spec.get("content_blueprint")
    return Blueprint(dict(targets)) if targets else None


def step_rng(seed: int, step: int) -> np.random.Generator:
    """The randomness of one selection step of one attempt (reproducible)."""
    return np.random.default_rng([seed, step])


def new_session(bank: CATBank, spec: Mapping[str, Any]) -> CATSession:
    return CATSession(bank, cat_rules(spec), blueprint=content_blueprint(spec))


def resume_session(bank: CATBank, state: Mapping[str, Any]) -> CATSession:
    return CATSession.from_dict(bank, state)


def response_category(score: float, max_score: float, n_categories: int) -> int:
    """The IRT category of a scored response: 0/1 for dichotomous items, else the nearest step.

    >>> response_category(1.0, 1.0, 2), response_category(0.5, 1.0, 2), response_category(1, 2, 3)
    (1, 0, 1)
    """
    if max_score <= 0:
        return 0
    share = min(max(score / max_score, 0.0), 1.0)
    if n_categories <= 2:
        return 1 if share >= 1.0 else 0
    return round(share * (n_categories - 1))
