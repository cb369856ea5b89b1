"""Import of the QTI 3.0, 2.2 and 2.1 sample items, round trips through export, broken inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from item_bank.errors import ImportFormatError
from item_bank.items import ItemKind
from item_bank.qti import export_item, import_items, read_item

QTI3_KINDS = {
    "choice.xml": ItemKind.SINGLE_CHOICE,
    "choice_fixed.xml": ItemKind.SINGLE_CHOICE,
    "choice_aria.xml": ItemKind.SINGLE_CHOICE,
    "math.xml": ItemKind.SINGLE_CHOICE,
    "choice_multiple.xml": ItemKind.MULTIPLE_RESPONSE,
    "likert.xml": ItemKind.LIKERT,
    "text_entry.xml": ItemKind.SHORT_TEXT,
    "extended_text.xml": ItemKind.OPEN_RESPONSE,
}


def qti3_items(material: Path) -> list[Path]:
    return sorted((material / "qti" / "qti3" / "items").glob("*.xml"))


def read(path: Path):
    return read_item(path.read_bytes(), source=path.name)


def test_every_qti3_item_round_trips(test_material: Path) -> None:
    paths = qti3_items(test_material)
    assert len(paths) == 23
    for path in paths:
        item = read(path)
        again = read_item(export_item(item), source=f"exported {path.name}")
        assert again == item, path.name
        assert item.kind is QTI3_KINDS.get(path.name, ItemKind.QTI), path.name


def test_qti_items_keep_the_whole_document(test_material: Path) -> None:
    item = read(test_material / "qti" / "qti3" / "items" / "multi-input.xml")
    assert item.kind is ItemKind.QTI
    assert item.qti is not None
    assert item.qti.interactions == (
        "qti-choice-interaction",
        "qti-inline-choice-interaction",
        "qti-text-entry-interaction",
        "qti-gap-match-interaction",
    )
    assert item.qti.xml.count("<qti-feedback-inline") == 10
    assert item.points == 4.0  # the sum of the four part scores


def test_feedback_and_custom_processing_stay_qti(test_material: Path) -> None:
    items = test_material / "qti" / "qti3" / "items"
    for name in ("Example01-modalFeedback.xml", "Example02-feedbackInline.xml",
                 "choice_multiple_chocolade.xml", "order_partial_scoring.xml"):  # fmt: skip
        assert read(items / name).kind is ItemKind.QTI, name


def test_native_choice_item_content(test_material: Path) -> None:
    item = read(test_material / "qti" / "qti3" / "items" / "choice_fixed.xml")
    assert item.identifier == "choice_fixed"
    assert item.title == "Unattended Luggage"
    assert item.stem == (
        "Look at the text in the picture.\n\n"
        "![NEVER LEAVE LUGGAGE UNATTENDED](images/sign.png)\n\n"
        "What does it say?"
    )
    assert item.correct == ("ChoiceA",)
    assert item.shuffle
    assert [c.fixed for c in item.choices] == [False, False, False, True]


def test_multiple_response_mapping_becomes_choice_scores(test_material: Path) -> None:
    item = read(test_material / "qti" / "qti3" / "items" / "choice_multiple.xml")
    scores = {c.identifier: c.score for c in item.choices}
    assert scores == {"H": 1, "He": -2, "C": -2, "O": 1, "N": -2, "Cl": -1}
    assert item.partial_credit
    assert item.points == 2
    assert item.max_choices == 0


def test_text_entry_answers_from_mapping(test_material: Path) -> None:
    item = read(test_material / "qti" / "qti3" / "items" / "text_entry.xml")
    answers = [(a.text, a.score, a.case_sensitive) for a in item.text_answers]
    assert answers == [("York", 1.0, True), ("york", 0.5, True)]
    assert "<qti-text-entry-interaction" in item.stem  # the blank stays where the author put it


def test_mathml_is_kept(test_material: Path) -> None:
    item = read(test_material / "qti" / "qti3" / "items" / "math.xml")
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML">' in item.stem
    assert "<msup> <mi>c</mi> <mn>2</mn> </msup>" in item.stem


def test_likert_values(test_material: Path) -> None:
    item = read(test_material / "qti" / "qti3" / "items" / "likert.xml")
    assert [c.score for c in item.choices] == [1, 2, 3, 4, 5]
    assert item.correct == ()
    assert item.points == 5


@pytest.mark.parametrize("version", ["qti21", "qti22"])
def test_every_qti2_item_imports_and_round_trips(test_material: Path, version: str) -> None:
    for path in sorted((test_material / "qti" / version / "items").glob("*.xml")):
        item = read(path)
        assert read_item(export_item(item), source=path.name) == item, path.name
        if item.kind is ItemKind.QTI:
            assert item.qti is not None
            assert 'xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0"' in item.qti.xml
            assert "imsqti_v2p" not in item.qti.xml


@pytest.mark.parametrize("name", ["choice.xml", "choice_multiple.xml", "text_entry.xml"])
def test_qti22_twins_import_like_qti3(test_material: Path, name: str) -> None:
    v2 = read(test_material / "qti" / "qti22" / "items" / name)
    v3 = read(test_material / "qti" / "qti3" / "items" / name)
    assert (v2.kind, v2.correct, v2.choices, v2.text_answers, v2.points) == (
        v3.kind, v3.correct, v3.choices, v3.text_answers, v3.points,
    )  # fmt: skip


def test_qti22_template_converts_to_qti3(test_material: Path) -> None:
    v2 = read(test_material / "qti" / "qti22" / "items" / "template.xml")
    assert v2.kind is ItemKind.QTI
    assert v2.qti is not None
    for name in ("qti-template-processing", "qti-random-integer", "qti-set-correct-response",
                 "qti-integer-divide", "qti-printed-variable", 'base-type="integer"'):  # fmt: skip
        assert name in v2.qti.xml
    assert "rptemplates/match_correct.xml" in v2.qti.xml


def test_qti21_rubric_block_gets_content_body(test_material: Path) -> None:
    item = read(test_material / "qti" / "qti21" / "items" / "likert.xml")
    assert item.kind is ItemKind.LIKERT
    assert item.stem.startswith('<qti-rubric-block view="candidate"><qti-content-body> <p>Read')


# -- broken inputs ------------------------------------------------------------------------------

ITEM = """<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
  identifier="broken" title="t" adaptive="false" time-dependent="false">
  <qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="identifier">
    <qti-correct-response><qti-value>A</qti-value></qti-correct-response>
  </qti-response-declaration>
  <qti-item-body>{body}</qti-item-body>
  {processing}
