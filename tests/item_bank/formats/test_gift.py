"""GIFT import over Moodle's GIFT examples, plus broken and Vietnamese input."""

import pytest
from lxml import etree

from item_bank.errors import ImportFormatError
from item_bank.formats import import_gift
from item_bank.items import ItemKind, validate_item

QTI = "{http://www.imsglobal.org/xsd/imsqtiasi_v3p0}"


@pytest.fixture
def examples(moodle):
    return import_gift(moodle / "gift" / "examples.txt", language="en")


@pytest.mark.parametrize(
    ("name", "count"),
    [("examples.txt", 43), ("questions.gift.txt", 9), ("questions_in_category.gift.txt", 4)],
)
def test_every_gift_fixture_imports(moodle, name, count):
    report = import_gift(moodle / "gift" / name)
    assert len(report.items) == count
    assert report.skipped == ()
    assert all(validate_item(item) == [] for item in report.items)


def test_kinds_follow_moodles_type_detection(examples):
    kinds = [q.item.kind.value for q in examples.questions[:5]]
    assert kinds == ["single_choice", "single_choice", "true_false", "short_text", "numeric"]
    assert examples.questions[0].line == 8


def test_missing_word_leaves_a_blank(examples):
    item = examples.questions[1].item
    assert item.stem == "Grant is _____ in Grant's tomb."
    assert item.choice(item.correct[0]).text == "entombed"


def test_numeric_tolerance_range_and_partial_answers(examples):
    by_line = {q.line: q.item for q in examples.questions}
    assert [(k.value, k.tolerance) for k in by_line[16].numeric_keys] == [(1822.0, 1.0)]
    ((value, tolerance),) = [(k.value, k.tolerance) for k in by_line[74].numeric_keys]
    assert value == pytest.approx(3.1415)
    assert tolerance == pytest.approx(0.0005)
    assert [(k.value, k.tolerance, k.score) for k in by_line[76].numeric_keys] == [
        (1822.0, 0.0, 1.0),
        (1822.0, 2.0, 0.5),
    ]
    feedback = [k.feedback for k in by_line[202].numeric_keys]
    assert feedback[0] == "Correct! 100% credit"
    assert feedback[1].startswith("He was born in 1822.\n")
    assert feedback[1].endswith("50% credit for being close.")


def test_percentages_give_partial_credit_with_feedback(examples):
    item = examples.by_name("Jesus' hometown").item
    assert [(c.text, c.score) for c in item.choices] == [
        ("Jerusalem", 0.0),
        ("Bethlehem", 0.25),
        ("Galilee", 0.5),
        ("Nazareth", 1.0),
    ]
    assert item.partial_credit
    assert item.choice(item.correct[0]).feedback == "Yes! That's right!"
    short = examples.questions[28].item
    assert short.kind is ItemKind.SHORT_TEXT
    assert [(a.text, a.score) for a in short.text_answers] == [
        ("Nazareth", 1.0),
        ("Nazereth", 0.75),
        ("Bethlehem", 0.25),
    ]


def test_multiple_answers_with_penalties(examples):
    item = examples.questions[30].item
    assert item.kind is ItemKind.MULTIPLE_RESPONSE
    assert [c.score for c in item.choices] == [-0.5, 0.5, 0.5, -0.5]
    assert [item.choice(k).text for k in item.correct] == ["Grant", "Grant's wife"]


def test_escaped_control_characters(examples):
    equals = examples.by_name("Which answer equals 5?").item
    assert [c.text for c in equals.choices] == ["= 2 + 2", "= 2 + 3", "= 2 + 4"]
    assert equals.choice(equals.correct[0]).text == "= 2 + 3"
    controls = examples.by_name("GIFT Control Characters").item
    assert [c.text for c in controls.choices] == ["~", "=", "#", "{", "}", "\\"]
    key = controls.choice(controls.correct[0])
    assert key.text == "\\"
    assert key.feedback.startswith("Correct! \\ (backslash)")


def test_titles_markdown_and_true_false_feedback(examples):
    kanji = examples.by_name("Kanji Origins").item
    assert kanji.title == "Kanji Origins"
    assert kanji.stem == "Japanese characters originally\ncame from what country?"
    markdown = examples.questions[24].item
    assert markdown.stem == "Who's buried in **Grant's tomb**?"
    false = examples.questions[25].item
    assert false.correct == ("false",)
    assert false.choice("true").feedback == "No one is buried in Grant's tomb."


