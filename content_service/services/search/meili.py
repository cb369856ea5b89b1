"""Meilisearch backend over plain httpx: every write's task is awaited and its status checked.

Measured facts this follows (DOMAIN.md §7): writes answer 202 even when they will fail, so each
task is polled to its final status; ``Accept-Encoding: identity`` on loopback (gzip made ~1 KB
responses 20x slower); after a failed write the kept-alive connection is dropped; documents are
POSTed whole (replace, safe to resend); ``matchingStrategy: frequency`` suits Vietnamese.
A full rebuild fills ``<uid>-rebuild-<random>``, swaps it with the live index and deletes it.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import aiohttp
import httpx
import orjson

from content_service.services.search.base import (
    FACETS,
    MARK_CLOSE,
    MARK_OPEN,
    RERANK_FIELDS,
    RETRIEVED,
    SearchHit,
    SearchQuery,
    SearchResult,
    SearchUnavailableError,
    mark_terms,
    marked_html,
    public_hit,
)
from learning_resources import (
    document_marked_syllables,
    fold_for_search,
    marked_syllables,
    rerank_exact_tone,
)

SEARCHABLE = ["title", "keywords", "description", "creators", "subject_name"]
# ``tones``: the marked syllables of the document, so that a marked query can ask for the
# documents holding its words with exactly its marks (see :meth:`MeiliBackend._search_request`).
FILTERABLE = [*FACETS, "audience", "tones"]
_EQUALITY_ONLY = {"facetSearch": False, "filter": {"equality": True, "comparison": False}}
# Indexing cost is mostly word positions and filter structures, so the index keeps only what is
# searched, filtered or shown (measured on 100k documents, bench/bench_search.py):
# ``proximityPrecision: byAttribute`` skips word-pair distances, filters are equality-only with
# no facet search, nothing is sortable, and the language is given rather than detected.
INDEX_SETTINGS: dict[str, Any] = {
    "searchableAttributes": SEARCHABLE,
    "displayedAttributes": list(RETRIEVED),
    "filterableAttributes": [
        {"attributePatterns": FILTERABLE, "features": _EQUALITY_ONLY},
    ],
    "sortableAttributes": [],
    "proximityPrecision": "byAttribute",
    "localizedAttributes": [{"attributePatterns": ["*"], "locales": ["vie"]}],
    "faceting": {"maxValuesPerFacet": 100},
}
KEPT = frozenset(SEARCHABLE) | frozenset(FACETS) | frozenset(RETRIEVED)
# One POST per batch; Meilisearch merges queued additions into one indexing run, so bigger
# batches mostly save HTTP round trips (payload limit 100 MB, ~0.6 KB per document).
BATCH = 25_000
TASK_TIMEOUT = 300.0


def _quote(value: str | int) -> str:
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def audience_tokens(document: dict[str, Any]) -> list[str]:
    """Who may see a document, as tokens of one filterable field (see :func:`build_filter`).

    ``all`` (public resources and library titles), ``school:<code>`` (school-visible ones),
    ``staff`` / ``staff:<code>`` (items, for staff only). One ``IN`` on one field is the
    cheapest filter Meilisearch evaluates; the visibility logic stays in one place.
    """
    visibility, school = document.get("visibility"), document.get("school")
    staff_only = document.get("doc_type") == "item"
    if visibility == "public":
        return ["staff" if staff_only else "all"]
    if visibility == "school" and school:
        return [f"staff:{school}" if staff_only else f"school:{school}"]
    return []  # private or without a school: only ``everything`` audiences see it


def build_filter(query: SearchQuery) -> list[str]:
    """The Meilisearch filter: the audience first (not widenable), then the user's facets."""
    clauses: list[str] = []
    audience = query.audience
    if not audience.everything:
        allowed = ["all"]
        if audience.school:
            allowed.append(f"school:{audience.school}")
        if audience.staff:
            allowed.append("staff")
            if audience.school:
                allowed.append(f"staff:{audience.school}")
        clauses.append(f"audience IN [{', '.join(_quote(a) for a in allowed)}]")
    for name, value in sorted(query.filters.items()):
        clauses.append(f"{name} = {_quote(value)}")
    return clauses


