"""Moodle Cloze (embedded answers, ``multianswer``) questions as QTI 3.0 items.

A part is written ``{weight:TYPE:answer~answer...}`` in the question text; each answer is
``[=|%n%]text[#feedback]`` (``=`` is 100%). Menus become ``qti-inline-choice-interaction``,
short answers and numbers ``qti-text-entry-interaction``. A part earns ``weight x fraction``
of the mark, the mark being the sum of the weights, as in Moodle. The validation follows Moodle's
(``qtype_multianswer``) and uses its messages, so a teacher recognises them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from item_bank.formats import qti_build as qb
from item_bank.formats.common import BrokenQuestionError, UnsupportedQuestionError, match_fraction
from item_bank.formats.moodle_qti import parts_for, qti_item
from item_bank.items import Item

if TYPE_CHECKING:
    from item_bank.formats.moodle_xml import Question

__all__ = ["ClozePart", "cloze", "parse_cloze"]

_TYPES = {
    "MULTICHOICE": "menu", "MC": "menu", "MULTICHOICE_S": "menu", "MCS": "menu",
    "MULTICHOICE_V": "menu", "MCV": "menu", "MULTICHOICE_H": "menu", "MCH": "menu",
    "MULTICHOICE_VS": "menu", "MCVS": "menu", "MULTICHOICE_HS": "menu", "MCHS": "menu",
    "MULTIRESPONSE": "multi", "MR": "multi", "MULTIRESPONSE_H": "multi", "MRH": "multi",
    "MULTIRESPONSE_S": "multi", "MRS": "multi", "MULTIRESPONSE_HS": "multi", "MRHS": "multi",
    "SHORTANSWER": "text", "SA": "text", "MW": "text",
    "SHORTANSWER_C": "text_c", "SAC": "text_c", "MWC": "text_c",
    "NUMERICAL": "number", "NM": "number",
}  # fmt: skip
_TYPE_ALT = "|".join(sorted(_TYPES, key=len, reverse=True))
# A part, or a start of one that has no answers (``{1:MULTICHOICE}``), which Moodle rejects.
_PART = re.compile(r"\{(\d*):(" + _TYPE_ALT + r")(?::((?:\\.|[^\\}])*))?\}")
_NUMBER = re.compile(r"-?(?:\d+[.,]?\d*|[.,]\d+)(?:[eE][-+]?\d+)?")
_FULL_MARKS = (
    "One of the answers should have a score of 100% so it is possible to get full marks for "
    "this question."
)


@dataclass(frozen=True, slots=True)
class ClozePart:
    """One embedded answer: its weight, style and ``(fraction, text, tolerance)`` answers."""

    index: int
    weight: float
    style: str  # menu, multi, text, text_c, number
    type_name: str
    answers: tuple[tuple[float, str, float], ...]


def parse_cloze(text: str) -> tuple[str, list[ClozePart]]:
    """Split Cloze text into HTML with placeholders and its parts; raise on a broken part."""
    parts: list[ClozePart] = []

    def replace(match: re.Match[str]) -> str:
        parts.append(_part(len(parts) + 1, match))
        return qb.placeholder(len(parts))

    html = _PART.sub(replace, text)
    if not parts:
        raise BrokenQuestionError(
            "Invalid embedded answers (Cloze) question: The question text must include at least "
            "one embedded answer."
        )
    return html, parts


def _part(index: int, match: re.Match[str]) -> ClozePart:
    weight_text, type_name, body = match.group(1), match.group(2), match.group(3)
    label = f"Invalid embedded answers (Cloze) question: part {index} {match.group(0)[:40]!r}"
    if not body:
        raise BrokenQuestionError(f"{label}: the embedded answer has no answers")
    style = _TYPES[type_name]
    answers = tuple(_answer(alternative, style, label) for alternative in _split(body, "~"))
    if style in ("menu", "multi") and len(answers) < 2:
        raise BrokenQuestionError(f"{label}: This type of question requires at least 2 choices")
    if style != "multi" and not any(f >= 0.9999 for f, _, _ in answers):
        raise BrokenQuestionError(f"{label}: {_FULL_MARKS}")
    return ClozePart(index, float(weight_text or 1), style, type_name, answers)


def _answer(alternative: str, style: str, label: str) -> tuple[float, str, float]:
    fraction = 0.0
    if alternative.startswith("="):
        fraction, alternative = 1.0, alternative[1:]
    elif percent := re.match(r"%(-?\d+(?:[.,]\d*)?)%", alternative):
        fraction = float(percent.group(1).replace(",", ".")) / 100
        alternative = alternative[percent.end() :]
        if match_fraction(fraction) is None:
            raise BrokenQuestionError(f"{label}: invalid grade {fraction:g}")
    text = _unescape(_split(alternative, "#")[0]).strip()
    if style != "number" or text == "*":
        return fraction, text, 0.0
    value, _, tolerance = text.partition(":")
    if not _NUMBER.fullmatch(value) or (tolerance and not _NUMBER.fullmatch(tolerance)):
        raise BrokenQuestionError(
            f"{label}: The answer must be a number, for example -1.234 or 3e8, or '*'. Got {text!r}"
        )
    return fraction, value.replace(",", "."), float(tolerance.replace(",", ".") or 0)


def _split(text: str, separator: str) -> list[str]:
    """Split on ``separator`` not escaped with a backslash."""
    return re.split(r"(?<!\\)" + re.escape(separator), text)


def _unescape(text: str) -> str:
    return re.sub(r"\\([~}#/\\\"{=%])", r"\1", text)


def cloze(question: Question) -> Item:
    """Moodle Cloze → QTI item with one inline interaction per embedded answer."""
    html, parts = parse_cloze(question.text)
    for part in parts:
        if part.style == "multi":
            raise UnsupportedQuestionError(
                f"Cloze part {part.index} ({part.type_name}, multiple response inside text) "
                "cannot be represented faithfully"
            )
    declarations, chains = [], []
    for part in parts:
        declaration, chain = _declare(part, question.notes)
        declarations.append(declaration)
        chains.append(chain)
    interactions = {p.index: _interaction(p) for p in parts}
    body = qb.xhtml_body(html, interactions.__getitem__)
    question.notes.append("per-answer feedback inside Cloze parts is not kept")
    scoring = parts_for(question, declarations, body, conditions=chains)
    scoring = _with_max(scoring, sum(p.weight for p in parts))
    kinds = sorted({_interaction_name(p) for p in parts})
    stem = qb.strip_tags(qb.re_placeholder().sub("___", html))
    return qti_item(question, scoring, kinds, stem)


def _with_max(parts: qb.ItemParts, max_score: float) -> qb.ItemParts:
    return replace(parts, max_score=max_score)


def _declare(part: ClozePart, notes: list[str]) -> tuple[object, list[qb.GapCondition]]:
    response = f"RESPONSE_{part.index}"
    ranked = sorted(
        ((f, t, tol, n) for n, (f, t, tol) in enumerate(part.answers, start=1) if t != "*"),
        key=lambda row: -row[0],
    )
    if len(ranked) < len(part.answers):
        notes.append(f"part {part.index}: the '*' catch-all answer only carries feedback; dropped")
    best = ranked[0]
    if part.style == "menu":
        declaration = qb.response_declaration(response, "single", "identifier", [f"C{best[3]}"])
        tests = [(qb.match_value(response, "identifier", f"C{n}"), f) for f, _, _, n in ranked]
    elif part.style == "number":
        declaration = qb.response_declaration(response, "single", "float", [best[1]])
        tests = [(qb.equal_within(response, float(t), tol), f) for f, t, tol, _ in ranked]
    else:
        for _, text, _, _ in ranked:
            if "*" in text:
                raise UnsupportedQuestionError(
                    f"Cloze part {part.index}: the wildcard answer {text!r} cannot be "
                    "represented faithfully"
                )
        declaration = qb.response_declaration(response, "single", "string", [best[1]])
        sensitive = part.style == "text_c"
        tests = [
            (qb.string_match(response, t, case_sensitive=sensitive), f) for f, t, _, _ in ranked
        ]
    chain = [qb.GapCondition(test, part.weight * f) for test, f in tests if f != 0]
    return declaration, chain


def _interaction_name(part: ClozePart) -> str:
    return "qti-inline-choice-interaction" if part.style == "menu" else "qti-text-entry-interaction"


def _interaction(part: ClozePart) -> object:
    response = f"RESPONSE_{part.index}"
    if part.style != "menu":
        return qb.qti_element(
            "qti-text-entry-interaction", {"response-identifier": response, "expected-length": "15"}
        )
    shuffle = "S" in part.type_name.split("_")[-1] if "_" in part.type_name else False
    element = qb.qti_element(
        "qti-inline-choice-interaction",
        {"response-identifier": response, "shuffle": str(shuffle).lower()},
    )
    for number, (_, text, _) in enumerate(part.answers, start=1):
        qb.sub(element, "qti-inline-choice", {"identifier": f"C{number}"}, qb.strip_tags(text))
    return element
