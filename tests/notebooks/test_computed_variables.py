"""Computed template variables written as a Python cell: round trip, delivery, and safety.

The Python cell is parsed, never executed: its right-hand sides become expressions that the
bank evaluates per variant with its AST-walking arithmetic evaluator.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from lxml import etree

from item_bank.formats.json_items import item_from_dict, item_to_dict
from item_bank.formats.notebook import (
    computed_variables_cell,
    item_to_cell,
    items_to_notebook,
    notebook_items,
)
from item_bank.items import Item, ItemKind, ItemMetadata, NumericKey, TemplateVariable
from item_bank.qti.template_export import template_processing
from item_bank.scoring import score_response
from item_bank.templates import ExpressionError, draw_variant

AUTHORING = Path(__file__).resolve().parents[2] / "notebooks" / "authoring"

RECTANGLE = Item(
    identifier="toan6.hcn.01",
    kind=ItemKind.NUMERIC,
    stem="Hình chữ nhật có chiều dài {{a}} cm và chiều rộng {{b}} cm. Chu vi là {{chu_vi}} cm. "
    "Diện tích của nó bằng bao nhiêu cm²?",
    numeric_keys=(NumericKey("dien_tich"),),
    template_variables=(
        TemplateVariable("a", minimum=3, maximum=12),
        TemplateVariable("b", minimum=2, maximum=9),
        TemplateVariable("dien_tich", expression="a * b"),
        TemplateVariable("chu_vi", expression="2 * (a + b)"),
    ),
    metadata=ItemMetadata(subject="Toán", grade=6),
)


def test_the_python_cell_round_trips_through_a_notebook() -> None:
    notebook = items_to_notebook([RECTANGLE], title="Biến tính bằng Python")
    kinds = [c["cell_type"] for c in notebook["cells"]]
    assert kinds == ["markdown", "markdown", "code"]
    code = notebook["cells"][2]
    assert code["source"] == "dien_tich = a * b\nchu_vi = 2 * (a + b)"
    assert code["metadata"]["item_bank"]["computes"] == "toan6.hcn.01"
    # nbformat accepts the notebook, and it survives a write/read as JSON.
    nbformat.validate(nbformat.from_dict(notebook))
    items, errors = notebook_items(json.loads(json.dumps(notebook)))
    assert errors == []
    assert [c.item for c in items] == [RECTANGLE]
    # The single-cell form keeps the expressions in the metadata; the item JSON too.
    single = {"cells": [item_to_cell(RECTANGLE)]}
    assert [c.item for c in notebook_items(single)[0]] == [RECTANGLE]
    assert item_from_dict(item_to_dict(RECTANGLE)) == RECTANGLE


def test_delivery_computes_each_variant_and_scores_against_it() -> None:
    for seed in range(20):
        variant = draw_variant(RECTANGLE, seed)
        a, b = variant.values["a"], variant.values["b"]
        assert isinstance(a, int)
        assert isinstance(b, int)
        assert variant.values["dien_tich"] == a * b
        assert f"Chu vi là {2 * (a + b)} cm." in variant.item.stem
        assert "{{" not in variant.item.stem
        assert score_response(RECTANGLE, str(a * b), variant=variant).correct is True
        assert score_response(RECTANGLE, str(a * b + 1), variant=variant).correct is False
    # Computed variables do not consume the generator: the drawn values are those of the
    # same item without them.
    plain = Item(
        identifier="toan6.hcn.02",
        kind=ItemKind.NUMERIC,
        stem="{{a}} x {{b}}",
        numeric_keys=(NumericKey("a*b"),),
        template_variables=RECTANGLE.template_variables[:2],
    )
    assert {k: draw_variant(plain, 7).values[k] for k in "ab"} == {
        k: draw_variant(RECTANGLE, 7).values[k] for k in "ab"
    }


def test_qti_export_sets_computed_variables_with_qti_operators() -> None:
    processing = template_processing(RECTANGLE, correct_key=0)
    setters = processing.findall("{*}qti-set-template-value")
    assert [s.get("identifier") for s in setters][:4] == ["a", "b", "dien_tich", "chu_vi"]
    product = etree.QName(setters[2][0]).localname
    assert product == "qti-product"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("import os", "only 'name = expression'"),
        ("x = __import__('os').system('id')", "only the maths functions"),
        ("x = open('/etc/passwd').read()", "only the maths functions"),
        ("x = a.__class__", "Attribute is not allowed"),
        ("x = [a for a in range(10**9)]", "is not allowed"),
        ("x = c * 2", "unknown variable 'c'"),
        ("x = a *", "line 1"),
        ("a, b = 1, 2", "only 'name = expression'"),
    ],
)
def test_anything_but_arithmetic_is_a_per_cell_error_and_never_runs(
    source: str, message: str, tmp_path: Path
) -> None:
    base = RECTANGLE.template_variables[:2]
    item = Item(
        identifier="toan6.hcn.03",
        kind=ItemKind.NUMERIC,
        stem="{{a}} {{b}}",
        numeric_keys=(NumericKey(1.0),),
        template_variables=base,
    )
    cell = computed_variables_cell(item.identifier, ())
    cell["source"] = source
    notebook = {"cells": [item_to_cell(item), cell, item_to_cell(RECTANGLE)]}
    items, errors = notebook_items(notebook)
    assert [c.item.identifier for c in items] == ["toan6.hcn.03", "toan6.hcn.01"]
    assert items[0].item.template_variables == base  # nothing added from the broken cell
    assert [(e.cell_index, e.identifier) for e in errors] == [(1, "toan6.hcn.03")]
    assert errors[0].message.startswith("cell 2")
    assert message in errors[0].message


def test_a_cell_computing_an_unknown_item_is_refused() -> None:
    cell = computed_variables_cell("khong.co", (TemplateVariable("x", expression="1 + 1"),))
    items, errors = notebook_items({"cells": [cell, item_to_cell(RECTANGLE)]})
    assert len(items) == 1
    assert errors[0].cell_index == 0
    assert "no item cell before it" in errors[0].message


def test_expressions_are_checked_again_at_delivery() -> None:
    hostile = Item(
        identifier="toan6.hcn.04",
        kind=ItemKind.NUMERIC,
        stem="{{x}}",
        numeric_keys=(NumericKey(1.0),),
        template_variables=(TemplateVariable("x", expression="(1).__class__"),),
    )
    with pytest.raises(ExpressionError, match="not allowed"):
        draw_variant(hostile, 1)


def test_the_authoring_example_has_a_computed_variable_cell() -> None:
    notebook = json.loads((AUTHORING / "bien-tinh-bang-python.ipynb").read_text(encoding="utf-8"))
    items, errors = notebook_items(notebook)
    assert errors == []
    computed = [
        v.name for c in items for v in c.item.template_variables if v.expression is not None
    ]
    assert computed
    for cell in items:
        variant = draw_variant(cell.item, 2026)
        assert "{{" not in variant.item.stem


def test_the_bank_refuses_an_unsafe_computed_variable_from_any_source() -> None:
    """Items that bypass the notebook (JSON, the API) are validated the same way."""
    from item_bank.errors import ImportFormatError

    data = item_to_dict(RECTANGLE)
    data["template_variables"][2]["expression"] = "__import__('os').getcwd()"
    with pytest.raises(ImportFormatError, match="dien_tich"):
        item_from_dict(data)
