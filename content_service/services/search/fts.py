"""The embedded fallback: SQLite FTS5 in a side file, fed with our own Vietnamese folding.

Used when no Meilisearch is configured (``MEILI_URL`` empty), whatever the main database is: the
index lives in ``DATA_DIR/search/<uid>.sqlite3`` (on PostgreSQL too: one implementation, no
second full-text dialect to keep in step). FTS5's ``remove_diacritics`` does not fold ``đ``
(DOMAIN.md §7), so documents and queries are folded by :func:`fold_for_search` before FTS5 sees
them. What Meilisearch does by itself is added here: the last word is a prefix, a word not in
the vocabulary is replaced by vocabulary words one edit away (typos), and when every word
together matches nothing, any word may match (Meilisearch's ``frequency`` strategy, roughly).
A rebuild writes a new file and renames it over the live one (atomic on POSIX).
"""

from __future__ import annotations

import json
import os
import sqlite3
import string
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio.to_thread

from content_service.services.search.base import (
    FACETS,
    RERANK_FIELDS,
    SearchHit,
    SearchQuery,
    SearchResult,
    mark_terms,
    marked_html,
    public_hit,
)
from learning_resources import document_marked_syllables, fold_for_search, marked_syllables

_SCHEMA = """
CREATE TABLE IF NOT EXISTS doc (
    rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, body TEXT NOT NULL,
    doc_type TEXT, visibility TEXT, school TEXT);
CREATE TABLE IF NOT EXISTS facet (rowid INTEGER NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ix_facet ON facet (name, value, rowid);
CREATE INDEX IF NOT EXISTS ix_facet_row ON facet (rowid);
CREATE TABLE IF NOT EXISTS term (term TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    title, keywords, description, extra, tokenize = 'unicode61 remove_diacritics 2');
"""
# bm25 column weights: title, keywords, description, creators/subject names.
_RANK = "bm25(fts, 10.0, 5.0, 1.0, 2.0)"
_TONE = "~tone"  # facet rows of the marked syllables (not a facet anyone filters on)
_LETTERS = string.ascii_lowercase + string.digits


