"""The item editor's form: fields for every item kind, to and from the item's JSON document.

One parser for the saved form and the live preview (``POST /pages/items/preview`` posts the
same form), so what the preview shows is what saving stores. Fields the form does not show
(QTI content, a seventh option, …) are kept from the hidden ``base`` document.

Field names: ``choice_A`` … with ``feedback_A``, ``fixed_A``, ``score_A`` (partial credit);
numeric keys ``num_value_0`` … with ``num_tolerance_0``, ``num_relative_0``, ``num_units_0``
(comma separated), ``num_score_0``, ``num_feedback_0``; accepted short answers
``text_answer_0`` … with ``text_score_0``, ``text_case_0``, ``text_feedback_0``; template
variables ``var_name_0`` … with ``var_min_0``, ``var_max_0``, ``var_step_0``, ``var_values_0``.
"""

from __future__ import annotations

import json
import math
from typing import Any

from starlette.datastructures import FormData

CHOICE_LETTERS = "ABCDEF"
EDITOR_KINDS = (
    "single_choice",
    "multiple_response",
    "true_false",
    "numeric",
    "short_text",
    "likert",
    "open_response",
)
CHOICE_KINDS = ("single_choice", "multiple_response", "true_false", "likert")
KEYED_CHOICE_KINDS = ("single_choice", "multiple_response", "true_false")
NUMERIC_ROWS = 3
TEXT_ROWS = 4
VARIABLE_ROWS = 3


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(",", ".")) if text else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def _plain(value: float) -> float | int:
    return int(value) if value.is_integer() else value


def _set(target: dict[str, Any], key: str, value: Any) -> None:
    if value in (None, "", [], False):
        target.pop(key, None)
    else:
        target[key] = value


class _Reader:
    def __init__(self, form: FormData) -> None:
        self.form = form

    def text(self, name: str) -> str:
        return str(self.form.get(name) or "").strip()

    def flag(self, name: str) -> bool:
        return bool(self.form.get(name))

    def number(self, name: str) -> float | int | None:
        value = _number(self.text(name))
        return None if value is None else _plain(value)

    def words(self, name: str) -> list[str]:
        return [part.strip() for part in self.text(name).split(",") if part.strip()]


