"""Items in notebook cells: Markdown readable anywhere, metadata versioned, round trips exact."""

from __future__ import annotations

import json
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from item_bank.formats.notebook import (
    SCHEMA_VERSION,
    item_to_cell,
    items_to_notebook,
    notebook_items,
    upgrade_cell_metadata,
)
from item_bank.items import Choice, CognitiveLevel, Item, ItemKind, ItemMetadata, NumericKey

MATHS = Item(
    identifier="toan10.ham-so.01",
    kind=ItemKind.SINGLE_CHOICE,
    stem="**Câu 1.** Hàm số nào sau đây đồng biến trên $\\mathbb{R}$?",
    choices=(
        Choice("A", "$y = -x + 1$"),
        Choice("B", "$y = 2x + 3$", feedback="Hệ số góc dương."),
        Choice("C", "$y = x^2$"),
        Choice("D", "$y = 5$", fixed=True),
    ),
    correct=("B",),
    metadata=ItemMetadata(
        subject="Toán", grade=10, topic="Hàm số bậc nhất", cognitive_level=CognitiveLevel.NHAN_BIET
    ),
)
PHYSICS = Item(
    identifier="ly10.chuyen-dong.02",
    kind=ItemKind.NUMERIC,
    stem="Một xe đi 120 km trong 2 giờ. Tốc độ trung bình của xe là bao nhiêu km/h?",
    numeric_keys=(NumericKey(60.0, tolerance=0.5),),
    metadata=ItemMetadata(subject="Vật lí", grade=10),
)
LITERATURE = Item(
    identifier="van10.tho.03",
    kind=ItemKind.MULTIPLE_RESPONSE,
    stem="Những tác phẩm nào sau đây của Nguyễn Du?",
    choices=(
        Choice("A", "Truyện Kiều"),
        Choice("B", "Bình Ngô đại cáo"),
        Choice("C", "Độc Tiểu Thanh kí"),
    ),
    correct=("A", "C"),
    max_choices=3,
    metadata=ItemMetadata(subject="Ngữ văn", grade=10),
)


def test_notebook_round_trips_vietnamese_items() -> None:
    notebook = json.loads(json.dumps(items_to_notebook([MATHS, PHYSICS, LITERATURE], title="Đề")))
    items, errors = notebook_items(notebook)
    assert errors == []
    assert [c.item for c in items] == [MATHS, PHYSICS, LITERATURE]
    assert [c.cell_index for c in items] == [1, 2, 3]


def test_cell_is_plain_markdown_with_a_task_list() -> None:
    cell = item_to_cell(MATHS)
    assert cell["cell_type"] == "markdown"
    assert "- [x] B. $y = 2x + 3$" in cell["source"]
    assert "- [ ] A. $y = -x + 1$" in cell["source"]
    meta = cell["metadata"]["item_bank"]
    assert meta["schema_version"] == SCHEMA_VERSION
    assert "stem" not in meta
    assert "correct" not in meta


def test_teacher_written_cell_without_letters() -> None:
    cell = {
        "cell_type": "markdown",
        "metadata": {
            "item_bank": {"schema_version": 1, "identifier": "q1", "kind": "single_choice"}
        },
        "source": ["Thủ đô của Việt Nam là\n", "\n", "- [ ] TP. Hồ Chí Minh\n", "- [x] Hà Nội\n"],
    }
    [found], errors = notebook_items({"cells": [cell]})
    assert errors == []
    assert found.item.correct == ("B",)
    assert [c.text for c in found.item.choices] == ["TP. Hồ Chí Minh", "Hà Nội"]


def test_broken_cells_are_reported_per_cell_and_others_still_load() -> None:
    notebook = items_to_notebook([MATHS, PHYSICS])
    broken = item_to_cell(LITERATURE)
    broken["source"] = broken["source"].replace("[x]", "[ ]")  # no key at all
    unknown = item_to_cell(PHYSICS)
    unknown["metadata"]["item_bank"]["identifier"] = "ly.bad"
    unknown["metadata"]["item_bank"]["colour"] = "red"
    newer = item_to_cell(MATHS)
    newer["metadata"]["item_bank"]["schema_version"] = SCHEMA_VERSION + 1
    notebook["cells"] += [
        broken,
        {"cell_type": "code", "metadata": {}, "source": "1+1"},
        unknown,
        newer,
    ]
    items, errors = notebook_items(notebook)
    assert [c.cell_index for c in items] == [0, 1]
    assert [(e.cell_index, e.identifier) for e in errors] == [
        (2, "van10.tho.03"),
        (4, "ly.bad"),
        (5, "toan10.ham-so.01"),
    ]
    assert "colour" in errors[1].message
    assert "schema_version" in errors[2].message


def test_version_0_metadata_is_upgraded() -> None:
    old = {"identifier": "q0", "type": "single_choice", "answer": "B"}
    assert upgrade_cell_metadata(old) == {
        "identifier": "q0",
        "kind": "single_choice",
        "correct": ["B"],
        "schema_version": SCHEMA_VERSION,
    }
    cell = {
        "cell_type": "markdown",
        "metadata": {"item_bank": old},
        "source": "Chọn B\n\n- [ ] A. a\n- [ ] B. b",
    }
    [found], _ = notebook_items({"cells": [cell]})
    assert found.item.correct == ("B",)


_text = (
    st.text(
        alphabet=st.characters(codec="utf-8", categories=("L", "N", "Zs")), min_size=1, max_size=30
    )
    .map(lambda t: unicodedata.normalize("NFC", t).strip())
    .filter(bool)
)


@given(
    stem=_text, texts=st.lists(_text, min_size=2, max_size=5, unique=True), key=st.integers(0, 4)
)
def test_choice_items_round_trip(stem: str, texts: list[str], key: int) -> None:
    choices = tuple(Choice(chr(ord("A") + i), t) for i, t in enumerate(texts))
    item = Item(
        identifier="p1",
        kind=ItemKind.SINGLE_CHOICE,
        stem=stem,
        choices=choices,
        correct=(choices[key % len(choices)].identifier,),
    )
    [found], errors = notebook_items(items_to_notebook([item]))
    assert errors == []
    assert found.item == item
