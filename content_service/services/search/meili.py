"""Meilisearch backend over plain httpx: every write's task is awaited and its status checked.

Measured facts this follows (DOMAIN.md §7): writes answer 202 even when they will fail, so each
task is polled to its final status; ``Accept-Encoding: identity`` on loopback (gzip made ~1 KB
responses 20x slower); after a failed write the kept-alive connection is dropped; documents are
POSTed whole (replace, safe to resend); ``matchingStrategy: frequency`` suits Vietnamese.
A full rebuild fills ``<uid>-rebuild-<random>``, swaps it with the live index and deletes it.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import httpx

from content_service.services.search.base import (
    FACETS,
    MARK_CLOSE,
    MARK_OPEN,
    RERANK_WINDOW,
    RETRIEVED,
    SearchHit,
    SearchQuery,
    SearchResult,
    SearchUnavailableError,
    finish_hits,
    is_toned,
    marked_html,
    public_hit,
)

SEARCHABLE = ["title", "keywords", "description", "creators", "subject_name"]
FILTERABLE = [*FACETS, "visibility"]
INDEX_SETTINGS: dict[str, Any] = {
    "searchableAttributes": SEARCHABLE,
    "filterableAttributes": FILTERABLE,
    "sortableAttributes": ["published_at"],
    "faceting": {"maxValuesPerFacet": 200},
}
BATCH = 10_000
TASK_TIMEOUT = 300.0


def _quote(value: str | int) -> str:
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def build_filter(query: SearchQuery) -> list[str]:
    """The Meilisearch filter: the audience first (not widenable), then the user's facets."""
    clauses: list[str] = []
    audience = query.audience
    if not audience.everything:
        if audience.school:
            school = _quote(audience.school)
            clauses.append(f"(visibility = public OR (visibility = school AND school = {school}))")
        else:
            clauses.append("visibility = public")
        if not audience.staff:
            clauses.append("doc_type = resource")
    for name, value in sorted(query.filters.items()):
        clauses.append(f"{name} = {_quote(value)}")
    return clauses


def _slim(document: dict[str, Any]) -> dict[str, Any]:
    # Meilisearch folds marks itself: the *_folded copies are for the FTS5 fallback only.
    return {k: v for k, v in document.items() if not k.endswith("_folded")}


class MeiliBackend:
    """One Meilisearch index, addressed by ``uid``."""

    name = "meilisearch"

    def __init__(self, url: str, key: str, uid: str, *, timeout: float = 10.0) -> None:
        self.url, self.key, self.uid = url.rstrip("/"), key, uid
        self._timeout = timeout
        self._lock = threading.Lock()
        self._client = self._new_client()

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
        content = None if body is None else json.dumps(body, ensure_ascii=False).encode()
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
        return response.json() if response.content else None

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

    def _create(self, uid: str) -> None:
        if self._request("GET", f"/indexes/{uid}") is None:
            try:
                self._wait(self._request("POST", "/indexes", {"uid": uid, "primaryKey": "id"}))
            except SearchUnavailableError as error:
                if "index_already_exists" not in str(error):  # a concurrent creator won
                    raise
        self._wait(self._request("PATCH", f"/indexes/{uid}/settings", INDEX_SETTINGS))

    def ensure_index(self) -> None:
        self._create(self.uid)

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

    def search(self, query: SearchQuery) -> SearchResult:
        window = is_toned(query.q) and query.offset + query.limit <= RERANK_WINDOW
        body: dict[str, Any] = {
            "q": query.q,
            "filter": build_filter(query),
            "facets": [name for name in query.facets if name in FACETS],
            "limit": RERANK_WINDOW if window else query.limit,
            "offset": 0 if window else query.offset,
            "attributesToRetrieve": list(RETRIEVED),
            "attributesToHighlight": ["title", "description"],
            "highlightPreTag": MARK_OPEN,
            "highlightPostTag": MARK_CLOSE,
            "matchingStrategy": "frequency",
        }
        try:
            answer = self._request("POST", f"/indexes/{self.uid}/search", body)
        except SearchUnavailableError as error:
            if "index_not_found" in str(error):  # nothing indexed yet: no hits, not an outage
                return SearchResult([], 0, {})
            raise
        if answer is None:
            return SearchResult([], 0, {})
        hits = finish_hits(query.q, answer["hits"], query.offset, query.limit, window)
        results = []
        for hit in hits:
            formatted = hit.get("_formatted") or {}
            results.append(
                SearchHit(
                    document=public_hit(hit),
                    highlight={
                        name: marked_html(str(formatted.get(name) or hit.get(name) or ""))
                        for name in ("title", "description")
                    },
                )
            )
        facets = {
            name: {str(k): int(v) for k, v in values.items()}
            for name, values in (answer.get("facetDistribution") or {}).items()
        }
        return SearchResult(results, int(answer.get("estimatedTotalHits", 0)), facets)
