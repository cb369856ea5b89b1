"""Map a QTI 3.0 item onto a native :class:`~item_bank.items.Item` when nothing would be lost.

The decoder reads a candidate item from the declarations and the body, then checks that the
response processing and modal feedback are exactly what :mod:`item_bank.qti.exporter` writes
for that candidate. Only then is the native item provably scored as the QTI item is; any other
item (custom processing, extra feedback, templates, several interactions) stays QTI.
"""

from __future__ import annotations

import copy as copy_module
from dataclasses import replace

from lxml import etree

from item_bank.items import Choice, Item, ItemKind
from item_bank.qti.exporter import GENERAL_FEEDBACK, best_expression_key, response_processing_for
from item_bank.qti.markdown import content_to_markdown, paragraph_markdown
from item_bank.qti.native_answers import declared_points, numeric_keys_from, text_answers_from
from item_bank.qti.processing import QtiItem, template_name
from item_bank.qti.template_export import template_declarations, template_processing
from item_bank.qti.template_import import DecodedTemplates, decode_templates
from item_bank.qti.values import Declaration, ResponseMapping
from item_bank.qti.xml import MATHML_NS, QTI_NS, local_name, q

__all__ = ["decode_native"]

_INTERACTIONS = {
    "qti-choice-interaction",
    "qti-text-entry-interaction",
    "qti-extended-text-interaction",
}
_ALLOWED_OUTCOMES = {"SCORE", "MAXSCORE", "FEEDBACK", GENERAL_FEEDBACK}
_TRUE_FALSE = {("true", "false"), ("đúng", "sai"), ("yes", "no"), ("t", "f")}
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _interactions(body: etree._Element) -> list[etree._Element]:
    return [
        e for e in body.iter() if isinstance(e.tag, str) and local_name(e).endswith("-interaction")
    ]


def decode_native(qti: QtiItem) -> Item | None:
    """Return the native item equivalent to ``qti``, or ``None`` if it must stay QTI."""
    root = qti.root
    body = root.find(q("qti-item-body"))
    templates = decode_templates(qti)
    if body is None or root.get("adaptive") == "true" or templates is None:
        return None
    names = {v.name for v in templates.variables}
    responses = [d for d in qti.declarations.values() if d.kind == "response"]
    others = {d.identifier for d in qti.declarations.values() if d.kind != "response"}
    interactions = _interactions(body)
    allowed = _ALLOWED_OUTCOMES | names | set(templates.keys)
    if len(responses) != 1 or len(interactions) != 1 or not others <= allowed:
        return None
    response, interaction = responses[0], interactions[0]
    if response.identifier != "RESPONSE" or interaction.get("response-identifier") != "RESPONSE":
        return None
    if _has_foreign_parts(root, body, interaction, names):
        return None
    candidate = _candidate(qti, response, body, interaction, templates)
    if candidate is None:
        return None
    candidate = replace(candidate, template_variables=templates.variables)
    return candidate if _processing_matches(qti, candidate) else None


def _has_foreign_parts(
    root: etree._Element, body: etree._Element, interaction: etree._Element, names: set[str]
) -> bool:
    allowed_top = {
        "qti-response-declaration", "qti-outcome-declaration", "qti-template-declaration",
        "qti-template-processing", "qti-item-body", "qti-response-processing",
        "qti-modal-feedback",
    }  # fmt: skip
    for child in root:
        if isinstance(child.tag, str) and local_name(child) not in allowed_top:
            return True  # stylesheets, catalogs, companion materials: keep the QTI
    for element in body.iter(
        q("qti-feedback-inline"),
        q("qti-feedback-block"),
        q("qti-template-inline"),
        q("qti-template-block"),
    ):
        parent = element.getparent()
        if (
            local_name(element) != "qti-feedback-inline"
            or local_name(parent) != "qti-simple-choice"
        ):
            return True
    for modal in root.findall(q("qti-modal-feedback")):
        if (
            modal.get("outcome-identifier") != GENERAL_FEEDBACK
            or modal.get("identifier") != "shown"
        ):
            return True
    if (
        interaction.getparent() is not body
        and local_name(interaction) != "qti-text-entry-interaction"
    ):
        return True
    return any(
        set(printed.attrib) != {"identifier"} or printed.get("identifier") not in names
        for printed in root.iter(q("qti-printed-variable"))
    )


