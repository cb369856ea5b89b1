"""Answer keys of text-entry items read back from QTI: short-text answers from the mapping or
the correct response, numeric keys from the mapping, the template or the exporter's tolerance
branches. :mod:`item_bank.qti.native` checks every candidate against the processing it implies.
"""

from __future__ import annotations

import re

from lxml import etree

from item_bank.items import NumericKey, TextAnswer
from item_bank.qti.processing import QtiItem
from item_bank.qti.template_import import DecodedTemplates
from item_bank.qti.values import Declaration, ResponseMapping
from item_bank.qti.xml import q

__all__ = ["declared_points", "numeric_keys_from", "text_answers_from"]


def declared_points(qti: QtiItem, fallback: float) -> float:
    maxscore = qti.declarations.get("MAXSCORE")
    if maxscore is not None and isinstance(maxscore.default, int | float):
        return float(maxscore.default)
    return fallback


def text_answers_from(
    qti: QtiItem, response: Declaration
) -> tuple[float, tuple[TextAnswer, ...]] | None:
    mapping = response.mapping
    if qti.template == "match_correct" or (mapping is None and response.correct is not None):
        if response.correct is None:
            return None
        return declared_points(qti, 1.0), (
            TextAnswer(str(response.correct), 1.0, case_sensitive=True),
        )
    if mapping is None or mapping.default != 0 or any(e.value < 0 for e in mapping.entries):
        return None
    best = max((e.value for e in mapping.entries), default=0.0)
    points = declared_points(qti, mapping.upper_bound if mapping.upper_bound is not None else best)
    if points <= 0 or best > points:
        return None
    answers = tuple(
        TextAnswer(str(e.key), e.value / points, e.case_sensitive) for e in mapping.entries
    )
    return points, answers


def numeric_keys_from(
    qti: QtiItem,
    response: Declaration,
    mapping: ResponseMapping | None,
    units: tuple[str, ...],
    templates: DecodedTemplates,
) -> tuple[float, tuple[NumericKey, ...]] | None:
    if qti.template == "match_correct":
        if not isinstance(response.correct, int | float):
            return None
        return declared_points(qti, 1.0), (NumericKey(float(response.correct), units=units),)
    if qti.template == "map_response" and mapping is not None:
        best = max((e.value for e in mapping.entries), default=0.0)
        points = declared_points(
            qti, mapping.upper_bound if mapping.upper_bound is not None else best
        )
        if (
            mapping.default != 0
            or points <= 0
            or best > points
            or any(e.value < 0 for e in mapping.entries)
        ):
            return None
        keys = tuple(
            NumericKey(float(e.key), score=e.value / points, units=units) for e in mapping.entries
        )  # type: ignore[arg-type]
        return points, keys
    return _numeric_keys_from_processing(qti, units, templates)


_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


def _numeric_keys_from_processing(
    qti: QtiItem, units: tuple[str, ...], templates: DecodedTemplates
) -> tuple[float, tuple[NumericKey, ...]] | None:
    """Read keys back from the exporter's tolerance branches (checked afterwards)."""
    processing = qti.response_processing
    points = declared_points(qti, 0.0)
    if processing is None or points <= 0:
        return None
    keys: list[tuple[str, NumericKey]] = []
    for equal in processing.iter(q("qti-equal")):
        values = [c for c in equal if isinstance(c.tag, str)]
        setter = equal.getnext()
        if not values or setter is None:
            return None
        target = _key_value(values[0], templates)
        if target is None:
            return None
        score_element = next((c for c in setter if isinstance(c.tag, str)), None)
        if score_element is None or not _NUMBER.match((score_element.text or "").strip()):
            return None
        mode = equal.get("tolerance-mode", "exact")
        tolerance = float((equal.get("tolerance") or "0").split()[0])
        keys.append(
            (
                values[0].get("identifier", ""),
                NumericKey(
                    target,
                    tolerance=round(tolerance / 100, 12) if mode == "relative" else tolerance,
                    relative=mode == "relative",
                    units=units,
                    score=float(score_element.text or "0") / points,
                ),
            )
        )
    if keys and all(name.startswith("KEY_") for name, _ in keys):
        keys.sort(key=lambda pair: int(pair[0].removeprefix("KEY_")))  # the authored order
    return (points, tuple(key for _, key in keys)) if keys else None


def _key_value(element: etree._Element, templates: DecodedTemplates) -> float | str | None:
    if element.tag == q("qti-variable"):
        return templates.keys.get(element.get("identifier", ""))
    text = (element.text or "").strip()
    return float(text) if _NUMBER.match(text) else None
