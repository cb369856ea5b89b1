"""Grade-10 allocation: 100,000 applicants, 3 regular wishes, 120 schools (target <= 5 s).

Run: ``uv run python bench/bench_admissions.py``. The applicants come from a seeded generator;
the table reports the city procedure (timed against the target), the deferred-acceptance
what-if and the comparison report.
"""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

import numpy as np

from content_service.admissions.rules import (
    Grade10Applicant,
    Grade10RuleSet,
    School,
    allocate_grade10,
    compare_with_deferred_acceptance,
    select_admission_rule_set,
)

N_APPLICANTS = 100_000
N_SCHOOLS = 120
SEATS_PER_APPLICANT = 0.8  # HCMC public schools seat roughly 3 in 4 grade-9 leavers


def quarter(value: float) -> Decimal:
    return Decimal(round(min(max(value, 0.0), 10.0) * 4)) / 4


def make_schools(rng: np.random.Generator) -> list[School]:
    weights = rng.dirichlet(np.full(N_SCHOOLS, 8.0))
    quotas = np.floor(weights * N_APPLICANTS * SEATS_PER_APPLICANT).astype(int)
    return [School(f"S{i:03d}", f"THPT số {i}", int(q)) for i, q in enumerate(quotas)]


def make_applicants(rng: np.random.Generator, n_schools: int) -> list[Grade10Applicant]:
    ability = rng.normal(6.0, 1.6, N_APPLICANTS)
    scores = ability[:, None] + rng.normal(0, 1.0, (N_APPLICANTS, 3))
    popularity = rng.dirichlet(np.full(n_schools, 2.0))
    wishes = [
        rng.choice(n_schools, size=3, replace=False, p=popularity) for _ in range(N_APPLICANTS)
    ]
    groups = rng.choice([0, 1, 2, 3], size=N_APPLICANTS, p=[0.9, 0.02, 0.03, 0.05])
    return [
        Grade10Applicant(
            applicant_id=f"TS{i:06d}",
            literature=quarter(scores[i, 0]),
            mathematics=quarter(scores[i, 1]),
            foreign_language=quarter(scores[i, 2]),
            regular_wishes=tuple(f"S{w:03d}" for w in wishes[i]),
            priority_group=int(groups[i]) or None,
            supplementary_wishes=(f"S{int(wishes[i][0] + 1) % n_schools:03d}",),
        )
        for i in range(N_APPLICANTS)
    ]


def main() -> None:
    rules = select_admission_rule_set("HCM", "grade10", date(2025, 6, 1))
    assert isinstance(rules, Grade10RuleSet)
    rng = np.random.default_rng(20250606)
    schools = make_schools(rng)
    applicants = make_applicants(rng, len(schools))
    start = time.perf_counter()
    result = allocate_grade10(applicants, schools, rules)
    city_time = time.perf_counter() - start
    start = time.perf_counter()
    report = compare_with_deferred_acceptance(applicants, schools, rules, result)
    da_time = time.perf_counter() - start
    start = time.perf_counter()
    n_lines = sum(len(r.explanation().splitlines()) for r in result.reports.values())
    explain_time = time.perf_counter() - start
    placed = len(result.admitted)
    by_wish: dict[str, int] = {}
    for placement in result.admitted:
        by_wish[placement.label] = by_wish.get(placement.label, 0) + 1
    print(f"{'applicants':<34}{len(applicants):>10}")
    print(f"{'schools / seats':<34}{len(schools):>5} / {sum(s.regular_quota for s in schools)}")
    print(f"{'city procedure time (s)':<34}{city_time:>10.3f}   target <= 5.000")
    print(f"{'placed (city)':<34}{placed:>10}")
    for label in sorted(by_wish):
        print(f"{'  via ' + label:<34}{by_wish[label]:>10}")
    print(f"{'all explanations (s) / lines':<34}{explain_time:>10.3f} / {n_lines}")
    print(f"{'DA simulation + comparison (s)':<34}{da_time:>10.3f}")
    print(f"{'placed differently under DA':<34}{len(report.differences):>10}")
    print(f"{'  better under DA':<34}{len(report.better_under_da):>10}")
    print(f"{'  better under the city rule':<34}{len(report.worse_under_da):>10}")
    if city_time > 5.0:
        raise SystemExit(f"too slow: {city_time:.3f} s > 5 s")


if __name__ == "__main__":
    main()
