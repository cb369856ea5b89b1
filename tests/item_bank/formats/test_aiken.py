"""Aiken import: Moodle's sample, its error fixture, and Vietnamese text."""

import pytest

from item_bank.errors import ImportFormatError
from item_bank.formats import import_aiken
from item_bank.items import ItemKind


def test_moodle_sample_imports_with_html_escaped(moodle):
    report = import_aiken(moodle / "aiken" / "questions.aiken.txt", language="en")
    first, second = report.items
    assert first.kind is ItemKind.SINGLE_CHOICE
    assert [c.text for c in first.choices] == [
        "Petr Skoda",
        "Martin Dougiamas",
        "Eloy Lafuente",
        "Tim Hunt",
    ]
    assert first.choice(first.correct[0]).text == "Martin Dougiamas"
    assert second.stem == (
        "Moodle's abilities include handling user input that includes "
        '&lt;html class="cool"&gt; &amp; images:'
    )
    assert second.correct == ("choice_a",)
    assert [q.line for q in report.questions] == [1, 8]


def test_error_fixture_is_refused_with_every_problem(moodle):
    with pytest.raises(ImportFormatError) as caught:
        import_aiken(moodle / "aiken" / "aiken_errors.txt")
    message = str(caught.value)
    assert message.startswith("aiken_errors.txt:")
    assert (
        "question 'A question with too few answers' (line 1): "
        "Question must have at least 2 answers on line 3" in message
    )
    assert "Question not started on line 5" in message
    assert "Question not started on line 7" in message
    assert (
        "question 'A question started but not finished' (line 14): "
        "Question not completed before next question start on line 18"
    ) in message
    assert caught.value.item == "question 'A question with too few answers' (line 1)"


def test_no_space_after_label_is_accepted_as_moodle_does():
    report = import_aiken("Câu hỏi?\nA)Sai\nB)Đúng\nANSWER: B\n")
    item = report.items[0]
    assert [c.text for c in item.choices] == ["Sai", "Đúng"]
    assert item.correct == ("choice_b",)


def test_vietnamese_crlf_and_dot_labels():
    text = (
        "Thủ đô của Việt Nam là\r\nA. Hà Nội\r\nB. Huế\r\nC. Đà Nẵng\r\n"
        "D. TP. Hồ Chí Minh\r\nANSWER: A\r\n"
    )
    item = import_aiken(text.encode("utf-8")).items[0]
    assert item.stem == "Thủ đô của Việt Nam là"
    assert item.choice(item.correct[0]).text == "Hà Nội"
    assert item.identifier == "Thu_do_cua_Viet_Nam_la"


def test_answer_letter_outside_options_and_unfinished_end():
    with pytest.raises(
        ImportFormatError, match="ANSWER E on line 4 does not name one of the options"
    ):
        import_aiken("Q?\nA) x\nB) y\nANSWER: E\n")
    with pytest.raises(
        ImportFormatError, match="Question not completed before the end of the file"
    ):
        import_aiken("Q?\nA) x\nB) y\n")
