"""Time importing a 10,000-item QTI 3.0 package into the bank: service layer and HTTP endpoint.

The package is the one of ``bench_qti_import.py`` (same generator and seed: eight item kinds,
QTI-only interactions included). For each database (SQLite file, PostgreSQL on 127.0.0.1) it
measures, on a freshly migrated database:

* ``parse_s``: the domain reading alone (``read_package``, the peer measured in the same run);
* ``service_s``: ``item_imports.import_file`` in one transaction (read, validate, insert, commit);
* ``http_s``: ``POST /items/imports`` through the whole app (multipart upload, streaming to a
  temporary file, import in the request; the background threshold is raised for the run).

Run: ``nice -n 5 uv run python bench/bench_item_import.py [N_ITEMS]``. PostgreSQL is reached with
``BENCH_POSTGRES_ADMIN_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``); a
database ``cs_bench_item_import`` is created and dropped. Prints a table and writes
``bench/results/bench_item_import.json`` with the load average.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from content_service.db import make_async_engine, make_engine, make_sessionmaker, session_scope
from content_service.main import create_app
from content_service.migrations_runner import alembic_config
from content_service.models.people import Role, SchoolRecord, UserRecord
from content_service.security import hash_password
from content_service.services import item_imports
from content_service.services.auth import principal_for
from content_service.settings import Environment, Settings
from item_bank.packages import build_package, export_package, read_package

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_qti_import import generate

ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
PG_NAME = "cs_bench_item_import"
PASSWORD = "mật-khẩu-đo-hiệu-năng"


def build(count: int) -> bytes:
    rng = random.Random(20261123)
    items = [generate(i, rng) for i in range(count)]
    return export_package(build_package(items, identifier="bench-package"))


def _postgres() -> str:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{PG_NAME}"')
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_NAME


def _settings(backend: str, data_dir: Path) -> Settings:
    return Settings(
        ENVIRONMENT=Environment.TEST,
        DATA_DIR=data_dir,
        DATABASE_URL=_postgres() if backend == "postgresql" else "",
        SECRET_KEY="bench-secret-key-that-is-long-enough-0123456789",
        LOG_JSON=False,
        LOG_LEVEL="WARNING",
        MEILI_URL="",
        IMPORT_BACKGROUND_BYTES=1 << 30,  # import in the request: that is what is timed
    )


def _fresh(backend: str, data_dir: Path) -> tuple[Settings, UserRecord]:
    settings = _settings(backend, data_dir)
    command.upgrade(alembic_config(settings), "heads")
    engine = make_engine(settings)
    with Session(engine, expire_on_commit=False) as session:
        school = SchoolRecord(code=f"79-{uuid.uuid4().hex[:6]}", name="THPT Bench", province="HCM")
        session.add(school)
        session.flush()
        user = UserRecord(
            username=f"bench-{uuid.uuid4().hex[:6]}",
            full_name="Giáo viên đo",
            role=Role.TEACHER,
            school_id=school.id,
            password_hash=hash_password(PASSWORD),
        )
        session.add(user)
        session.commit()
    engine.dispose()
    return settings, user


async def _service_import(settings: Settings, user: UserRecord, data: bytes) -> int:
    engine = make_async_engine(settings)
    try:
        async with session_scope(make_sessionmaker(engine)) as session:
            principal = await principal_for(session=session, user=user)
            outcome = await item_imports.import_file(
                session=session,
                principal=principal,
                filename="bench.zip",
                data=data,
                data_dir=settings.DATA_DIR,
                max_bytes=settings.MAX_IMPORT_BYTES,
            )
        return len(outcome.imported)
    finally:
        await engine.dispose()


def _count(settings: Settings) -> int:
    engine = make_engine(settings)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM item_version")).scalar_one())
    finally:
        engine.dispose()


def _http_import(settings: Settings, user: UserRecord, data: bytes) -> tuple[float, int]:
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        login = client.post("/auth/login", json={"username": user.username, "password": PASSWORD})
        assert login.status_code == 200, login.text
        started = time.perf_counter()
        response = client.post("/items/imports", files={"file": ("bench.zip", data)})
        seconds = time.perf_counter() - started
    assert response.status_code == 200, response.text[:500]
    return seconds, len(response.json()["imported"])


def run(backend: str, data: bytes, count: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        read_package(data, source="bench.zip")
        parse = time.perf_counter() - started

        settings, user = _fresh(backend, Path(folder) / "service")
        started = time.perf_counter()
        imported = asyncio.run(_service_import(settings, user, data))
        service = time.perf_counter() - started
        assert imported == count == _count(settings), (imported, count)

        settings, user = _fresh(backend, Path(folder) / "http")
        http, imported = _http_import(settings, user, data)
        assert imported == count == _count(settings), (imported, count)
    if backend == "postgresql":
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
    return {
        "parse_s": round(parse, 2),
        "service_s": round(service, 2),
        "service_items_per_s": round(count / service),
        "http_s": round(http, 2),
        "http_items_per_s": round(count / http),
        "service_over_parse": round(service / parse, 2),
    }


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    data = build(count)
    result: dict[str, Any] = {
        "items": count,
        "zip_mb": round(len(data) / 1e6, 2),
        "load_average_before": os.getloadavg(),
    }
    for backend in ("sqlite", "postgresql"):
        result[backend] = run(backend, data, count)
        print(backend, result[backend], flush=True)
    result["load_average_after"] = os.getloadavg()
    print(json.dumps(result, indent=2))
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "bench_item_import.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
