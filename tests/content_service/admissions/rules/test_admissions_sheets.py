"""Answer sheets scored against a form's items: printed letters through the shuffled option
order, partial credit as the item defines it, numeric answers, and the 10-point scale in
0.25 steps; bad sheets refused naming the question."""

from __future__ import annotations

from decimal import Decimal

import pytest

from content_service.admissions.rules import AdmissionInputError
from content_service.admissions.rules.sheets import (
    FormNotScoreableError,
    SheetForm,
    SheetQuestion,
    parse_compact_answers,
    quarter_scale,
    score_sheet,
)
from item_bank.items import Choice, Item, ItemKind, NumericKey

ABCD = tuple(Choice(i, f"phương án {i}") for i in "abcd")
SINGLE = Item("q-single", ItemKind.SINGLE_CHOICE, "Câu hỏi", choices=ABCD, correct=("b",))
MULTIPLE = Item(
    "q-multi",
    ItemKind.MULTIPLE_RESPONSE,
    "Chọn các đáp án đúng",
    choices=(
        Choice("a", "đúng 1", score=0.5),
        Choice("b", "đúng 2", score=0.5),
        Choice("c", "sai", score=-0.5),
    ),
    correct=("a", "b"),
    max_choices=3,
    partial_credit=True,
)
NUMERIC = Item("q-num", ItemKind.NUMERIC, "2,5 + 2,5 = ?", numeric_keys=(NumericKey(5.0),))
# The printed order shuffles the options: the key "b" is printed under the letter D.
FORM = SheetForm(
    "1",
    (
        SheetQuestion(1, SINGLE, ("c", "a", "d", "b"), 2.0),
        SheetQuestion(2, MULTIPLE, ("a", "b", "c"), 4.0),
        SheetQuestion(3, NUMERIC, (), 2.0),
    ),
)


def test_letters_are_read_through_the_printed_order_with_partial_credit() -> None:
    perfect = score_sheet(FORM, parse_compact_answers("1D 2AB 3=5", 3))
    assert (perfect.points, perfect.max_points, perfect.score) == (
        Decimal(8),
        Decimal(8),
        Decimal("10.00"),
    )
    # 1B is option "a" (wrong); 2A earns half of the 4-point question; 3 left blank.
    half = score_sheet(FORM, parse_compact_answers("1b 2A 3-", 3))
    assert (half.points, half.score) == (Decimal(2), Decimal("2.50"))
    # A wrong option takes its negative credit, clamped at zero; column form with a blank cell.
    clamped = score_sheet(FORM, ["D", "AC", ""])
    assert (clamped.points, clamped.score) == (Decimal(2), Decimal("2.50"))
    # Two bubbles on a one-answer question earn nothing, as on a paper sheet.
    assert score_sheet(FORM, ["DA", "", "5"]).points == Decimal(2)


def test_scores_round_to_the_nearest_quarter_half_up() -> None:
    assert quarter_scale(Decimal(7), Decimal(8)) == Decimal("8.75")
    assert quarter_scale(Decimal(1), Decimal(3)) == Decimal("3.25")  # 3.333 -> 3.25
    assert quarter_scale(Decimal("0.375"), Decimal(4)) == Decimal("1.00")  # 0.9375 -> 1.00 (up)
    assert quarter_scale(Decimal(0), Decimal(40)) == Decimal("0.00")
    with pytest.raises(AdmissionInputError, match="no marks"):
        quarter_scale(Decimal(0), Decimal(0))


@pytest.mark.parametrize(
    ("compact", "message"),
    [
        ("1D 2AB", r"wrong number of answers, expected 3, got 2 \(missing 3"),
        ("1D 2AB 3=5 4A", "question 4 does not exist"),
        ("1D 1A 3=5", "question 1 is answered twice"),
        ("D AB 5", "'D' is not <question number><answer>"),
    ],
)
def test_malformed_compact_sheets_are_refused(compact: str, message: str) -> None:
    with pytest.raises(AdmissionInputError, match=message):
        parse_compact_answers(compact, 3)


def test_bad_answers_name_the_question() -> None:
    with pytest.raises(
        AdmissionInputError, match=r"question 1: 'E' is not a printed option \(A-D\)"
    ):
        score_sheet(FORM, ["E", "", ""])
    with pytest.raises(AdmissionInputError, match="question 2: 'AA' repeats a letter"):
        score_sheet(FORM, ["", "AA", ""])
    with pytest.raises(AdmissionInputError, match="expected 3, got 4"):
        score_sheet(FORM, ["", "", "", ""])


def test_an_essay_cannot_be_scored_from_a_sheet() -> None:
    essay = Item("q-essay", ItemKind.OPEN_RESPONSE, "Viết đoạn văn")
    with pytest.raises(FormNotScoreableError, match=r"question 1 .*open_response"):
        SheetForm("2", (SheetQuestion(1, essay, (), 4.0),))
