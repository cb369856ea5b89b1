"""A per-test search index (its own uid, dropped afterwards) and a client using it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from content_service.main import create_app
from content_service.services.search import backend_for
from content_service.settings import Settings


def isolated(settings: Settings, **changes: object) -> Settings:
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    return settings.model_copy(update={"SEARCH_INDEX_PREFIX": prefix, **changes})


@pytest.fixture
def app_settings(settings: Settings) -> Iterator[Settings]:
    built = isolated(settings)
    yield built
    backend_for(built).drop()


@pytest.fixture
def api(app_settings: Settings, db: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(app_settings), base_url="http://127.0.0.1") as client:
        yield client
