"""Export :class:`~item_bank.items.Item` as a QTI 3.0 ``qti-assessment-item`` document.

Native kinds are written as standard QTI (templates where they fit, plain custom processing
otherwise) so that any QTI 3.0 player scores them as the bank does; QTI items are written back
as the document they were imported from.
"""

from __future__ import annotations

import re

from lxml import etree

from item_bank.items import Item, ItemKind, NumericKey
from item_bank.qti.markdown import markdown_to_content, markdown_to_inline
from item_bank.qti.template_export import (
    key_variable,
    print_variables,
    template_declarations,
    template_processing,
)
from item_bank.qti.values import format_value
from item_bank.qti.xml import QTI_NS, QTI_SCHEMA_LOCATION, XSI_NS, q

__all__ = [
    "best_expression_key",
    "export_item",
    "item_to_element",
    "response_processing_for",
]

TEMPLATE_BASE = "https://www.imsglobal.org/question/qti_v3p0/rptemplates/"
GENERAL_FEEDBACK = "GENERAL_FEEDBACK"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_CHOICE_KINDS = (ItemKind.SINGLE_CHOICE, ItemKind.TRUE_FALSE, ItemKind.MULTIPLE_RESPONSE)


def export_item(item: Item) -> str:
    """Return ``item`` as a QTI 3.0 item document (UTF-8 text with an XML declaration)."""
    if item.kind is ItemKind.QTI and item.qti is not None:
        body = item.qti.xml
    else:
        body = etree.tostring(item_to_element(item), encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def item_to_element(item: Item) -> etree._Element:
    """Return the ``qti-assessment-item`` element of a natively modelled item."""
    root = etree.Element(q("qti-assessment-item"), nsmap={None: QTI_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", QTI_SCHEMA_LOCATION)
    root.set("identifier", item.identifier)
    root.set("title", item.title)
    root.set("adaptive", "false")
    root.set("time-dependent", "false")
    root.set(_XML_LANG, item.metadata.language)
    root.append(_response_declaration(item))
    for identifier in ("SCORE", "MAXSCORE"):
        root.append(_outcome(identifier, "float", item.points if identifier == "MAXSCORE" else 0))
    if any(c.feedback for c in item.choices):
        root.append(_outcome("FEEDBACK", "identifier", None))
    if item.general_feedback:
        root.append(_outcome(GENERAL_FEEDBACK, "identifier", "shown"))
    if item.template_variables:
        root.extend(template_declarations(item))
        root.append(template_processing(item, best_expression_key(item)))
    root.append(_item_body(item))
    processing = response_processing_for(item)
    if processing is not None:
        root.append(processing)
    if item.general_feedback:
        feedback = _sub(
            root,
            "qti-modal-feedback",
            {"outcome-identifier": GENERAL_FEEDBACK, "identifier": "shown", "show-hide": "show"},
        )
        _sub(feedback, "qti-content-body").extend(markdown_to_content(item.general_feedback))
    if item.template_variables:
        print_variables(root, {v.name for v in item.template_variables})
    return root


def best_expression_key(item: Item) -> int | None:
    """Index of the best numeric key when its value is an expression (set by templates)."""
    best = max(enumerate(item.numeric_keys), key=lambda pair: pair[1].score, default=None)
    if best is not None and isinstance(best[1].value, str):
        return best[0]
    return None


def _sub(
    parent: etree._Element, name: str, attributes: dict[str, str] | None = None
) -> etree._Element:
    return etree.SubElement(parent, q(name), attributes or {})


def _value(parent: etree._Element, value: object, base_type: str | None = None) -> None:
    element = _sub(parent, "qti-value", {"base-type": base_type} if base_type else None)
    element.text = format_value(value)


def _outcome(identifier: str, base_type: str, default: object) -> etree._Element:
    element = etree.Element(
        q("qti-outcome-declaration"),
        {"identifier": identifier, "cardinality": "single", "base-type": base_type},
    )
    if default is not None:
        _value(
            _sub(element, "qti-default-value"), float(default) if base_type == "float" else default
        )
    return element


def _base_type(item: Item) -> str:
    if item.kind is ItemKind.NUMERIC:
        return "float"
    if item.kind in (ItemKind.SHORT_TEXT, ItemKind.OPEN_RESPONSE):
        return "string"
    return "identifier"


def _response_declaration(item: Item) -> etree._Element:
    multiple = item.kind is ItemKind.MULTIPLE_RESPONSE
    element = etree.Element(
        q("qti-response-declaration"),
        {
            "identifier": "RESPONSE",
            "cardinality": "multiple" if multiple else "single",
            "base-type": _base_type(item),
        },
    )
    correct = _correct_values(item)
    if correct:
        holder = _sub(element, "qti-correct-response")
        for value in correct:
            _value(holder, value)
    _mapping(item, element)
    return element


def _correct_values(item: Item) -> list[object]:
    if item.kind in _CHOICE_KINDS:
        return list(item.correct)
    if item.kind is ItemKind.SHORT_TEXT and item.text_answers:
        return [max(item.text_answers, key=lambda a: a.score).text]
    if item.kind is ItemKind.NUMERIC:
        best = max(item.numeric_keys, key=lambda k: k.score, default=None)
        if best is not None and not isinstance(best.value, str):
            return [float(best.value)]
    return []


def _mapping(item: Item, declaration: etree._Element) -> None:
    entries: list[tuple[str, float, bool]] = []
    if item.kind in (*_CHOICE_KINDS, ItemKind.LIKERT) and (
        item.partial_credit or item.kind is ItemKind.LIKERT
    ):
        entries = [(c.identifier, c.score, True) for c in item.choices]
    elif _exact_numbers(item) and _template(item) == "map_response.xml":
        entries = [
            (format_value(float(k.value)), k.score * item.points, True) for k in item.numeric_keys
        ]
    elif item.kind is ItemKind.SHORT_TEXT and not _exact_text(item):
        entries = [(a.text, a.score * item.points, a.case_sensitive) for a in item.text_answers]
    if not entries:
        return
    attributes = {"default-value": "0"}
    if item.kind is not ItemKind.LIKERT:
        attributes |= {"lower-bound": "0", "upper-bound": format_value(float(item.points))}
    mapping = _sub(declaration, "qti-mapping", attributes)
    for key, value, case_sensitive in entries:
        entry = _sub(
            mapping, "qti-map-entry", {"map-key": key, "mapped-value": format_value(value)}
        )
        if not case_sensitive:
            entry.set("case-sensitive", "false")


def _item_body(item: Item) -> etree._Element:
    body = etree.Element(q("qti-item-body"))
    if item.kind is ItemKind.LIKERT:
        body.set("class", "likert")
    body.extend(markdown_to_content(item.stem, source=item.identifier))
    if item.rationale:
        rubric = _sub(body, "qti-rubric-block", {"view": "scorer", "use": "rationale"})
        _sub(rubric, "qti-content-body").extend(markdown_to_content(item.rationale))
    if item.kind in (*_CHOICE_KINDS, ItemKind.LIKERT):
        body.append(_choice_interaction(item))
    elif item.kind is ItemKind.OPEN_RESPONSE:
        _sub(body, "qti-extended-text-interaction", {"response-identifier": "RESPONSE"})
    elif not any(
        e.get("response-identifier") == "RESPONSE"
        for e in body.iter(q("qti-text-entry-interaction"))
    ):
        paragraph = _sub(body, "p")
        entry = _sub(paragraph, "qti-text-entry-interaction", {"response-identifier": "RESPONSE"})
        units = _shared_units(item.numeric_keys)
        if units:
            entry.set("data-units", " ".join(units))
    return body


def _shared_units(keys: tuple[NumericKey, ...]) -> tuple[str, ...]:
    units: list[str] = []
    for key in keys:
        units.extend(u for u in key.units if u not in units)
    return tuple(units)


def _choice_interaction(item: Item) -> etree._Element:
    attributes = {
        "response-identifier": "RESPONSE",
        "shuffle": "true" if item.shuffle else "false",
        "max-choices": str(item.max_choices),
    }
    if item.min_choices:
        attributes["min-choices"] = str(item.min_choices)
    if item.kind is ItemKind.TRUE_FALSE:
        attributes["class"] = "true-false"
    interaction = etree.Element(q("qti-choice-interaction"), attributes)
    for option in item.choices:
        choice = _sub(interaction, "qti-simple-choice", {"identifier": option.identifier})
        if option.fixed:
            choice.set("fixed", "true")
        _fill(choice, option.text, item.identifier)
        if option.feedback:
            feedback = _sub(
                choice,
                "qti-feedback-inline",
                {
                    "outcome-identifier": "FEEDBACK",
                    "identifier": option.identifier,
                    "show-hide": "show",
                },
            )
            _fill(feedback, option.feedback, item.identifier)
    return interaction


def _fill(parent: etree._Element, markdown: str, source: str) -> None:
    """Put Markdown into ``parent``: inline when it is one paragraph, else as blocks."""
    blocks = markdown_to_content(markdown, source=source)
    if len(blocks) == 1 and blocks[0].tag == q("p") and not blocks[0].attrib:
        paragraph = markdown_to_inline(markdown.strip(), source=source)
        parent.text = paragraph.text
        parent.extend(list(paragraph))
    else:
        parent.extend(blocks)


# -- response processing ----------------------------------------------------------------------


def response_processing_for(item: Item) -> etree._Element | None:
    """Return the ``qti-response-processing`` the exporter writes for a native item."""
    if item.kind in (ItemKind.LIKERT, ItemKind.OPEN_RESPONSE):
        return None
    template = _template(item)
    if template is not None:
        return etree.Element(q("qti-response-processing"), {"template": TEMPLATE_BASE + template})
    processing = etree.Element(q("qti-response-processing"))
    if item.kind in _CHOICE_KINDS and any(c.feedback for c in item.choices):
        _set(processing, "FEEDBACK", _var("RESPONSE"))
    condition = _sub(processing, "qti-response-condition")
    if item.kind in _CHOICE_KINDS and not item.partial_credit:
        branch = _sub(condition, "qti-response-if")
        match = _sub(branch, "qti-match")
        match.extend([_var("RESPONSE"), _expr("qti-correct", identifier="RESPONSE")])
        _set(branch, "SCORE", _var("MAXSCORE"))
        _set(_sub(condition, "qti-response-else"), "SCORE", _float(0))
        return processing
    branch = _sub(condition, "qti-response-if")
    _sub(branch, "qti-is-null").append(_var("RESPONSE"))
    _set(branch, "SCORE", _float(0))
    if item.kind in _CHOICE_KINDS:
        mapped = _expr("qti-map-response", identifier="RESPONSE")
        _set(_sub(condition, "qti-response-else"), "SCORE", mapped)
        return processing
    _key_branches(item, condition)
    _set(_sub(condition, "qti-response-else"), "SCORE", _float(0))
    return processing


def _exact_text(item: Item) -> bool:
    """One case-sensitive answer worth all of one point: QTI's plain match_correct."""
    answers = item.text_answers
    if item.kind is not ItemKind.SHORT_TEXT or item.points != 1 or len(answers) != 1:
        return False
    answer = answers[0]
    return answer.score == 1 and answer.case_sensitive and "*" not in answer.text


def _template(item: Item) -> str | None:
    if item.kind in _CHOICE_KINDS and any(c.feedback for c in item.choices):
        return None
    if item.kind in _CHOICE_KINDS:
        if item.partial_credit:
            return "map_response.xml"
        return "match_correct.xml" if item.points == 1 else None
    if _exact_text(item):
        return "match_correct.xml"
    if item.kind is ItemKind.SHORT_TEXT and not any("*" in a.text for a in item.text_answers):
        return "map_response.xml"
    keys = item.numeric_keys
    if item.kind is ItemKind.NUMERIC and item.points == 1 and len(keys) == 1:
        key = keys[0]
        if (
            key.tolerance == 0
            and not key.relative
            and key.score == 1
            and not isinstance(key.value, str)
        ):
            return "match_correct.xml"
    if _exact_numbers(item):
        return "map_response.xml"
    return None


def _exact_numbers(item: Item) -> bool:
    """Numeric keys without tolerance: a qti-mapping scores them exactly."""
    keys = item.numeric_keys
    return item.kind is ItemKind.NUMERIC and all(
        k.tolerance == 0 and not k.relative and not isinstance(k.value, str) for k in keys
    )


def _key_branches(item: Item, condition: etree._Element) -> None:
    if item.kind is ItemKind.SHORT_TEXT:
        for answer in sorted(item.text_answers, key=lambda a: -a.score):
            branch = _sub(condition, "qti-response-else-if")
            pattern = wildcard_pattern(answer.text, case_sensitive=answer.case_sensitive)
            _sub(branch, "qti-pattern-match", {"pattern": pattern}).append(_var("RESPONSE"))
            _set(branch, "SCORE", _float(answer.score * item.points))
        return
    ranked = sorted(enumerate(item.numeric_keys), key=lambda pair: -pair[1].score)
    for index, key in ranked:
        branch = _sub(condition, "qti-response-else-if")
        attributes = {"tolerance-mode": "exact"}
        if key.tolerance or key.relative:
            tolerance = round(key.tolerance * 100, 9) if key.relative else key.tolerance
            mode = "relative" if key.relative else "absolute"
            attributes = {"tolerance-mode": mode, "tolerance": format_value(float(tolerance))}
        equal = _sub(branch, "qti-equal", attributes)
        value = key.value
        target = _var(key_variable(index)) if isinstance(value, str) else _float(value)
        equal.extend([target, _var("RESPONSE")])
        _set(branch, "SCORE", _float(key.score * item.points))


def wildcard_pattern(text: str, *, case_sensitive: bool) -> str:
    """Return the XSD regular expression for a Moodle-style answer with ``*`` wildcards."""
    parts = []
    for char in text:
        if char == "*":
            parts.append(".*")
        elif not case_sensitive and char.lower() != char.upper():
            parts.append(f"[{char.lower()}{char.upper()}]")
        else:
            parts.append(re.escape(char) if char in r".\?+{}()[]^$|" else char)
    return "".join(parts)


def _set(parent: etree._Element, identifier: str, expression: etree._Element) -> None:
    _sub(parent, "qti-set-outcome-value", {"identifier": identifier}).append(expression)


def _var(identifier: str) -> etree._Element:
    return _expr("qti-variable", identifier=identifier)


def _float(value: float) -> etree._Element:
    element = _expr("qti-base-value", **{"base-type": "float"})
    element.text = format_value(float(value))
    return element


def _expr(name: str, **attributes: str) -> etree._Element:
    return etree.Element(q(name), attributes)
