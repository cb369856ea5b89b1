"""Latency of CAT next-item selection from a 10,000-item bank with exposure control.

Run: ``uv run python bench/bench_cat.py [--items 10000] [--sessions 200] [--length 30]``.
Prints a small table and writes ``bench/results/bench_cat.json``. Target: p99 <= 1 ms per
selection. Timed: ``CATSession.next_item`` only (the selection); the response update is
timed separately because a web service runs it in the same request.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from item_bank.psychometrics.cat import Blueprint, CATBank, CATRules, CATSession
from item_bank.psychometrics.parameters import ItemParameters

RESULTS = Path(__file__).resolve().parent / "results"


def build_bank(rng: np.random.Generator, n_items: int) -> tuple[CATBank, float]:
    params = ItemParameters.from_difficulty(
        rng.normal(0, 1.2, n_items),
        rng.lognormal(0.2, 0.3, n_items),
        rng.uniform(0.05, 0.25, n_items),
        model="3pl",
        item_ids=[f"item-{j}" for j in range(n_items)],
    )
    areas = np.array(["number", "algebra", "geometry", "statistics"])[rng.integers(0, 4, n_items)]
    # Exposure parameters as a Sympson-Hetter run would leave them: the most informative
    # items get small K, most items K = 1.
    exposure = np.where(rng.random(n_items) < 0.05, rng.uniform(0.1, 0.6, n_items), 1.0)
    start = time.perf_counter()
    bank = CATBank(params, content_areas=areas.tolist(), exposure_parameters=exposure)
    return bank, time.perf_counter() - start


def run(
    bank: CATBank, rules: CATRules, blueprint: Blueprint | None, n_sessions: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    select_ns, update_ns = [], []
    a, d, c = bank.parameters.discrimination, bank.parameters.intercept, bank.parameters.guessing
    for _ in range(n_sessions):
        theta = rng.normal()
        excluded = rng.choice(bank.n_items, 200, replace=False)  # items seen before
        session = CATSession(bank, rules, blueprint=blueprint, excluded=excluded.tolist())
        while True:
            t0 = time.perf_counter_ns()
            item = session.next_item(rng)
            t1 = time.perf_counter_ns()
            if item is None:
                break
            select_ns.append(t1 - t0)
            p = c[item] + (1 - c[item]) / (1 + np.exp(-(a[item] * theta + d[item])))
            t2 = time.perf_counter_ns()
            session.record(item, int(rng.random() < p))
            update_ns.append(time.perf_counter_ns() - t2)
    return np.array(select_ns) / 1e6, np.array(update_ns) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--length", type=int, default=30)
    args = parser.parse_args()
    bank, build_s = build_bank(np.random.default_rng(1), args.items)
    blueprint = Blueprint({"number": 3, "algebra": 3, "geometry": 2, "statistics": 2})
    configs = {
        "max-info": (CATRules(max_length=args.length, se_target=None), None),
        "randomesque-5": (CATRules(max_length=args.length, se_target=None, randomesque=5), None),
        "SH + blueprint": (
            CATRules(max_length=args.length, se_target=None, sympson_hetter=True),
            blueprint,
        ),
        "SH + rand-5 + bp": (
            CATRules(max_length=args.length, se_target=None, sympson_hetter=True, randomesque=5),
            blueprint,
        ),
    }
    rows = []
    print(f"bank: {args.items} 3PL items, built in {build_s:.2f} s; "
          f"{args.sessions} sessions x {args.length} items")  # fmt: skip
    print(f"{'configuration':<18} {'n':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} "
          f"{'update p99':>10}")  # fmt: skip
    for seed, (name, (rules, bp)) in enumerate(configs.items()):
        select, update = run(bank, rules, bp, args.sessions, seed)
        p50, p99 = np.percentile(select, [50, 99])
        rows.append(
            {
                "configuration": name,
                "n": int(select.size),
                "p50_ms": p50,
                "p99_ms": p99,
                "max_ms": float(select.max()),
                "update_p99_ms": np.percentile(update, 99),
            }
        )
        print(f"{name:<18} {select.size:>6} {p50:>8.3f} {p99:>8.3f} {select.max():>8.3f} "
              f"{np.percentile(update, 99):>10.3f}")  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    out = {"items": args.items, "sessions": args.sessions, "length": args.length,
           "build_seconds": build_s, "results": rows}  # fmt: skip
    (RESULTS / "bench_cat.json").write_text(json.dumps(out, indent=2, default=float) + "\n")


if __name__ == "__main__":
    main()
