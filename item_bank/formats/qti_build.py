"""Build QTI 3.0 items for Moodle question types the bank does not model natively.

Matching, ordering, select-missing-words, drag-and-drop-into-text and Cloze questions become
``qti-assessment-item`` documents (TAO's approach: QTI is the model). Question HTML is parsed with
lxml's HTML parser and copied into the QTI namespace as XHTML, dropping scripts, event handlers
and ``javascript:`` links, so that an imported item can never carry active content.

Scores follow Moodle: each part earns its share of the mark, nothing is negative. Partial
scoring that the standard templates cannot express is written as response conditions that add
each part's share to ``SCORE`` (QTI 3.0 §5 response processing).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lxml import etree
from lxml import html as lxml_html
from lxml.etree import _Element as Element

__all__ = ["QTI_NS", "GapCondition", "ItemParts", "qti_element", "render_item", "xhtml_body"]

QTI_NS = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
MAP_RESPONSE = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/map_response.xml"
_PLACEHOLDER = "qti-placeholder"
_DROPPED_TAGS = {"script", "style", "iframe", "object", "embed", "form"}


def qti_element(tag: str, attrib: dict[str, str] | None = None, text: str | None = None) -> Element:
    """Create an element in the QTI namespace."""
    element = etree.Element(f"{{{QTI_NS}}}{tag}", attrib or {}, nsmap={None: QTI_NS})
    if text is not None:
        element.text = text
    return element


def _sub(
    parent: Element, tag: str, attrib: dict[str, str] | None = None, text: str | None = None
) -> Element:
    child = etree.SubElement(parent, f"{{{QTI_NS}}}{tag}", attrib or {})
    if text is not None:
        child.text = text
    return child


def re_placeholder() -> re.Pattern[str]:
    """Pattern matching the markup written by :func:`placeholder`."""
    return re.compile(r'<span class="qti-placeholder" data-index="\d+"></span>')


def placeholder(index: int) -> str:
    """Markup standing for interaction ``index`` inside question HTML, replaced by xhtml_body."""
    return f'<span class="{_PLACEHOLDER}" data-index="{index}"></span>'


def xhtml_body(html_text: str, fill: Callable[[int], Element] | None = None) -> list[Element]:
    """Parse question HTML into QTI-namespace XHTML elements, replacing placeholders via ``fill``.

    Loose text is wrapped in ``<p>`` or ``<div>`` because an item body holds only block content.
    """
    fragments = lxml_html.fragments_fromstring(html_text or "<p></p>")
    blocks: list[Element] = []
    wrapper = None
    for fragment in fragments:
        if isinstance(fragment, str) or fragment.tag not in _BLOCK_TAGS:
            if wrapper is None:
                wrapper = qti_element("div")
                blocks.append(wrapper)
            _append(wrapper, fragment, fill)
        else:
            wrapper = None
            copied = _copy(fragment, fill)
            if copied is not None:
                blocks.append(copied)
            if fragment.tail and fragment.tail.strip():  # text after a block gets its own div
                wrapper = qti_element("div", text=fragment.tail)
                blocks.append(wrapper)
    return blocks


_BLOCK_TAGS = {
    "p", "div", "ul", "ol", "table", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "dl", "figure",
}  # fmt: skip


def _append(parent: Element, node: object, fill: Callable[[int], Element] | None) -> None:
    if isinstance(node, str):
        if len(parent):
            parent[-1].tail = (parent[-1].tail or "") + node
        else:
            parent.text = (parent.text or "") + node
        return
    copied = _copy(node, fill)
    if copied is not None:
        parent.append(copied)
        copied.tail = node.tail


def _copy(node: Element, fill: Callable[[int], Element] | None) -> Element | None:
    if not isinstance(node.tag, str) or node.tag in _DROPPED_TAGS:
        return None
    if node.get("class") == _PLACEHOLDER and fill is not None:
        return fill(int(node.get("data-index")))
    attrib = {
        k: v
        for k, v in node.attrib.items()
        if not k.startswith("on") and not v.strip().lower().startswith("javascript:")
    }
    element = qti_element(node.tag, attrib, node.text)
    for child in node:
        _append(element, child, fill)
        if not isinstance(child.tag, str) or child.tag in _DROPPED_TAGS:
            _append(element, child.tail or "", fill)
    return element


@dataclass(frozen=True, slots=True)
class GapCondition:
    """One branch of a part's scoring: when ``test`` holds, add ``share`` to SCORE.

    ``test`` is an element such as ``qti-match`` or ``qti-equal`` over the part's response.
    """

    test: Element
    share: float


@dataclass(frozen=True, slots=True)
class ItemParts:
    """Everything render_item needs: declarations, body, and scoring as mapping or conditions."""

    identifier: str
    title: str
    declarations: Sequence[Element]
    body: Sequence[Element]
    max_score: float
    conditions: Sequence[Sequence[GapCondition]] = ()  # one if/else-if chain per part
    use_map_response: bool = False


def render_item(parts: ItemParts) -> str:
    """Serialise a QTI 3.0 item: responses, SCORE and MAXSCORE, body and response processing."""
    root = qti_element(
        "qti-assessment-item",
        {
            "identifier": parts.identifier,
            "title": parts.title,
            "adaptive": "false",
            "time-dependent": "false",
        },
    )
    for declaration in parts.declarations:
        root.append(declaration)
    for name, value in (("SCORE", "0"), ("MAXSCORE", _number(parts.max_score))):
        outcome = _sub(
            root,
            "qti-outcome-declaration",
            {"identifier": name, "cardinality": "single", "base-type": "float"},
        )
        _sub(_sub(outcome, "qti-default-value"), "qti-value", text=value)
    body = _sub(root, "qti-item-body")
    for block in parts.body:
        body.append(block)
    if parts.use_map_response:
        _sub(root, "qti-response-processing", {"template": MAP_RESPONSE})
    else:
        processing = _sub(root, "qti-response-processing")
        for chain in parts.conditions:
            processing.append(_condition_chain(chain))
    return etree.tostring(root, encoding="unicode")


def _condition_chain(chain: Sequence[GapCondition]) -> Element:
    condition = qti_element("qti-response-condition")
    for index, branch in enumerate(chain):
        clause = _sub(condition, "qti-response-if" if index == 0 else "qti-response-else-if")
        clause.append(branch.test)
        setter = _sub(clause, "qti-set-outcome-value", {"identifier": "SCORE"})
        total = _sub(setter, "qti-sum")
        _sub(total, "qti-variable", {"identifier": "SCORE"})
        _sub(total, "qti-base-value", {"base-type": "float"}, _number(branch.share))
    return condition


def response_declaration(
    identifier: str,
    cardinality: str,
    base_type: str,
    correct: Sequence[str] = (),
    mapping: Sequence[tuple[str, float, bool]] = (),
) -> Element:
    """``qti-response-declaration`` with its correct response and an optional mapping.

    ``mapping`` rows are ``(key, mapped value, case sensitive)``; the lower bound is 0 because
    Moodle never takes marks away below zero for these types.
    """
    declaration = qti_element(
        "qti-response-declaration",
        {"identifier": identifier, "cardinality": cardinality, "base-type": base_type},
    )
    if correct:
        correct_el = _sub(declaration, "qti-correct-response")
        for value in correct:
            _sub(correct_el, "qti-value", text=value)
    if mapping:
        mapping_el = _sub(declaration, "qti-mapping", {"default-value": "0", "lower-bound": "0"})
        for key, value, case_sensitive in mapping:
            _sub(
                mapping_el,
                "qti-map-entry",
                {
                    "map-key": key,
                    "mapped-value": _number(value),
                    "case-sensitive": "true" if case_sensitive else "false",
                },
            )
    return declaration


def match_value(response: str, base_type: str, value: str) -> Element:
    """``qti-match`` of a response variable against one value."""
    test = qti_element("qti-match")
    _sub(test, "qti-variable", {"identifier": response})
    _sub(test, "qti-base-value", {"base-type": base_type}, value)
    return test


def match_correct(response: str) -> Element:
    """``qti-match`` of a response variable against its declared correct response."""
    test = qti_element("qti-match")
    _sub(test, "qti-variable", {"identifier": response})
    _sub(test, "qti-correct", {"identifier": response})
    return test


def string_match(response: str, value: str, *, case_sensitive: bool) -> Element:
    test = qti_element("qti-string-match", {"case-sensitive": str(case_sensitive).lower()})
    _sub(test, "qti-variable", {"identifier": response})
    _sub(test, "qti-base-value", {"base-type": "string"}, value)
    return test


def equal_within(response: str, value: float, tolerance: float) -> Element:
    """``qti-equal`` with an absolute tolerance, as Moodle's numerical answers use."""
    tol = _number(tolerance)
    test = qti_element("qti-equal", {"tolerance-mode": "absolute", "tolerance": f"{tol} {tol}"})
    _sub(test, "qti-variable", {"identifier": response})
    _sub(test, "qti-base-value", {"base-type": "float"}, _number(value))
    return test


