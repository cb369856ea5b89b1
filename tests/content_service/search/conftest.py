"""A fresh index per test on each engine: real Meilisearch (MEILI_URL) and the FTS5 fallback."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from content_service.services.search import FtsBackend, MeiliBackend, SearchBackend


@pytest.fixture(params=["meilisearch", "sqlite-fts5"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchBackend]:
    uid = f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{uuid.uuid4().hex[:8]}"
    engine: SearchBackend
    if request.param == "meilisearch":
        url, key = os.environ.get("MEILI_URL"), os.environ.get("MEILI_MASTER_KEY")
        if not url or not key:
            pytest.fail("MEILI_URL and MEILI_MASTER_KEY must point at a running Meilisearch")
        engine = MeiliBackend(url, key, uid)
    else:
        engine = FtsBackend(tmp_path, uid)
    engine.ensure_index()
    yield engine
    engine.drop()
    engine.close()
