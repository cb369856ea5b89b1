"""Moodle question types kept as QTI 3.0 items: matching, ordering, gap select, drag into text.

Each maps to the QTI interaction that asks the same thing and scores it as Moodle does: a share of
the mark per correct part (matching, gap select, drag into text, ordering by absolute position)
or all-or-nothing. Cloze lives in :mod:`item_bank.formats.moodle_cloze`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from item_bank.formats import qti_build as qb
from item_bank.formats.common import BrokenQuestionError, UnsupportedQuestionError
from item_bank.items import Item, ItemKind, QtiContent

if TYPE_CHECKING:
    from lxml.etree import _Element as Element

    from item_bank.formats.moodle_xml import Question

__all__ = ["ddwtos", "gapselect", "matching", "ordering", "qti_item"]

_GAP = re.compile(r"\[\[(\d+)\]\]")


def qti_item(
    question: Question, parts: qb.ItemParts, interactions: Sequence[str], stem: str
) -> Item:
    """Wrap a QTI document rendered from ``parts`` as an Item of kind QTI."""
    return qti_xml_item(question, qb.render_item(parts), interactions, stem, parts.max_score)


def qti_xml_item(
    question: Question, xml: str, interactions: Sequence[str], stem: str, points: float
) -> Item:
    """Wrap a QTI document as an Item of kind QTI carrying the question's metadata."""
    content = QtiContent(xml=xml, interactions=tuple(interactions))
    return Item(
        identifier=question.identifier,
        kind=ItemKind.QTI,
        stem=stem,
        title=question.name,
        points=points,
        general_feedback=question.general_feedback,
        shuffle=question.flag("shuffleanswers"),
        qti=content,
        metadata=question.metadata,
    )


def parts_for(
    question: Question, declarations: list, body: list, **scoring: object
) -> qb.ItemParts:
    return qb.ItemParts(
        identifier=question.identifier,
        title=question.name,
        declarations=declarations,
        body=body,
        max_score=question.points,
        **scoring,  # type: ignore[arg-type]
    )


def matching(question: Question) -> Item:
    """Moodle matching → ``qti-match-interaction`` scored by mapping, a share per right pair."""
    pairs = [
        (question.rich(sub), (sub.findtext("answer/text") or "").strip())
        for sub in question.element.findall("subquestion")
    ]
    if sum(1 for q, _ in pairs if q) < 2 or len({a for _, a in pairs}) < 3:
        # Moodle's form refuses fewer than 2 questions and 3 answers
        raise BrokenQuestionError("a matching question needs at least 2 questions and 3 answers")
    xml = qb.match_document(
        identifier=question.identifier,
        title=question.name,
        prompt_html=question.text,
        pairs=pairs,
        points=question.points,
        shuffle=question.flag("shuffleanswers"),
    )
    return qti_xml_item(question, xml, ["qti-match-interaction"], question.text, question.points)


def ordering(question: Question) -> Item:
    """Moodle ordering → ``qti-order-interaction``; the answers' order in the file is the key."""
    grading = question.child_text("gradingtype", "ALL_OR_NOTHING").upper()
    if question.child_text("selecttype", "ALL").upper() not in ("ALL", "0"):
        raise_unsupported("ordering questions that show a subset of the items")
    if grading not in ("ALL_OR_NOTHING", "ABSOLUTE_POSITION"):
        raise_unsupported(f"ordering grading type {grading}")
    items = [question.rich(a) for a in question.element.findall("answer")]
    if len(items) < 2:
        raise BrokenQuestionError("an ordering question needs at least 2 items")
    ids = [f"O{i}" for i in range(1, len(items) + 1)]
    declaration = qb.response_declaration("RESPONSE", "ordered", "identifier", ids)
    interaction = qb.qti_element(
        "qti-order-interaction",
        {
            "response-identifier": "RESPONSE",
            "shuffle": "true",
            "orientation": "horizontal"
            if question.child_text("layouttype").upper() == "HORIZONTAL"
            else "vertical",
        },
    )
    for identifier, text in zip(ids, items, strict=True):
        qb.rich_child(interaction, "qti-simple-choice", text, identifier=identifier)
    if grading == "ABSOLUTE_POSITION":
        share = question.points / len(ids)
        chains = [
            [qb.GapCondition(qb.index_match("RESPONSE", n, i), share)]
            for n, i in enumerate(ids, start=1)
        ]
    else:
        chains = [[qb.GapCondition(qb.match_correct("RESPONSE"), question.points)]]
    body = [*qb.xhtml_body(question.text), interaction]
    parts = parts_for(question, [declaration], body, conditions=chains)
    return qti_item(question, parts, ["qti-order-interaction"], question.text)


