"""Parameterised items: seeded variants, safe expressions, QTI template processing, shuffling."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from item_bank.items import Choice, Item, ItemKind, NumericKey, TemplateVariable, TextAnswer
from item_bank.qti import read_item
from item_bank.templates import (
    ExpressionError,
    draw_variant,
    evaluate_expression,
    shuffled_choices,
    substitute,
)

QTI3_ITEMS = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "test-material"
    / "qti"
    / "qti3"
    / "items"
)


def fixture(name: str) -> Item:
    return read_item((QTI3_ITEMS / name).read_bytes(), source=name)


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("a*b", 12),
        ("a + b / 2", 5),
        ("-a ** 2", -9),
        ("sqrt(b) + pi * 0", 2),
        ("max(a, b) % 3", 1),
        ("a // 2", 1),
    ],
)
def test_safe_expressions(expression: str, value: float) -> None:
    assert evaluate_expression(expression, {"a": 3, "b": 4}) == pytest.approx(value)


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("__import__('os').system('id')", "Call is not allowed"),
        ("a.__class__", "Attribute is not allowed"),
        ("[x for x in ()]", "ListComp is not allowed"),
        ("c + 1", "unknown variable 'c'"),
        ("2 ** 100000", "exponent 100000 is too large"),
        ("1 / 0", "division by zero"),
        ("a +", "invalid syntax"),
        ("'text'", "Constant is not allowed"),
        ("lambda: 1", "Lambda is not allowed"),
    ],
)
def test_unsafe_or_broken_expressions_are_refused(expression: str, problem: str) -> None:
    with pytest.raises(ExpressionError, match=problem):
        evaluate_expression(expression, {"a": 3})


def test_substitute_leaves_unknown_names() -> None:
    assert substitute("{{a}} + {{ b }} = {{c}}", {"a": 2, "b": 3.0}) == "2 + 3 = {{c}}"


ITEM = Item(
    "speed", ItemKind.NUMERIC, "Xe đi {{d}} km trong {{t}} giờ, vận tốc {{unit}}?",
    template_variables=(
        TemplateVariable("d", 60, 180, 10),
        TemplateVariable("t", 1.5, 3.0, 0.5),
        TemplateVariable("unit", values=("km/h", "km/giờ")),
        TemplateVariable("noise", 0.0, 1.0),
    ),
    numeric_keys=(NumericKey("d / t", tolerance=0.01),),
)  # fmt: skip


def test_same_seed_same_variant() -> None:
    assert draw_variant(ITEM, 99) == draw_variant(ITEM, 99)
    variants = {draw_variant(ITEM, seed).item.stem for seed in range(40)}
    assert len(variants) > 10


def test_variant_values_respect_ranges() -> None:
    for seed in range(50):
        values = draw_variant(ITEM, seed).values
        assert values["d"] in range(60, 181, 10)
        assert values["t"] in (1.5, 2.0, 2.5, 3.0)
        assert values["unit"] in ("km/h", "km/giờ")
        assert 0.0 <= values["noise"] <= 1.0
        key = draw_variant(ITEM, seed).item.numeric_keys[0]
        assert key.value == pytest.approx(values["d"] / values["t"])


@pytest.mark.parametrize("name", ["template.xml", "mc_calc3.xml", "mc_stat2.xml"])
def test_qti_template_items_reproduce(name: str) -> None:
    item = fixture(name)
    first, again = draw_variant(item, 5), draw_variant(item, 5)
    assert first.values == again.values
    assert first.item == again.item
    assert "qti-printed-variable" not in first.item.qti.xml
    assert any(draw_variant(item, s).values != first.values for s in range(1, 20))


def test_mc_calc3_prints_math_variable_and_sets_key() -> None:
    item = fixture("mc_calc3.xml")
    variant = draw_variant(item, 3)
    number = variant.values["CALC0"]
    assert f"<m:mn>{number}</m:mn>" in variant.item.qti.xml
    index = variant.values["i"]
    assert variant.template.correct["RESPONSE0"] == f"SOLUTION0_0_{index - 1}"


def test_template_printed_variables() -> None:
    variant = draw_variant(fixture("template.xml"), 8)
    a, people = variant.values["A"], variant.values["PEOPLE"]
    assert f"If it takes {a}" in variant.item.qti.xml
    assert people in variant.item.qti.xml


def test_shuffled_choices_keep_fixed_choices() -> None:
    choices = tuple(Choice(f"c{i}", str(i), fixed=i in (0, 4)) for i in range(5))
    item = Item("s", ItemKind.SINGLE_CHOICE, "?", choices=choices, correct=("c1",), shuffle=True)
    orders = set()
    for seed in range(30):
        shuffled = shuffled_choices(item, random.Random(seed))
        assert shuffled[0].identifier == "c0"
        assert shuffled[4].identifier == "c4"
        assert sorted(c.identifier for c in shuffled) == [c.identifier for c in choices]
        orders.add(tuple(c.identifier for c in shuffled))
    assert len(orders) == 6  # every order of the three movable choices occurs
    assert shuffled_choices(item, random.Random(1)) == shuffled_choices(item, random.Random(1))


def test_unshuffled_items_keep_their_order() -> None:
    item = fixture("choice.xml")
    assert shuffled_choices(item, random.Random(1)) == item.choices


def test_printed_variable_formats_and_positions() -> None:
    document = """<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
      identifier="fmt" title="t" adaptive="false" time-dependent="false">
      <qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="float"/>
      <qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float"/>
      <qti-template-declaration identifier="X" cardinality="single" base-type="float"/>
      <qti-template-declaration identifier="L" cardinality="ordered" base-type="integer"/>
      <qti-template-processing>
        <qti-set-template-value identifier="X">
          <qti-base-value base-type="float">2.25</qti-base-value></qti-set-template-value>
        <qti-set-template-value identifier="L"><qti-ordered>
          <qti-base-value base-type="integer">1</qti-base-value>
          <qti-base-value base-type="integer">2</qti-base-value>
        </qti-ordered></qti-set-template-value>
      </qti-template-processing>
      <qti-item-body><p><b>x</b> = <qti-printed-variable identifier="X" format="%.1f"/>,
        <qti-printed-variable identifier="L" delimiter=", "/>
        <qti-printed-variable identifier="X" format="%d items"/></p></qti-item-body>
    </qti-assessment-item>"""
    variant = draw_variant(read_item(document, source="fmt.xml"), 1)
    assert "<b>x</b> = 2.2,\n        1, 2\n        2 items</p>" in variant.item.qti.xml


def test_substitution_in_all_texts_and_string_values() -> None:
    item = Item(
        "s", ItemKind.SHORT_TEXT, "Thủ đô của {{country}}?",
        template_variables=(
            TemplateVariable("country", values=("Việt Nam", "Lào")),
            TemplateVariable("n", values=("3",)),
        ),
        text_answers=(TextAnswer("{{country}}", feedback="Đúng: {{country}}"),),
        general_feedback="Xem {{country}}.",
    )  # fmt: skip
    variant = draw_variant(item, 0)
    country = variant.values["country"]
    assert variant.item.text_answers[0].text == country
    assert variant.item.general_feedback == f"Xem {country}."
    assert evaluate_expression("n * 2", variant.values) == 6  # numeric text values count


def test_range_without_bounds_is_refused() -> None:
    item = Item(
        "r",
        ItemKind.NUMERIC,
        "?",
        template_variables=(TemplateVariable("x"),),
        numeric_keys=(NumericKey("x"),),
    )
    with pytest.raises(ValueError, match="has neither values nor a range"):
        draw_variant(item, 1)