def _edits(word: str) -> set[str]:
    """Words one deletion, transposition, substitution or insertion away."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    inserts = {a + c + b for a, b in splits for c in _LETTERS}
    return (deletes | swaps | replaces | inserts) - {word}


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _text(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value if v)
    return str(value or "")


class FtsBackend:
    """One FTS5 index in a SQLite file."""

    name = "sqlite-fts5"

    def __init__(self, directory: Path, uid: str) -> None:
        self.directory, self.uid = directory, uid
        self.path = directory / f"{uid}.sqlite3"

    @contextmanager
    def _connect(self, path: Path | None = None) -> Iterator[sqlite3.Connection]:
        self.directory.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path or self.path, timeout=30, isolation_level=None)
        try:
            yield conn
        finally:
            conn.close()

    def ensure_index(self) -> None:
        with self._connect() as conn:
            conn.executescript(_SCHEMA)

    @staticmethod
    def _write(conn: sqlite3.Connection, documents: Sequence[dict[str, Any]]) -> None:
        ids = [d["id"] for d in documents]
        FtsBackend._remove(conn, ids)
        terms: set[str] = set()
        for document in documents:
            cursor = conn.execute(
                "INSERT INTO doc (id, body, doc_type, visibility, school) VALUES (?, ?, ?, ?, ?)",
                (
                    document["id"],
                    json.dumps(document, ensure_ascii=False),
                    document.get("doc_type"),
                    document.get("visibility"),
                    document.get("school"),
                ),
            )
            rowid = cursor.lastrowid
            texts = [
                fold_for_search(_text(document.get("title"))),
                fold_for_search(_text(document.get("keywords"))),
                fold_for_search(_text(document.get("description"))),
                fold_for_search(
                    _text(document.get("creators")) + " " + _text(document.get("subject_name"))
                ),
            ]
            conn.execute(
                "INSERT INTO fts (rowid, title, keywords, description, extra) "
                "VALUES (?, ?, ?, ?, ?)",
                (rowid, *texts),
            )
            for text in texts:
                terms.update(text.split())
            facets = []
            for name in FACETS:
                value = document.get(name)
                for item in value if isinstance(value, list) else [value]:
                    if item is not None and item != "":
                        facets.append((rowid, name, str(item)))
            # the marked syllables, to put exact-tone matches first (see _run)
            for syllable in document_marked_syllables(document, RERANK_FIELDS):
                facets.append((rowid, _TONE, syllable))
            conn.executemany("INSERT INTO facet (rowid, name, value) VALUES (?, ?, ?)", facets)
        conn.executemany("INSERT OR IGNORE INTO term (term) VALUES (?)", [(t,) for t in terms])

    @staticmethod
    def _remove(conn: sqlite3.Connection, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT rowid FROM doc WHERE id IN ({marks})"  # noqa: S608 - placeholders only
            rows = [r[0] for r in conn.execute(sql, chunk)]
            if not rows:
                continue
            row_marks = ",".join("?" * len(rows))
            for table in ("fts", "facet", "doc"):
                conn.execute(f"DELETE FROM {table} WHERE rowid IN ({row_marks})", rows)  # noqa: S608 - fixed table names

    def upsert(self, documents: Sequence[dict[str, Any]]) -> None:
        if not documents:
            return
        self.ensure_index()
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            self._write(conn, documents)
            conn.execute("COMMIT")

    def delete(self, ids: Sequence[str]) -> None:
        if not ids:
            return
        self.ensure_index()
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            self._remove(conn, ids)
            conn.execute("COMMIT")

    def count(self) -> int:
        if not self.path.exists():
            return 0
        with self._connect() as conn:
            return int(conn.execute("SELECT count(*) FROM doc").fetchone()[0])

    def drop(self) -> None:
        self.path.unlink(missing_ok=True)

    def close(self) -> None:
        """Nothing to release: every call opens and closes its own connection."""

    def rebuild(self, documents: Iterable[dict[str, Any]]) -> int:
        fresh = self.directory / f"{self.uid}.rebuild-{uuid.uuid4().hex[:8]}.sqlite3"
        count = 0
        with self._connect(fresh) as conn:
            conn.executescript(_SCHEMA)
            conn.execute("BEGIN")
            batch: list[dict[str, Any]] = []
            for document in documents:
                batch.append(document)
                if len(batch) == 2000:
                    self._write(conn, batch)
                    count, batch = count + len(batch), []
            self._write(conn, batch)
            count += len(batch)
            conn.execute("COMMIT")
        os.replace(fresh, self.path)  # readers holding the old file finish on it
        return count

    # --- searching ---------------------------------------------------------------------------

    def _alternatives(self, conn: sqlite3.Connection, token: str) -> list[str]:
        known = conn.execute("SELECT 1 FROM term WHERE term = ?", (token,)).fetchone()
        if known or len(token) < 4:
            return [token]
        candidates = sorted(_edits(token))
        found: list[str] = []
        for start in range(0, len(candidates), 900):
            chunk = candidates[start : start + 900]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT term FROM term WHERE term IN ({marks})"  # noqa: S608 - placeholders only
            found += [r[0] for r in conn.execute(sql, chunk)]
        return [token, *found]

    def _match(
        self, conn: sqlite3.Connection, tokens: list[str], joiner: str
    ) -> tuple[str, list[str]]:
        parts, terms = [], []
        for position, token in enumerate(tokens):
            options = self._alternatives(conn, token)
            terms += options
            quoted = [_quote(o) for o in options]
            if position == len(tokens) - 1:
                quoted.append(_quote(token) + "*")
            parts.append("(" + " OR ".join(quoted) + ")")
        return f" {joiner} ".join(parts), terms

    @staticmethod
    def _where(query: SearchQuery) -> tuple[str, list[Any]]:
        clauses, params = ["1"], []
        audience = query.audience
        if not audience.everything:
            if audience.school:
                clauses.append(
                    "(d.visibility = 'public' OR (d.visibility = 'school' AND d.school = ?))"
                )
                params.append(audience.school)
            else:
                clauses.append("d.visibility = 'public'")
            if not audience.staff:
                clauses.append("d.doc_type != 'item'")
        for name, value in sorted(query.filters.items()):
            clauses.append("d.rowid IN (SELECT rowid FROM facet WHERE name = ? AND value = ?)")
            params += [name, str(value)]
        return " AND ".join(clauses), params

    def _run(
        self,
        conn: sqlite3.Connection,
        query: SearchQuery,
        match: tuple[str, str] | None,
        limit: int,
        offset: int,
        marked: Sequence[str] = (),
    ) -> tuple[list[dict[str, Any]], int, dict[str, dict[str, int]]]:
        where, params = self._where(query)
        if match is None:
            base = f"SELECT d.rowid AS rowid, 0.0 AS score FROM doc d WHERE {where}"  # noqa: S608
            base_params, order, order_params = params, "m.score", []
        else:
            base = (
                f"SELECT d.rowid AS rowid, {_RANK} AS score FROM fts JOIN doc d "  # noqa: S608
                f"ON d.rowid = fts.rowid WHERE fts MATCH ? AND {where}"
            )
            base_params = [match[0], *params]
            # The query's words as one phrase (last one a prefix) rank before scattered matches.
            order = "m.rowid NOT IN (SELECT rowid FROM fts WHERE fts MATCH ?), m.score"
            order_params = [match[1]]
        if marked:
            # First the documents holding most of the query's marked words with exactly its
            # marks, at any depth of the result list.
            exact = (
                "(SELECT count(*) FROM facet t WHERE t.rowid = m.rowid AND t.name = ? "  # noqa: S608
                f"AND t.value IN ({','.join('?' * len(marked))})) DESC"
            )
            order, order_params = f"{exact}, {order}", [_TONE, *marked, *order_params]
        rows = conn.execute(
            f"WITH m AS ({base}) SELECT d.body FROM m JOIN doc d ON d.rowid = m.rowid "  # noqa: S608 - our clauses, values bound
            f"ORDER BY {order}, d.rowid LIMIT ? OFFSET ?",
            [*base_params, *order_params, limit, offset],
        ).fetchall()
        count_sql = f"WITH m AS ({base}) SELECT count(*) FROM m"  # noqa: S608 - values bound
        total = conn.execute(count_sql, base_params).fetchone()[0]
        facets: dict[str, dict[str, int]] = {}
        if not query.facets:
            return [json.loads(r[0]) for r in rows], int(total), facets
        for name, value, count in conn.execute(
            f"WITH m AS ({base}) SELECT f.name, f.value, count(*) FROM facet f "  # noqa: S608
            "WHERE f.rowid IN (SELECT rowid FROM m) GROUP BY f.name, f.value",
            base_params,
        ):
            if name in query.facets:
                facets.setdefault(name, {})[value] = count
        return [json.loads(r[0]) for r in rows], int(total), facets

    async def search_async(self, query: SearchQuery) -> SearchResult:
        # SQLite calls block: they run in a worker thread.
        return await anyio.to_thread.run_sync(self.search, query)

    async def aclose(self) -> None:
        """Nothing per event loop: each search opens its own SQLite connection."""

    def search(self, query: SearchQuery) -> SearchResult:
        self.ensure_index()
        tokens = fold_for_search(query.q).split()
        marked = sorted(marked_syllables(query.q))
        limit, offset = query.limit, query.offset
        with self._connect() as conn:
            terms: list[str] = []
            if not tokens:
                hits, total, facets = self._run(conn, query, None, limit, offset)
            else:
                phrase = _quote(" ".join(tokens)) + "*"
                match, terms = self._match(conn, tokens, "AND")
                found = (match, phrase)
                hits, total, facets = self._run(conn, query, found, limit, offset, marked)
                if total == 0 and len(tokens) > 1:
                    match, terms = self._match(conn, tokens, "OR")
                    found = (match, phrase)
                    hits, total, facets = self._run(conn, query, found, limit, offset, marked)
        return SearchResult(
            [
                SearchHit(
                    document=public_hit(hit),
                    highlight={
                        name: marked_html(
                            mark_terms(
                                _text(hit.get(name)), [*terms, tokens[-1]] if tokens else [], True
                            )
                        )
                        for name in ("title", "description")
                    },
                )
                for hit in hits
            ],
            total,
            facets,
        )
