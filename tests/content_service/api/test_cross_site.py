"""Cookie-authenticated writes must come from the service's own origin (CSRF defence)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from content_service.models.people import Role
from tests.factories import PASSWORD, bearer, create_school, create_user


def _log_in(client: TestClient, db: Engine) -> None:
    user = create_user(db, role=Role.TEACHER, school=create_school(db))
    response = client.post("/auth/login", json={"username": user.username, "password": PASSWORD})
    assert response.status_code == 200


def test_a_write_from_another_origin_is_refused_and_changes_nothing(
    client: TestClient, db: Engine
) -> None:
    _log_in(client, db)
    refused = client.post(
        "/me/tokens", json={"name": "evil"}, headers={"Origin": "https://evil.example"}
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "cross_site_request"
    assert client.get("/me/tokens").json() == []


def test_a_write_from_our_own_origin_or_without_origin_goes_through(
    client: TestClient, db: Engine
) -> None:
    _log_in(client, db)
    same = client.post("/me/tokens", json={"name": "a"}, headers={"Origin": "http://127.0.0.1"})
    assert same.status_code == 201
    plain = client.post("/me/tokens", json={"name": "b"})
    assert plain.status_code == 201
    assert sorted(t["name"] for t in client.get("/me/tokens").json()) == ["a", "b"]


def test_opaque_origin_and_cross_site_fetch_metadata_are_refused(
    client: TestClient, db: Engine
) -> None:
    _log_in(client, db)
    opaque = client.post("/me/tokens", json={"name": "x"}, headers={"Origin": "null"})
    metadata = client.post(
        "/me/tokens", json={"name": "y"}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert opaque.status_code == metadata.status_code == 403
    assert client.get("/me/tokens").json() == []


def test_bearer_token_clients_are_not_affected(client: TestClient, db: Engine) -> None:
    headers = bearer(client, create_user(db, role=Role.RESEARCHER, school=create_school(db)))
    response = client.post(
        "/me/tokens", json={"name": "script"}, headers={**headers, "Origin": "https://lab.example"}
    )
    assert response.status_code == 201
