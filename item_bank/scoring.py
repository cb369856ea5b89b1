"""Score a candidate's response to any item.

Native kinds are scored directly, with the same results as the QTI response processing the
exporter writes for them (match_correct / map_response with bounds [0, points]); QTI items are
scored by the QTI interpreter.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from item_bank.items import Item, ItemKind, NumericKey, TextAnswer
from item_bank.qti.operators import QtiProcessingError
from item_bank.qti.processing import QtiItem, process_responses, read_qti_item
from item_bank.qti.xml import parse_xml
from item_bank.templates import Variant, evaluate_expression

__all__ = ["ScoreResult", "parse_number", "score_response"]


@dataclass(frozen=True, slots=True)
class ScoreResult:
    """The score of one response.

    ``correct`` is ``None`` when correctness does not apply (Likert, open response awaiting a
    marker). ``needs_manual_scoring`` marks open responses; ``outcomes`` holds every QTI outcome
    variable for QTI items.
    """

    score: float
    max_score: float
    correct: bool | None
    feedback: tuple[str, ...] = ()
    needs_manual_scoring: bool = False
    outcomes: Mapping[str, object] = field(default_factory=dict)


def score_response(item: Item, response: object, *, variant: Variant | None = None) -> ScoreResult:
    """Score ``response`` for ``item``.

    Parameters
    ----------
    item
        Any item. Parameterised items need the ``variant`` the candidate saw.
    response
        A choice identifier (single choice, true/false, Likert), an iterable of identifiers
        (multiple response), a number or text such as ``"9.8 m/s"`` (numeric), text (short text,
        open response), or for QTI items a mapping of response identifier to value (a bare value
        is taken as the item's only response). ``None`` means no response.
    variant
        The drawn variant of a parameterised item (see :func:`item_bank.templates.draw_variant`).

    Returns
    -------
    ScoreResult

    Raises
    ------
    ValueError
        For a response that names an unknown choice or does not fit the item (for QTI items a
        :class:`~item_bank.qti.QtiProcessingError`), or a parameterised item without variant.
    """
    needs_variant = bool(item.template_variables) or (
        item.kind is ItemKind.QTI
        and item.qti is not None
        and _parsed(item.qti.xml).template_processing is not None
    )
    if needs_variant and variant is None:
        raise ValueError(f"item {item.identifier!r} is parameterised: pass the attempt's variant")
    if variant is not None:
        if variant.item.identifier != item.identifier:
            raise ValueError(
                f"the variant is of item {variant.item.identifier!r}, not {item.identifier!r}"
            )
        item = variant.item
    if item.kind is ItemKind.QTI:
        return _score_qti(item, response, variant)
    scorer = _SCORERS[item.kind]
    return scorer(item, response)


def _clamp(value: float, points: float) -> float:
    return min(max(value, 0.0), points)


def _general(item: Item, feedback: list[str]) -> tuple[str, ...]:
    if item.general_feedback:
        feedback.append(item.general_feedback)
    return tuple(f for f in feedback if f)


def _identifiers(item: Item, response: object) -> list[str]:
    if response is None:
        return []
    chosen = [response] if isinstance(response, str) else list(response)  # type: ignore[call-overload]
    known = {c.identifier for c in item.choices}
    for identifier in chosen:
        if identifier not in known:
            raise ValueError(f"item {item.identifier!r}: {identifier!r} is not one of its choices")
    return [str(i) for i in dict.fromkeys(chosen)]


def _score_choice(item: Item, response: object) -> ScoreResult:
    chosen = _identifiers(item, response)
    multiple = item.kind is ItemKind.MULTIPLE_RESPONSE
    if not multiple and len(chosen) > 1:
        raise ValueError(f"item {item.identifier!r} takes one choice, got {len(chosen)}")
    if item.partial_credit:
        score = _clamp(sum(item.choice(i).score for i in chosen), item.points) if chosen else 0.0
    else:
        right = set(chosen) == set(item.correct) if multiple else chosen[:1] == list(item.correct)
        score = item.points if chosen and right else 0.0
    feedback = [item.choice(i).feedback or "" for i in chosen]
    return ScoreResult(score, item.points, score >= item.points, _general(item, feedback))


def _score_likert(item: Item, response: object) -> ScoreResult:
    chosen = _identifiers(item, response)
    if len(chosen) > 1:
        raise ValueError(f"item {item.identifier!r} takes one choice, got {len(chosen)}")
    value = item.choice(chosen[0]).score if chosen else 0.0
    feedback = [item.choice(i).feedback or "" for i in chosen]
    return ScoreResult(value, item.points, None, _general(item, feedback))


def _score_open(item: Item, response: object) -> ScoreResult:
    return ScoreResult(0.0, item.points, None, _general(item, []), needs_manual_scoring=True)


_NUMBER_WITH_UNIT = re.compile(
    r"^\s*([-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$"
)


def parse_number(text: str) -> tuple[float, str] | None:
    """Parse ``"9,8 m/s"`` into ``(9.8, "m/s")``; a decimal comma is accepted (Vietnamese use)."""
    match = _NUMBER_WITH_UNIT.match(text)
    if not match:
        return None
    return float(match.group(1).replace(",", ".")), match.group(2)


def _key_matches(key: NumericKey, value: float, unit: str) -> bool:
    if unit and unit not in key.units:
        return False
    target = float(evaluate_expression(key.value, {}) if isinstance(key.value, str) else key.value)
    tolerance = key.tolerance * abs(target) if key.relative else key.tolerance
    return math.isclose(value, target) or abs(value - target) <= tolerance * (1 + 1e-12)


def _score_numeric(item: Item, response: object) -> ScoreResult:
    if response is None or (isinstance(response, str) and not response.strip()):
        return ScoreResult(0.0, item.points, False, _general(item, []))
    if isinstance(response, int | float) and not isinstance(response, bool):
        parsed: tuple[float, str] | None = (float(response), "")
    else:
        parsed = parse_number(str(response))
    if parsed is None:
        return ScoreResult(0.0, item.points, False, _general(item, []))
    matching = [k for k in item.numeric_keys if _key_matches(k, *parsed)]
    best = max(matching, key=lambda k: k.score, default=None)
    score = _clamp(best.score * item.points, item.points) if best else 0.0
    feedback = [best.feedback or ""] if best else []
    return ScoreResult(score, item.points, score >= item.points, _general(item, feedback))


def _answer_matches(answer: TextAnswer, text: str) -> bool:
    pattern = ".*".join(re.escape(part) for part in answer.text.split("*"))
    flags = 0 if answer.case_sensitive else re.IGNORECASE
    return re.fullmatch(pattern, text, flags) is not None


def _score_text(item: Item, response: object) -> ScoreResult:
    text = str(response).strip() if response is not None else ""
    matching = [a for a in item.text_answers if text and _answer_matches(a, text)]
    best = max(matching, key=lambda a: a.score, default=None)
    score = _clamp(best.score * item.points, item.points) if best else 0.0
    feedback = [best.feedback or ""] if best else []
    return ScoreResult(score, item.points, score >= item.points, _general(item, feedback))


_SCORERS = {
    ItemKind.SINGLE_CHOICE: _score_choice,
    ItemKind.TRUE_FALSE: _score_choice,
    ItemKind.MULTIPLE_RESPONSE: _score_choice,
    ItemKind.LIKERT: _score_likert,
    ItemKind.OPEN_RESPONSE: _score_open,
    ItemKind.NUMERIC: _score_numeric,
    ItemKind.SHORT_TEXT: _score_text,
}


@lru_cache(maxsize=1024)
def _parsed(xml: str) -> QtiItem:
    return read_qti_item(parse_xml(xml, source="qti item"))


def _score_qti(item: Item, response: object, variant: Variant | None) -> ScoreResult:
    assert item.qti is not None
    qti = _parsed(item.qti.xml)
    if isinstance(response, Mapping):
        responses = dict(response)
    else:
        declared = [k for k, d in qti.declarations.items() if d.kind == "response"]
        if len(declared) != 1:
            raise QtiProcessingError(
                f"item {item.identifier!r} has {len(declared)} responses: pass a mapping of "
                f"response identifier to value ({', '.join(declared)})"
            )
        responses = {declared[0]: response}
    template = variant.template if variant is not None else None
    outcome = process_responses(qti, responses, template=template)
    raw = outcome.outcomes.get("SCORE")
    score = float(raw) if isinstance(raw, int | float) else 0.0
    correct = score >= item.points if item.points > 0 else None
    return ScoreResult(score, item.points, correct, outcome.feedback, outcomes=outcome.outcomes)
