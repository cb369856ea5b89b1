"""Benchmark: sparse 2PL calibration, 1,000,000 persons x 10,000 items, 40 responses each.

Each person takes 40 distinct items ``s, s + 250, ..., s + 39 * 250`` (mod 10,000) for a
random start ``s``, so every item is answered by about 4,000 persons and all items are linked
through overlapping forms. Data are passed as ``SparseResponses`` triplets. Reports wall
seconds of ``calibrate``, peak resident memory of the process (ru_maxrss, which includes the
data themselves) and parameter RMSE against the truth. Targets: <= 60 s and <= 8 GiB.
The machine is shared, so the 1-minute load average before and after the fit is recorded; a
figure taken under load is only comparable with a peer measured in the same process.

    uv run python bench/bench_sparse.py [--persons N] [--items J] [--per-person K] [--points Q]

Writes bench/results/bench_sparse.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from pathlib import Path

import numpy as np
from scipy.special import expit

from item_bank.psychometrics import ItemParameters, Quadrature, SparseResponses, calibrate


def simulate(
    n_persons: int, n_items: int, per_person: int, rng: np.random.Generator
) -> tuple[SparseResponses, ItemParameters]:
    truth = ItemParameters.from_difficulty(
        rng.normal(0.0, 1.0, n_items), rng.lognormal(0.0, 0.3, n_items)
    )
    theta = rng.standard_normal(n_persons).astype(np.float32)
    spacing = n_items // per_person
    start = rng.integers(0, n_items, n_persons, dtype=np.int32)
    items = (start[:, None] + spacing * np.arange(per_person, dtype=np.int32)) % n_items
    items = items.ravel()
    persons = np.repeat(np.arange(n_persons, dtype=np.int32), per_person)
    a = truth.discrimination.astype(np.float32)[items]
    d = truth.intercept.astype(np.float32)[items]
    p = expit(a * np.repeat(theta, per_person) + d)
    values = (rng.random(p.size, dtype=np.float32) < p).astype(np.int8)
    return SparseResponses(persons, items, values, n_persons, n_items), truth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--per-person", type=int, default=40)
    parser.add_argument("--points", type=int, default=61, help="quadrature points on [-6, 6]")
    args = parser.parse_args()
    rng = np.random.default_rng(20240611)
    t0 = time.perf_counter()
    data, truth = simulate(args.persons, args.items, args.per_person, rng)
    simulated = time.perf_counter() - t0
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    result = calibrate(data, "2pl", quadrature=Quadrature(args.points), standard_errors=False)
    seconds = time.perf_counter() - start
    peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    est = result.parameters
    row = {
        "persons": args.persons,
        "items": args.items,
        "responses": int(data.values.size),
        "quadrature_points": args.points,
        "seconds": round(seconds, 2),
        "simulation_seconds": round(simulated, 2),
        "peak_rss_GiB": round(peak_gib, 2),
        "e_steps": result.iterations,
        "converged": result.converged,
        "loglik": result.loglik,
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "cpus": os.cpu_count(),
        "rmse_a": float(np.sqrt(np.mean((est.discrimination - truth.discrimination) ** 2))),
        "rmse_b": float(np.sqrt(np.mean((est.difficulty - truth.difficulty) ** 2))),
    }
    for key, value in row.items():
        print(f"{key:<20}{value}")
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "bench_sparse.json").write_text(json.dumps(row, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
