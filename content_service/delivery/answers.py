"""Idempotent answer saving: each answer carries the client's sequence number for its question.

A browser that lost the network re-sends what it kept; requests may arrive twice or out of
order. The rule: an answer replaces the saved one only when its sequence number is greater, so
a re-sent or older answer never overwrites a newer one and saving the same answer twice is a
no-op. The database applies the same rule in one conditional upsert; this module is the rule in
plain Python, used to merge a batch and to test the rule itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class AnswerWrite:
    """One answer as the client sent it."""

    question: str
    sequence: int
    response: Any


def should_replace(saved_sequence: int | None, incoming_sequence: int) -> bool:
    """Whether an incoming answer replaces the saved one (none saved: always)."""
    return saved_sequence is None or incoming_sequence > saved_sequence


def merge_answers(
    saved: Mapping[str, AnswerWrite], incoming: Iterable[AnswerWrite]
) -> tuple[dict[str, AnswerWrite], list[AnswerWrite]]:
    """Merge ``incoming`` answers into ``saved`` (keyed by question).

    Returns
    -------
    (merged, applied)
        The new state and the incoming answers that changed it, in arrival order.
    """
    merged = dict(saved)
    applied: list[AnswerWrite] = []
    for answer in incoming:
        current = merged.get(answer.question)
        if should_replace(current.sequence if current else None, answer.sequence):
            merged[answer.question] = answer
            applied.append(answer)
    return merged, applied


MAX_TEXT = 4000
MAX_CHOICES = 50


def check_response(response: Any) -> str | None:
    """Why a response cannot be stored, or ``None`` if it can.

    Responses are a choice identifier or text (a string), a list of identifiers, a number, or
    ``None`` (cleared). Anything else, or anything too large, is refused before it is stored.
    """
    if response is None or isinstance(response, bool):
        return None if response is None else "must be text, a number or a list of choices"
    if isinstance(response, int | float):
        return None
    if isinstance(response, str):
        return None if len(response) <= MAX_TEXT else f"is longer than {MAX_TEXT} characters"
    if isinstance(response, list):
        if len(response) > MAX_CHOICES:
            return f"lists more than {MAX_CHOICES} choices"
        if all(isinstance(v, str) and 0 < len(v) <= 128 for v in response):
            return None
        return "must list choice identifiers (short texts)"
    return "must be text, a number or a list of choices"