def _candidate(
    qti: QtiItem,
    response: Declaration,
    body: etree._Element,
    interaction: etree._Element,
    templates: DecodedTemplates,
) -> Item | None:
    name = local_name(interaction)
    if name not in _INTERACTIONS or response.cardinality not in ("single", "multiple"):
        return None
    rationale = _rationale(body)
    common = {
        "identifier": qti.identifier,
        "title": qti.root.get("title", ""),
        "general_feedback": _general_feedback(qti.root),
        "rationale": rationale[0] if rationale else None,
    }
    skip = [*rationale[1:]]
    language = qti.root.get(_XML_LANG)
    if name == "qti-choice-interaction" and response.base_type == "identifier":
        item = _choice_item(qti, response, body, interaction, skip, common)
    elif response.cardinality != "single":
        return None
    elif name == "qti-extended-text-interaction" and response.base_type == "string":
        stem = _stem(body, interaction, skip)
        item = Item(
            kind=ItemKind.OPEN_RESPONSE, stem=stem, points=declared_points(qti, 1.0), **common
        )
    elif name == "qti-text-entry-interaction":
        item = _text_entry_item(qti, response, body, interaction, skip, common, templates)
    else:
        return None
    if item is not None and language:
        item = replace(item, metadata=replace(item.metadata, language=language))
    return item


def _rationale(body: etree._Element) -> list[str | etree._Element]:
    for rubric in body.findall(q("qti-rubric-block")):
        if rubric.get("view") == "scorer" and rubric.get("use") == "rationale":
            content = rubric.find(q("qti-content-body"))
            return [content_to_markdown(content if content is not None else rubric), rubric]
    return []


def _general_feedback(root: etree._Element) -> str | None:
    for modal in root.findall(q("qti-modal-feedback")):
        content = modal.find(q("qti-content-body"))
        return content_to_markdown(content if content is not None else modal)
    return None


def _stem(body: etree._Element, interaction: etree._Element, skip: list[object]) -> str:
    """Body content without the interaction; its prompt takes the interaction's place."""
    prompt = interaction.find(q("qti-prompt"))
    parts = [content_to_markdown(body, skip=[interaction, *skip])]
    if prompt is not None:
        index = list(body).index(interaction)
        before = content_to_markdown(_slice(body, 0, index), skip=skip)
        after = content_to_markdown(_slice(body, index + 1, None), skip=skip)
        parts = [before, paragraph_markdown(prompt), after]
    return "\n\n".join(p for p in parts if p)


def _slice(body: etree._Element, start: int, stop: int | None) -> etree._Element:
    holder = etree.Element(q("qti-item-body"), nsmap={None: QTI_NS, "m": MATHML_NS})
    children = list(body)
    holder.text = body.text if start == 0 else children[start - 1].tail
    for child in children[start:stop]:
        copy = copy_module.deepcopy(child)
        copy.tail = child.tail
        holder.append(copy)
    return holder


def _choice_item(
    qti: QtiItem,
    response: Declaration,
    body: etree._Element,
    interaction: etree._Element,
    skip: list[object],
    common: dict[str, object],
) -> Item | None:
    mapping = response.mapping
    choices = []
    for position, element in enumerate(interaction.findall(q("qti-simple-choice")), start=1):
        feedback = element.find(q("qti-feedback-inline"))
        text_holder = copy_module.deepcopy(element)
        for inline in text_holder.findall(q("qti-feedback-inline")):
            _remove_keep_tail(inline)
        text = content_to_markdown(text_holder)
        score = mapping.lookup(element.get("identifier", "")) if mapping is not None else 0.0
        if response.correct is None and mapping is None:
            score = _likert_value(text, position)
        choices.append(
            Choice(
                identifier=element.get("identifier", ""),
                text=text,
                fixed=element.get("fixed") == "true",
                feedback=content_to_markdown(feedback) if feedback is not None else None,
                score=score,
            )
        )
    correct = response.correct
    keys = (
        tuple(correct.items)
        if hasattr(correct, "items")
        else (() if correct is None else (correct,))
    )
    multiple = response.cardinality == "multiple"
    kind = _choice_kind(multiple, keys, choices, interaction)
    if kind is None:
        return None
    partial = mapping is not None and kind is not ItemKind.LIKERT
    points = _choice_points(qti, kind, choices, mapping, partial, multiple)
    if points is None:
        return None
    return Item(
        kind=kind,
        stem=_stem(body, interaction, skip),
        choices=tuple(choices),
        correct=tuple(str(k) for k in keys),
        shuffle=interaction.get("shuffle") == "true",
        max_choices=int(interaction.get("max-choices", "1")),
        min_choices=int(interaction.get("min-choices", "0")),
        partial_credit=partial,
        points=points,
        **common,  # type: ignore[arg-type]
    )


def _remove_keep_tail(element: etree._Element) -> None:
    parent = element.getparent()
    previous = element.getprevious()
    tail = element.tail or ""
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)


