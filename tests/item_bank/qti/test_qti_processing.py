"""The QTI interpreter: standard templates resolved locally, custom processing, operators."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from item_bank.qti.operators import QtiProcessingError
from item_bank.qti.processing import (
    QtiItem,
    process_responses,
    process_template,
    read_qti_item,
    template_name,
)
from item_bank.qti.values import Container
from item_bank.qti.xml import QTI_NS, parse_xml, to_qti3


def load(material: Path, *parts: str) -> QtiItem:
    path = material.joinpath("qti", *parts)
    return read_qti_item(to_qti3(parse_xml(path.read_bytes(), source=path.name)))


def score(item: QtiItem, **responses: object) -> object:
    return process_responses(item, responses).outcomes["SCORE"]


@pytest.mark.parametrize(
    "uri",
    [
        "https://www.imsglobal.org/question/qti_v3p0/rptemplates/match_correct.xml",
        "http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct",
        "http://www.imsglobal.org/question/qti_v2p2/rptemplates/match_correct.xml",
    ],
)
def test_template_uris_resolve_locally(uri: str) -> None:
    assert template_name(uri) == "match_correct"


def test_template_names() -> None:
    assert (
        template_name("http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response_point")
        == "map_response_point"
    )
    assert template_name("https://example.org/other.xml") is None


@pytest.mark.parametrize("version", ["qti3", "qti21", "qti22"])
def test_choice_multiple_map_response(test_material: Path, version: str) -> None:
    item = load(test_material, version, "items", "choice_multiple.xml")
    assert score(item, RESPONSE=["H", "O"]) == 2
    assert score(item, RESPONSE=["H", "O", "Cl"]) == 1
    assert score(item, RESPONSE=["H", "He"]) == 0  # 1 - 2 = -1, raised to the lower bound
    assert score(item, RESPONSE=[]) == 0
    assert score(item) == 0


@pytest.mark.parametrize("version", ["qti3", "qti21", "qti22"])
def test_text_entry_case_sensitive_mapping(test_material: Path, version: str) -> None:
    item = load(test_material, version, "items", "text_entry.xml")
    assert score(item, RESPONSE="York") == 1
    assert score(item, RESPONSE="york") == 0.5
    assert score(item, RESPONSE="YORK") == 0


def test_match_correct(test_material: Path) -> None:
    item = load(test_material, "qti3", "items", "choice.xml")
    assert score(item, RESPONSE="ChoiceA") == 1
    assert score(item, RESPONSE="ChoiceB") == 0
    assert score(item) == 0


def test_pairs_and_ordered_responses(test_material: Path) -> None:
    associate = load(test_material, "qti3", "items", "associate.xml")
    assert score(associate, RESPONSE=["P A", "C M"]) == 3  # pairs are unordered
    match = load(test_material, "qti3", "items", "match.xml")
    assert score(match, RESPONSE=["C R", "D M", "L M", "P T"]) == 3
    assert score(match, RESPONSE=["R C"]) == 0  # directed pairs are not
    order = load(test_material, "qti3", "items", "order.xml")
    assert score(order, RESPONSE=["DriverC", "DriverA", "DriverB"]) == 1
    assert score(order, RESPONSE=["DriverA", "DriverC", "DriverB"]) == 0


def test_gap_match_lower_bound(test_material: Path) -> None:
    item = load(test_material, "qti3", "items", "gap_match.xml")
    assert score(item, RESPONSE=["W G1", "Su G2"]) == 3
    assert score(item, RESPONSE=["W G2"]) == 0  # default -1, lower bound 0


def test_custom_processing_chocolate(test_material: Path) -> None:
    item = load(test_material, "qti3", "items", "choice_multiple_chocolade.xml")
    stove = [f"C{i:02d}" for i in range(1, 11)]
    microwave = ["C11", "C05", "C06", "C07", "C08", "C12", "C13", "C14"]
    assert score(item, MR01=list(reversed(stove))) == 1
    assert score(item, MR01=microwave) == 1
    assert score(item, MR01=stove[:-1]) == 0


def test_custom_processing_order_partial(test_material: Path) -> None:
    item = load(test_material, "qti3", "items", "order_partial_scoring.xml")
    assert score(item, RESPONSE=["DriverC", "DriverA", "DriverB"]) == 2
    assert score(item, RESPONSE=["DriverC", "DriverB", "DriverA"]) == 1
    assert score(item, RESPONSE=["DriverB", "DriverC", "DriverA"]) == 0


def test_multi_input_sums_parts_and_collects_feedback(test_material: Path) -> None:
    item = load(test_material, "qti3", "items", "multi-input.xml")
    outcome = process_responses(
        item,
        {
            "RESPONSE1": "ChoiceA",
            "RESPONSE2": "A2",
            "RESPONSE3": "the King",
            "RESPONSE4": ["F G1", "C G2", "H G3"],
        },
    )
    assert outcome.outcomes["SCORE"] == 3.2  # 1 + 1 + 0.2 (substring, case-insensitive) + 1
    assert outcome.outcomes["FEEDBACK"] == Container(
        "multiple", ("ReasonOK", "NameOK", "BaddyNo", "GapsOK")
    )


def test_modal_feedback(test_material: Path) -> None:
    item = load(test_material, "qti3", "items", "Example01-modalFeedback.xml")
    right = process_responses(item, {"RESPONSE": "true"})
    assert right.outcomes["SCORE"] == 10
    assert right.feedback == ("correct",)
    wrong = process_responses(item, {"RESPONSE": "false"})
    assert wrong.outcomes["SCORE"] == 0
    assert wrong.feedback == ("incorrect",)


def test_slider_integer_mapping(test_material: Path) -> None:
    item = load(test_material, "qti3", "items", "slider.xml")
    assert score(item, RESPONSE=16) == 1
    assert score(item, RESPONSE="12") == 0.5
    assert score(item, RESPONSE=30) == 0


def test_template_processing_is_reproducible(test_material: Path) -> None:
    item = load(test_material, "qti3", "items", "template.xml")
    for seed in range(30):
        state = process_template(item, random.Random(seed))
        assert state == process_template(item, random.Random(seed))
        a, b = state.values["A"], state.values["B"]
        assert a in (2, 3, 4)
        assert state.values["MIN"] == 120 // a
        assert state.correct["RESPONSE"] == 120 // b
        assert (
            process_responses(item, {"RESPONSE": 120 // b}, template=state).outcomes["SCORE"] == 1
        )


def test_mc_stat2_statistics(test_material: Path) -> None:
    item = load(test_material, "qti3", "items", "mc_stat2.xml")
    state = process_template(item, random.Random(7))
    numbers = state.values["t"].items
    assert len(numbers) == state.values["n"]
    mean = sum(numbers) / len(numbers)
    assert state.correct["RESPONSE2"] == pytest.approx(round(mean * 100) / 100)
    answers = {f"RESPONSE{i}": state.correct[f"RESPONSE{i}"] for i in range(4)}
    assert process_responses(item, answers, template=state).outcomes["SCORE"] == 8
    answers["RESPONSE3"] = -1.0
    assert process_responses(item, answers, template=state).outcomes["SCORE"] == 4


# -- precise errors -------------------------------------------------------------------------------


def inline_item(processing: str, declaration: str = "") -> QtiItem:
    document = f"""<qti-assessment-item xmlns="{QTI_NS}" identifier="t">
      <qti-response-declaration identifier="RESPONSE" cardinality="single"
        base-type="identifier">{declaration}</qti-response-declaration>
      <qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float"/>
      <qti-item-body/>{processing}</qti-assessment-item>"""
    return read_qti_item(parse_xml(document, source="inline"))


def test_match_correct_without_correct_response() -> None:
    item = inline_item(
        '<qti-response-processing template="https://www.imsglobal.org/question/qti_v3p0/rptemplates/match_correct.xml"/>'
    )
    with pytest.raises(QtiProcessingError, match="match_correct needs a correct response"):
        process_responses(item, {"RESPONSE": "A"})


def test_unknown_response_identifier_when_scoring() -> None:
    item = inline_item("")
    with pytest.raises(QtiProcessingError, match="unknown response identifier 'ANSWER'"):
        process_responses(item, {"ANSWER": "A"})


def test_unsupported_expression_names_the_element() -> None:
    processing = """<qti-response-processing><qti-set-outcome-value identifier="SCORE">
      <qti-custom-operator class="x"/></qti-set-outcome-value></qti-response-processing>"""
    with pytest.raises(
        QtiProcessingError, match=r"<qti-custom-operator> \(line \d+\): unsupported expression"
    ):
        process_responses(inline_item(processing), {})


def test_undeclared_variable() -> None:
    processing = """<qti-response-processing><qti-set-outcome-value identifier="SCORE">
      <qti-variable identifier="NOPE"/></qti-set-outcome-value></qti-response-processing>"""
    with pytest.raises(QtiProcessingError, match="variable 'NOPE' is not declared"):
        process_responses(inline_item(processing), {})


def test_map_response_without_mapping() -> None:
    item = inline_item(
        '<qti-response-processing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response"/>'
    )
    with pytest.raises(QtiProcessingError, match="has no qti-mapping"):
        process_responses(item, {"RESPONSE": "A"})


def test_wrong_cardinality() -> None:
    with pytest.raises(QtiProcessingError, match="takes a single value, got 2"):
        process_responses(inline_item(""), {"RESPONSE": ["A", "B"]})


def test_exit_response_stops_processing() -> None:
    processing = """<qti-response-processing>
      <qti-set-outcome-value identifier="SCORE"><qti-base-value base-type="float">1</qti-base-value>
      </qti-set-outcome-value><qti-exit-response/>
      <qti-set-outcome-value identifier="SCORE"><qti-base-value base-type="float">5</qti-base-value>
      </qti-set-outcome-value></qti-response-processing>"""
    assert process_responses(inline_item(processing), {}).outcomes["SCORE"] == 1


def test_unsupported_rule_and_empty_condition() -> None:
    with pytest.raises(QtiProcessingError, match=r"<qti-lookup-outcome-value> .*unsupported rule"):
        process_responses(
            inline_item(
                '<qti-response-processing><qti-lookup-outcome-value identifier="SCORE">'
                "<qti-null/></qti-lookup-outcome-value></qti-response-processing>"
            ),
            {},
        )
    empty_if = (
        "<qti-response-processing><qti-response-condition><qti-response-if/>"
        "</qti-response-condition></qti-response-processing>"
    )
    with pytest.raises(QtiProcessingError, match="has no condition"):
        process_responses(inline_item(empty_if), {})


TEMPLATED = f"""<qti-assessment-item xmlns="{QTI_NS}" identifier="tpl">
  <qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="integer"/>
  <qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float"/>
  <qti-template-declaration identifier="X" cardinality="single" base-type="integer"/>
  <qti-template-processing>
    <qti-set-template-value identifier="X">
      <qti-random-integer min="1" max="9"/>
    </qti-set-template-value>
    {{rules}}
  </qti-template-processing>
  <qti-item-body/>