def _normalised_settings() -> dict[str, Any]:
    """:data:`INDEX_SETTINGS` as ``GET /settings`` reports them (defaults filled in)."""
    granular = INDEX_SETTINGS["filterableAttributes"][0]
    features = {
        "facetSearch": False,
        "filter": {"equality": True, "comparison": False},
    }
    return {
        "searchableAttributes": SEARCHABLE,
        "displayedAttributes": list(RETRIEVED),
        "filterableAttributes": [
            {"attributePatterns": granular["attributePatterns"], "features": features}
        ],
        "sortableAttributes": [],
        "proximityPrecision": "byAttribute",
        "localizedAttributes": INDEX_SETTINGS["localizedAttributes"],
    }


def _slim(document: dict[str, Any]) -> dict[str, Any]:
    # Meilisearch folds marks itself: the *_folded copies are for the FTS5 fallback only, and
    # fields nobody searches, filters or reads (collections, alignment, dates) are not sent.
    slim = {k: v for k, v in document.items() if k in KEPT}
    slim["audience"] = audience_tokens(document)
    slim["tones"] = document_marked_syllables(document, RERANK_FIELDS)
    return slim


class MeiliBackend:
    """One Meilisearch index, addressed by ``uid``."""

    name = "meilisearch"

    def __init__(self, url: str, key: str, uid: str, *, timeout: float = 10.0) -> None:
        self.url, self.key, self.uid = url.rstrip("/"), key, uid
        self._timeout = timeout
        self._lock = threading.Lock()
        self._client = self._new_client()
        self._ready = False  # live index exists with our settings (checked once per process)
        self._sessions: dict[asyncio.AbstractEventLoop, aiohttp.ClientSession] = {}

    def _new_client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.url,
            headers={
                "Authorization": f"Bearer {self.key}",
                "Accept-Encoding": "identity",
                "Content-Type": "application/json",
            },
            timeout=httpx.Timeout(self._timeout, connect=2.0),
        )

    def _reset(self) -> None:
        with self._lock:
            old, self._client = self._client, self._new_client()
        old.close()

    def close(self) -> None:
        self._client.close()

    def _request(self, method: str, path: str, body: Any = None) -> Any:
        content = None if body is None else orjson.dumps(body)
        try:
            response = self._client.request(method, path, content=content)
        except httpx.HTTPError as error:
            self._reset()
            raise SearchUnavailableError(f"Meilisearch at {self.url}: {error}") from error
        if response.status_code == 404 and method == "GET":
            return None
        if response.status_code >= 400:
            self._reset()
            raise SearchUnavailableError(
                f"Meilisearch {method} {path}: {response.status_code} {response.text[:300]}"
            )
        return orjson.loads(response.content) if response.content else None

    def _wait(self, task: dict[str, Any]) -> dict[str, Any]:
        """Poll a task to its final status; anything but ``succeeded`` raises."""
        task_uid = task["taskUid"]
        deadline, pause = time.monotonic() + TASK_TIMEOUT, 0.002
        while True:
            state = self._request("GET", f"/tasks/{task_uid}")
            status = state["status"] if state else "unknown"
            if status == "succeeded":
                return state  # type: ignore[no-any-return]
            if status in ("failed", "canceled", "unknown"):
                error = (state or {}).get("error") or {}
                raise SearchUnavailableError(
                    f"Meilisearch task {task_uid} ({(state or {}).get('type')}) {status}: "
                    f"{error.get('code', '')} {error.get('message', '')}".strip()
                )
            if time.monotonic() > deadline:
                raise SearchUnavailableError(f"Meilisearch task {task_uid} still {status}")
            time.sleep(pause)
            pause = min(pause * 2, 0.1)

    def _create(self, uid: str, *, check_settings: bool = True) -> None:
        if self._request("GET", f"/indexes/{uid}") is None:
            try:
                self._wait(self._request("POST", "/indexes", {"uid": uid, "primaryKey": "id"}))
            except SearchUnavailableError as error:
                if "index_already_exists" not in str(error):  # a concurrent creator won
                    raise
            check_settings = True
        if not check_settings:
            return
        # A settings update is a task that may re-index everything: send it only when the
        # index's settings differ from ours (an older release, or a fresh index).
        current = self._request("GET", f"/indexes/{uid}/settings") or {}
        if any(current.get(name) != value for name, value in _normalised_settings().items()):
            self._wait(self._request("PATCH", f"/indexes/{uid}/settings", INDEX_SETTINGS))

    def ensure_index(self) -> None:
        """Make sure the live index exists with our settings (idempotent).

        One GET per call (it doubles as the health check of the catch-up job); the settings
        are compared once per backend object, or again when the index had disappeared.
        """
        self._create(self.uid, check_settings=not self._ready)
        self._ready = True

    def _add(self, uid: str, documents: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        tasks = []
        for start in range(0, len(documents), BATCH):
            batch = [_slim(d) for d in documents[start : start + BATCH]]
            tasks.append(self._request("POST", f"/indexes/{uid}/documents", batch))
        return tasks

    def upsert(self, documents: Sequence[dict[str, Any]]) -> None:
        if not documents:
            return
        for task in self._add(self.uid, documents):
            self._wait(task)

    def delete(self, ids: Sequence[str]) -> None:
        if ids:
            self._wait(
                self._request("POST", f"/indexes/{self.uid}/documents/delete-batch", list(ids))
            )

    def count(self) -> int:
        stats = self._request("GET", f"/indexes/{self.uid}/stats")
        return int(stats["numberOfDocuments"]) if stats else 0

    def drop(self) -> None:
        if self._request("GET", f"/indexes/{self.uid}") is not None:
            self._wait(self._request("DELETE", f"/indexes/{self.uid}"))
        self._ready = False

    def rebuild(self, documents: Iterable[dict[str, Any]]) -> int:
        """Fill a fresh index, then swap it with the live one: searches never see a gap."""
        fresh = f"{self.uid}-rebuild-{uuid.uuid4().hex[:8]}"
        self._create(fresh)
        self.ensure_index()
        tasks, count, batch = [], 0, []
        for document in documents:
            batch.append(document)
            if len(batch) == BATCH:
                tasks += self._add(fresh, batch)
                count, batch = count + len(batch), []
        if batch:
            tasks += self._add(fresh, batch)
            count += len(batch)
        try:
            for task in tasks:
                self._wait(task)
            self._wait(self._request("POST", "/swap-indexes", [{"indexes": [self.uid, fresh]}]))
        finally:
            self._wait(self._request("DELETE", f"/indexes/{fresh}"))
        return count

    def _search_request(self, query: SearchQuery) -> tuple[str, dict[str, Any], bool]:
        """The request for one search: its path, its body, and whether it puts exact tones
        first.

        Meilisearch folds marks before ranking, so for a marked query (``dương``) it ranks
        ``đường``, ``duong`` and ``dương`` alike. Such a query is sent as one multi-search: the
        documents holding every marked word with exactly its marks, those holding any of them
        (both by the ``tones`` filter), and the plain search, each cut to the page; merged in
        that order they put every exact-tone match first, however deep the engine ranked it,
        on every page (each part returns up to ``offset + limit`` hits: a deep page costs more,
        and Meilisearch stops at 1,000 hits in either mode).
        """
        body: dict[str, Any] = {
            "q": query.q,
            "filter": build_filter(query),
            "limit": query.limit,
            "offset": query.offset,
            "attributesToRetrieve": list(RETRIEVED),
            "matchingStrategy": "frequency",
        }
        facets = [name for name in query.facets if name in FACETS]
        if facets:
            body["facets"] = facets
        marked = sorted(marked_syllables(query.q))
        if not marked:
            body["attributesToHighlight"] = ["title", "description"]
            body["highlightPreTag"], body["highlightPostTag"] = MARK_OPEN, MARK_CLOSE
            return f"/indexes/{self.uid}/search", body, False
        # The parts return up to three pages of hits between them, unhighlighted: only the page
        # that is shown is highlighted, here (Meilisearch highlights every hit it returns).
        page = {"indexUid": self.uid, "limit": query.offset + query.limit, "offset": 0}
        exact = {k: v for k, v in body.items() if k != "facets"}
        tones = [f"tones = {_quote(m)}" for m in marked]
        queries = [
            {**exact, **page, "filter": [*body["filter"], tones]},  # a nested list is an OR
            {**body, **page},
        ]
        if len(marked) > 1:
            queries.insert(0, {**exact, **page, "filter": [*body["filter"], *tones]})
        return "/multi-search", {"queries": queries}, True

    def search(self, query: SearchQuery) -> SearchResult:
        """Blocking search (CLI, jobs, tests); request handlers use :meth:`search_async`."""
        path, body, exact_first = self._search_request(query)
        try:
            answer = self._request("POST", path, body)
        except SearchUnavailableError as error:
            if "index_not_found" in str(error):  # nothing indexed yet: no hits, not an outage
                return SearchResult([], 0, {})
            raise
        return _result(query, answer, exact_first)

    async def search_async(self, query: SearchQuery) -> SearchResult:
        """The same search on the event loop: no worker-thread hop, no threads competing for
        the GIL (with 8 concurrent searches that hop and its contention were a quarter of the
        service's CPU per search, bench/bench_search.py)."""
        path, body, exact_first = self._search_request(query)
        session = self._async_session()
        try:
            async with session.post(path, data=orjson.dumps(body)) as response:
                content = await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as error:
            raise SearchUnavailableError(f"Meilisearch at {self.url}: {error!r}") from error
        if status >= 400:
            if b"index_not_found" in content:
                return SearchResult([], 0, {})
            text = content[:300].decode(errors="replace")
            raise SearchUnavailableError(f"Meilisearch POST {path}: {status} {text}")
        return _result(query, orjson.loads(content), exact_first)

    def _async_session(self) -> aiohttp.ClientSession:
        """This event loop's pooled connections (a session belongs to the loop it was made in;
        the app closes its loop's session at shutdown through :meth:`aclose`)."""
        loop = asyncio.get_running_loop()
        session = self._sessions.get(loop)
        if session is None or session.closed:
            session = aiohttp.ClientSession(
                base_url=self.url,
                headers={
                    "Authorization": f"Bearer {self.key}",
                    "Accept-Encoding": "identity",  # see the module docstring
                    "Content-Type": "application/json",
                },
                timeout=aiohttp.ClientTimeout(total=self._timeout, connect=2.0),
                auto_decompress=False,
            )
            with self._lock:
                self._sessions[loop] = session
        return session

    async def aclose(self) -> None:
        """Close the running loop's connections (the app's shutdown)."""
        with self._lock:
            session = self._sessions.pop(asyncio.get_running_loop(), None)
        if session is not None:
            await session.close()


def _result(query: SearchQuery, answer: dict[str, Any] | None, exact_first: bool) -> SearchResult:
    """Meilisearch's answer as a :class:`SearchResult`. A plain search comes highlighted by
    Meilisearch. A multi-search (exact tones first) is merged in query order without repeats,
    stable-sorted by how many marked words each hit holds exactly, cut to the page and
    highlighted here; its count and facets are those of the plain search, the last part."""
    if answer is None:
        return SearchResult([], 0, {})
    if exact_first:
        seen: set[str] = set()
        merged = []
        for part in answer["results"]:
            for hit in part["hits"]:
                if hit["id"] not in seen:
                    seen.add(hit["id"])
                    merged.append(hit)
        hits = rerank_exact_tone(query.q, merged, RERANK_FIELDS)
        hits = hits[query.offset : query.offset + query.limit]
        answer = answer["results"][-1]
        terms = fold_for_search(query.q).split()
        for hit in hits:
            hit["_formatted"] = {
                name: mark_terms(str(hit.get(name) or ""), terms, prefix_last=True)
                for name in ("title", "description")
            }
    else:
        hits = answer["hits"]
    results = [
        SearchHit(
            document=public_hit(hit),
            highlight={
                name: marked_html(str((hit.get("_formatted") or hit).get(name) or ""))
                for name in ("title", "description")
            },
        )
        for hit in hits
    ]
    facets = {
        name: {str(k): int(v) for k, v in values.items()}
        for name, values in (answer.get("facetDistribution") or {}).items()
    }
    return SearchResult(results, int(answer.get("estimatedTotalHits", 0)), facets)
