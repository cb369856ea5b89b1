"""The answer block of a GIFT question (``{...}``), parsed the way Moodle's ``qformat_gift`` does.

Control characters have already been swapped for private-use code points by
:func:`escape_controls`, so ``~ = # ->`` seen here are real separators.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from item_bank.formats.common import BrokenQuestionError, match_fraction, moodle_text
from item_bank.items import Choice, ItemKind, NumericKey, TextAnswer

__all__ = [
    "FORMAT_MARKER",
    "ParsedAnswers",
    "escape_controls",
    "formatted",
    "parse_answers",
    "restore",
]

# Escaped control characters are swapped for private-use code points while parsing.
_ESCAPES = {"\\\\": "\ue000", "\\~": "\ue001", "\\=": "\ue002", "\\#": "\ue003",
            "\\{": "\ue004", "\\}": "\ue005", "\\:": "\ue006", "\\n": "\n"}  # fmt: skip
_RESTORE = {v: k[1] for k, v in _ESCAPES.items() if v != "\n"}
FORMAT_MARKER = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)


def escape_controls(text: str) -> str:
    for escaped, code in _ESCAPES.items():
        text = text.replace(escaped, code)
    return text


def restore(text: str) -> str:
    """Put escaped control characters back as the literal characters they stand for."""
    for code, char in _RESTORE.items():
        text = text.replace(code, char)
    return text


def formatted(text: str, default: str = "moodle") -> str:
    """Apply a leading ``[html]``/``[plain]``... marker and restore escapes."""
    marker = FORMAT_MARKER.match(text)
    text_format = marker.group(1).lower() if marker else default
    body = text[marker.end() :] if marker else text
    return moodle_text(restore(body), "plain_text" if text_format == "plain" else text_format)


_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


@dataclass(frozen=True, slots=True)
class ParsedAnswers:
    """The item kind, the Item fields it fills, and for matching the question-answer pairs."""

    kind: ItemKind
    fields: dict[str, object] = field(default_factory=dict)
    pairs: tuple[tuple[str, str], ...] = ()


def parse_answers(text: str, text_format: str, notes: list[str]) -> ParsedAnswers:
    """Decide the question type from the answer block and parse its answers, as Moodle does."""
    if not text:
        return ParsedAnswers(ItemKind.OPEN_RESPONSE)
    if text.startswith("#"):
        return _numerical(text[1:], text_format, notes)
    if "~" in text:
        return _multichoice(text, text_format)
    if "=" in text and "->" in text:
        return _matching(text, text_format)
    head = text.split("#", 1)[0].strip()
    if head in _TRUE_FALSE:
        return _true_false(text, text_format)
    return _short_answer(text, text_format)


def _formatted(text: str, text_format: str) -> str:
    return formatted(text.strip(), text_format)


def _weight(answer: str, default: float) -> tuple[float, str]:
    """Split a leading ``%n%`` weight off an answer; Moodle accepts only its grade menu."""
    match = _WEIGHT.match(answer)
    if not match:
        return default, answer
    fraction = float(match.group(1)) / 100
    if match_fraction(fraction) is None:
        raise BrokenQuestionError(f"invalid grade {match.group(1)}% (not on Moodle's grade list)")
    return fraction, answer[match.end() :]


def _comment(answer: str, text_format: str) -> tuple[str, str | None]:
    """Split ``answer#feedback``; the feedback may carry its own format marker."""
    text, _, feedback = answer.partition("#")
    return _formatted(text, text_format), (_formatted(feedback, text_format) or None)


def _split(text: str, separators: str) -> list[str]:
    """Split before each separator character, keeping it; drop an empty leading piece."""
    pieces = re.split(f"(?=[{re.escape(separators)}])", text)
    return [p.strip() for p in pieces if p.strip()]


