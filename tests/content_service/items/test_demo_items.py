"""The item bank demo: the shipped Vietnamese items, published by the demo teacher, once."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from content_service.demo import DEMO_PASSWORD, load_demo
from content_service.demo_items import DEMO_ITEMS, load_items_demo
from tests.content_service.items.factories import FIXTURE


def test_demo_items_are_published_once_and_ship_in_the_package(
    client: TestClient, db: Engine
) -> None:
    assert DEMO_ITEMS.read_bytes() == FIXTURE.read_bytes()
    load_demo(db)
    with Session(db) as session:
        assert load_items_demo(session) == 96
    with Session(db) as session:
        assert load_items_demo(session) == 0
    login = client.post("/auth/login", json={"username": "gv.van", "password": DEMO_PASSWORD})
    assert login.status_code == 200
    listed = client.get("/items", params={"status": "published", "subject": "Ngữ văn"}).json()
    assert listed["total"] == 16
    first = client.get(f"/items/{listed['items'][0]['id']}").json()
    assert first["latest"]["reviews"][0]["decision"] == "approve"