def test_matching_with_distractor_and_formats(moodle):
    report = import_gift(moodle / "gift" / "questions.gift.txt")
    item = report.by_name("Moodle activities").item
    assert item.kind is ItemKind.QTI
    assert item.stem == "Match the <b>activity</b> to the description."
    root = etree.fromstring(item.qti.xml)
    choices = [c.text for c in root.iter(f"{QTI}qti-simple-associable-choice")]
    assert choices[-5:] == ["Forum", "Choice", "Database", "Wiki", "Chat"]
    assert choices[2] == "A bank of record entries which participants can add to."
    assert len(list(root.iter(f"{QTI}qti-map-entry"))) == 4


def test_essay_general_feedback_and_true_false_feedback(moodle):
    report = import_gift(moodle / "gift" / "questions.gift.txt")
    assert report.by_name("Q8").item.kind is ItemKind.OPEN_RESPONSE
    q1 = report.by_name("Q1").item
    assert q1.correct == ("false",)
    assert q1.choice("false").feedback == "You gave the right answer."
    assert q1.choice("true").feedback == "42 is the Ultimate Answer."
    assert q1.general_feedback == "This is, of course, a Hitchiker's Guide to the Galaxy reference."
    q2 = report.by_name("Q2").item
    assert q2.choice("choice_2").feedback == "wrong, it's yellow"
    q5 = report.by_name("Q5")
    assert q5.item.numeric_keys[0].value == 3
    assert q5.item.numeric_keys[0].tolerance == 2
    assert q5.notes == ("the feedback for wrong numerical answers is not kept",)


def test_categories_and_escaped_colons(moodle):
    report = import_gift(moodle / "gift" / "questions_in_category.gift.txt")
    assert {i.metadata.topic for i in report.items} == {"Default for New Features"}
    greeting = report.by_name("Greeting").item
    assert 'href="http://demo.moodle.net/file.php/5/media/bonjour.mp3"' in greeting.stem
    assert greeting.stem.endswith("What language is being spoken?")
    assert report.by_name("Moodle acronym").item.correct == ("true",)


VIETNAMESE = """\
// Đề kiểm tra 15 phút
$CATEGORY: $course$/Toán 10/Hàm số bậc hai

::Câu 1::[id:TO.10.HSB.01][tag:nhận biết] Trục đối xứng của $y = x^2 - 4x + 3$ là {
  =$x \\= 2$ # Đúng: $x \\= -\\frac{b}{2a}$
  ~$x \\= -2$
  ~$x \\= 4$
}

::Câu 2:: Giá trị lớn nhất của $h(t) = -5t^2 + 20t + 1$ là {#21}

::Câu 3:: Hàm số $y = x^2$ nghịch biến trên $(0; +\\infty)$.{F}
"""


def test_vietnamese_ids_tags_and_latex():
    report = import_gift(VIETNAMESE, source="de15.gift")
    first, second, third = report.items
    assert first.identifier == "TO.10.HSB.01"
    assert first.metadata.source == "TO.10.HSB.01"
    assert first.metadata.tags == ("Toán 10", "Toán 10/Hàm số bậc hai", "nhận biết")
    assert first.choice(first.correct[0]).text == "$x = 2$"  # "=" inside maths must be escaped
    assert first.choice(first.correct[0]).feedback == "Đúng: $x = -\\frac{b}{2a}$"
    assert second.numeric_keys[0].value == 21
    assert third.correct == ("false",)
    assert [q.line for q in report.questions] == [4, 10, 12]


def test_broken_questions_are_named_with_lines():
    text = (
        "::A:: ok {=yes ~no}\n\n::B:: only one {~only}\n\n"
        "::C:: weight {~%33%a =b}\n\n::D:: open {=x\n"
    )
    with pytest.raises(ImportFormatError) as caught:
        import_gift(text, source="bad.gift")
    message = str(caught.value)
    assert "question 2 'B' (line 3): This type of question requires at least 2 choices" in message
    assert "question 3 'C' (line 5): invalid grade 33%" in message
    assert "question 4 'D' (line 7): Could not find a {...} answer block" in message
    assert caught.value.source == "bad.gift"


def test_bad_number_and_description():
    with pytest.raises(ImportFormatError, match="The answer must be a number"):
        import_gift("How many? {#ten}")
    report = import_gift("Just an instruction for the next questions.")
    assert report.skipped[0].skipped.startswith("not a question")
