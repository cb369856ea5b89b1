"""Item metadata ↔ IEEE LOM in a content package's resource ``<metadata>``.

QTI item documents have no place for the bank's school metadata, so packages carry it in LOM,
as IMS content packaging intends:

=====================  =================================================================
``ItemMetadata``        LOM
=====================  =================================================================
language                general/language
tags                    general/keyword
source                  general/identifier with catalog ``source``
author                  lifeCycle/contribute (role ``author``)/entity
licence                 rights/description
subject                 classification purpose ``discipline``
grade                   classification purpose ``educational level``
topic                   classification purpose ``idea``
requirement_code        classification purpose ``competency`` (the 2018 programme's code)
cognitive_level         classification purpose ``educational objective``
=====================  =================================================================
"""

from __future__ import annotations

from dataclasses import replace

from lxml import etree

from item_bank.items import CognitiveLevel, ItemMetadata
from item_bank.qti.xml import local_name

__all__ = ["LOM_NS", "lom_to_metadata", "metadata_to_lom"]

LOM_NS = "http://ltsc.ieee.org/xsd/LOM"
_PURPOSES = {
    "discipline": "subject",
    "educational level": "grade",
    "idea": "topic",
    "competency": "requirement_code",
    "educational objective": "cognitive_level",
}


def _m(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{LOM_NS}}}{name}")
    if text is not None:
        element.text = text
    return element


def _string(parent: etree._Element, name: str, text: str) -> None:
    _m(_m(parent, name), "string", text)


def _vocabulary(parent: etree._Element, name: str, value: str) -> None:
    holder = _m(parent, name)
    _m(holder, "source", "LOMv1.0")
    _m(holder, "value", value)


def metadata_to_lom(metadata: ItemMetadata) -> etree._Element:
    """Return an ``imsmd:lom`` element holding ``metadata``."""
    lom = etree.Element(f"{{{LOM_NS}}}lom", nsmap={"imsmd": LOM_NS})
    general = _m(lom, "general")
    if metadata.source:
        identifier = _m(general, "identifier")
        _m(identifier, "catalog", "source")
        _m(identifier, "entry", metadata.source)
    _m(general, "language", metadata.language)
    for tag in metadata.tags:
        _string(general, "keyword", tag)
    if metadata.author:
        contribute = _m(_m(lom, "lifeCycle"), "contribute")
        _vocabulary(contribute, "role", "author")
        _m(contribute, "entity", metadata.author)
    if metadata.licence:
        _string(_m(lom, "rights"), "description", metadata.licence)
    for purpose, attribute in _PURPOSES.items():
        value = getattr(metadata, attribute)
        if value is None:
            continue
        classification = _m(lom, "classification")
        _vocabulary(classification, "purpose", purpose)
        taxon = _m(_m(classification, "taxonPath"), "taxon")
        _m(taxon, "id", str(value.value if isinstance(value, CognitiveLevel) else value))
    return lom


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in element if isinstance(c.tag, str) and local_name(c) == name]


def _first(element: etree._Element, *path: str) -> etree._Element | None:
    current: etree._Element | None = element
    for name in path:
        found = _children(current, name) if current is not None else []
        current = found[0] if found else None
    return current


def _text(element: etree._Element | None) -> str | None:
    return (element.text or "").strip() or None if element is not None else None


def lom_to_metadata(lom: etree._Element, base: ItemMetadata) -> ItemMetadata:
    """Return ``base`` updated with what ``lom`` says (unknown LOM fields are ignored).

    Raises
    ------
    ValueError
        If a grade is not a whole number or a cognitive level is not one of the four.
    """
    changes: dict[str, object] = {}
    general = _first(lom, "general")
    if general is not None:
        changes |= _general(general)
    author = _text(_first(lom, "lifeCycle", "contribute", "entity"))
    if author:
        changes["author"] = author
    licence = _text(_first(lom, "rights", "description", "string"))
    if licence:
        changes["licence"] = licence
    for classification in _children(lom, "classification"):
        purpose = _text(_first(classification, "purpose", "value"))
        value = _text(_first(classification, "taxonPath", "taxon", "id"))
        attribute = _PURPOSES.get((purpose or "").lower())
        if attribute and value:
            changes[attribute] = _typed(attribute, value)
    return replace(base, **changes)  # type: ignore[arg-type]


def _general(general: etree._Element) -> dict[str, object]:
    changes: dict[str, object] = {}
    language = _text(_first(general, "language"))
    if language:
        changes["language"] = language
    keywords = [_text(_first(k, "string")) for k in _children(general, "keyword")]
    if any(keywords):
        changes["tags"] = tuple(k for k in keywords if k)
    for identifier in _children(general, "identifier"):
        if _text(_first(identifier, "catalog")) == "source":
            changes["source"] = _text(_first(identifier, "entry"))
    return changes


def _typed(attribute: str, value: str) -> object:
    if attribute == "grade":
        return int(value)
    if attribute == "cognitive_level":
        return CognitiveLevel(value)
    return value
