"""score_response for every kind; native kinds agree with their QTI definitions."""

from __future__ import annotations

from pathlib import Path

import pytest

from item_bank.items import Choice, Item, ItemKind, NumericKey, TemplateVariable, TextAnswer
from item_bank.qti import QtiProcessingError, read_item
from item_bank.scoring import parse_number, score_response
from item_bank.templates import draw_variant

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


def test_choice_multiple_partial_credit_with_lower_bound() -> None:
    item = fixture("choice_multiple.xml")
    assert score_response(item, ["H", "O"]).score == 2
    assert score_response(item, ["H", "O", "Cl"]).score == 1
    assert score_response(item, []).score == 0
    assert score_response(item, ["He"]).score == 0  # -2 raised to the lower bound 0
    result = score_response(item, ["O", "H"])
    assert (result.max_score, result.correct) == (2, True)


def test_text_entry_case_sensitive_mapping() -> None:
    item = fixture("text_entry.xml")
    assert score_response(item, "York").score == 1
    assert score_response(item, "york").score == 0.5
    assert score_response(item, "YORK").score == 0
    assert score_response(item, "  York ").correct is True  # surrounding spaces do not count


def test_single_choice_and_unknown_choice() -> None:
    item = fixture("choice.xml")
    assert score_response(item, "ChoiceA").correct is True
    assert score_response(item, "ChoiceB").score == 0
    assert score_response(item, None).score == 0
    with pytest.raises(ValueError, match="'ChoiceZ' is not one of its choices"):
        score_response(item, "ChoiceZ")
    with pytest.raises(ValueError, match="takes one choice, got 2"):
        score_response(item, ["ChoiceA", "ChoiceB"])


def test_likert_returns_the_chosen_value() -> None:
    result = score_response(fixture("likert.xml"), "L4")
    assert (result.score, result.max_score, result.correct) == (4, 5, None)


def test_open_response_needs_manual_scoring() -> None:
    result = score_response(fixture("extended_text.xml"), "Dear Sam, ...")
    assert result.needs_manual_scoring
    assert result.correct is None
    assert result.score == 0


def test_qti_items_use_the_interpreter() -> None:
    result = score_response(fixture("Example01-modalFeedback.xml"), "true")
    assert (result.score, result.max_score, result.correct) == (10, 10, True)
    assert result.feedback == ("correct",)
    assert result.outcomes["FEEDBACK"] == "correct"
    multi = fixture("multi-input.xml")
    assert score_response(multi, {"RESPONSE1": "ChoiceA", "RESPONSE3": "wicked king"}).score == 2
    with pytest.raises(QtiProcessingError, match="has 4 responses: pass a mapping"):
        score_response(multi, "ChoiceA")


def test_qti_template_item_needs_its_variant() -> None:
    item = fixture("template.xml")
    with pytest.raises(ValueError, match="is parameterised: pass the attempt's variant"):
        score_response(item, 10)
    variant = draw_variant(item, 2026)
    assert variant.template is not None
    right = variant.template.correct["RESPONSE"]
    assert score_response(item, right, variant=variant).score == 1
    assert score_response(item, right + 1, variant=variant).score == 0
    with pytest.raises(ValueError, match="the variant is of item 'template', not 'choice'"):
        score_response(fixture("choice.xml"), "ChoiceA", variant=variant)


NUMERIC = Item(
    "g", ItemKind.NUMERIC, "g = ?", points=2,
    numeric_keys=(
        NumericKey(9.8, tolerance=0.05, units=("m/s2", "m/s^2"), feedback="Chính xác."),
        NumericKey(10, score=0.5, units=("m/s2",), feedback="Gần đúng."),
    ),
)  # fmt: skip


@pytest.mark.parametrize(
    ("response", "score"),
    [("9.8", 2), ("9,84 m/s2", 2), ("9.8 m/s^2", 2), ("9.86", 0), ("10 m/s2", 1), ("9.8 km", 0),
     (9.75, 2), ("", 0), ("abc", 0), (None, 0)],
)  # fmt: skip
def test_numeric_tolerance_and_units(response: object, score: float) -> None:
    assert score_response(NUMERIC, response).score == score


def test_numeric_feedback_and_relative_tolerance() -> None:
    assert score_response(NUMERIC, "10").feedback == ("Gần đúng.",)
    item = Item(
        "pi",
        ItemKind.NUMERIC,
        "π?",
        numeric_keys=(NumericKey(3.14159, tolerance=0.001, relative=True),),
    )
    assert score_response(item, "3.1447").score == 1
    assert score_response(item, "3.146").score == 0


def test_parse_number() -> None:
    assert parse_number("-1,5e3 kg") == (-1500.0, "kg")
    assert parse_number(".5") == (0.5, "")
    assert parse_number("m 5") is None


TEXT = Item(
    "t", ItemKind.SHORT_TEXT, "?",
    text_answers=(
        TextAnswer("Hồ Chí Minh"),
        TextAnswer("Sài *", 0.5, feedback="Tên cũ."),
        TextAnswer("HCM", 0.25, case_sensitive=True),
    ),
)  # fmt: skip


@pytest.mark.parametrize(
    ("response", "score"),
    [
        ("Hồ Chí Minh", 1),
        ("hồ chí minh", 1),
        ("Sài Gòn", 0.5),
        ("sài gòn", 0.5),
        ("HCM", 0.25),
        ("hcm", 0),
        ("Hà Nội", 0),
    ],
)
def test_short_text_case_and_wildcard(response: str, score: float) -> None:
    assert score_response(TEXT, response).score == score


def test_general_and_choice_feedback() -> None:
    item = Item(
        "fb", ItemKind.MULTIPLE_RESPONSE, "?", correct=("a",), general_feedback="Xem bài 2.",
        choices=(Choice("a", "A", feedback="Đúng."), Choice("b", "B", feedback="Sai.")),
    )  # fmt: skip
    result = score_response(item, ["a", "b"])
    assert result.feedback == ("Đúng.", "Sai.", "Xem bài 2.")
    assert result.score == 0


def test_native_parameterised_item() -> None:
    item = Item(
        "area", ItemKind.NUMERIC, "Diện tích hình chữ nhật {{a}} x {{b}}?",
        template_variables=(TemplateVariable("a", 2, 9, 1), TemplateVariable("b", 2, 9, 1)),
        numeric_keys=(NumericKey("a*b"),),
    )  # fmt: skip
    with pytest.raises(ValueError, match="parameterised"):
        score_response(item, 12)
    variant = draw_variant(item, 11)
    a, b = variant.values["a"], variant.values["b"]
    assert variant.item.stem == f"Diện tích hình chữ nhật {a} x {b}?"
    assert score_response(item, a * b, variant=variant).score == 1
    assert score_response(item, a * b + 1, variant=variant).score == 0
