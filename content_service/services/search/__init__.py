"""Search over resources and items: one interface, Meilisearch or the embedded FTS5 fallback.

``backend_for(settings)`` picks Meilisearch when ``MEILI_URL`` is set and the SQLite FTS5 side
file otherwise. Writes reach the index only through the outbox (:mod:`.outbox`): a job enqueued
in the same transaction as the change, run by the worker (``tasks/search.py``), retried until
the engine confirms the task.
"""

from __future__ import annotations

import atexit
import threading

from content_service.services.search.base import (
    Audience,
    SearchBackend,
    SearchHit,
    SearchQuery,
    SearchResult,
    SearchUnavailableError,
)
from content_service.services.search.fts import FtsBackend
from content_service.services.search.meili import MeiliBackend
from content_service.settings import Settings

__all__ = [
    "Audience",
    "FtsBackend",
    "MeiliBackend",
    "SearchBackend",
    "SearchHit",
    "SearchQuery",
    "SearchResult",
    "SearchUnavailableError",
    "aclose_backends",
    "backend_for",
    "close_backends",
    "index_uid",
]

_BACKENDS: dict[tuple[str, str, str, str], SearchBackend] = {}
_LOCK = threading.Lock()


def index_uid(settings: Settings) -> str:
    """The live index: ``<SEARCH_INDEX_PREFIX>-content`` (resources and items together)."""
    return f"{settings.SEARCH_INDEX_PREFIX}-content"


def backend_for(settings: Settings) -> SearchBackend:
    """The (cached) backend for these settings.

    One long-lived backend per process and settings: its pooled HTTP client (keep-alive
    connections to Meilisearch) is shared by every request and thread, so no request pays for
    a connection, and :func:`close_backends` closes the sockets at exit.
    """
    key = (
        settings.MEILI_URL,
        settings.MEILI_MASTER_KEY,
        index_uid(settings),
        str(settings.DATA_DIR),
    )
    with _LOCK:
        backend = _BACKENDS.get(key)
        if backend is None:
            if settings.MEILI_URL:
                backend = MeiliBackend(settings.MEILI_URL, settings.MEILI_MASTER_KEY, key[2])
            else:
                backend = FtsBackend(settings.DATA_DIR.resolve() / "search", key[2])
            _BACKENDS[key] = backend
        return backend


@atexit.register
def close_backends() -> None:
    """Close every cached backend's connections (at interpreter exit, and in tests)."""
    with _LOCK:
        backends = list(_BACKENDS.values())
        _BACKENDS.clear()
    for backend in backends:
        backend.close()


async def aclose_backends() -> None:
    """Close the running event loop's connections of every cached backend (app shutdown)."""
    with _LOCK:
        backends = list(_BACKENDS.values())
    for backend in backends:
        await backend.aclose()