</qti-assessment-item>"""
CHOICES = """<qti-choice-interaction response-identifier="{rid}" max-choices="1">
  <qti-simple-choice identifier="A">a</qti-simple-choice>
  <qti-simple-choice identifier="B">b</qti-simple-choice></qti-choice-interaction>"""


def broken(rid: str = "RESPONSE", processing: str = "") -> str:
    return ITEM.format(body=CHOICES.format(rid=rid), processing=processing)


def test_malformed_xml_names_the_file() -> None:
    with pytest.raises(ImportFormatError, match=r"^bad\.xml: malformed XML") as info:
        read_item("<qti-assessment-item><p></qti-assessment-item>", source="bad.xml")
    assert info.value.source == "bad.xml"


def test_upstream_defective_results_file_is_rejected(test_material: Path) -> None:
    path = test_material / "qti" / "qti3" / "results" / "full-example.xml"
    with pytest.raises(ImportFormatError, match="malformed XML"):
        read_item(path.read_bytes(), source=path.name)


def test_entities_are_refused() -> None:
    document = (
        '<!DOCTYPE x [<!ENTITY e "boom">]>'
        '<qti-assessment-item identifier="x">&e;</qti-assessment-item>'
    )
    with pytest.raises(ImportFormatError, match="entity declarations are not allowed"):
        read_item(document, source="evil.xml")


def test_unknown_response_identifier() -> None:
    with pytest.raises(
        ImportFormatError, match="refers to undeclared response 'RESPONSE2'"
    ) as info:
        read_item(broken(rid="RESPONSE2"), source="item.xml")
    assert info.value.item == "broken"


def test_unknown_template_uri() -> None:
    processing = '<qti-response-processing template="https://example.org/rptemplates/mine.xml"/>'
    with pytest.raises(ImportFormatError, match="unknown response-processing template"):
        read_item(broken(processing=processing), source="item.xml")


def test_bad_value_for_base_type() -> None:
    document = broken().replace('base-type="identifier"', 'base-type="integer"')
    with pytest.raises(ImportFormatError, match="'A' is not a valid integer"):
        read_item(document, source="item.xml")


def test_not_an_item() -> None:
    with pytest.raises(ImportFormatError, match="not a QTI item: root element is <usageData>"):
        read_item("<usageData/>", source="u.xml")


def test_batch_import_reports_and_is_all_or_nothing(test_material: Path) -> None:
    items = test_material / "qti" / "qti3" / "items"
    test = test_material / "qti" / "qti3" / "tests" / "rtest01.xml"
    documents = [
        (p.name, p.read_bytes()) for p in (items / "choice.xml", test, items / "choice.xml")
    ]
    result = import_items(documents)
    assert [r.status for r in result.reports] == ["imported", "skipped", "skipped"]
    assert "not an item" in result.reports[1].reason
    assert "already imported from choice.xml" in result.reports[2].reason
    assert len(result.items) == 1
    with pytest.raises(ImportFormatError, match=r"late\.xml"):
        import_items([*documents, ("late.xml", broken(rid="NOPE"))])


TEXT_ENTRY = """<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
  identifier="entry" title="t" adaptive="false" time-dependent="false">
  <qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="{base}">
    <qti-correct-response><qti-value>{correct}</qti-value></qti-correct-response>{mapping}
  </qti-response-declaration>
  <qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float"/>
  <qti-item-body><p>Answer: <qti-text-entry-interaction response-identifier="RESPONSE"/></p>
  </qti-item-body>
  <qti-response-processing
    template="https://www.imsglobal.org/question/qti_v3p0/rptemplates/{template}.xml"/>
