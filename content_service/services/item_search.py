"""The folded text of an item version that ``GET /items?q=`` searches.

The search layer (Meilisearch or the FTS5 fallback) indexes published items only; the bank's
browser also lists drafts and versions in review to their authors and reviewers, so the listing
searches a folded copy of each version's visible text kept in ``item_version.search_text``.
Folding is :func:`learning_resources.fold_for_search` (lower case, no tones, ``đ`` → ``d``),
applied to the stored text and to the query alike, so it behaves the same on SQLite and
PostgreSQL (neither database's own collation folds ``đ``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from learning_resources import fold_for_search

_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]*")
_MARKDOWN_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_ASSET_URL = re.compile(r"/item-assets/[0-9a-f]{64}")
_TOP_FIELDS = ("identifier", "title", "stem", "general_feedback", "rationale")
_CHOICE_FIELDS = ("text", "feedback")
_META_FIELDS = ("subject", "topic", "requirement_code", "tags", "author", "source")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for part in value:
            yield from _strings(part)


def visible_texts(content: Mapping[str, Any]) -> Iterator[str]:
    """The texts a reader sees or a teacher filters by: stem, options, feedback, metadata."""
    for name in _TOP_FIELDS:
        yield from _strings(content.get(name))
    for choice in content.get("choices") or ():
        if isinstance(choice, Mapping):
            for name in _CHOICE_FIELDS:
                yield from _strings(choice.get(name))
    metadata = content.get("metadata") or {}
    if isinstance(metadata, Mapping):
        for name in _META_FIELDS:
            yield from _strings(metadata.get(name))


def plain(text: str) -> str:
    """Text without embedded files, image addresses and HTML tags (an image keeps its alt)."""
    text = _DATA_URI.sub(" ", text)
    text = _MARKDOWN_IMAGE.sub(r" \1 ", text)
    text = _ASSET_URL.sub(" ", text)
    return _TAG.sub(" ", text)


def search_text_of(content: Mapping[str, Any]) -> str:
    """The folded visible text of an item's JSON content (stored on its version).

    Words are separated by single spaces and the text starts with one, so a query can be
    matched at the start of a word with ``LIKE '% word%'``.
    """
    words = " ".join(
        folded for text in visible_texts(content) if (folded := fold_for_search(plain(text)))
    )
    return f" {words} " if words else ""


def query_pattern(q: str) -> str | None:
    """The ``LIKE`` pattern (escape ``\\``) of a query: its folded words, in order, starting
    at a word start: ``"Đường thẳng"`` finds "... đường thẳng song song ...", and ``"item 1"``
    does not find an item whose text has "item" and, elsewhere, "1"."""
    phrase = " ".join(fold_for_search(q).split()[:12])
    if not phrase:
        return None
    escaped = phrase.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"% {escaped}%"