</qti-assessment-item>"""


def templated(rules: str) -> QtiItem:
    return read_qti_item(parse_xml(TEMPLATED.format(rules=rules), source="tpl"))


def test_template_constraint_redraws_until_satisfied() -> None:
    item = templated(
        '<qti-template-constraint><qti-gt><qti-variable identifier="X"/>'
        '<qti-base-value base-type="integer">7</qti-base-value></qti-gt></qti-template-constraint>'
    )
    assert all(process_template(item, random.Random(s)).values["X"] > 7 for s in range(20))


def test_impossible_template_constraint() -> None:
    item = templated(
        '<qti-template-constraint><qti-gt><qti-variable identifier="X"/>'
        '<qti-base-value base-type="integer">9</qti-base-value></qti-gt></qti-template-constraint>'
    )
    with pytest.raises(QtiProcessingError, match="template constraint never satisfied"):
        process_template(item, random.Random(1))


def test_default_values_and_exit_template() -> None:
    item = templated(
        '<qti-set-default-value identifier="RESPONSE"><qti-variable identifier="X"/>'
        "</qti-set-default-value><qti-exit-template/>"
        '<qti-set-template-value identifier="X"><qti-null/></qti-set-template-value>'
    )
    state = process_template(item, random.Random(3))
    assert state.values["X"] is not None
    assert state.defaults["RESPONSE"] == state.values["X"]


def test_set_value_needs_one_expression() -> None:
    item = templated('<qti-set-template-value identifier="X"/>')
    with pytest.raises(QtiProcessingError, match="needs exactly one expression, has 0"):
        process_template(item, random.Random(1))