def raise_unsupported(what: str) -> None:
    """A valid Moodle question whose feature QTI cannot score the same way: skipped upstream."""
    raise UnsupportedQuestionError(f"{what} cannot be represented faithfully")


def gapselect(question: Question) -> Item:
    """Moodle select missing words → one ``qti-inline-choice-interaction`` per ``[[n]]`` gap.

    Gap ``[[n]]`` is answered by option ``n``; its menu lists the options of option ``n``'s group.
    """
    options = _options(question, "selectoption")

    def fill(index: int) -> Element:
        interaction = qb.qti_element(
            "qti-inline-choice-interaction",
            {
                "response-identifier": f"RESPONSE_{index}",
                "shuffle": str(question.flag("shuffleanswers")).lower(),
            },
        )
        group = options[index - 1][1]
        for number, (text, option_group, _) in enumerate(options, start=1):
            if option_group == group:
                qb.sub(interaction, "qti-inline-choice", {"identifier": f"C{number}"}, text)
        return interaction

    return _gap_item(question, fill, "qti-inline-choice-interaction")


def ddwtos(question: Question) -> Item:
    """Moodle drag and drop into text → ``qti-gap-match-interaction`` with one gap per ``[[n]]``."""
    options = _options(question, "dragbox")
    interaction = qb.qti_element(
        "qti-gap-match-interaction",
        {
            "response-identifier": "RESPONSE",
            "shuffle": str(question.flag("shuffleanswers")).lower(),
        },
    )
    for number, (text, _group, infinite) in enumerate(options, start=1):
        qb.sub(
            interaction,
            "qti-gap-text",
            {"identifier": f"C{number}", "match-max": "0" if infinite else "1"},
            text,
        )
    gaps = _gap_numbers(question)
    for block in qb.xhtml_body(
        _with_placeholders(question.text),
        lambda i: qb.qti_element("qti-gap", {"identifier": f"G{i}"}),
    ):
        interaction.append(block)
    pairs = [f"C{n} G{n}" for n in gaps]
    share = question.points / len(gaps)
    declaration = qb.response_declaration(
        "RESPONSE", "multiple", "directedPair", pairs, [(p, share, True) for p in pairs]
    )
    parts = parts_for(question, [declaration], [interaction], use_map_response=True)
    return qti_item(question, parts, ["qti-gap-match-interaction"], _GAP.sub("___", question.text))


def _options(question: Question, tag: str) -> list[tuple[str, str, bool]]:
    options = [
        (
            (o.findtext("text") or "").strip(),
            (o.findtext("group") or "1").strip(),
            o.find("infinite") is not None,
        )
        for o in question.element.findall(tag)
    ]
    for number in _gap_numbers(question):
        if number > len(options):
            raise BrokenQuestionError(
                f"gap [[{number}]] has no matching {tag} (only {len(options)})"
            )
    return options


def _gap_numbers(question: Question) -> list[int]:
    numbers = [int(n) for n in _GAP.findall(question.text)]
    if not numbers:
        raise BrokenQuestionError("the question text has no [[n]] gaps")
    return numbers


def _with_placeholders(text: str) -> str:
    return _GAP.sub(lambda m: qb.placeholder(int(m.group(1))), text)


def _gap_item(question: Question, fill: Callable[[int], Element], interaction_name: str) -> Item:
    gaps = _gap_numbers(question)
    share = question.points / len(gaps)
    declarations = [
        qb.response_declaration(f"RESPONSE_{n}", "single", "identifier", [f"C{n}"]) for n in gaps
    ]
    chains = [
        [qb.GapCondition(qb.match_value(f"RESPONSE_{n}", "identifier", f"C{n}"), share)]
        for n in gaps
    ]
    body = qb.xhtml_body(_with_placeholders(question.text), fill)
    parts = parts_for(question, declarations, body, conditions=chains)
    return qti_item(question, parts, [interaction_name], _GAP.sub("___", question.text))
