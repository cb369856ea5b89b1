"""Year-end computation for a school of 1,600 students x 12 subjects (target <= 2 s).

Run: ``uv run python bench/bench_yearend.py``. Scores are drawn from a seeded generator, so
every run computes the same school; only the timing varies.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import date
from decimal import Decimal

import numpy as np

from content_service.records.rules import (
    CommentRating,
    CommentSemester,
    Level,
    ScoredSemester,
    SecondaryRuleSet,
    StudentYear,
    compute_year_end,
    select_secondary_rule_set,
)

N_STUDENTS = 1_600
SCORED = {  # subject -> periods per year (grade 8, GDPT 2018)
    "Toán": 140,
    "Ngữ văn": 140,
    "Ngoại ngữ 1": 105,
    "Giáo dục công dân": 35,
    "Lịch sử và Địa lí": 105,
    "Khoa học tự nhiên": 140,
    "Công nghệ": 52,
    "Tin học": 35,
    "Nội dung giáo dục của địa phương": 35,
}
COMMENT = {"Giáo dục thể chất": 70, "Nghệ thuật": 70, "Hoạt động trải nghiệm, hướng nghiệp": 105}
LEVELS = list(Level)


def score(rng: np.random.Generator, ability: float) -> Decimal:
    value = float(np.clip(rng.normal(ability, 1.2), 0, 10))
    return Decimal(f"{value:.1f}")


def semester(
    rng: np.random.Generator, ability: float, rules: SecondaryRuleSet
) -> tuple[ScoredSemester | CommentSemester, ...]:
    subjects: list[ScoredSemester | CommentSemester] = []
    for name, periods in SCORED.items():
        if rules.is_comment_only(name):
            continue
        regular = tuple(score(rng, ability) for _ in range(rules.regular_count(periods)))
        subjects.append(
            ScoredSemester(name, periods, regular, score(rng, ability), score(rng, ability))
        )
    for name, periods in {
        **COMMENT,
        **{n: p for n, p in SCORED.items() if rules.is_comment_only(n)},
    }.items():
        ratings = tuple(
            CommentRating.ACHIEVED if rng.random() > 0.02 else CommentRating.NOT_ACHIEVED
            for _ in range(rules.regular_count(periods) + 2)
        )
        subjects.append(CommentSemester(name, periods, ratings[:-2], ratings[-2], ratings[-1]))
    return tuple(subjects)


def make_school(rng: np.random.Generator, rules: SecondaryRuleSet) -> list[StudentYear]:
    students = []
    for index in range(N_STUDENTS):
        ability = float(rng.uniform(3.5, 9.5))
        conduct = rng.choice(4, size=2, p=[0.6, 0.3, 0.08, 0.02])
        students.append(
            StudentYear(
                student_id=f"HS{index:05d}",
                semester_1=semester(rng, ability, rules),
                semester_2=semester(rng, ability + 0.2, rules),
                conduct_1=LEVELS[int(conduct[0])],
                conduct_2=LEVELS[int(conduct[1])],
                absent_days=int(rng.poisson(4)),
            )
        )
    return students


def main() -> None:
    rules = select_secondary_rule_set("HCM", date(2025, 5, 31), grade=8)
    students = make_school(np.random.default_rng(20250531), rules)
    n_subjects = len(students[0].semester_1)
    start = time.perf_counter()
    results = [compute_year_end(student, rules) for student in students]
    elapsed = time.perf_counter() - start
    levels = Counter(str(r.learning_year.level) for r in results)
    outcomes = Counter(str(r.promotion.status) for r in results)
    print(f"{'students':<28}{len(results):>10}")
    print(f"{'subjects per student':<28}{n_subjects:>10}")
    print(f"{'year-end time (s)':<28}{elapsed:>10.3f}   target <= 2.000")
    adjusted = sum(r.learning_year.adjusted_for is not None for r in results)
    print(f"{'adjusted (Điều 9 k3)':<28}{adjusted:>10}")
    for label, count in sorted(levels.items()):
        print(f"{'learning ' + label:<28}{count:>10}")
    for label, count in sorted(outcomes.items()):
        print(f"{label:<28}{count:>10}")
    if elapsed > 2.0:
        raise SystemExit(f"too slow: {elapsed:.3f} s > 2 s")


if __name__ == "__main__":
    main()
