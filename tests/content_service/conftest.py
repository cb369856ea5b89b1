"""Fixtures for the service: a real SQLite and a real PostgreSQL, schema from migrations, real app.

Every test of the service runs twice, once per database. The schema is built once per backend by
``alembic upgrade head``; after each test every table is emptied. (We do not use the savepoint
recipe because the app owns its async engine, created in its lifespan like in production; emptying
~10 small tables costs a few milliseconds.)
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import SQLModel

import content_service.models  # noqa: F401 - registers the tables
from content_service.db import make_engine
from content_service.main import create_app
from content_service.migrations_runner import alembic_config
from content_service.settings import Environment, Settings

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def _run_token() -> str:
    # Two test runs on one machine (a helper's and CI's, say) must not share a database: the
    # xdist run id is common to a run's workers; a plain run uses the process id.
    uid = os.environ.get("PYTEST_XDIST_TESTRUNUID") or str(os.getpid())
    return hashlib.sha1(uid.encode()).hexdigest()[:8]


def _postgres_url(worker: str) -> str:
    name = f"cs_test_{_run_token()}_{worker}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def _drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def meili_settings() -> dict[str, str]:
    url = os.environ.get("MEILI_URL")
    key = os.environ.get("MEILI_MASTER_KEY")
    if not url or not key:
        pytest.fail(
            "MEILI_URL and MEILI_MASTER_KEY must point at a running Meilisearch "
            "(scripts/test starts one); the tests do not skip without it"
        )
    return {"MEILI_URL": url, "MEILI_MASTER_KEY": key}


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def settings(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    data_dir = tmp_path_factory.mktemp(f"data-{request.param}")
    url = "" if request.param == "sqlite" else _postgres_url(worker)
    built = Settings(
        ENVIRONMENT=Environment.TEST,
        DATA_DIR=Path(data_dir),
        DATABASE_URL=url,
        SECRET_KEY="test-secret-key-that-is-long-enough-0123456789",
        LOG_JSON=False,
        LOG_LEVEL="WARNING",
        MAX_REQUEST_BYTES=64 * 1024,
        **meili_settings(),
    )
    command.upgrade(alembic_config(built), "heads")
    yield built
    if url:
        _drop_database(url)


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: Engine, settings: Settings) -> Iterator[Engine]:
    """The test's database, emptied afterwards."""
    yield engine
    with engine.begin() as conn:
        tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
        if settings.is_sqlite:
            for name in tables:
                conn.execute(text(f'DELETE FROM "{name}"'))
        else:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in tables) + " CASCADE"))


@pytest.fixture
def client(settings: Settings, db: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as test_client:
        yield test_client
