"""QTI values: base types, cardinalities, declarations and the conversion of responses.

A QTI value is NULL (``None``), a single Python value, or a :class:`Container`. Base types map
to Python as: identifier/string/uri/file → ``str``; integer → ``int``; float/duration → ``float``;
boolean → ``bool``; pair → ``frozenset`` of two identifiers (unordered); directedPair →
``tuple`` of two identifiers; point → ``tuple`` of two ints.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from lxml import etree

from item_bank.qti.xml import q

__all__ = [
    "AreaMapEntry",
    "Container",
    "Declaration",
    "MapEntry",
    "QtiValueError",
    "ResponseMapping",
    "coerce_value",
    "format_value",
    "is_null",
    "parse_base_value",
    "read_declaration",
    "values_equal",
]


class QtiValueError(ValueError):
    """A value does not fit its QTI base type or cardinality."""


@dataclass(frozen=True, slots=True)
class Container:
    """A multiple (bag), ordered (list) or record container."""

    cardinality: str
    items: tuple[object, ...] = ()

    def __len__(self) -> int:
        return len(self.items)


def is_null(value: object) -> bool:
    """QTI NULL: no value, an empty container or an empty string."""
    return value is None or value == "" or (isinstance(value, Container) and not value.items)


def parse_base_value(text: str, base_type: str) -> object:
    """Parse the text form of a QTI value of ``base_type``."""
    text = text.strip() if base_type != "string" else text
    try:
        if base_type == "integer":
            return int(text)
        if base_type in ("float", "duration"):
            return float(text)
        if base_type == "boolean":
            if text not in ("true", "false", "1", "0"):
                raise ValueError(text)
            return text in ("true", "1")
        if base_type in ("pair", "directedPair", "point"):
            parts = text.split()
            if len(parts) != 2:
                raise ValueError(text)
            if base_type == "point":
                return (int(parts[0]), int(parts[1]))
            return frozenset(parts) if base_type == "pair" else (parts[0], parts[1])
    except ValueError:
        raise QtiValueError(f"{text!r} is not a valid {base_type}") from None
    return text


def format_value(value: object) -> str:
    """Return the QTI text form of a single value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, frozenset):
        return " ".join(sorted(value))
    if isinstance(value, tuple):
        return " ".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else repr(value)
    return str(value)


@dataclass(frozen=True, slots=True)
class MapEntry:
    key: object
    value: float
    case_sensitive: bool = True


@dataclass(frozen=True, slots=True)
class ResponseMapping:
    """A ``qti-mapping``: entries, default value and optional bounds."""

    entries: tuple[MapEntry, ...]
    default: float = 0.0
    lower_bound: float | None = None
    upper_bound: float | None = None

    def lookup(self, value: object) -> float:
        for entry in self.entries:
            if entry.case_sensitive or not isinstance(value, str):
                if values_equal(entry.key, value):
                    return entry.value
            elif isinstance(entry.key, str) and entry.key.casefold() == value.casefold():
                return entry.value
        return self.default

    def bounded(self, total: float) -> float:
        if self.lower_bound is not None:
            total = max(total, self.lower_bound)
        if self.upper_bound is not None:
            total = min(total, self.upper_bound)
        return total


@dataclass(frozen=True, slots=True)
class AreaMapEntry:
    shape: str
    coords: tuple[float, ...]
    value: float


@dataclass(frozen=True, slots=True)
class Declaration:
    """A response, outcome or template variable declaration."""

    identifier: str
    kind: str  # "response", "outcome", "template"
    cardinality: str
    base_type: str | None
    default: object = None
    correct: object = None
    mapping: ResponseMapping | None = None
    area_mapping: tuple[AreaMapEntry, ...] = ()
    area_default: float = 0.0
    area_bounds: tuple[float | None, float | None] = (None, None)
    attributes: Mapping[str, str] = field(default_factory=dict)


def _values(parent: etree._Element | None, cardinality: str, base_type: str | None) -> object:
    if parent is None:
        return None
    items = [
        parse_base_value(v.text or "", v.get("base-type") or base_type or "string")
        for v in parent.iter(q("qti-value"))
    ]
    if cardinality == "single":
        return items[0] if items else None
    return Container(cardinality, tuple(items))


