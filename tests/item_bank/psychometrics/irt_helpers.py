"""Helpers for the IRT calibration/scoring tests: shared test material and simulated data."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from item_bank.psychometrics import simulate_responses
from item_bank.psychometrics.parameters import ItemParameters

IRT_MATERIAL = Path(__file__).resolve().parents[3] / ".." / "shared" / "test-material" / "irt"


def load_table(name: str) -> tuple[np.ndarray, np.ndarray | None]:
    """Read a CSV of the shared IRT material: (responses, ``freq`` column or None)."""
    path = IRT_MATERIAL / name
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    if header[-1] == "freq":
        return data[:, :-1], data[:, -1]
    return data, None


def simulate(
    parameters: ItemParameters, n_persons: int, seed: int, *, missing_rate: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Seeded N(0, 1) abilities and their simulated responses."""
    generator = np.random.default_rng(seed)
    theta = generator.standard_normal(n_persons)
    x = simulate_responses(parameters, theta, rng=generator, missing_rate=missing_rate)
    return theta, x


def rmse(estimate: np.ndarray, truth: np.ndarray) -> float:
    """Root mean squared error over the finite entries of ``truth``."""
    mask = np.isfinite(truth)
    return float(np.sqrt(np.mean((np.asarray(estimate)[mask] - np.asarray(truth)[mask]) ** 2)))
