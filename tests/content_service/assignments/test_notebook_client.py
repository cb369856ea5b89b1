"""The notebook client against the real app: push Vietnamese items, see per-cell errors, pull.

``fastapi.testclient.TestClient`` is an ``httpx.Client``, so the client runs unchanged over it.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from content_service.client import ContentClient
from content_service.models.people import Role
from item_bank.formats.notebook import item_to_cell, items_to_notebook, notebook_items
from item_bank.items import Choice, Item, ItemKind, ItemMetadata, NumericKey
from tests.factories import bearer, create_school, create_user

ITEMS = [
    Item(
        identifier="toan10.nb.01",
        kind=ItemKind.SINGLE_CHOICE,
        stem="Giá trị của $2^{10}$ là",
        choices=(Choice("A", "1000"), Choice("B", "1024"), Choice("C", "2048")),
        correct=("B",),
        metadata=ItemMetadata(subject="Toán", grade=10),
    ),
    Item(
        identifier="ly10.nb.02",
        kind=ItemKind.NUMERIC,
        stem="Gia tốc rơi tự do gần mặt đất xấp xỉ bao nhiêu m/s²?",
        numeric_keys=(NumericKey(9.8, tolerance=0.1),),
        metadata=ItemMetadata(subject="Vật lí", grade=10),
    ),
]


def test_push_shows_per_cell_errors_and_pull_gives_an_equivalent_notebook(
    client: TestClient, db: Engine
) -> None:
    teacher = create_user(db, role=Role.TEACHER, school=create_school(db))
    headers = bearer(client, teacher)
    bank = ContentClient(token=headers["Authorization"].split()[1], http=client)
    notebook = items_to_notebook(ITEMS, title="Đề ôn tập")
    broken = item_to_cell(ITEMS[0])
    broken["metadata"]["item_bank"]["identifier"] = "van.hong"
    broken["source"] = broken["source"].replace("[x]", "[ ]")  # no key
    notebook["cells"].append(broken)

    report = bank.push_notebook(notebook)
    assert report.created == ["toan10.nb.01", "ly10.nb.02"]
    assert [(e.cell_index, e.identifier) for e in report.errors] == [(3, "van.hong")]
    assert report.errors[0].message.startswith("cell 4")

    # A second push updates the drafts instead of creating new items.
    again = bank.push_notebook(notebook)
    assert again.updated == ["toan10.nb.01", "ly10.nb.02"]
    assert again.created == []

    pulled = bank.pull_notebook(report.pushed, title="Đề ôn tập")
    items, errors = notebook_items(pulled)
    assert errors == []
    assert [c.item for c in items] == ITEMS

    assert bank.submit(["toan10.nb.01"]) == ["toan10.nb.01"]
    detail = client.get("/items/by-identifier/toan10.nb.01", headers=headers).json()
    assert detail["latest"]["status"] != "draft"


def test_magic_preview_shows_the_student_view_without_the_key() -> None:
    from content_service.notebook_magic import cell_preview_html

    body = (
        '{"schema_version": 1, "identifier": "q1", "kind": "single_choice"}\n'
        "Thủ đô của Việt Nam là\n\n- [ ] A. TP. Hồ Chí Minh\n- [x] B. Hà Nội\n"
    )
    shown = cell_preview_html(body)
    assert "Thủ đô của Việt Nam là" in shown
    assert "Hà Nội" in shown
    assert "[x]" not in shown
    assert "correct" not in shown
    broken = cell_preview_html(
        '{"schema_version": 1, "identifier": "q2", "kind": "single_choice"}\nX'
    )
    assert "q2" in broken


def test_computed_variables_survive_push_and_pull(client: TestClient, db: Engine) -> None:
    """The authoring example's Python cells reach the bank as expressions and come back."""
    import json
    from pathlib import Path

    from item_bank.templates import draw_variant

    path = Path(__file__).resolve().parents[3] / "notebooks/authoring/bien-tinh-bang-python.ipynb"
    notebook = json.loads(path.read_text(encoding="utf-8"))
    expected, errors = notebook_items(notebook)
    assert errors == []
    teacher = create_user(db, role=Role.TEACHER, school=create_school(db))
    headers = bearer(client, teacher)
    bank = ContentClient(token=headers["Authorization"].split()[1], http=client)
    report = bank.push_notebook(notebook)
    assert report.errors == []
    assert report.created == [c.item.identifier for c in expected]
    pulled = bank.pull_notebook(report.pushed)
    computes = [c for c in pulled["cells"] if c["cell_type"] == "code"]
    assert [c["source"] for c in computes] == [
        "dien_tich = a * b\nchu_vi = 2 * (a + b)",
        "s = v * t",
    ]
    items, errors = notebook_items(pulled)
    assert errors == []
    assert [c.item for c in items] == [c.item for c in expected]
    variant = draw_variant(items[0].item, 11)
    a, b = variant.values["a"], variant.values["b"]
    assert variant.values["dien_tich"] == a * b  # type: ignore[operator]
    assert f"chu vi {2 * (a + b)} m" in variant.item.stem  # type: ignore[operator]
