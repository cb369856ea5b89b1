"""Moodle XML import over every Moodle fixture, plus hostile and Vietnamese input."""

import unicodedata
from pathlib import Path

import pytest
from lxml import etree

from item_bank.errors import ImportFormatError
from item_bank.formats import import_moodle_xml
from item_bank.items import ItemKind, validate_item

QTI = "{http://www.imsglobal.org/xsd/imsqtiasi_v3p0}"
MOODLE = Path(__file__).resolve().parents[3] / ".." / "shared" / "test-material" / "moodle"
WELL_FORMED = {
    "xml/category_with_description.xml": 1,
    "xml/html_chars_in_idnumbers.xml": 1,
    "xml/multianswer.xml": 1,
    "xml/multichoice.xml": 1,
    "xml/nested_categories_with_questions.xml": 5,
    "xml/sample_questions_with_old_image_tag.xml": 2,
    "xml/truefalse.xml": 2,
    **{f"qtype/{p.name}": 1 for p in sorted((MOODLE / "qtype").glob("*.xml"))},
}


def load(moodle: Path, name: str):
    return import_moodle_xml(moodle / name, language="en")


@pytest.mark.parametrize(("name", "count"), sorted(WELL_FORMED.items()))
def test_every_well_formed_fixture_imports(moodle, name, count):
    report = load(moodle, name)
    assert report.source == Path(name).name
    assert len(report.questions) == count
    for question in report.questions:
        assert (question.item is None) == (question.skipped is not None)
        if question.item is not None:
            assert validate_item(question.item) == []
            assert question.item.metadata.language == "en"
            if question.item.kind is ItemKind.QTI:
                root = etree.fromstring(question.item.qti.xml)
                assert root.tag == f"{QTI}qti-assessment-item"
                assert root.get("identifier") == question.item.identifier


def test_multiple_answer_multichoice_keeps_fractions_feedback_and_shuffle(moodle):
    item = load(moodle, "qtype/multichoice.testquestion.moodle.xml").items[0]
    assert item.kind is ItemKind.MULTIPLE_RESPONSE
    assert [(c.text, c.score) for c in item.choices] == [
        ("Tokyo", 0.0),
        ("Spain", 0.0),
        ("London", 0.5),
        ("Barcelona", 0.0),
        ("Paris", 0.5),
    ]
    assert [item.choice(k).text for k in item.correct] == ["London", "Paris"]
    assert item.partial_credit
    assert item.shuffle
    assert item.max_choices == 0
    assert item.general_feedback == "Berlin, Paris and London"
    assert item.title == "Multi-choice-001"
    assert item.metadata.topic == "Default for C1"


def test_single_multichoice_inlines_plugin_files_and_answer_feedback(moodle):
    report = load(moodle, "xml/multichoice.xml")
    item = report.items[0]
    assert item.kind is ItemKind.SINGLE_CHOICE
    assert item.choice(item.correct[0]).text.endswith("French</p>")
    assert item.choice(item.correct[0]).feedback == "<p>Yes, well done!</p>"
    assert 'href="data:audio/mpeg;base64,SUQz' in item.stem
    assert all("data:image/jpeg;base64,/9j/" in c.text for c in item.choices)
    assert "@@PLUGINFILE@@" not in item.stem
    assert "answer numbering is ignored" in report.questions[0].notes[0]
    assert item.metadata.topic == "Default for testhead/Multichoice"
    assert item.metadata.tags == ("Default for testhead", "Default for testhead/Multichoice")


def test_truefalse_keys_and_feedback_with_images(moodle):
    first, second = load(moodle, "xml/truefalse.xml").items
    assert first.kind is ItemKind.TRUE_FALSE
    assert first.correct == ("false",)
    assert second.correct == ("true",)
    assert "Your answer is correct." in first.choice("false").feedback
    assert "data:image/jpeg;base64," in first.choice("false").feedback
    assert first.general_feedback.count("data:image/jpeg") == 1


