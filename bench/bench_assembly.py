"""Benchmark: assemble 40-item forms from a generated 50,000-item bank.

Run ``uv run python bench/bench_assembly.py``. The bank has 6 subjects x 10 topics x 4 cognitive
levels (about 520 items per cell); the blueprint asks one item per topic x level of one subject.
Timed: one form and 4 parallel forms, uncalibrated (greedy) and calibrated (integer program with
difficulty targets / balancing). Prints a table and writes it to bench/results/assembly.md.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from item_bank.assembly import Blueprint, BlueprintCell, IrtParameters, assemble_forms
from item_bank.items import Choice, CognitiveLevel, Item, ItemKind, ItemMetadata

SUBJECTS = ("Toán", "Vật lí", "Hóa học", "Sinh học", "Ngữ văn", "Lịch sử và Địa lí")
LEVELS = tuple(CognitiveLevel)
N_ITEMS = 50_000


def generate_bank(rng: np.random.Generator) -> tuple[list[Item], dict[str, IrtParameters]]:
    choices = tuple(Choice(letter, f"Phương án {letter}") for letter in "ABCD")
    items, params = [], {}
    for n in range(N_ITEMS):
        subject = SUBJECTS[n % 6]
        topic = f"Chủ đề {(n // 6) % 10 + 1}"
        level = LEVELS[(n // 60) % 4]
        identifier = f"gen-{n:05d}"
        items.append(
            Item(
                identifier=identifier,
                kind=ItemKind.SINGLE_CHOICE,
                stem=f"Câu hỏi số {n}",
                choices=choices,
                correct=("ABCD"[n % 4],),
                shuffle=True,
                metadata=ItemMetadata(
                    subject=subject, topic=topic, cognitive_level=level, grade=10
                ),
            )
        )
        params[identifier] = IrtParameters(
            float(rng.uniform(0.6, 2.2)), float(rng.normal(-1.2 + 0.8 * LEVELS.index(level), 0.6))
        )
    return items, params


def blueprint(forms: int, *, targets: bool) -> Blueprint:
    cells = tuple(
        BlueprintCell(
            level,
            1,
            subject="Toán",
            topic=f"Chủ đề {t}",
            points=0.25,
            target_difficulty=(-1.2 + 0.8 * i) if targets else None,
        )
        for t in range(1, 11)
        for i, level in enumerate(LEVELS)
    )
    return Blueprint(cells, forms=forms)


def timed(label: str, items, bp, params, repeats: int) -> tuple[str, float, str, str]:
    times = []
    for seed in range(repeats):
        start = time.perf_counter()
        result = assemble_forms(items, bp, rng=np.random.default_rng(seed), parameters=params)
        times.append(time.perf_counter() - start)
    means = [f.mean_difficulty for f in result.forms]
    spread = f"{max(means) - min(means):.3f}" if params else "-"
    return label, float(np.median(times)), result.method, spread


def main() -> None:
    rng = np.random.default_rng(20240611)
    start = time.perf_counter()
    items, params = generate_bank(rng)
    generated = time.perf_counter() - start
    rows = [
        timed("1 form, uncalibrated", items, blueprint(1, targets=False), None, 5),
        timed("4 parallel forms, uncalibrated", items, blueprint(4, targets=False), None, 5),
        timed("1 form, calibrated, b targets", items, blueprint(1, targets=True), params, 3),
        timed(
            "4 parallel forms, calibrated, balanced", items, blueprint(4, targets=False), params, 3
        ),
    ]
    lines = [
        f"bank: {N_ITEMS} items generated in {generated:.2f} s; 40 items per form",
        "",
        "| case | median s | method | spread of form mean b |",
        "|---|---|---|---|",
        *(
            f"| {label} | {seconds:.3f} | {method} | {spread} |"
            for label, seconds, method, spread in rows
        ),
    ]
    text = "\n".join(lines)
    print(text)
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "assembly.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
