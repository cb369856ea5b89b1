"""The bank's own item JSON: a versioned document that round-trips every :class:`Item` exactly.

Document shape (``format_version`` 1)::

    {"format_version": 1, "items": [{"identifier": "...", "kind": "single_choice", ...}]}

An item object has the fields of :class:`~item_bank.items.Item` by name; nested records
(``choices``, ``numeric_keys``, ``text_answers``, ``template_variables``, ``qti``, ``metadata``)
are objects with their dataclass's fields; enums are their string values; tuples are arrays.
Fields equal to their default are left out when writing and filled in when reading.

Versioning (Kolibri's rule): adding an optional field keeps the version; renaming, removing or
changing the meaning of a field bumps ``FORMAT_VERSION`` and adds a step to ``_UPGRADES`` that
rewrites a document of the previous version, so every old file still loads through
:func:`upgrade`. Readers refuse documents newer than they know.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import MISSING, fields
from pathlib import Path
from typing import Any

from item_bank.errors import ImportFormatError, ItemValidationError
from item_bank.items import (
    Choice,
    CognitiveLevel,
    Item,
    ItemKind,
    ItemMetadata,
    NumericKey,
    QtiContent,
    TemplateVariable,
    TextAnswer,
    require_valid,
)

__all__ = [
    "FORMAT_VERSION",
    "dump_items",
    "item_from_dict",
    "item_to_dict",
    "load_items",
    "upgrade",
]

FORMAT_VERSION = 1

# version n -> function turning a version-n document into a version n+1 document
_UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}

_NESTED: dict[str, type] = {
    "choices": Choice,
    "numeric_keys": NumericKey,
    "text_answers": TextAnswer,
    "template_variables": TemplateVariable,
}


def upgrade(document: Mapping[str, Any], *, source: str = "items.json") -> dict[str, Any]:
    """Return ``document`` rewritten to the current ``FORMAT_VERSION``.

    Raises
    ------
    ImportFormatError
        The version is missing, newer than this code, or has no upgrade path.
    """
    version = document.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ImportFormatError(source, f"format_version must be an integer, got {version!r}")
    if version > FORMAT_VERSION:
        raise ImportFormatError(
            source,
            f"format_version {version} is newer than this software reads ({FORMAT_VERSION})",
        )
    upgraded = dict(document)
    while upgraded["format_version"] < FORMAT_VERSION:
        step = _UPGRADES.get(upgraded["format_version"])
        if step is None:
            raise ImportFormatError(
                source, f"no upgrade from format_version {upgraded['format_version']}"
            )
        upgraded = step(upgraded)
    return upgraded


def item_to_dict(item: Item) -> dict[str, Any]:
    """The JSON object for ``item``; default-valued fields are left out."""
    return _record_to_dict(item)


def _record_to_dict(record: object) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for spec in fields(record):  # type: ignore[arg-type]
        value = getattr(record, spec.name)
        default = spec.default if spec.default is not MISSING else MISSING
        if spec.default_factory is not MISSING:
            default = spec.default_factory()
        if value == default and default is not MISSING:
            continue
        out[spec.name] = _value_to_json(value)
    return out


def _value_to_json(value: object) -> object:
    if isinstance(value, tuple):
        return [_value_to_json(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return _record_to_dict(value)
    if isinstance(value, ItemKind | CognitiveLevel):
        return value.value
    return value


def item_from_dict(data: Mapping[str, Any], *, source: str = "items.json") -> Item:
    """Build and validate an Item from its JSON object.

    Raises
    ------
    ImportFormatError
        An unknown or missing field, a wrong type, or an item that fails validation.
    """
    name = str(data.get("identifier", "?"))
    try:
        values = _fields_for(Item, data)
        values["kind"] = ItemKind(values["kind"])
        for key, record_type in _NESTED.items():
            if key in values:
                values[key] = tuple(_build(record_type, v) for v in values[key])
        for key in ("correct",):
            if key in values:
                values[key] = tuple(values[key])
        if "qti" in values and values["qti"] is not None:
            values["qti"] = _build(QtiContent, values["qti"])
        if "metadata" in values:
            values["metadata"] = _metadata(values["metadata"])
        item = Item(**values)
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, ItemValidationError):
            raise
        raise ImportFormatError(source, f"{type(error).__name__}: {error}", item=name) from None
    try:
        return require_valid(item, source=source)
    except ItemValidationError as error:
        raise ImportFormatError(source, "; ".join(error.problems), item=name) from None


def _fields_for(record_type: type, data: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise TypeError(f"{record_type.__name__} must be an object, got {type(data).__name__}")
    known = {f.name for f in fields(record_type)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise KeyError(f"unknown field(s) for {record_type.__name__}: {', '.join(unknown)}")
    return dict(data)


def _build(record_type: type, data: Mapping[str, Any]) -> object:
    values = _fields_for(record_type, data)
    for key, value in values.items():
        if isinstance(value, list):  # units, values, interactions: arrays are tuples
            values[key] = tuple(value)
    return record_type(**values)


def _metadata(data: Mapping[str, Any]) -> ItemMetadata:
    values = _fields_for(ItemMetadata, data)
    if values.get("cognitive_level") is not None:
        values["cognitive_level"] = CognitiveLevel(values["cognitive_level"])
    if "tags" in values:
        values["tags"] = tuple(values["tags"])
    return ItemMetadata(**values)


def dump_items(items: Iterable[Item]) -> str:
    """Serialise ``items`` as a current-version document (UTF-8 text, NFC, not ASCII-escaped)."""
    document = {"format_version": FORMAT_VERSION, "items": [item_to_dict(i) for i in items]}
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def load_items(data: str | bytes | Path, *, source: str | None = None) -> list[Item]:
    """Read a document of any supported version and return its validated items.

    Raises
    ------
    ImportFormatError
        Not JSON, an unsupported version, or a broken item (named, with its position).
    """
    if isinstance(data, Path):
        source = source or data.name
        data = data.read_bytes()
    source = source or "items.json"
    try:
        document = json.loads(data)
    except json.JSONDecodeError as error:
        raise ImportFormatError(source, f"not JSON: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        raise ImportFormatError(source, "expected an object with format_version and items")
    document = upgrade(document, source=source)
    items = [item_from_dict(entry, source=source) for entry in document["items"]]
    seen: set[str] = set()
    for item in items:
        if item.identifier in seen:
            raise ImportFormatError(source, "identifier is used twice", item=item.identifier)
        seen.add(item.identifier)
    return items