def test_shortanswer_wildcard_and_case(moodle):
    item = load(moodle, "qtype/shortanswer.testquestion.moodle.xml").items[0]
    assert item.kind is ItemKind.SHORT_TEXT
    assert [(a.text, a.score, a.case_sensitive) for a in item.text_answers] == [
        ("frog", 1.0, False),
        ("toad", 0.8, False),
        ("*", 0.0, False),
    ]
    assert item.text_answers[2].feedback == "That is a bad answer."


def test_numerical_tolerance(moodle):
    item = load(moodle, "qtype/numerical.testquestion.moodle.xml").items[0]
    assert item.kind is ItemKind.NUMERIC
    (key,) = item.numeric_keys
    assert (key.value, key.tolerance, key.score) == (6.25, 0.05, 1.0)


def test_essay_is_open_response_and_word_limit_is_noted(moodle):
    report = load(moodle, "qtype/essay.testquestion.moodle.xml")
    assert report.items[0].kind is ItemKind.OPEN_RESPONSE
    assert report.questions[0].notes == ("maximum word limit 20 is not enforced",)


def test_description_is_skipped_as_not_a_question(moodle):
    report = load(moodle, "qtype/description.testquestion.moodle.xml")
    assert report.items == ()
    assert report.skipped[0].name == "description-001"
    assert report.skipped[0].skipped.startswith("not a question")


def test_nested_categories_keep_their_path(moodle):
    report = load(moodle, "xml/nested_categories_with_questions.xml")
    topics = {q.name: q.item.metadata.topic for q in report.questions}
    assert topics == {
        "Iota Question": "Iota",
        "Kappa Essay Question": "Iota/Kappa",
        "Kappa Question": "Iota/Kappa",
        "Lambda Question": "Iota/Kappa/Lambda",
        "Mu Question": "Iota/Mu",
    }
    lam = report.by_name("Lambda Question").item
    assert lam.metadata.tags == ("Iota", "Iota/Kappa", "Iota/Kappa/Lambda")


def test_idnumber_is_sanitised_and_kept_in_source(moodle):
    item = load(moodle, "xml/html_chars_in_idnumbers.xml").items[0]
    assert item.identifier == "T_F"
    assert item.metadata.source == "T & F"
    assert item.metadata.topic == "Alpha"


def test_old_image_tag_becomes_inline_image(moodle):
    report = load(moodle, "xml/sample_questions_with_old_image_tag.xml")
    mcq = report.by_name("mcq with image").item
    assert '<img src="data:image/png;base64,iVBORw0KGgo' in mcq.stem
    assert mcq.choice(mcq.correct[0]).text == "right answer"
    cloze = report.by_name("cloze question with image").item
    assert "data:image/png;base64" in cloze.qti.xml


def test_matching_becomes_match_interaction(moodle):
    item = load(moodle, "qtype/match.testquestion.moodle.xml").items[0]
    assert item.kind is ItemKind.QTI
    assert item.qti.interactions == ("qti-match-interaction",)
    root = etree.fromstring(item.qti.xml)
    values = [v.text for v in root.iter(f"{QTI}qti-value")][:3]
    assert values == ["S1 T1", "S2 T2", "S3 T1"]  # frog and newt share "amphibian"
    targets = [c.text for c in root.iter(f"{QTI}qti-simple-associable-choice")][3:]
    assert targets == ["amphibian", "mammal", "insect"]  # "insect" is the extra wrong answer
    shares = {
        e.get("map-key"): float(e.get("mapped-value")) for e in root.iter(f"{QTI}qti-map-entry")
    }
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-6)


def test_gapselect_becomes_inline_choices(moodle):
    item = load(moodle, "qtype/gapselect.testquestion.moodle.xml").items[0]
    root = etree.fromstring(item.qti.xml)
    gaps = list(root.iter(f"{QTI}qti-inline-choice-interaction"))
    assert len(gaps) == 3
    assert [len(g) for g in gaps] == [5, 5, 5]
    keys = [
        d.find(f"{QTI}qti-correct-response/{QTI}qti-value").text
        for d in root.iter(f"{QTI}qti-response-declaration")
    ]
    assert keys == ["C1", "C2", "C3"]  # cat, sat, mat
    assert item.stem == "The ___ ___ on the ___."


