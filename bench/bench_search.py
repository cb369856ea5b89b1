"""Search benchmark: index 100,000 resources, then search through the service's own API.

Targets (issue #7): indexing ≤ 60 s; GET /search p95 ≤ 10 ms at 1 client, p99 ≤ 50 ms at 8.

Run: ``uv run python bench/bench_search.py [--documents 100000] [--fallback] [--workers 2]``.
Uses MEILI_URL / MEILI_MASTER_KEY when set, else starts a throw-away Meilisearch
(scripts/meilisearch) on a free port. ``--fallback`` measures the embedded SQLite FTS5 backend
instead. The app runs as production would: ``uvicorn --factory`` in its own processes with
uvloop and httptools (the default asyncio loop adds ~44 ms per keep-alive request with several
workers, uvicorn #3149), on a free loopback port with a fresh SQLite database. Searches are
anonymous and ask for no facets unless ``--facets`` names some (the API's default).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from alembic import command  # noqa: E402

from content_service.migrations_runner import alembic_config  # noqa: E402
from content_service.services.search import (  # noqa: E402
    MeiliBackend,
    SearchBackend,
    SearchQuery,
    backend_for,
)
from content_service.settings import Environment, Settings  # noqa: E402
from learning_resources import resource_document  # noqa: E402
from tests.content_service.resources.live_server import free_port  # noqa: E402
from tests.content_service.search.relevance import queries, records, to_resource  # noqa: E402

SEED = 20261123


def synthetic_documents(count: int) -> list[dict[str, Any]]:
    """``count`` documents recombined from the 200 judged records (titles, words, facets)."""
    rng = random.Random(SEED)
    base = records()
    words = [w for r in base for w in r["title"].split()]
    moment = datetime(2026, 9, 1, tzinfo=UTC)
    documents = []
    for index in range(count):
        record = dict(base[index % len(base)])
        extra = " ".join(rng.choice(words) for _ in range(3))
        record["id"] = f"bench-{index:06d}"
        record["title"] = f"{record['title']} {extra}"
        record["grade"] = rng.randint(1, 12)
        document = resource_document(to_resource(record, modified=moment, published_at=moment))
        documents.append(document)
    return documents


def start_meilisearch(data: Path, threads: int) -> tuple[str, str, int]:
    """A throw-away server. Meilisearch indexes with half the cores by default (one on this
    2-core machine); a search server of its own may use them all: ``threads``."""
    port, key = free_port(), "bench-master-key"
    started = subprocess.run(
        [str(ROOT / "scripts" / "meilisearch"), str(port), str(data), key],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ | {"MEILI_MAX_INDEXING_THREADS": str(threads)},
    )
    return f"http://127.0.0.1:{port}", key, int(started.stdout.strip().splitlines()[-1])


def start_service(settings: Settings, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    """``uvicorn --factory`` with the bench's settings in the environment; waits for /health."""
    port = free_port()
    env = os.environ | {
        "ENVIRONMENT": settings.ENVIRONMENT.value,
        "DATA_DIR": str(settings.DATA_DIR),
        "DATABASE_URL": settings.DATABASE_URL,
        "MEILI_URL": settings.MEILI_URL,
        "MEILI_MASTER_KEY": settings.MEILI_MASTER_KEY,
        "SEARCH_INDEX_PREFIX": settings.SEARCH_INDEX_PREFIX,
        "SECRET_KEY": settings.SECRET_KEY,
        "LOG_JSON": "false",
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "uvicorn", "content_service.main:app_from_environment"),
            *("--factory", "--host", "127.0.0.1", "--port", str(port)),
            *("--workers", str(workers), "--loop", "uvloop", "--http", "httptools"),
            *("--log-level", "warning", "--no-access-log"),
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300  # importing the app takes ~30 s on a loaded machine
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.2)
    process.terminate()
    raise RuntimeError("uvicorn did not start")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run_clients(
    base: str, clients: int, per_client: int, terms: list[str], facets: str = ""
) -> list[float]:
    timings: list[float] = []
    lock = threading.Lock()

    def client(offset: int) -> None:
        local = []
        headers = {"Accept-Encoding": "identity"}
        with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
            for n in range(per_client):
                q = terms[(offset + n) % len(terms)]
                started = time.perf_counter()
                params = {"q": q, "limit": 10, "facets": facets}
                response = http.get("/search", params=params)
                local.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text
        with lock:
            timings.extend(local)

    threads = [threading.Thread(target=client, args=(i * 7,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings


WRK_SCRIPT = r"""
-- GET /search cycling through the relevance set's queries (URL-encoded, one per line)
local terms, n, facets = {}, 0, ""
function init(args)
  for line in io.lines(args[1]) do table.insert(terms, line) end
  facets = args[2] or ""
  n = math.random(#terms)
end
function request()
  n = n + 1
  local path = "/search?limit=10&q=" .. terms[(n % #terms) + 1]
  if facets ~= "" then path = path .. "&facets=" .. facets end
  return wrk.format("GET", path, {["Accept-Encoding"] = "identity"})
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d non2xx=%d errors=%d p50=%d p95=%d p99=%d\n",
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def run_wrk(
    base: str, connections: int, seconds: int, terms: list[str], facets: str = ""
) -> dict[str, Any]:
    """The same searches from wrk, a C load generator: the client's own GIL and CPU stay out
    of the latency (the Python client above runs its 8 clients as threads of one process)."""
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "terms.txt"
        listing.write_text("".join(quote(t) + "\n" for t in terms))
        script = Path(tmp) / "search.lua"
        script.write_text(WRK_SCRIPT)
        threads = min(connections, 2)
        out = subprocess.run(
            ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
             "-s", str(script), base, "--", str(listing), facets],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    found = re.search(
        r"RESULT requests=(\d+) non2xx=(\d+) errors=(\d+) p50=(\d+) p95=(\d+) p99=(\d+)",
        out.stdout,
    )
    assert found, out.stdout + out.stderr
    requests, non2xx, errors, p50, p95, p99 = (int(v) for v in found.groups())
    assert non2xx == errors == 0, out.stdout
    return {
        "connections": connections,
        "requests": requests,
        "per_second": round(requests / seconds, 1),
        "p50_ms": round(p50 / 1000, 2),
        "p95_ms": round(p95 / 1000, 2),
        "p99_ms": round(p99 / 1000, 2),
    }


# The index settings before the tuning (issue #7 follow-up), indexed in the same run as the
# peer of the current ones: the machine is shared, so only same-run ratios mean anything.
LEGACY_SETTINGS: dict[str, Any] = {
    "searchableAttributes": ["title", "keywords", "description", "creators", "subject_name"],
    "filterableAttributes": [
        *("doc_type", "subject", "grade", "type", "kind", "licence", "language", "school"),
        "visibility",
    ],
    "sortableAttributes": ["published_at"],
    "faceting": {"maxValuesPerFacet": 200},
}


def index_peer(url: str, key: str, documents: list[dict[str, Any]]) -> tuple[float, float]:
    """Seconds to index ``documents`` with :data:`LEGACY_SETTINGS` and with the current ones."""
    timings = []
    for legacy in (True, False):
        uid = f"bench-peer-{uuid.uuid4().hex[:6]}"
        backend = MeiliBackend(url, key, uid, timeout=120)
        started = time.perf_counter()
        if legacy:
            slim = [{k: v for k, v in d.items() if not k.endswith("_folded")} for d in documents]
            backend._wait(backend._request("POST", "/indexes", {"uid": uid, "primaryKey": "id"}))
            backend._wait(backend._request("PATCH", f"/indexes/{uid}/settings", LEGACY_SETTINGS))
            tasks = [
                backend._request("POST", f"/indexes/{uid}/documents", slim[i : i + 10_000])
                for i in range(0, len(slim), 10_000)
            ]
            for task in tasks:
                backend._wait(task)
        else:
            backend.rebuild(iter(documents))
        timings.append(time.perf_counter() - started)
        backend.drop()
        backend.close()
    return timings[0], timings[1]


def run_backend(
    backend: SearchBackend, clients: int, per_client: int, terms: list[str]
) -> list[float]:
    """The peer of the API runs: the same searches through the backend object, in-process."""
    timings: list[float] = []
    lock = threading.Lock()

    def client(offset: int) -> None:
        local = []
        for n in range(per_client):
            query = SearchQuery(q=terms[(offset + n) % len(terms)], limit=10)
            started = time.perf_counter()
            backend.search(query)
            local.append((time.perf_counter() - started) * 1000)
        with lock:
            timings.extend(local)

    threads = [threading.Thread(target=client, args=(i * 7,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--fallback", action="store_true")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--wrk-seconds", type=int, default=10, help="each wrk run (1 and 8)")
    parser.add_argument("--facets", default="subject,grade,type", help="for the facet run")
    parser.add_argument(
        "--indexing-threads",
        type=int,
        default=os.cpu_count() or 2,
        help="MEILI_MAX_INDEXING_THREADS of the throw-away server",
    )
    parser.add_argument(
        "--peer-documents",
        type=int,
        default=20_000,
        help="also index this many with the old and the new settings (0: skip)",
    )
    args = parser.parse_args()
    load_at_start = os.getloadavg()

    work = Path(tempfile.mkdtemp(prefix="bench-search-"))
    meili_pid = 0
    try:
        if args.fallback:
            url, key = "", "unused"
        elif os.environ.get("MEILI_URL"):
            url, key = os.environ["MEILI_URL"], os.environ.get("MEILI_MASTER_KEY", "")
        else:
            url, key, meili_pid = start_meilisearch(work / "meili", args.indexing_threads)
        settings = Settings(
            ENVIRONMENT=Environment.TEST,
            DATA_DIR=work / "data",
            DATABASE_URL="",
            MEILI_URL=url,
            MEILI_MASTER_KEY=key,
            SEARCH_INDEX_PREFIX=f"bench-{uuid.uuid4().hex[:6]}",
            SECRET_KEY="bench-secret-key-that-is-long-enough-0123456789",
            LOG_JSON=False,
            LOG_LEVEL="WARNING",
        )
        command.upgrade(alembic_config(settings), "heads")

        started = time.perf_counter()
        documents = synthetic_documents(args.documents)
        built = time.perf_counter() - started
        backend = backend_for(settings)
        started = time.perf_counter()
        count = backend.rebuild(iter(documents))
        indexed = time.perf_counter() - started
        assert backend.count() == count == args.documents

        peer: dict[str, Any] = {}
        if url and args.peer_documents:
            legacy_s, current_s = index_peer(url, key, documents[: args.peer_documents])
            peer = {
                "documents": args.peer_documents,
                "legacy_settings_s": round(legacy_s, 1),
                "current_settings_s": round(current_s, 1),
                "ratio_current_to_legacy": round(current_s / legacy_s, 2),
            }

        terms = [q["query"] for q in queries()]
        run_backend(backend, 1, 50, terms)
        direct_one = run_backend(backend, 1, args.requests, terms)
        direct_eight = run_backend(backend, 8, args.requests // 2, terms)
        process, base = start_service(settings, args.workers)
        try:
            run_clients(base, 1, 50, terms)  # warm-up (both workers, connections, caches)
            run_clients(base, 8, 25, terms)
            one = run_clients(base, 1, args.requests, terms)
            eight = run_clients(base, 8, args.requests // 2, terms)
            facet_one = run_clients(base, 1, args.requests, terms, facets=args.facets)
            facet_eight = run_clients(base, 8, args.requests // 2, terms, facets=args.facets)
            wrk_one = run_wrk(base, 1, args.wrk_seconds, terms)
            wrk_eight = run_wrk(base, 8, args.wrk_seconds, terms)
        finally:
            process.terminate()
            process.wait(timeout=30)
        result = {
            "backend": backend.name,
            "documents": count,
            "build_documents_s": round(built, 1),
            "index_s": round(indexed, 1),
            "one_client": {
                "p50_ms": round(statistics.median(one), 2),
                "p95_ms": round(percentile(one, 0.95), 2),
            },
            "eight_clients": {
                "p50_ms": round(statistics.median(eight), 2),
                "p99_ms": round(percentile(eight, 0.99), 2),
            },
            "wrk_one_client": wrk_one,
            "wrk_eight_clients": wrk_eight,
            "peer_index": peer,
            "peer_backend_in_process": {
                "one_client_p50_ms": round(statistics.median(direct_one), 2),
                "one_client_p95_ms": round(percentile(direct_one, 0.95), 2),
                "eight_clients_p50_ms": round(statistics.median(direct_eight), 2),
                "eight_clients_p99_ms": round(percentile(direct_eight, 0.99), 2),
            },
            "api_to_backend_p50_ratio_one_client": round(
                statistics.median(one) / statistics.median(direct_one), 2
            ),
            "facets": args.facets,
            "facets_one_client": {
                "p50_ms": round(statistics.median(facet_one), 2),
                "p95_ms": round(percentile(facet_one, 0.95), 2),
            },
            "facets_eight_clients": {
                "p50_ms": round(statistics.median(facet_eight), 2),
                "p99_ms": round(percentile(facet_eight, 0.99), 2),
            },
            "workers": args.workers,
            "indexing_threads": None if os.environ.get("MEILI_URL") else args.indexing_threads,
            "load_average_at_start": load_at_start,
            "load_average_at_end": os.getloadavg(),
            "targets": {"index_s": 60, "one_client_p95_ms": 10, "eight_clients_p99_ms": 50},
        }
        print(json.dumps(result, indent=2))
        backend.drop()
    finally:
        if meili_pid:
            os.kill(meili_pid, signal.SIGTERM)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