def _likert_value(text: str, position: int) -> float:
    try:
        return float(text)
    except ValueError:
        return float(position)


def _choice_kind(
    multiple: bool, keys: tuple[object, ...], choices: list[Choice], interaction: etree._Element
) -> ItemKind | None:
    if not keys:
        return None if multiple else ItemKind.LIKERT
    if multiple:
        return ItemKind.MULTIPLE_RESPONSE
    if len(keys) != 1:
        return None
    labels = tuple(c.text.strip().casefold() for c in choices)
    ids = tuple(c.identifier.casefold() for c in choices)
    if (
        "true-false" in (interaction.get("class") or "").split()
        or labels in _TRUE_FALSE
        or ids in _TRUE_FALSE
    ):
        return ItemKind.TRUE_FALSE
    return ItemKind.SINGLE_CHOICE


def _choice_points(
    qti: QtiItem,
    kind: ItemKind,
    choices: list[Choice],
    mapping: ResponseMapping | None,
    partial: bool,
    multiple: bool,
) -> float | None:
    scores = [c.score for c in choices]
    if kind is ItemKind.LIKERT:
        return declared_points(qti, max(scores))
    if not partial or mapping is None:
        return declared_points(qti, 1.0)
    best = sum(s for s in scores if s > 0) if multiple else max(scores)
    upper = mapping.upper_bound
    points = declared_points(qti, upper if upper is not None else best)
    # Native partial credit clamps to [0, points]; QTI clamps to the mapping's bounds.
    low_ok = mapping.lower_bound == 0 or (mapping.lower_bound is None and min(scores) >= 0)
    high_ok = upper == points if upper is not None else points >= best
    return points if low_ok and high_ok and points > 0 else None


def _text_entry_item(
    qti: QtiItem,
    response: Declaration,
    body: etree._Element,
    interaction: etree._Element,
    skip: list[object],
    common: dict[str, object],
    templates: DecodedTemplates,
) -> Item | None:
    skip = [*skip]
    parent = interaction.getparent()
    last = [c for c in body if isinstance(c.tag, str)][-1:]
    if parent is not body and last == [parent] and _only_child(parent, interaction):
        skip.append(parent)  # our own "answer box" paragraph
    stem = content_to_markdown(body, skip=skip)
    mapping = response.mapping
    if response.base_type == "string":
        answers = text_answers_from(qti, response)
        if answers is None:
            return None
        points, text_answers = answers
        return Item(
            kind=ItemKind.SHORT_TEXT, stem=stem, text_answers=text_answers, points=points, **common
        )  # type: ignore[arg-type]
    if response.base_type not in ("float", "integer"):
        return None
    units = tuple((interaction.get("data-units") or "").split())
    keys = numeric_keys_from(qti, response, mapping, units, templates)
    if keys is None:
        return None
    points, numeric_keys = keys
    return Item(
        kind=ItemKind.NUMERIC, stem=stem, numeric_keys=numeric_keys, points=points, **common
    )  # type: ignore[arg-type]


def _only_child(parent: etree._Element, child: etree._Element) -> bool:
    others = [c for c in parent if c is not child and isinstance(c.tag, str)]
    text = (parent.text or "") + (child.tail or "")
    return not others and not text.strip()


def _canonical_processing(element: etree._Element | None, qti: QtiItem | None = None) -> object:
    if element is None:
        return ""
    if qti is not None and qti.template is not None:
        return "template:" + qti.template
    if element.get("template"):
        return "template:" + str(template_name(element.get("template")))
    return _structure(element)


def _structure(element: etree._Element) -> object:
    """Names, attributes, trimmed text and children: prefixes, comments and layout ignored."""
    children = tuple(_structure(c) for c in element if isinstance(c.tag, str))
    return (
        element.tag,
        tuple(sorted(element.attrib.items())),
        (element.text or "").strip(),
        children,
    )


def _templates_match(qti: QtiItem, candidate: Item) -> bool:
    if not candidate.template_variables:
        return qti.template_processing is None
    actual = [_structure(e) for e in qti.root.findall(q("qti-template-declaration"))]
    if actual != [_structure(e) for e in template_declarations(candidate)]:
        return False
    expected = template_processing(candidate, best_expression_key(candidate))
    return _structure(qti.template_processing) == _structure(expected)


def _processing_matches(qti: QtiItem, candidate: Item) -> bool:
    if not _templates_match(qti, candidate):
        return False
    actual = qti.root.find(q("qti-response-processing"))
    expected = response_processing_for(candidate)
    return _canonical_processing(actual, qti) == _canonical_processing(expected)
