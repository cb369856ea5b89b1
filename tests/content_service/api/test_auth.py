"""Logging in, sessions, personal tokens."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from content_service.models.people import Role
from tests.factories import PASSWORD, bearer, create_school, create_user


def test_login_sets_a_session_cookie_that_authenticates(client: TestClient, db: Engine) -> None:
    school = create_school(db)
    user = create_user(db, role=Role.TEACHER, school=school, username="cohoa")
    response = client.post("/auth/login", json={"username": "CoHoa", "password": PASSWORD})
    assert response.status_code == 200
    assert response.json()["user"]["username"] == "cohoa"
    assert "cs_session" in response.cookies or client.cookies.get("cs_session")
    me = client.get("/me")
    assert me.status_code == 200
    assert me.json()["id"] == str(user.id)
    assert client.post("/auth/logout").status_code == 204
    assert client.get("/me").status_code == 401


def test_wrong_password_and_unknown_user_look_the_same(client: TestClient, db: Engine) -> None:
    create_user(db, role=Role.STUDENT, school=create_school(db), username="hocsinh")
    wrong = client.post("/auth/login", json={"username": "hocsinh", "password": "sai-mat-khau"})
    unknown = client.post("/auth/login", json={"username": "khongco", "password": "sai-mat-khau"})
    assert wrong.status_code == unknown.status_code == 401
    assert (
        wrong.json()
        == unknown.json()
        == {"detail": "wrong username or password", "code": "invalid_credentials"}
    )


def test_disabled_account_cannot_log_in(client: TestClient, db: Engine) -> None:
    create_user(
        db, role=Role.STUDENT, school=create_school(db), username="nghihoc", is_active=False
    )
    response = client.post("/auth/login", json={"username": "nghihoc", "password": PASSWORD})
    assert response.status_code == 401
    assert response.json()["code"] == "account_disabled"


def test_personal_token_works_until_revoked(client: TestClient, db: Engine) -> None:
    user = create_user(db, role=Role.RESEARCHER, school=create_school(db))
    headers = bearer(client, user)
    assert client.get("/me", headers=headers).json()["username"] == user.username
    tokens = client.get("/me/tokens", headers=headers).json()
    assert [t["name"] for t in tokens] == ["test"]
    assert "token" not in tokens[0]  # the secret is shown only once, at creation
    assert client.delete(f"/me/tokens/{tokens[0]['id']}", headers=headers).status_code == 204
    response = client.get("/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_garbage_bearer_token_is_refused(client: TestClient) -> None:
    response = client.get("/me", headers={"Authorization": "Bearer cs_not-a-token"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_someone_elses_token_cannot_be_revoked(client: TestClient, db: Engine) -> None:
    school = create_school(db)
    alice = create_user(db, role=Role.TEACHER, school=school)
    bob = create_user(db, role=Role.TEACHER, school=school)
    alice_headers = bearer(client, alice)
    bob_headers = bearer(client, bob)
    alice_token = client.get("/me/tokens", headers=alice_headers).json()[0]["id"]
    response = client.delete(f"/me/tokens/{alice_token}", headers=bob_headers)
    assert response.status_code == 404
    assert client.get("/me", headers=alice_headers).status_code == 200