</qti-assessment-item>"""


def entry(base: str, correct: str, template: str, mapping: str = "") -> object:
    document = TEXT_ENTRY.format(base=base, correct=correct, template=template, mapping=mapping)
    return read_item(document, source="entry.xml")


def test_text_entry_variants_become_native() -> None:
    exact = entry("string", "Huế", "match_correct")
    assert exact.kind is ItemKind.SHORT_TEXT
    assert [(a.text, a.case_sensitive) for a in exact.text_answers] == [("Huế", True)]
    assert exact.stem == 'Answer: <qti-text-entry-interaction response-identifier="RESPONSE"/>'
    number = entry("integer", "42", "match_correct")
    assert number.kind is ItemKind.NUMERIC
    assert number.numeric_keys[0].value == 42
    mapped = entry(
        "integer", "16", "map_response",
        '<qti-mapping default-value="0"><qti-map-entry map-key="16" mapped-value="2"/>'
        '<qti-map-entry map-key="15" mapped-value="1"/></qti-mapping>',
    )  # fmt: skip
    assert mapped.kind is ItemKind.NUMERIC
    assert mapped.points == 2
    assert [(k.value, k.score) for k in mapped.numeric_keys] == [(16, 1.0), (15, 0.5)]


MAPPING = '<qti-mapping {}><qti-map-entry map-key="16" mapped-value="{}"/></qti-mapping>'


@pytest.mark.parametrize(
    "mapping",
    [
        MAPPING.format('default-value="-1"', 1),
        MAPPING.format('default-value="0"', -1),
        MAPPING.format('default-value="0" upper-bound="1"', 3),
    ],
)
def test_mappings_the_native_model_cannot_express_stay_qti(mapping: str) -> None:
    assert entry("integer", "16", "map_response", mapping).kind is ItemKind.QTI
    assert entry("string", "x", "map_response", mapping.replace("16", "x")).kind is ItemKind.QTI


def test_items_with_extra_parts_stay_qti() -> None:
    document = broken(
        processing='<qti-response-processing template="https://www.imsglobal.org/question/qti_v3p0/rptemplates/match_correct.xml"/>'
    )
    assert read_item(document, source="stemless.xml").kind is ItemKind.QTI  # no stem to show
    document = document.replace("<qti-item-body>", "<qti-item-body><p>Chọn một.</p>")
    assert read_item(document, source="ok.xml").kind is ItemKind.SINGLE_CHOICE
    styled = document.replace(
        "<qti-item-body>", '<qti-stylesheet href="a.css" type="text/css"/><qti-item-body>'
    )
    assert read_item(styled, source="styled.xml").kind is ItemKind.QTI
    nested = document.replace("<qti-item-body>", "<qti-item-body><div>").replace(
        "</qti-item-body>", "</div></qti-item-body>"
    )
    assert read_item(nested, source="nested.xml").kind is ItemKind.QTI
    adaptive = document.replace('adaptive="false"', 'adaptive="true"')
    assert read_item(adaptive, source="adaptive.xml").kind is ItemKind.QTI


def test_item_without_identifier() -> None:
    with pytest.raises(ImportFormatError, match="the item has no identifier"):
        read_item(
            '<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0"/>',
            source="x.xml",
        )
