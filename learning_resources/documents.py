"""Search documents: resources, items and library titles → flat dicts for the search engines.

Each text field is stored twice, as written (NFC) and folded (:func:`fold_for_search`), so the
engine can match tone-less queries while :func:`~learning_resources.vietnamese.rerank_exact_tone`
still sees the original marks. Facets hold canonical codes only (``hoa_hoc``, ``CC-BY-4.0``),
never display strings, because filters ignore case but not accents (DOMAIN.md §7).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from learning_resources.errors import MetadataValidationError
from learning_resources.resources import LearningResource, Visibility
from learning_resources.vietnamese import fold_for_search, nfc
from learning_resources.vocabularies import subject_name

__all__ = [
    "FACET_FIELDS",
    "SEARCHABLE_FIELDS",
    "document_id",
    "item_document",
    "library_document",
    "resource_document",
]

MAX_ID_BYTES = 511
SEARCHABLE_FIELDS = (
    "title",
    "title_folded",
    "keywords",
    "keywords_folded",
    "description",
    "description_folded",
    "creators",
)
"""Searchable attributes in ranking order (title before keywords before description)."""
FACET_FIELDS = (
    "doc_type",
    "subject",
    "grade",
    "type",
    "kind",
    "licence",
    "language",
    "school",
    "visibility",
    "alignment",
)
"""Filterable attributes; their values are canonical codes."""
_KEY_SAFE = re.compile(r"[A-Za-z0-9-]")


def document_id(doc_type: str, identifier: str) -> str:
    """Return a primary key using only ``a-z A-Z 0-9 - _`` (Meilisearch's rule).

    Characters outside ``A-Za-z0-9-`` are written as ``_`` plus two hex digits per UTF-8 byte
    (``_`` itself becomes ``_5f``), so distinct identifiers never collide.

    Parameters
    ----------
    doc_type : str
        ``"resource"`` or ``"item"``; prefixes the key so both can share one index.
    identifier : str
        The object's own identifier, any characters.

    Raises
    ------
    MetadataValidationError
        If the key would exceed 511 bytes (field ``identifier``).
    """
    escaped = "".join(
        ch if _KEY_SAFE.fullmatch(ch) else "".join(f"_{b:02x}" for b in ch.encode())
        for ch in nfc(f"{doc_type}-{identifier}")
    )
    if len(escaped) > MAX_ID_BYTES:
        raise MetadataValidationError("identifier", f"search key longer than {MAX_ID_BYTES} bytes")
    return escaped


def _text_pair(name: str, value: str | Iterable[str]) -> dict[str, Any]:
    if isinstance(value, str):
        return {name: nfc(value), f"{name}_folded": fold_for_search(value)}
    values = [nfc(v) for v in value]
    return {name: values, f"{name}_folded": [fold_for_search(v) for v in values]}


def resource_document(resource: LearningResource) -> dict[str, Any]:
    """Return the search document of a resource version.

    Parameters
    ----------
    resource : LearningResource
        Normally the latest published version.

    Returns
    -------
    dict
        ``id`` (primary key), original and ``*_folded`` text fields, canonical facets
        (:data:`FACET_FIELDS`), ``subject_name`` for display, ``published_at``/``modified`` as
        Unix seconds for sorting, and ``visibility``/``school`` for tenant filters.
    """
    dc, edu = resource.dc, resource.education
    published = resource.published_at
    return {
        "id": document_id("resource", resource.identifier),
        "doc_type": "resource",
        "identifier": resource.identifier,
        "version": resource.version,
        **_text_pair("title", dc.title),
        **_text_pair("description", dc.description),
        **_text_pair("keywords", dc.keywords),
        "creators": [nfc(name) for name in dc.creators],
        "subject": list(edu.subjects),
        "subject_name": [subject_name(code) for code in edu.subjects],
        "grade": sorted(edu.grades),
        "type": list(edu.resource_types),
        "kind": str(resource.content.kind),
        "licence": resource.licence,
        "language": dc.language,
        "school": resource.school,
        "visibility": str(resource.visibility),
        "alignment": [alignment.target_code for alignment in edu.alignments],
        "collections": list(resource.collections),
        "state": str(resource.state),
        "published_at": int(published.timestamp()) if published else None,
        "modified": int(resource.modified.timestamp()),
    }


def item_document(
    *,
    identifier: str,
    version: int,
    text: str,
    subjects: Iterable[str],
    grades: Iterable[int],
    item_type: str,
    school: str | None,
    visibility: Visibility,
    title: str = "",
    keywords: Iterable[str] = (),
    language: str = "vi",
    alignment_codes: Iterable[str] = (),
) -> dict[str, Any]:
    """Return the search document of an assessment item.

    Takes plain values rather than an ``item_bank`` object so that the service maps its item
    model (stem text, QTI interaction type, curriculum tags) in one place and this function
    stays independent of that model's evolution.

    Parameters
    ----------
    identifier, version : str, int
        The item's identifier and version.
    text : str
        Plain text of the stem (and options), stored as ``description``.
    subjects, grades : iterable
        Subject codes and grades 1-12 (canonical facets).
    item_type : str
        Interaction type code, e.g. ``"choice"``; the ``type`` facet.
    school : str or None
        Owning school's code.
    visibility : Visibility
    title : str
        Short label; the first 80 characters of ``text`` when empty.
    keywords, language, alignment_codes
        As for resources.

    Raises
    ------
    MetadataValidationError
        For an unknown subject code (field ``subjects``).
    """
    subject_codes = list(subjects)
    try:
        names = [subject_name(code) for code in subject_codes]
    except KeyError as error:
        raise MetadataValidationError("subjects", f"unknown subject code {error}") from None
    return {
        "id": document_id("item", identifier),
        "doc_type": "item",
        "identifier": identifier,
        "version": version,
        **_text_pair("title", title or text[:80]),
        **_text_pair("description", text),
        **_text_pair("keywords", list(keywords)),
        "creators": [],
        "subject": subject_codes,
        "subject_name": names,
        "grade": sorted(grades),
        "type": [item_type],
        "kind": "item",
        "licence": None,
        "language": language,
        "school": school,
        "visibility": str(visibility),
        "alignment": list(alignment_codes),
        "collections": [],
        "state": "published",
        "published_at": None,
        "modified": None,
    }


# MARC 041/008 language codes (ISO 639-2/B) → the ISO 639-1 codes resources use, so the
# ``language`` facet has one value per language across the whole catalogue.
_MARC_LANGUAGES = {"vie": "vi", "eng": "en", "fre": "fr", "fra": "fr", "chi": "zh", "zho": "zh"}
_MARC_LANGUAGES |= {"jpn": "ja", "kor": "ko", "rus": "ru", "ger": "de", "deu": "de"}
LIBRARY_FORMATS = ("print", "digital")
"""The ``type`` facet of a library title: copies on the shelf, digital files, or both."""


def library_document(
    *,
    identifier: str,
    title: str,
    subtitle: str = "",
    authors: Iterable[str] = (),
    subjects: Iterable[str] = (),
    summary: str = "",
    isbn: str = "",
    language: str = "vie",
    school: str,
    formats: Iterable[str] = (),
) -> dict[str, Any]:
    """Return the search document of a library title (a bibliographic record).

    Library titles share the index with resources and items so that one catalogue search
    covers print, digital and the open-learning repository (issue #9). A title is visible to
    the members of its school (``visibility="school"``); the union catalogue across schools
    is OAI-PMH's job.

    Parameters
    ----------
    identifier : str
        The title's id in the service.
    title, subtitle, authors, subjects, summary, isbn
        Bibliographic fields (MARC 245 $a/$b, 100/700, 650, 520, 020).
    language : str
        MARC language code (``vie``); stored as its ISO 639-1 code (``vi``) when known.
    school : str
        Owning school's code.
    formats : iterable of str
        Subset of :data:`LIBRARY_FORMATS` (``type`` facet).

    Raises
    ------
    MetadataValidationError
        For a format outside :data:`LIBRARY_FORMATS` (field ``formats``).
    """
    given = set(formats)
    kinds = [f for f in LIBRARY_FORMATS if f in given]
    unknown = given - set(LIBRARY_FORMATS)
    if unknown:
        raise MetadataValidationError("formats", f"unknown library formats {sorted(unknown)}")
    full_title = f"{title} : {subtitle}" if subtitle else title
    keywords = [*subjects, *([isbn] if isbn else [])]
    return {
        "id": document_id("library", identifier),
        "doc_type": "library",
        "identifier": identifier,
        "version": None,
        **_text_pair("title", full_title),
        **_text_pair("description", summary),
        **_text_pair("keywords", keywords),
        "creators": [nfc(name) for name in authors],
        "subject": [],
        "subject_name": [],
        "grade": [],
        "type": kinds,
        "kind": "library",
        "licence": None,
        "language": _MARC_LANGUAGES.get(language, language),
        "school": school,
        "visibility": str(Visibility.SCHOOL),
        "alignment": [],
        "collections": [],
        "state": "published",
        "published_at": None,
        "modified": None,
    }
