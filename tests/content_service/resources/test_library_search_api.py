"""The library catalogue in GET /search: a title catalogued (or given a digital file) is indexed
through the outbox and found by its school's members, on Meilisearch and on the fallback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from content_service.jobs import run_until_empty
from content_service.main import create_app
from content_service.models.people import Role
from content_service.services.search import backend_for
from content_service.settings import Settings
from tests.content_service.resources.conftest import isolated
from tests.factories import bearer, create_school, create_user

BOOK = {
    "title": "Lịch sử Việt Nam",
    "subtitle": "Từ nguồn gốc đến thế kỷ X",
    "authors": ["Trần Quốc Vượng"],
    "isbn": "978-604-0-11111-1",
    "year": "2021",
    "subjects": ["Lịch sử"],
    "copies": [{"barcode": "LS-0001", "location": "Kho mở", "item_type": "book"}],
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(params=["meilisearch", "sqlite-fts5"])
def search_settings(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Settings]:
    built = (
        isolated(settings) if request.param == "meilisearch" else isolated(settings, MEILI_URL="")
    )
    yield built
    backend_for(built).drop()


def _search(client: TestClient, headers: dict[str, str], **params: str) -> dict:  # type: ignore[type-arg]
    response = client.get("/search", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_catalogued_titles_join_the_one_search(search_settings: Settings, db: Engine) -> None:
    with TestClient(create_app(search_settings), base_url="http://127.0.0.1") as client:
        school, other = create_school(db), create_school(db)
        librarian = bearer(client, create_user(db, role=Role.LIBRARIAN, school=school))
        student = bearer(client, create_user(db, role=Role.STUDENT, school=school))
        outsider = bearer(client, create_user(db, role=Role.STUDENT, school=other))
        created = client.post("/library/titles", json=BOOK, headers=librarian)
        assert created.status_code == 201, created.text
        title_id = created.json()["id"]
        run_until_empty(search_settings, engine=db)

        found = _search(
            client, student, q="lich su viet nam", doc_type="library", facets="type,school"
        )
        assert [h["identifier"] for h in found["hits"]] == [title_id]
        hit = found["hits"][0]
        assert hit["doc_type"] == "library"
        assert hit["type"] == ["print"]
        assert hit["school"] == school.code
        assert hit["language"] == "vi"
        assert found["facets"]["type"] == {"print": 1}
        assert _search(client, student, q="tran quoc vuong")["hits"][0]["identifier"] == title_id
        assert _search(client, outsider, q="lich su viet nam", doc_type="library")["total"] == 0
        assert _search(client, {}, q="lich su viet nam", doc_type="library")["total"] == 0
        assert _search(client, student, q="", type="digital", doc_type="library")["total"] == 0

        upload = client.post(
            f"/library/titles/{title_id}/digital",
            files={"file": ("lich-su.pdf", PDF, "application/pdf")},
            headers=librarian,
        )
        assert upload.status_code == 201, upload.text
        run_until_empty(search_settings, engine=db)
        digital = _search(client, student, q="lich su", type="digital")
        assert [h["identifier"] for h in digital["hits"]] == [title_id]
        assert digital["hits"][0]["type"] == ["print", "digital"]

        page = client.get(
            "/pages/library/search", params={"q": "lich su", "type": "digital"}, headers=student
        )
        assert page.status_code == 200, page.text
        assert f'href="/pages/library/titles/{title_id}"' in page.text
        assert "<mark>Lịch</mark>" in page.text
        assert "Tài liệu số" in page.text
        empty = client.get("/pages/library/search", params={"q": "lich su"}, headers=outsider)
        assert title_id not in empty.text
        assert client.get("/pages/library/search", follow_redirects=False).status_code == 303


def test_an_unknown_doc_type_is_refused_with_the_field_named(api: TestClient) -> None:
    response = api.get("/search", params={"doc_type": "magazine"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert any("doc_type" in error["loc"] for error in body["detail"])
