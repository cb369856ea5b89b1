"""Time the import of a 10,000-item QTI 3.0 content package.

Builds (in a temporary directory) a zip of varied generated items: single choice, true/false,
multiple response with partial credit, numeric with tolerance, short text, Likert, open response,
and QTI-only interactions (order, match, gap match with custom processing), then imports it with
``item_bank.packages.read_package``.

Run: ``nice -n 5 uv run python bench/bench_qti_import.py [N_ITEMS]``. Prints a small table and
writes ``bench/results/bench_qti_import.json``.
"""

from __future__ import annotations

import json
import multiprocessing
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from item_bank.items import Choice, Item, ItemKind, NumericKey, TextAnswer
from item_bank.packages import build_package, export_package, read_package
from item_bank.qti import read_item

SUBJECTS = ["Toán", "Vật lí", "Hoá học", "Sinh học", "Ngữ văn", "Lịch sử", "Địa lí", "Tiếng Anh"]

ORDER = """<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
  identifier="{id}"
  title="Sắp xếp {n}" adaptive="false" time-dependent="false">
  <qti-response-declaration identifier="RESPONSE" cardinality="ordered" base-type="identifier">
    <qti-correct-response>{correct}</qti-correct-response></qti-response-declaration>
  <qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float"/>
  <qti-item-body><qti-order-interaction response-identifier="RESPONSE" shuffle="true">
    <qti-prompt>Sắp xếp các sự kiện theo thứ tự thời gian ({n}).</qti-prompt>{choices}
  </qti-order-interaction></qti-item-body>
  <qti-response-processing>
    <qti-response-condition><qti-response-if>
      <qti-match>
        <qti-variable identifier="RESPONSE"/><qti-correct identifier="RESPONSE"/>
      </qti-match>
      <qti-set-outcome-value identifier="SCORE">
        <qti-base-value base-type="float">2</qti-base-value>
      </qti-set-outcome-value>
    </qti-response-if></qti-response-condition>
  </qti-response-processing>
</qti-assessment-item>"""


def _order_item(index: int, rng: random.Random) -> Item:
    ids = [f"E{k}" for k in range(rng.randint(3, 6))]
    correct = "".join(f"<qti-value>{i}</qti-value>" for i in ids)
    choices = "".join(
        f'<qti-simple-choice identifier="{i}">Sự kiện {i} năm {1900 + k}</qti-simple-choice>'
        for k, i in enumerate(ids)
    )
    xml = ORDER.format(id=f"order-{index}", n=index, correct=correct, choices=choices)
    return read_item(xml, source=f"generated order-{index}")


def _choices(rng: random.Random, count: int) -> tuple[Choice, ...]:
    return tuple(
        Choice(chr(65 + k), f"Phương án {chr(65 + k)}: {rng.randint(1, 999)}") for k in range(count)
    )


def generate(index: int, rng: random.Random) -> Item:
    subject = SUBJECTS[index % len(SUBJECTS)]
    stem = f"Câu {index} ({subject}): tính giá trị của *x* khi x = {rng.randint(1, 99)}."
    kind = index % 8
    identifier = f"item-{index:05d}"
    if kind == 0:
        return Item(
            identifier,
            ItemKind.SINGLE_CHOICE,
            stem,
            choices=_choices(rng, 4),
            correct=("B",),
            shuffle=True,
        )
    if kind == 1:
        return Item(
            identifier,
            ItemKind.TRUE_FALSE,
            stem,
            choices=(Choice("T", "Đúng"), Choice("F", "Sai")),
            correct=("T",),
        )
    if kind == 2:
        choices = tuple(
            Choice(c.identifier, c.text, score=1.0 if k < 2 else -1.0)
            for k, c in enumerate(_choices(rng, 5))
        )
        return Item(identifier, ItemKind.MULTIPLE_RESPONSE, stem, choices=choices,
                    correct=("A", "B"),
                    partial_credit=True, points=2, max_choices=0)  # fmt: skip
    if kind == 3:
        return Item(
            identifier,
            ItemKind.NUMERIC,
            stem,
            numeric_keys=(NumericKey(rng.uniform(1, 100), tolerance=0.01),),
        )
    if kind == 4:
        return Item(
            identifier,
            ItemKind.SHORT_TEXT,
            stem,
            text_answers=(TextAnswer("Hà Nội"), TextAnswer("Ha Noi", 0.5)),
        )
    if kind == 5:
        choices = tuple(Choice(f"L{k}", str(k), score=k) for k in range(1, 6))
        return Item(identifier, ItemKind.LIKERT, stem, choices=choices, points=5)
    if kind == 6:
        return Item(identifier, ItemKind.OPEN_RESPONSE, stem + "\n\nTrình bày lời giải.", points=3)
    return _order_item(index, rng)


def _build(count: int, path: Path) -> None:
    rng = random.Random(20261123)
    items = [generate(i, rng) for i in range(count)]
    path.write_bytes(export_package(build_package(items, identifier="bench-package")))


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.zip"
        started = time.perf_counter()
        # build in a child process so that the peak memory below is the import's alone
        child = multiprocessing.get_context("spawn").Process(target=_build, args=(count, path))
        child.start()
        child.join()
        build_seconds = time.perf_counter() - started
        size_mb = path.stat().st_size / 1e6
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        imported = read_package(path)
        seconds = time.perf_counter() - started
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rng = random.Random(20261123)
    expected = tuple(generate(i, rng).normalised() for i in range(count))
    assert imported.items == expected, "re-imported items differ from the generated ones"
    kinds = Counter(i.kind.value for i in imported.items)
    result = {
        "items": count,
        "zip_mb": round(size_mb, 2),
        "build_and_export_s": round(build_seconds, 2),
        "import_s": round(seconds, 2),
        "items_per_s": round(count / seconds),
        "peak_rss_mb": round(rss_after / 1024, 1),
        "rss_growth_during_import_mb": round((rss_after - rss_before) / 1024, 1),
        "kinds": dict(sorted(kinds.items())),
    }
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "bench_qti_import.json").write_text(
        json.dumps(result, indent=2, ensure_ascii=False) + "\n"
    )


if __name__ == "__main__":
    main()
