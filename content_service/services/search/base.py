"""What every search backend answers: the query, the audience, the result, and the interface.

Two backends implement :class:`SearchBackend`: Meilisearch (:mod:`.meili`) and the embedded
SQLite FTS5 fallback (:mod:`.fts`). Both take the same documents
(:func:`learning_resources.resource_document` / :func:`~learning_resources.item_document`), the
same :class:`SearchQuery` and give the same :class:`SearchResult`, so one contract test suite
runs against both.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from learning_resources import fold_for_search

FACETS = ("doc_type", "subject", "grade", "type", "kind", "licence", "language", "school")
"""Facets counted for every search; values are canonical codes."""
RERANK_FIELDS = ("title", "keywords", "description")
RETRIEVED = (
    "id",
    "doc_type",
    "identifier",
    "version",
    "title",
    "description",
    "keywords",
    "subject",
    "subject_name",
    "grade",
    "type",
    "kind",
    "licence",
    "language",
    "school",
    "visibility",
)
MARK_OPEN, MARK_CLOSE = (
    "\ue000",
    "\ue001",
)  # private-use sentinels, turned into <mark> after escaping


class SearchUnavailableError(RuntimeError):
    """The engine did not answer or refused a write; the outbox job retries later."""


@dataclass(frozen=True, slots=True)
class Audience:
    """Whose search this is, enforced by the backend's filter (never by the caller's filter).

    ``everything``: system admins. Otherwise public documents plus the ``school``-visible ones
    of the caller's school; items (assessment questions) only for staff.
    """

    everything: bool = False
    school: str | None = None
    staff: bool = False


@dataclass(frozen=True, slots=True)
class SearchQuery:
    q: str = ""
    filters: Mapping[str, str | int] = field(default_factory=dict)
    audience: Audience = Audience()
    limit: int = 20
    offset: int = 0
    # Facet counts cost more than the search itself on large result sets (measured: 8 facets
    # over 20k matches ~10x a plain query), so they are counted only when asked for.
    facets: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SearchHit:
    document: dict[str, Any]
    highlight: dict[str, str]


@dataclass(frozen=True, slots=True)
class SearchResult:
    hits: list[SearchHit]
    total: int
    facets: dict[str, dict[str, int]]


class SearchBackend(Protocol):
    """A search engine holding one index of resource and item documents."""

    name: str

    def ensure_index(self) -> None:
        """Create the index and apply its settings if missing (idempotent)."""
        ...

    def upsert(self, documents: Sequence[dict[str, Any]]) -> None:
        """Add or replace whole documents; returns once the engine confirmed success."""
        ...

    def delete(self, ids: Sequence[str]) -> None:
        """Remove documents by id (missing ids are fine); confirmed like ``upsert``."""
        ...

    def search(self, query: SearchQuery) -> SearchResult: ...

    async def search_async(self, query: SearchQuery) -> SearchResult:
        """:meth:`search` for request handlers, without blocking the event loop."""
        ...

    def rebuild(self, documents: Iterable[dict[str, Any]]) -> int:
        """Build a fresh index from ``documents`` and swap it in; returns the count."""
        ...

    def count(self) -> int: ...

    def drop(self) -> None:
        """Delete the index (tests, and ``reindex --from-scratch``)."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...

    async def aclose(self) -> None:
        """Release the running event loop's connections (the app's shutdown)."""
        ...


def marked_html(text: str) -> str:
    """Escape text whose matches are wrapped in the sentinels, then turn those into <mark>."""
    return html.escape(text).replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>")


# Highlighting folds every word of every shown hit; the vocabulary is small, so remember it
# (it was a quarter of a re-ranked Meilisearch search's time).
_fold_word = functools.lru_cache(maxsize=65_536)(fold_for_search)


_WORD = re.compile(r"[^\W_]+")  # a run of str.isalnum() characters


def mark_terms(text: str, terms: Sequence[str], prefix_last: bool) -> str:
    """Wrap the words of ``text`` whose folded form equals a folded query term (or starts with
    the last one, for a prefix query) in the sentinels. Used for re-ranked and FTS5 pages."""
    if not terms:
        return text
    wanted, last = set(terms), terms[-1]

    def mark(word: re.Match[str]) -> str:
        folded = _fold_word(word[0])
        hit = folded in wanted or (prefix_last and folded.startswith(last))
        return f"{MARK_OPEN}{word[0]}{MARK_CLOSE}" if hit else word[0]

    return _WORD.sub(mark, text)


def public_hit(document: Mapping[str, Any]) -> dict[str, Any]:
    """Only the retrievable fields: an index never hands out more than :data:`RETRIEVED`."""
    return {name: document.get(name) for name in RETRIEVED}
