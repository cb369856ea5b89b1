"""Benchmark: 2PL calibration of 100,000 persons x 100 items (seeded), side by side.

Compares, in one process (after a warm-up call on a slice of the data),
``item_bank.psychometrics.calibrate`` (2PL and 3PL), a plain vectorised numpy Bock-Aitkin EM
written below as the baseline (same 61-point grid on [-6, 6] and the same tolerance: largest
parameter change < 1e-4), and the peers ``girth.twopl_mml`` and the PyPI package ``mirt``
(``fit_mirt``). Reports wall seconds, peak traced memory
(tracemalloc, which numpy reports its buffers to) and parameter RMSE against the truth.

    uv run python bench/bench_calibration.py [--skip-peers] [--persons N] [--items J]

Writes bench/results/bench_calibration.json.
"""

from __future__ import annotations

import argparse
import json
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy.special import expit

from item_bank.psychometrics import ItemParameters, calibrate, simulate_responses

GRID = np.linspace(-6.0, 6.0, 61)
TOL = 1e-4


def textbook_em(x: np.ndarray, max_iter: int = 500) -> tuple[np.ndarray, np.ndarray, int]:
    """Plain Bock-Aitkin EM for the 2PL: float64, no acceleration, full Newton M-step."""
    prior = np.exp(-0.5 * GRID**2)
    prior /= prior.sum()
    n_items = x.shape[1]
    a, d = np.ones(n_items), np.log((x.mean(0) + 1e-3) / (1 - x.mean(0) + 1e-3))
    wrong = 1.0 - x
    iteration = 0
    while iteration < max_iter:
        iteration += 1
        p = expit(np.outer(GRID, a) + d)  # (Q, J)
        loglik = x @ np.log(p).T + wrong @ np.log1p(-p).T  # (N, Q)
        loglik -= loglik.max(axis=1, keepdims=True)
        post = np.exp(loglik) * prior
        post /= post.sum(axis=1, keepdims=True)
        r = x.T @ post  # expected correct (J, Q)
        n = post.sum(axis=0)  # expected persons (Q,)
        new_a, new_d = a.copy(), d.copy()
        for _ in range(10):  # Newton-Raphson per item, vectorised over items
            p = expit(np.outer(new_a, GRID) + new_d[:, None])
            resid, w = r - n * p, n * p * (1 - p)
            g_a, g_d = resid @ GRID, resid.sum(1)
            h_aa, h_ad, h_dd = w @ GRID**2, w @ GRID, w.sum(1)
            det = h_aa * h_dd - h_ad**2
            step_a = (h_dd * g_a - h_ad * g_d) / det
            step_d = (h_aa * g_d - h_ad * g_a) / det
            new_a, new_d = new_a + step_a, new_d + step_d
            if max(np.abs(step_a).max(), np.abs(step_d).max()) < 1e-8:
                break
        change = max(np.abs(new_a - a).max(), np.abs(new_d - d).max())
        a, d = new_a, new_d
        if change < TOL:
            break
    return a, -d / a, iteration


def run(name: str, fn: Callable[[], tuple[np.ndarray, np.ndarray, str]], truth: ItemParameters,
        *, trace_memory: bool = True) -> dict[str, object]:  # fmt: skip
    """Time ``fn`` (returning slopes, difficulties, note); optionally a traced second run."""
    start = time.perf_counter()
    a, b, note = fn()
    seconds = time.perf_counter() - start
    peak = float("nan")
    if trace_memory:
        tracemalloc.start()
        fn()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    row = {
        "method": name,
        "seconds": round(seconds, 3),
        "peak_MiB": round(peak, 1),
        "rmse_a": float(np.sqrt(np.mean((a - truth.discrimination) ** 2))),
        "rmse_b": float(np.sqrt(np.mean((b - truth.difficulty) ** 2))),
        "note": note,
    }
    print(f"{name:<22}{row['seconds']:>9.3f} s{row['peak_MiB']:>10.1f} MiB"
          f"{row['rmse_a']:>10.4f}{row['rmse_b']:>10.4f}  {note}", flush=True)  # fmt: skip
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--skip-peers", action="store_true", help="skip girth and mirt")
    args = parser.parse_args()
    rng = np.random.default_rng(20240611)
    truth = ItemParameters.from_difficulty(
        rng.normal(0.0, 1.0, args.items), rng.lognormal(0.0, 0.3, args.items)
    )
    x = simulate_responses(truth, rng.standard_normal(args.persons), rng=rng)
    print(f"2PL data: {args.persons} persons x {args.items} items")
    print(f"{'method':<22}{'time':>11}{'peak':>14}{'rmse_a':>10}{'rmse_b':>10}")

    def ours(model: str) -> Callable[[], tuple[np.ndarray, np.ndarray, str]]:
        def fit() -> tuple[np.ndarray, np.ndarray, str]:
            res = calibrate(x, model, standard_errors=False)
            p = res.parameters
            return p.discrimination, p.difficulty, f"{res.iterations} E-steps"

        return fit

    def baseline() -> tuple[np.ndarray, np.ndarray, str]:
        a, b, it = textbook_em(x)
        return a, b, f"{it} EM iterations"

    # warm-up on a slice: first-call costs (BLAS threads, page faults) are not the method's
    calibrate(x[:20_000], "2pl", standard_errors=False)
    textbook_em(x[:20_000], max_iter=3)
    rows = [run("ours 2PL", ours("2pl"), truth), run("ours 3PL", ours("3pl"), truth),
            run("plain numpy EM 2PL", baseline, truth)]  # fmt: skip
    if not args.skip_peers:
        rows += peers(x, truth)
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "bench_calibration.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    speedup = rows[2]["seconds"] / rows[0]["seconds"]  # type: ignore[operator]
    ratio = rows[1]["seconds"] / rows[0]["seconds"]  # type: ignore[operator]
    print(f"ours vs plain EM: {speedup:.1f}x faster; 3PL/2PL time ratio {ratio:.2f}")


def peers(x: np.ndarray, truth: ItemParameters) -> list[dict[str, object]]:
    """girth and PyPI mirt, each timed once (with tracemalloc on, so times are upper bounds)."""
    import girth
    import mirt

    def girth_fit() -> tuple[np.ndarray, np.ndarray, str]:
        res = girth.twopl_mml(x.T.astype(int), {"quadrature_n": 61, "quadrature_bounds": (-6, 6)})
        return res["Discrimination"], res["Difficulty"], "girth.twopl_mml"

    def mirt_fit() -> tuple[np.ndarray, np.ndarray, str]:
        res = mirt.fit_mirt(x.astype(int), "2PL", n_quadpts=61, tol=TOL,
                            compute_standard_errors=False)  # fmt: skip
        par = res.model.parameters
        return np.ravel(par["discrimination"]), np.ravel(par["difficulty"]), "mirt.fit_mirt"

    return [run(name, fn, truth, trace_memory=False) for name, fn in
            (("girth", girth_fit), ("mirt (PyPI)", mirt_fit))]  # fmt: skip


if __name__ == "__main__":
    main()
