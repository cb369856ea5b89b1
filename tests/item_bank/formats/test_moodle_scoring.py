"""Imported Moodle questions score as Moodle scores them, through the bank's QTI interpreter.

Expected values are Moodle's own rules: a share of the mark per right gap, pair or position;
Cloze parts weighted and partially credited (Marseille 50%).
"""

import pytest

from item_bank.formats import import_moodle_xml
from item_bank.scoring import score_response


def first_item(moodle, name):
    return import_moodle_xml(moodle / name, language="en").items[0]


def test_multiple_answer_partial_credit(moodle):
    item = first_item(moodle, "qtype/multichoice.testquestion.moodle.xml")
    assert score_response(item, ["choice_3", "choice_5"]).score == pytest.approx(1.0)
    assert score_response(item, ["choice_3"]).score == pytest.approx(0.5)


def test_gap_select_share_per_gap(moodle):
    item = first_item(moodle, "qtype/gapselect.testquestion.moodle.xml")
    response = {"RESPONSE_1": "C1", "RESPONSE_2": "C2", "RESPONSE_3": "C4"}
    assert score_response(item, response).score == pytest.approx(2 / 3, abs=1e-6)


def test_cloze_weights_and_partial_short_answer(moodle):
    item = first_item(moodle, "xml/multianswer.xml")
    response = {
        "RESPONSE_1": "C1", "RESPONSE_2": "C2", "RESPONSE_3": "C1", "RESPONSE_4": "C1",
        "RESPONSE_5": "marseille",
    }  # fmt: skip
    assert score_response(item, response).score == pytest.approx(3.5)


def test_matching_share_per_pair(moodle):
    item = first_item(moodle, "qtype/match.testquestion.moodle.xml")
    assert score_response(item, ["S1 T1", "S2 T1"]).score == pytest.approx(1 / 3, abs=1e-6)


def test_ordering_absolute_position(moodle):
    item = first_item(moodle, "qtype/ordering.testquestion.moodle.xml")
    response = ["O1", "O2", "O3", "O4", "O6", "O5"]
    assert score_response(item, response).score == pytest.approx(4 / 6, abs=1e-6)
