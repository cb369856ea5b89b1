"""/health and /ready against the real database and the real Meilisearch."""

from __future__ import annotations

from fastapi.testclient import TestClient

from content_service.main import create_app
from content_service.settings import Settings


def test_health(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}


def test_ready_when_database_and_search_answer(client: TestClient) -> None:
    response = client.get("/ready")
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "search": "ok"}}


def test_not_ready_when_search_is_down(settings: Settings) -> None:
    # Port 9 (discard) has no listener on loopback: the search check must fail, by name.
    broken = settings.model_copy(update={"MEILI_URL": "http://127.0.0.1:9"})
    with TestClient(create_app(broken), base_url="http://127.0.0.1") as client:
        response = client.get("/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "not_ready"
    assert body["detail"]["checks"]["database"] == "ok"
    assert body["detail"]["checks"]["search"].startswith("error")


def test_openapi_docs_are_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    schema = client.get("/openapi.json").json()
    assert "/auth/login" in schema["paths"]
