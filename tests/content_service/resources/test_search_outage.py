"""Killing Meilisearch during writes loses nothing: the outbox catches up once it is back."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from content_service.jobs import run_until_empty
from content_service.main import create_app
from content_service.models.jobs import JobRecord, JobStatus
from content_service.services.search import SearchQuery, backend_for
from content_service.services.search.outbox import INDEX_JOB, make_pending_runnable
from content_service.settings import Settings
from tests.content_service.resources.builders import publish, staff
from tests.content_service.resources.conftest import isolated
from tests.content_service.resources.live_server import free_port
from tests.factories import create_school

REPO = Path(__file__).resolve().parents[3]
KEY = "outage-test-master-key"


class ThrowAwayMeilisearch:
    def __init__(self, data: Path) -> None:
        self.data, self.port, self.pid = data, free_port(), 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        started = subprocess.run(
            [str(REPO / "scripts" / "meilisearch"), str(self.port), str(self.data), KEY],
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.pid = int(started.stdout.strip().splitlines()[-1])

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        for _ in range(100):
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
            try:
                os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                return


@pytest.fixture
def meili(tmp_path: Path) -> Iterator[ThrowAwayMeilisearch]:
    server = ThrowAwayMeilisearch(tmp_path / "meili")
    server.start()
    yield server
    server.kill()


def _titles(settings: Settings) -> set[str]:
    result = backend_for(settings).search(SearchQuery(q="", limit=100))
    return {hit.document["title"] for hit in result.hits}


def test_writes_during_an_outage_are_indexed_after_restart(
    settings: Settings, db: Engine, meili: ThrowAwayMeilisearch
) -> None:
    local = isolated(settings, MEILI_URL=meili.url, MEILI_MASTER_KEY=KEY)
    with TestClient(create_app(local), base_url="http://127.0.0.1") as api:
        author, reviewer = staff(api, db, create_school(db))
        publish(api, author, reviewer, title="Trước sự cố")
        run_until_empty(local, engine=db)
        assert _titles(local) == {"Trước sự cố"}

        meili.kill()
        down = api.get("/search", params={"q": "sự cố"})  # the request handlers' async client
        assert down.status_code == 503, down.text
        assert down.json()["code"] == "search_unavailable"
        assert meili.url in down.json()["detail"]
        during = [publish(api, author, reviewer, title=f"Trong sự cố {n}") for n in range(3)]
        withdrawn = api.post(
            f"/resources/{during[0]}/withdraw", json={"reason": "Nhầm tệp"}, headers=reviewer
        )
        assert withdrawn.status_code == 200  # writes are accepted while search is down
        run_until_empty(local, engine=db)
        with Session(db) as session:
            pending = session.exec(select(JobRecord).where(JobRecord.kind == INDEX_JOB)).all()
            assert sum(j.status == JobStatus.QUEUED for j in pending) == 4  # retrying, not lost
            assert all("Meilisearch" in j.error for j in pending if j.status == JobStatus.QUEUED)
        assert make_pending_runnable(db) == 4  # backing off: the catch-up wakes them

        meili.start()  # same data directory: the index survives the crash
        run_until_empty(local, engine=db)
        assert _titles(local) == {"Trước sự cố", "Trong sự cố 1", "Trong sự cố 2"}
        back = api.get("/search", params={"q": "trong su co"})  # reconnects by itself
        assert back.status_code == 200, back.text
        assert {h["title"] for h in back.json()["hits"]} == {"Trong sự cố 1", "Trong sự cố 2"}
    backend_for(local).drop()