def _multichoice(text: str, text_format: str) -> ParsedAnswers:
    answers = _split(text, "~=")
    if len(answers) < 2:
        raise BrokenQuestionError("This type of question requires at least 2 choices")
    choices = []
    for number, answer in enumerate(answers, start=1):
        marker, rest = answer[0], answer[1:].strip()
        fraction, rest = _weight(rest, 1.0 if marker == "=" else 0.0)
        choice_text, feedback = _comment(rest, text_format)
        choices.append(Choice(f"choice_{number}", choice_text, feedback=feedback, score=fraction))
    full = [c for c in choices if c.score >= 0.9999]
    if full:
        partial = any(c.score != 0 for c in choices if c is not full[0])
        return ParsedAnswers(
            ItemKind.SINGLE_CHOICE,
            {
                "choices": tuple(choices),
                "correct": (full[0].identifier,),
                "shuffle": True,
                "partial_credit": partial,
            },
        )
    correct = tuple(c.identifier for c in choices if c.score > 0)
    if abs(sum(c.score for c in choices if c.score > 0) - 1.0) > 0.0001:
        raise BrokenQuestionError(
            "the positive grades of a multiple-answer question must add up to 100%"
        )
    return ParsedAnswers(
        ItemKind.MULTIPLE_RESPONSE,
        {
            "choices": tuple(choices),
            "correct": correct,
            "shuffle": True,
            "partial_credit": True,
            "max_choices": 0,
        },
    )


def _matching(text: str, text_format: str) -> ParsedAnswers:
    pairs = []
    for answer in _split(text, "="):
        question, arrow, target = answer[1:].partition("->")
        if not arrow:
            raise BrokenQuestionError(f"matching answer {answer!r} has no '->'")
        pairs.append((_formatted(question, text_format), _formatted(target, "plain")))
    if sum(1 for q, _ in pairs if q) < 2:
        raise BrokenQuestionError("a matching question needs at least 2 question-answer pairs")
    return ParsedAnswers(ItemKind.QTI, pairs=tuple(pairs))


def _true_false(text: str, text_format: str) -> ParsedAnswers:
    head, *feedback = (part.strip() for part in text.split("#"))
    key = _TRUE_FALSE[head]
    wrong = _formatted(feedback[0], text_format) if feedback else ""
    right = _formatted(feedback[1], text_format) if len(feedback) > 1 else ""
    choices = (
        Choice("true", "True", feedback=(right if key else wrong) or None, score=float(key)),
        Choice("false", "False", feedback=(wrong if key else right) or None, score=float(not key)),
    )
    return ParsedAnswers(
        ItemKind.TRUE_FALSE, {"choices": choices, "correct": ("true" if key else "false",)}
    )


def _short_answer(text: str, text_format: str) -> ParsedAnswers:
    answers = []
    for answer in _split(text, "="):
        fraction, rest = _weight(answer[1:].strip() if answer[0] == "=" else answer, 1.0)
        answer_text, feedback = _comment(rest, text_format)
        answers.append(TextAnswer(answer_text, score=fraction, feedback=feedback))
    if not any(a.score >= 0.9999 for a in answers):
        raise BrokenQuestionError(
            "One of the answers should have a score of 100% so it is possible to get full "
            "marks for this question."
        )
    return ParsedAnswers(ItemKind.SHORT_TEXT, {"text_answers": tuple(answers)})


def _numerical(text: str, text_format: str, notes: list[str]) -> ParsedAnswers:
    text, tilde, _wrong_feedback = text.partition("~")
    if tilde:
        notes.append("the feedback for wrong numerical answers is not kept")
    answers = [a[1:] if a.startswith("=") else a for a in _split(text, "=")]
    if not answers:
        raise BrokenQuestionError("a numerical question needs at least one answer")
    keys = []
    for answer in answers:
        fraction, rest = _weight(answer.strip(), 1.0)
        value_text, feedback = _comment(rest, "plain")
        value, tolerance = _number_and_tolerance(value_text)
        keys.append(NumericKey(value, tolerance=tolerance, score=fraction, feedback=feedback))
    return ParsedAnswers(ItemKind.NUMERIC, {"numeric_keys": tuple(keys)})


def _number_and_tolerance(text: str) -> tuple[float, float]:
    """``v``, ``v:tolerance`` or ``min..max`` (the middle, plus or minus half the range)."""
    try:
        if ".." in text[1:]:
            low, high = (float(x) for x in text.split("..", 1))
            return (low + high) / 2, abs(high - low) / 2
        value, _, tolerance = text.partition(":")
        return float(value), abs(float(tolerance or 0))
    except ValueError:
        raise BrokenQuestionError(
            f"The answer must be a number, for example -1.234 or 3e8. Got {text!r}"
        ) from None
