"""Search benchmark: index 100,000 resources, then search through the service's own API.

Targets (issue #7): indexing ≤ 60 s; GET /search p95 ≤ 10 ms at 1 client, p99 ≤ 50 ms at 8.

Run: ``uv run python bench/bench_search.py [--documents 100000] [--fallback]``. Uses MEILI_URL /
MEILI_MASTER_KEY when set, else starts a throw-away Meilisearch (scripts/meilisearch) on a free
port. ``--fallback`` measures the embedded SQLite FTS5 backend instead. The app runs under
uvicorn on a free loopback port with a fresh SQLite database; searches are anonymous.
"""

from __future__ import annotations

import argparse
import json
import os
import random
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

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from alembic import command  # noqa: E402

from content_service.main import create_app  # noqa: E402
from content_service.migrations_runner import alembic_config  # noqa: E402
from content_service.services.search import backend_for  # noqa: E402
from content_service.settings import Environment, Settings  # noqa: E402
from learning_resources import resource_document  # noqa: E402
from tests.content_service.resources.live_server import free_port, serve  # noqa: E402
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


def start_meilisearch(data: Path) -> tuple[str, str, int]:
    port, key = free_port(), "bench-master-key"
    started = subprocess.run(
        [str(ROOT / "scripts" / "meilisearch"), str(port), str(data), key],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return f"http://127.0.0.1:{port}", key, int(started.stdout.strip().splitlines()[-1])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run_clients(
    base: str, clients: int, per_client: int, terms: list[str], facets: bool = True
) -> list[float]:
    timings: list[float] = []
    lock = threading.Lock()

    def client(offset: int) -> None:
        local = []
        with httpx.Client(base_url=base, headers={"Accept-Encoding": "identity"}) as http:
            for n in range(per_client):
                q = terms[(offset + n) % len(terms)]
                started = time.perf_counter()
                params = {"q": q, "limit": 10} | ({} if facets else {"facets": ""})
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--fallback", action="store_true")
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-search-"))
    meili_pid = 0
    try:
        if args.fallback:
            url, key = "", "unused"
        elif os.environ.get("MEILI_URL"):
            url, key = os.environ["MEILI_URL"], os.environ.get("MEILI_MASTER_KEY", "")
        else:
            url, key, meili_pid = start_meilisearch(work / "meili")
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

        terms = [q["query"] for q in queries()]
        with serve(create_app(settings)) as base:
            run_clients(base, 1, 50, terms)  # warm-up
            one = run_clients(base, 1, args.requests, terms)
            eight = run_clients(base, 8, args.requests // 2, terms)
            plain_one = run_clients(base, 1, args.requests, terms, facets=False)
            plain_eight = run_clients(base, 8, args.requests // 2, terms, facets=False)
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
            "no_facets_one_client": {
                "p50_ms": round(statistics.median(plain_one), 2),
                "p95_ms": round(percentile(plain_one, 0.95), 2),
            },
            "no_facets_eight_clients": {
                "p50_ms": round(statistics.median(plain_eight), 2),
                "p99_ms": round(percentile(plain_eight, 0.99), 2),
            },
            "load_average": os.getloadavg()[0],
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
