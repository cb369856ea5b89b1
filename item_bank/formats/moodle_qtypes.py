"""Moodle question types that map onto the bank's native item kinds.

Multichoice, true/false, short answer, numerical and essay questions become native items;
matching, ordering, select-missing-words, drag-and-drop into text and Cloze become QTI 3.0 items
(:mod:`item_bank.formats.moodle_qti`); a description is not a question and is skipped.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from item_bank.formats import moodle_qti
from item_bank.formats.common import BrokenQuestionError, UnsupportedQuestionError
from item_bank.formats.moodle_cloze import cloze
from item_bank.items import Choice, Item, ItemKind, NumericKey, TextAnswer

if TYPE_CHECKING:
    from lxml import etree

    from item_bank.formats.moodle_xml import Question

__all__ = ["build_question"]

_UNSUPPORTED = {
    "calculated": "calculated questions need Moodle's dataset generator",
    "calculatedsimple": "calculated questions need Moodle's dataset generator",
    "calculatedmulti": "calculated questions need Moodle's dataset generator",
    "randomsamatch": "random short-answer matching draws from other questions of the category",
    "random": "a random question is a quiz slot, not a question",
    "ddimageortext": "drag-and-drop onto an image needs the background image and drop zones",
    "ddmarker": "drag-and-drop markers need the background image and drop zones",
}


def build_question(question: Question) -> tuple[Item | None, str | None]:
    """Return ``(item, None)`` or ``(None, reason)`` for one parsed question."""
    builders = {
        "multichoice": _multichoice,
        "truefalse": _truefalse,
        "shortanswer": _shortanswer,
        "numerical": _numerical,
        "essay": _essay,
        "matching": moodle_qti.matching,
        "ordering": moodle_qti.ordering,
        "gapselect": moodle_qti.gapselect,
        "ddwtos": moodle_qti.ddwtos,
        "cloze": cloze,
        "multianswer": cloze,
    }
    if question.qtype == "description":
        return None, "not a question (a Moodle description is text shown between questions)"
    if question.qtype in _UNSUPPORTED:
        return None, f"type {question.qtype!r} is not supported: {_UNSUPPORTED[question.qtype]}"
    builder = builders.get(question.qtype)
    if builder is None:
        return None, f"type {question.qtype!r} is not a question type the bank can represent"
    try:
        return builder(question), None
    except UnsupportedQuestionError as unsupported:
        return None, str(unsupported)


def _answers(question: Question) -> list[tuple[etree._Element, str, float, str | None]]:
    """``(element, text, fraction, feedback)`` for every ``<answer>``."""
    rows = []
    for number, answer in enumerate(question.element.findall("answer"), start=1):
        text = question.rich(answer)
        fraction = question.fraction(answer.get("fraction"), f"answer {number}")
        feedback = question.rich(answer.find("feedback")) or None
        rows.append((answer, text, fraction, feedback))
    return rows


def _base(question: Question, kind: ItemKind, **fields: object) -> Item:
    return Item(
        identifier=question.identifier,
        kind=kind,
        stem=question.text,
        title=question.name,
        points=question.points,
        general_feedback=question.general_feedback,
        metadata=question.metadata,
        **fields,  # type: ignore[arg-type]
    )


def _combined_feedback_note(question: Question) -> None:
    for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
        if question.rich(question.element.find(tag)):
            question.notes.append(f"{tag} is not kept (the bank has per-answer feedback only)")


def _multichoice(question: Question) -> Item:
    answers = _answers(question)
    if len(answers) < 2:
        raise BrokenQuestionError("This type of question requires at least 2 choices")
    single = question.flag("single", default=True)
    choices = tuple(
        Choice(identifier=f"choice_{i}", text=text, feedback=feedback, score=fraction)
        for i, (_, text, fraction, feedback) in enumerate(answers, start=1)
    )
    if question.child_text("answernumbering") not in ("", "none"):
        question.notes.append("answer numbering is ignored (the delivery numbers options)")
    _combined_feedback_note(question)
    shuffle = question.flag("shuffleanswers", default=True)
    if single:
        best = max(choices, key=lambda c: c.score)
        if best.score < 0.9999:
            raise BrokenQuestionError(
                "One of the answers should have a score of 100% so it is possible to get full "
                "marks for this question."
            )
        partial = any(c.score != 0 for c in choices if c is not best)
        return _base(
            question,
            ItemKind.SINGLE_CHOICE,
            choices=_in_points(choices, question.points),
            correct=(best.identifier,),
            shuffle=shuffle,
            partial_credit=partial,
        )
    total = sum(c.score for c in choices if c.score > 0)
    if abs(total - 1.0) > 0.0001:
        raise BrokenQuestionError(
            "The positive grades you have chosen do not add up to 100% "
            f"(they add up to {total:.0%})"
        )
    correct = tuple(c.identifier for c in choices if c.score > 0)
    return _base(
        question,
        ItemKind.MULTIPLE_RESPONSE,
        choices=_in_points(choices, question.points),
        correct=correct,
        shuffle=shuffle,
        partial_credit=True,
        max_choices=0,
    )


def _in_points(choices: tuple[Choice, ...], points: float) -> tuple[Choice, ...]:
    """Moodle grades answers in fractions of the mark; Choice.score is a QTI mapped value, in
    points (the scorer sums it and caps at the item's points), so fractions are scaled."""
    return tuple(replace(c, score=c.score * points) for c in choices)


def _truefalse(question: Question) -> Item:
    answers = _answers(question)
    by_value = {
        text.strip().lower(): (fraction, feedback) for _, text, fraction, feedback in answers
    }
    if set(by_value) != {"true", "false"}:
        raise BrokenQuestionError("a true/false question needs one 'true' and one 'false' answer")
    key = "true" if by_value["true"][0] >= by_value["false"][0] else "false"
    choices = tuple(
        Choice(
            identifier=value,
            text=value.capitalize(),
            feedback=by_value[value][1],
            score=by_value[value][0] * question.points,
        )
        for value in ("true", "false")
    )
    return _base(question, ItemKind.TRUE_FALSE, choices=choices, correct=(key,))


def _shortanswer(question: Question) -> Item:
    case_sensitive = question.flag("usecase")
    answers = tuple(
        TextAnswer(text=text, score=fraction, case_sensitive=case_sensitive, feedback=feedback)
        for _, text, fraction, feedback in _answers(question)
        if text
    )
    if not any(a.score >= 0.9999 for a in answers):
        raise BrokenQuestionError(
            "One of the answers should have a score of 100% so it is possible to get full "
            "marks for this question."
        )
    return _base(question, ItemKind.SHORT_TEXT, text_answers=answers)


def _numerical(question: Question) -> Item:
    units = _units(question)
    keys: list[NumericKey] = []
    for answer, text, fraction, feedback in _answers(question):
        if text == "*":
            question.notes.append("the '*' catch-all answer is dropped: any other value scores 0")
            continue
        try:
            value = float(text)
        except ValueError:
            raise BrokenQuestionError(
                f"The answer must be a number, for example -1.234 or 3e8, or '*'. Got {text!r}"
            ) from None
        tolerance = float(answer.findtext("tolerance") or 0)
        for unit, multiplier in units or [("", 1.0)]:
            keys.append(
                NumericKey(
                    value=value * multiplier,
                    tolerance=abs(tolerance * multiplier),
                    units=(unit,) if unit else (),
                    score=fraction,
                    feedback=feedback,
                )
            )
    return _base(question, ItemKind.NUMERIC, numeric_keys=tuple(keys))


def _units(question: Question) -> list[tuple[str, float]]:
    """``(unit, multiplier)`` pairs; a value in a unit is the base value times its multiplier."""
    units = []
    for unit in question.element.findall("units/unit"):
        name = (unit.findtext("unit_name") or "").strip()
        if name:
            units.append((name, float(unit.findtext("multiplier") or 1)))
    penalty = question.child_text("unitpenalty")
    if units and penalty and float(penalty) > 0 and question.child_text("unitgradingtype") != "0":
        question.notes.append(
            f"unit penalty {float(penalty):g} is not applied: an answer without its unit scores 0"
        )
    return units


def _essay(question: Question) -> Item:
    rationale = question.rich(question.element.find("graderinfo")) or None
    for tag, label in (("minwordlimit", "minimum"), ("maxwordlimit", "maximum")):
        if question.child_text(tag):
            question.notes.append(f"{label} word limit {question.child_text(tag)} is not enforced")
    if question.rich(question.element.find("responsetemplate")):
        question.notes.append("the response template is not kept")
    return _base(question, ItemKind.OPEN_RESPONSE, rationale=rationale)