def index_match(response: str, position: int, value: str) -> Element:
    """Whether the ``position``-th (1-based) entry of an ordered response is ``value``."""
    test = qti_element("qti-match")
    index = _sub(test, "qti-index", {"n": str(position)})
    _sub(index, "qti-variable", {"identifier": response})
    _sub(test, "qti-base-value", {"base-type": "identifier"}, value)
    return test


def _number(value: float) -> str:
    text = f"{value:.7f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def sub(
    parent: Element, tag: str, attrib: dict[str, str] | None = None, text: str | None = None
) -> Element:
    """Public alias of the sub-element helper for the type builders."""
    return _sub(parent, tag, attrib, text)


def strip_tags(html_text: str) -> str:
    """Plain text of an HTML snippet, for titles and the searchable stem of a QTI item."""
    if not html_text.strip():
        return ""
    text = lxml_html.fromstring(f"<div>{html_text}</div>").text_content()
    return re.sub(r"\s+", " ", text).strip()


def match_document(
    *,
    identifier: str,
    title: str,
    prompt_html: str,
    pairs: Sequence[tuple[str, str]],
    points: float,
    shuffle: bool,
) -> str:
    """A ``qti-match-interaction`` item from ``(question, answer)`` pairs, as Moodle matches.

    A pair with an empty question is an extra wrong answer; equal answers are one target (Moodle
    shows each distinct answer once). Each right pair earns an equal share of ``points``.
    """
    targets: dict[str, str] = {}
    stems: list[tuple[str, str]] = []
    keys: list[str] = []
    for question, answer in pairs:
        target = targets.setdefault(answer, f"T{len(targets) + 1}")
        if question:
            source = f"S{len(stems) + 1}"
            stems.append((source, question))
            keys.append(f"{source} {target}")
    share = points / len(stems)
    declaration = response_declaration(
        "RESPONSE", "multiple", "directedPair", keys, [(k, share, True) for k in keys]
    )
    interaction = qti_element(
        "qti-match-interaction",
        {
            "response-identifier": "RESPONSE",
            "shuffle": str(shuffle).lower(),
            "max-associations": str(len(stems)),
        },
    )
    left = _sub(interaction, "qti-simple-match-set")
    for source, text in stems:
        rich_child(left, "qti-simple-associable-choice", text, identifier=source, match_max="1")
    right = _sub(interaction, "qti-simple-match-set")
    for text, target in targets.items():
        rich_child(right, "qti-simple-associable-choice", text, identifier=target, match_max="0")
    parts = ItemParts(
        identifier=identifier,
        title=title,
        declarations=[declaration],
        body=[*xhtml_body(prompt_html), interaction],
        max_score=points,
        use_map_response=True,
    )
    return render_item(parts)


def rich_child(parent: Element, tag: str, text: str, **attrib: str) -> Element:
    """Add a choice whose content is question HTML (Moodle answers may hold markup)."""
    element = _sub(parent, tag, {k.replace("_", "-"): v for k, v in attrib.items()})
    blocks = xhtml_body(text)
    if len(blocks) == 1 and blocks[0].tag == f"{{{QTI_NS}}}div" and not blocks[0].attrib:
        element.text = blocks[0].text  # plain text: avoid wrapping every option in a <div>
        for child in blocks[0]:
            element.append(child)
    else:
        for block in blocks:
            element.append(block)
    return element
