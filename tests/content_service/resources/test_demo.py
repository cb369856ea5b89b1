"""The demo loader publishes a findable collection and is idempotent."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from content_service.demo_resources import load_resources_demo
from content_service.jobs import run_until_empty
from content_service.settings import Settings


def test_demo_resources_are_published_and_findable(
    api: TestClient, db: Engine, app_settings: Settings
) -> None:
    with Session(db) as session:
        assert load_resources_demo(session) == 5
        assert load_resources_demo(session) == 0
    run_until_empty(app_settings, engine=db)
    found = api.get("/search", params={"q": "dien bien phu"}).json()
    assert [h["title"] for h in found["hits"]] == ["Chiến thắng Điện Biên Phủ 1954"]
    collections = api.get("/collections").json()["items"]
    assert len(collections[0]["resources"]) == 5
    page = api.get("/thu-vien/tim-kiem", params={"q": "ham so"})
    assert page.status_code == 200
    assert "<mark>" in page.text
    assert "<mark>Hàm</mark> <mark>số</mark> bậc hai" in page.text
