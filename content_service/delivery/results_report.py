"""A QTI 3.0 results report (``qti-assessment-result``) for one submitted attempt.

Built from plain values so it can be tested without a database. The shape follows the QTI 3.0
Results Reporting specification: a ``context`` naming the candidate, a ``testResult`` with the
total, and one ``itemResult`` per question with the candidate response and the item's score.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

NAMESPACE = "http://www.imsglobal.org/xsd/imsqti_result_v3p0"


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    identifier: str  # the item's bank identifier
    sequence_index: int
    response: Any
    score: float | None
    max_score: float


def _number(value: float) -> str:
    return repr(float(value))


def _variable(
    parent: ET.Element, tag: str, identifier: str, base_type: str, values: Sequence[str]
) -> ET.Element:
    cardinality = "multiple" if len(values) > 1 else "single"
    element = ET.SubElement(
        parent,
        tag,
        {"identifier": identifier, "cardinality": cardinality, "base-type": base_type},
    )
    container = (
        ET.SubElement(element, "qti-candidate-response")
        if tag == "qti-response-variable"
        else element
    )
    for value in values:
        ET.SubElement(container, "qti-value").text = value
    return element


def _response_values(response: Any) -> tuple[str, list[str]]:
    if response is None:
        return "identifier", []
    if isinstance(response, list):
        return "identifier", [str(v) for v in response]
    if isinstance(response, int | float) and not isinstance(response, bool):
        return "float", [_number(response)]
    return "string", [str(response)]


def results_report(
    *,
    candidate_id: str,
    test_identifier: str,
    submitted_at: datetime,
    score: float,
    max_score: float,
    items: Sequence[ItemOutcome],
) -> bytes:
    """The UTF-8 XML of a results report."""
    root = ET.Element("qti-assessment-result", {"xmlns": NAMESPACE})
    ET.SubElement(root, "qti-context", {"sourced-id": candidate_id})
    stamp = submitted_at.isoformat()
    test = ET.SubElement(
        root, "qti-test-result", {"identifier": test_identifier, "datestamp": stamp}
    )
    _variable(test, "qti-outcome-variable", "SCORE", "float", [_number(score)])
    _variable(test, "qti-outcome-variable", "MAXSCORE", "float", [_number(max_score)])
    for outcome in items:
        result = ET.SubElement(
            root,
            "qti-item-result",
            {
                "identifier": outcome.identifier,
                "sequence-index": str(outcome.sequence_index),
                "datestamp": stamp,
                "session-status": "final",
            },
        )
        base_type, values = _response_values(outcome.response)
        _variable(result, "qti-response-variable", "RESPONSE", base_type, values)
        if outcome.score is not None:
            _variable(result, "qti-outcome-variable", "SCORE", "float", [_number(outcome.score)])
        _variable(result, "qti-outcome-variable", "MAXSCORE", "float", [_number(outcome.max_score)])
    tree = ET.ElementTree(root)
    ET.indent(tree)
    buffer = io.BytesIO()
    tree.write(buffer, encoding="utf-8", xml_declaration=True)
    return buffer.getvalue()
