"""Bad input: malformed JSON, wrong types, unknown fields, oversized bodies: 4xx, one shape."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from content_service.models.people import Role
from tests.factories import bearer, create_school, create_user


@pytest.fixture
def admin_headers(client: TestClient, db: Engine) -> dict[str, str]:
    return bearer(client, create_user(db, role=Role.SCHOOL_ADMIN, school=create_school(db)))


def _assert_shape(response: object, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"detail", "code"}
    assert body["code"] == code
    return body


def test_malformed_json(client: TestClient, admin_headers: dict[str, str]) -> None:
    response = client.post(
        "/users",
        content=b'{"username": "x",',
        headers=admin_headers | {"content-type": "application/json"},
    )
    body = _assert_shape(response, 422, "validation_error")
    assert body["detail"][0]["type"] == "json_invalid"


def test_wrong_types_name_the_field(client: TestClient, admin_headers: dict[str, str]) -> None:
    response = client.post(
        "/users",
        json={"username": "abc", "full_name": "X", "role": "student", "password": 12345678},
        headers=admin_headers,
    )
    body = _assert_shape(response, 422, "validation_error")
    assert any(e["loc"] == ["body", "password"] for e in body["detail"])
    assert all("input" not in e for e in body["detail"])  # a password is never echoed back


def test_unknown_field_is_refused(client: TestClient, admin_headers: dict[str, str]) -> None:
    response = client.post(
        "/users",
        json={
            "username": "abcd",
            "full_name": "X",
            "role": "student",
            "password": "long-enough",
            "is_admin": True,
        },
        headers=admin_headers,
    )
    body = _assert_shape(response, 422, "validation_error")
    assert any(
        e["loc"] == ["body", "is_admin"] and e["type"] == "extra_forbidden" for e in body["detail"]
    )


def test_unknown_role_value(client: TestClient, admin_headers: dict[str, str]) -> None:
    response = client.post(
        "/users",
        json={"username": "abcd", "full_name": "X", "role": "king", "password": "long-enough"},
        headers=admin_headers,
    )
    _assert_shape(response, 422, "validation_error")


def test_oversized_body_is_413(client: TestClient, admin_headers: dict[str, str]) -> None:
    huge = b'{"name": "' + b"a" * (70 * 1024) + b'"}'
    response = client.post(
        "/me/tokens", content=huge, headers=admin_headers | {"content-type": "application/json"}
    )
    _assert_shape(response, 413, "payload_too_large")


def test_oversized_chunked_body_is_413(client: TestClient, admin_headers: dict[str, str]) -> None:
    def chunks() -> object:
        for _ in range(80):
            yield b"a" * 1024

    response = client.post(
        "/me/tokens", content=chunks(), headers=admin_headers | {"content-type": "application/json"}
    )
    _assert_shape(response, 413, "payload_too_large")


def test_bad_path_parameter_and_unknown_route(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    _assert_shape(client.get("/users/not-a-uuid", headers=admin_headers), 422, "validation_error")
    _assert_shape(client.get("/no/such/thing", headers=admin_headers), 404, "not_found")
    _assert_shape(client.put("/me", headers=admin_headers), 405, "method_not_allowed")


def test_page_size_is_bounded(client: TestClient, admin_headers: dict[str, str]) -> None:
    _assert_shape(
        client.get("/users", params={"limit": 100000}, headers=admin_headers),
        422,
        "validation_error",
    )
    ok = client.get("/users", params={"limit": 1, "offset": 0}, headers=admin_headers)
    assert ok.status_code == 200
    assert set(ok.json()) == {"items", "total", "limit", "offset"}


def test_duplicate_username_is_409_and_nothing_half_written(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    body = {
        "username": "trung",
        "full_name": "Phạm Trung",
        "role": "teacher",
        "password": "long-enough",
    }
    assert client.post("/users", json=body, headers=admin_headers).status_code == 201
    before = client.get("/audit", headers=admin_headers).json()["total"]
    _assert_shape(client.post("/users", json=body, headers=admin_headers), 409, "already_exists")
    assert client.get("/audit", headers=admin_headers).json()["total"] == before


def test_nul_character_is_refused_naming_the_field(client: TestClient) -> None:
    response = client.post("/auth/login", json={"username": "a\x00b", "password": "x"})
    body = _assert_shape(response, 422, "validation_error")
    assert body["detail"][0]["loc"] == ["body", "username"]


def test_nul_character_in_the_url_is_refused_naming_the_parameter(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    query = client.get("/jobs?kind=ab%00c", headers=admin_headers)
    assert query.status_code == 422
    assert query.json() == {"detail": "kind: NUL characters are not allowed",
                            "code": "nul_character"}  # fmt: skip
    path = client.get("/items/by-identifier/a%00b", headers=admin_headers)
    assert path.status_code == 422
    assert path.json()["code"] == "nul_character"