def test_ordering_becomes_order_interaction_with_position_credit(moodle):
    item = load(moodle, "qtype/ordering.testquestion.moodle.xml").items[0]
    assert item.identifier == "dd1"
    root = etree.fromstring(item.qti.xml)
    order = root.find(f".//{QTI}qti-order-interaction")
    assert [c.text for c in order] == [
        "Modular",
        "Object",
        "Oriented",
        "Dynamic",
        "Learning",
        "Environment",
    ]
    assert len(list(root.iter(f"{QTI}qti-response-condition"))) == 6


def test_cloze_becomes_inline_interactions_with_weights(moodle):
    report = load(moodle, "xml/multianswer.xml")
    item = report.items[0]
    assert item.points == 5.0
    root = etree.fromstring(item.qti.xml)
    assert len(list(root.iter(f"{QTI}qti-inline-choice-interaction"))) == 4
    assert len(list(root.iter(f"{QTI}qti-text-entry-interaction"))) == 1
    shares = [
        float(v.text) for v in root.iter(f"{QTI}qti-base-value") if v.get("base-type") == "float"
    ]
    assert shares == [1.0, 1.0, 1.0, 1.0, 1.0, 0.5]  # Marseille earns half of its part
    assert any("catch-all" in note for note in report.questions[0].notes)


def test_broken_cloze_file_is_refused_with_moodles_reasons(moodle):
    with pytest.raises(ImportFormatError) as caught:
        load(moodle, "xml/broken_cloze_questions.xml")
    message = str(caught.value)
    assert message.startswith("broken_cloze_questions.xml:")
    assert "5 broken questions" in message
    assert "question 1 'Multianswer question without subquestions'" in message
    assert "The question text must include at least one embedded answer." in message
    assert "question 2 'Multichoice subquestion without choices'" in message
    assert "This type of question requires at least 2 choices" in message
    assert "One of the answers should have a score of 100% so it is possible" in message
    assert "The answer must be a number, for example -1.234 or 3e8, or '*'." in message
    assert caught.value.item == "question 1 'Multianswer question without subquestions'"


def test_invalid_grade_refuses_the_file(moodle):
    with pytest.raises(ImportFormatError) as caught:
        load(moodle, "xml/error_invalid_grades.xml")
    assert caught.value.source == "error_invalid_grades.xml"
    assert "Question with <strong>invalid grades</strong> : x > 1 & x < 2" in caught.value.item
    assert "invalid grade 0.33 for answer 2" in caught.value.problem