def _choices(read: _Reader, base: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    old = {c.get("identifier"): c for c in base.get("choices") or [] if isinstance(c, dict)}
    choices = []
    for letter in CHOICE_LETTERS:
        body = read.text(f"choice_{letter}")
        if not body:
            continue
        choice = dict(old.get(letter, {}), identifier=letter, text=body)
        _set(choice, "feedback", read.text(f"feedback_{letter}"))
        _set(choice, "fixed", read.flag(f"fixed_{letter}"))
        score = read.number(f"score_{letter}") if kind == "multiple_response" else None
        _set(choice, "score", score)
        choices.append(choice)
    return choices


def _choice_fields(read: _Reader, item: dict[str, Any], base: dict[str, Any]) -> None:
    kind = item["kind"]
    item["choices"] = _choices(read, base, kind)
    if kind in KEYED_CHOICE_KINDS:
        item["correct"] = [str(v) for v in read.form.getlist("correct")]
    else:
        item.pop("correct", None)
    _set(item, "shuffle", read.flag("shuffle"))
    if kind == "multiple_response":
        item["max_choices"] = int(read.number("max_choices") or len(item["choices"]) or 1)
        _set(item, "min_choices", int(read.number("min_choices") or 0))
        _set(item, "partial_credit", read.flag("partial_credit"))


def _numeric_keys(read: _Reader) -> list[dict[str, Any]]:
    keys = []
    for row in range(NUMERIC_ROWS):
        raw = read.text(f"num_value_{row}")
        if not raw:
            continue
        number = _number(raw)
        key: dict[str, Any] = {"value": _plain(number) if number is not None else raw}
        _set(key, "tolerance", read.number(f"num_tolerance_{row}"))
        _set(key, "relative", read.flag(f"num_relative_{row}"))
        _set(key, "units", read.words(f"num_units_{row}"))
        score = read.number(f"num_score_{row}")
        if score is not None:
            key["score"] = score
        _set(key, "feedback", read.text(f"num_feedback_{row}"))
        keys.append(key)
    return keys


def _text_answers(read: _Reader) -> list[dict[str, Any]]:
    answers = []
    for row in range(TEXT_ROWS):
        body = read.text(f"text_answer_{row}")
        if not body:
            continue
        answer: dict[str, Any] = {"text": body}
        score = read.number(f"text_score_{row}")
        if score is not None:
            answer["score"] = score
        _set(answer, "case_sensitive", read.flag(f"text_case_{row}"))
        _set(answer, "feedback", read.text(f"text_feedback_{row}"))
        answers.append(answer)
    return answers


def _variables(read: _Reader) -> list[dict[str, Any]]:
    variables = []
    for row in range(VARIABLE_ROWS):
        name = read.text(f"var_name_{row}")
        if not name:
            continue
        variable: dict[str, Any] = {"name": name}
        for field in ("min", "max", "step"):
            value = read.number(f"var_{field}_{row}")
            key = {"min": "minimum", "max": "maximum", "step": "step"}[field]
            _set(variable, key, value)
        values: list[Any] = []
        for word in read.words(f"var_values_{row}"):
            number = _number(word)
            values.append(_plain(number) if number is not None else word)
        _set(variable, "values", values)
        variables.append(variable)
    return variables


def item_from_form(form: FormData) -> dict[str, Any]:
    """The item document the editor's fields describe, over the hidden ``base`` document."""
    read = _Reader(form)
    try:
        base = json.loads(read.text("base") or "{}")
    except json.JSONDecodeError:
        base = {}
    base = base if isinstance(base, dict) else {}
    item: dict[str, Any] = dict(base)
    item["identifier"] = read.text("identifier") or item.get("identifier", "")
    item["kind"] = read.text("kind") or item.get("kind", "single_choice")
    item["stem"] = read.text("stem")
    for name in ("title", "rationale", "general_feedback"):
        _set(item, name, read.text(name))
    points = read.number("points")
    if points is not None:
        item["points"] = points
    kind = item["kind"]
    if kind in CHOICE_KINDS:
        _choice_fields(read, item, base)
    if kind == "numeric":
        item["numeric_keys"] = _numeric_keys(read)
    if kind == "short_text":
        item["text_answers"] = _text_answers(read)
    if kind in EDITOR_KINDS:
        _set(item, "template_variables", _variables(read))
        for name, kinds in (
            ("choices", CHOICE_KINDS),
            ("numeric_keys", ("numeric",)),
            ("text_answers", ("short_text",)),
        ):
            if kind not in kinds:
                item.pop(name, None)
        if kind not in KEYED_CHOICE_KINDS:
            item.pop("correct", None)
    item["metadata"] = _metadata(read, item.get("metadata"))
    return item


def _metadata(read: _Reader, old: Any) -> dict[str, Any]:
    metadata = dict(old) if isinstance(old, dict) else {}
    for name in ("subject", "topic", "requirement_code", "cognitive_level"):
        _set(metadata, name, read.text(name))
    grade = read.text("grade")
    _set(metadata, "grade", int(grade) if grade.isdigit() else None)
    _set(metadata, "tags", read.words("tags"))
    return metadata


def _rows(values: list[Any], count: int) -> list[Any]:
    return (list(values) + [{}] * count)[: max(count, len(values))]


def _variable_row(variable: Any) -> dict[str, str]:
    """A template variable as the editor's text fields (blank where unset)."""
    row = variable if isinstance(variable, dict) else {}

    def shown(key: str) -> str:
        value = row.get(key)
        return "" if value is None else str(value)

    return {
        "name": shown("name"),
        "minimum": shown("minimum"),
        "maximum": shown("maximum"),
        "step": shown("step"),
        "values_text": ", ".join(str(v) for v in row.get("values") or []),
    }


def editor_context(document: dict[str, Any]) -> dict[str, Any]:
    """What the editor template needs to show ``document``."""
    choices = {c.get("identifier"): c for c in document.get("choices") or []}
    return {
        "doc": document,
        "meta": document.get("metadata") or {},
        "choices": choices,
        "letters": CHOICE_LETTERS,
        "editor_kinds": EDITOR_KINDS,
        "numeric_rows": _rows(document.get("numeric_keys") or [], NUMERIC_ROWS)[:NUMERIC_ROWS],
        "text_rows": _rows(document.get("text_answers") or [], TEXT_ROWS)[:TEXT_ROWS],
        "variable_rows": [
            _variable_row(v) for v in _rows(document.get("template_variables") or [], VARIABLE_ROWS)
        ][:VARIABLE_ROWS],
        "base": json.dumps(document, ensure_ascii=False),
    }