def read_declaration(element: etree._Element) -> Declaration:
    """Read a ``qti-response-declaration``, ``qti-outcome-declaration`` or
    ``qti-template-declaration``."""
    kind = element.tag.rsplit("}", 1)[-1].split("-")[1]
    cardinality = element.get("cardinality", "single")
    base_type = element.get("base-type")
    mapping_element = element.find(q("qti-mapping"))
    mapping = None
    if mapping_element is not None:
        mapping = _read_mapping(mapping_element, base_type or "string")
    area = element.find(q("qti-area-mapping"))
    area_entries: tuple[AreaMapEntry, ...] = ()
    if area is not None:
        area_entries = tuple(
            AreaMapEntry(
                e.get("shape", "default"),
                tuple(float(c) for c in e.get("coords", "").replace(",", " ").split()),
                float(e.get("mapped-value", "0")),
            )
            for e in area.iter(q("qti-area-map-entry"))
        )
    return Declaration(
        identifier=element.get("identifier", ""),
        kind=kind,
        cardinality=cardinality,
        base_type=base_type,
        default=_values(element.find(q("qti-default-value")), cardinality, base_type),
        correct=_values(element.find(q("qti-correct-response")), cardinality, base_type),
        mapping=mapping,
        area_mapping=area_entries,
        area_default=float(area.get("default-value", "0")) if area is not None else 0.0,
        area_bounds=_bounds(area),
        attributes=dict(element.attrib),
    )


def _bounds(element: etree._Element | None) -> tuple[float | None, float | None]:
    if element is None:
        return (None, None)
    low, high = element.get("lower-bound"), element.get("upper-bound")
    return (
        float(low) if low is not None else None,
        float(high) if high is not None else None,
    )


def _read_mapping(element: etree._Element, base_type: str) -> ResponseMapping:
    def bound(name: str) -> float | None:
        text = element.get(name)
        return float(text) if text is not None else None

    entries = tuple(
        MapEntry(
            parse_base_value(e.get("map-key", ""), base_type),
            float(e.get("mapped-value", "0")),
            e.get("case-sensitive", "true") == "true",
        )
        for e in element.iter(q("qti-map-entry"))
    )
    return ResponseMapping(
        entries,
        float(element.get("default-value", "0")),
        bound("lower-bound"),
        bound("upper-bound"),
    )


def values_equal(left: object, right: object) -> bool:
    """QTI ``match`` of two values: bags compare as multisets, ordered containers in order."""
    if isinstance(left, Container) and isinstance(right, Container):
        if left.cardinality == "ordered" or right.cardinality == "ordered":
            return left.items == right.items
        return Counter(left.items) == Counter(right.items)
    if isinstance(left, Container) or isinstance(right, Container):
        return False
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    return left == right


def coerce_value(raw: object, declaration: Declaration) -> object:
    """Convert a Python response (``"ChoiceA"``, ``["H", "O"]``, ``"C R"``, ``3.5``) to the
    QTI value of ``declaration``.

    Raises
    ------
    QtiValueError
        If a value does not fit the declared base type or cardinality.
    """
    if raw is None:
        return None
    base_type = declaration.base_type or "string"
    if declaration.cardinality == "single":
        if isinstance(raw, list | tuple | set | frozenset) and base_type not in (
            "pair",
            "directedPair",
            "point",
        ):
            items = list(raw)
            if len(items) > 1:
                raise QtiValueError(
                    f"response {declaration.identifier!r} takes a single value, got {len(items)}"
                )
            raw = items[0] if items else None
            if raw is None:
                return None
        return _coerce_single(raw, base_type)
    if isinstance(raw, str) or not isinstance(raw, Iterable):
        raw = [raw]
    return Container(declaration.cardinality, tuple(_coerce_single(v, base_type) for v in raw))


def _coerce_single(raw: object, base_type: str) -> object:
    if isinstance(raw, str):
        return parse_base_value(raw, base_type)
    if base_type == "float" and isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    if base_type == "integer" and isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if base_type == "boolean" and isinstance(raw, bool):
        return raw
    if base_type == "pair" and isinstance(raw, Iterable):
        return frozenset(str(v) for v in raw)
    if base_type in ("directedPair", "point") and isinstance(raw, Iterable):
        return tuple(raw)
    raise QtiValueError(f"{raw!r} is not a valid {base_type}")