def quiz(body: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>{body}</quiz>'.encode()


def question(qtype: str, inner: str, name: str = "q") -> str:
    return (
        f'<question type="{qtype}"><name><text>{name}</text></name>'
        f'<questiontext format="html"><text>{inner}</text></questiontext>'
    )


def test_entities_and_doctypes_are_refused():
    hostile = (
        b'<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<quiz>&x;</quiz>"
    )
    with pytest.raises(ImportFormatError, match="DOCTYPE declarations are not allowed"):
        import_moodle_xml(hostile, source="evil.xml")


def test_malformed_and_foreign_xml_are_refused():
    with pytest.raises(ImportFormatError, match=r"^bad.xml: not well-formed XML"):
        import_moodle_xml(b"<quiz><question>", source="bad.xml")
    with pytest.raises(ImportFormatError, match="root element is <rss>"):
        import_moodle_xml(b"<rss/>", source="feed.xml")


def test_unsupported_types_are_skipped_with_reasons():
    body = (
        question("calculated", "What is {a} + {b}?", "calc")
        + "</question>"
        + question("cloze", "Pick {1:MULTIRESPONSE:~%50%a~%50%b~c}", "mr")
        + "</question>"
        + question("ddmarker", "Mark it", "marker")
        + "</question>"
    )
    report = import_moodle_xml(quiz(body))
    reasons = {q.name: q.skipped for q in report.questions}
    assert "dataset" in reasons["calc"]
    assert "MULTIRESPONSE" in reasons["mr"]
    assert "cannot be represented" in reasons["mr"]
    assert "background image" in reasons["marker"]


def test_ddwtos_becomes_gap_match():
    body = question("ddwtos", "Con [[1]] kêu [[2]].", "dd") + (
        "<dragbox><text>mèo</text><group>1</group></dragbox>"
        "<dragbox><text>meo meo</text><group>1</group><infinite/></dragbox>"
        "<dragbox><text>gâu gâu</text><group>1</group></dragbox></question>"
    )
    item = import_moodle_xml(quiz(body)).items[0]
    root = etree.fromstring(item.qti.xml)
    assert [g.get("identifier") for g in root.iter(f"{QTI}qti-gap")] == ["G1", "G2"]
    assert [t.get("match-max") for t in root.iter(f"{QTI}qti-gap-text")] == ["1", "0", "1"]
    assert [v.text for v in root.iter(f"{QTI}qti-value")][:2] == ["C1 G1", "C2 G2"]


def test_vietnamese_nfd_input_is_stored_nfc_with_ascii_identifier():
    nfd = unicodedata.normalize("NFD", "Hàm số đồng biến trên khoảng nào?")
    body = (
        '<question type="category"><category><text>$course$/Toán/Hàm số</text>'
        "</category></question>"
        + question("truefalse", nfd, "Câu 1")
        + "<idnumber>Toán-HS-đb-01</idnumber>"
        '<answer fraction="100"><text>true</text></answer>'
        '<answer fraction="0"><text>false</text></answer></question>'
    )
    item = import_moodle_xml(quiz(body)).items[0]
    assert item.stem == unicodedata.normalize("NFC", nfd)
    assert item.identifier == "Toan-HS-db-01"
    assert item.metadata.source == "Toán-HS-đb-01"
    assert item.metadata.topic == "Toán/Hàm số"
    assert item.metadata.language == "vi"


def test_scripts_and_handlers_do_not_reach_qti():
    body = (
        question(
            "gapselect",
            '&lt;p onclick="x()"&gt;A [[1]]&lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;',
        )
        + "<selectoption><text>b</text><group>1</group></selectoption>"
        + ("<selectoption><text>c</text><group>1</group></selectoption></question>")
    )
    xml = import_moodle_xml(quiz(body)).items[0].qti.xml
    assert "script" not in xml
    assert "onclick" not in xml


def test_multiple_answer_grades_must_add_up():
    body = question("multichoice", "Pick", "sum") + (
        "<single>false</single>"
        '<answer fraction="50"><text>a</text></answer>'
        '<answer fraction="25"><text>b</text></answer>'
        '<answer fraction="0"><text>c</text></answer></question>'
    )
    with pytest.raises(ImportFormatError, match=r"do not add up to 100% \(they add up to 75%\)"):
        import_moodle_xml(quiz(body), source="sum.xml")


def test_text_after_a_block_is_kept_in_qti():
    body = question("gapselect", "&lt;p&gt;Con [[1]]&lt;/p&gt; kêu [[2]].", "tail") + (
        "<selectoption><text>mèo</text><group>1</group></selectoption>"
        "<selectoption><text>meo meo</text><group>1</group></selectoption></question>"
    )
    root = etree.fromstring(import_moodle_xml(quiz(body)).items[0].qti.xml)
    body_el = root.find(f"{QTI}qti-item-body")
    assert [child.tag for child in body_el] == [f"{QTI}p", f"{QTI}div"]
    assert body_el[1].text == " kêu "
    assert len(list(body_el.iter(f"{QTI}qti-inline-choice-interaction"))) == 2


def test_choice_scores_are_in_points_like_qti_mapped_values():
    body = question("multichoice", "Chọn các số nguyên tố", "primes") + (
        "<defaultgrade>2</defaultgrade><single>false</single>"
        '<answer fraction="50"><text>2</text></answer>'
        '<answer fraction="50"><text>3</text></answer>'
        '<answer fraction="-100"><text>4</text></answer></question>'
    )
    item = import_moodle_xml(quiz(body)).items[0]
    assert item.points == 2.0
    assert [c.score for c in item.choices] == [1.0, 1.0, -2.0]
