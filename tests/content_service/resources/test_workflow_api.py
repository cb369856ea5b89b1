"""The repository through its API: workflow, permissions, versions, files, search outbox."""

from __future__ import annotations

import io
import zipfile

from fastapi.testclient import TestClient
from fpdf import FPDF
from sqlalchemy import Engine

from content_service.jobs import run_until_empty
from content_service.models.people import Role
from content_service.settings import Settings
from tests.content_service.resources.builders import body, publish, staff
from tests.factories import bearer, create_school, create_user


def _search(api: TestClient, q: str, headers: dict[str, str] | None = None, **params: str) -> dict:
    response = api.get("/search", params={"q": q, **params}, headers=headers or {})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_publish_makes_it_findable_and_withdraw_removes_it(
    api: TestClient, db: Engine, app_settings: Settings
) -> None:
    school = create_school(db)
    author, reviewer = staff(api, db, school)
    identifier = publish(api, author, reviewer)
    run_until_empty(app_settings, engine=db)

    found = _search(api, "phuong trinh bac hai", facets="subject")
    assert [h["identifier"] for h in found["hits"]] == [identifier]
    assert "<mark>" in found["hits"][0]["highlight"]["title"]
    assert found["facets"]["subject"] == {"toan": 1}

    withdrawn = api.post(
        f"/resources/{identifier}/withdraw", json={"reason": "Sai đáp án ví dụ 2"}, headers=reviewer
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["state"] == "withdrawn"
    run_until_empty(app_settings, engine=db)
    assert _search(api, "phuong trinh bac hai")["hits"] == []
    assert api.get(f"/resources/{identifier}").status_code == 404


def test_only_the_schools_librarian_reviews(api: TestClient, db: Engine) -> None:
    school, other = create_school(db), create_school(db)
    author, _ = staff(api, db, school)
    _, foreign_librarian = staff(api, db, other)
    identifier = api.post("/resources", json=body(), headers=author).json()["identifier"]
    assert api.post(f"/resources/{identifier}/submit", headers=author).status_code == 200
    refused = api.post(f"/resources/{identifier}/start-review", headers=author)
    assert refused.status_code == 403
    assert (
        api.post(f"/resources/{identifier}/start-review", headers=foreign_librarian).status_code
        == 403
    )
    student = bearer(api, create_user(db, role=Role.STUDENT, school=school))
    assert api.post("/resources", json=body(), headers=student).status_code == 403


def test_reject_needs_a_reason_and_returns_the_draft(api: TestClient, db: Engine) -> None:
    school = create_school(db)
    author, reviewer = staff(api, db, school)
    identifier = api.post("/resources", json=body(), headers=author).json()["identifier"]
    api.post(f"/resources/{identifier}/submit", headers=author)
    api.post(f"/resources/{identifier}/start-review", headers=reviewer)
    no_reason = api.post(f"/resources/{identifier}/reject", headers=reviewer)
    assert no_reason.status_code == 409
    assert no_reason.json()["code"] == "illegal_transition"
    rejected = api.post(
        f"/resources/{identifier}/reject", json={"reason": "Thiếu lời giải"}, headers=reviewer
    )
    assert rejected.json()["state"] == "draft"
    assert rejected.json()["metadata"]["history"][-1]["reason"] == "Thiếu lời giải"


def test_published_versions_are_immutable(api: TestClient, db: Engine) -> None:
    school = create_school(db)
    author, reviewer = staff(api, db, school)
    identifier = publish(api, author, reviewer)
    edit = api.put(
        f"/resources/{identifier}", json=body(title="Đổi tên", kind=None) | {}, headers=author
    )
    assert edit.status_code in (409, 422)
    update = {k: v for k, v in body(title="Phương trình bậc hai (bản 2)").items() if k != "kind"}
    assert api.put(f"/resources/{identifier}", json=update, headers=author).status_code == 409
    draft = api.post(f"/resources/{identifier}/versions", headers=author)
    assert draft.status_code == 201
    assert draft.json()["version"] == 2
    changed = api.put(f"/resources/{identifier}", json=update, headers=author)
    assert changed.status_code == 200, changed.text
    public = api.get(f"/resources/{identifier}").json()
    assert public["version"] == 1
    assert public["title"] == "Phương trình bậc hai một ẩn"


def test_invalid_metadata_names_the_field(api: TestClient, db: Engine) -> None:
    school = create_school(db)
    author, _ = staff(api, db, school)
    identifier = api.post("/resources", json=body(grades=[]), headers=author).json()["identifier"]
    refused = api.post(f"/resources/{identifier}/submit", headers=author)
    assert refused.status_code == 422
    assert "education.grades" in refused.json()["detail"]
    bad_licence = api.post("/resources", json=body(licence="GPL-3.0"), headers=author)
    assert bad_licence.status_code == 422


def _pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=24)
    pdf.cell(text="Trang 1")
    return bytes(pdf.output())


def test_files_previews_counts_and_package(
    api: TestClient, db: Engine, app_settings: Settings
) -> None:
    school = create_school(db)
    author, reviewer = staff(api, db, school)
    created = api.post("/resources", json=body(kind="pdf", url=None), headers=author)
    identifier = created.json()["identifier"]
    upload = api.put(
        f"/resources/{identifier}/files/bai-giang.pdf",
        content=_pdf(),
        headers=author | {"Content-Type": "application/pdf"},
    )
    assert upload.status_code == 200, upload.text
    for event, headers in (("submit", author), ("start-review", reviewer), ("publish", reviewer)):
        assert api.post(f"/resources/{identifier}/{event}", headers=headers).status_code == 200

    preview = api.get(f"/resources/{identifier}/preview")
    assert preview.status_code == 200
    assert preview.headers["content-type"] == "image/png"
    assert preview.content.startswith(b"\x89PNG")
    download = api.get(f"/resources/{identifier}/files/bai-giang.pdf")
    assert download.content.startswith(b"%PDF")
    assert api.get(f"/resources/{identifier}").json()["download_count"] == 1

    collection = api.post("/collections", json={"title": "Toán 9"}, headers=author).json()
    unit = api.post(
        "/collections",
        json={"title": "Chương 4", "parent": collection["identifier"]},
        headers=author,
    ).json()
    added = api.post(
        f"/collections/{unit['identifier']}/resources",
        json={"resource": identifier},
        headers=author,
    )
    assert added.json()["resources"] == [identifier]
    package = api.get(f"/collections/{collection['identifier']}/package")
    assert package.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(package.content)).namelist()
    assert "imsmanifest.xml" in names
    assert "metadata.json" in names
    assert any(n.endswith("bai-giang.pdf") for n in names)


def test_school_visibility_is_enforced_by_search(
    api: TestClient, db: Engine, app_settings: Settings
) -> None:
    school, other = create_school(db), create_school(db)
    author, reviewer = staff(api, db, school)
    identifier = publish(
        api, author, reviewer, visibility="school", title="Đề cương nội bộ Hóa học"
    )
    run_until_empty(app_settings, engine=db)
    insider = bearer(api, create_user(db, role=Role.STUDENT, school=school))
    outsider = bearer(api, create_user(db, role=Role.STUDENT, school=other))
    assert [h["identifier"] for h in _search(api, "de cuong", insider)["hits"]] == [identifier]
    assert _search(api, "de cuong", outsider)["hits"] == []
    assert _search(api, "de cuong")["hits"] == []
    # A token that does not authenticate searches as anonymous, not as its claimed school.
    forged = {"Authorization": "Bearer " + insider["Authorization"].split()[-1][:-3] + "xyz"}
    assert _search(api, "de cuong", forged)["hits"] == []
    # A user's own filter cannot widen the audience.
    assert _search(api, "de cuong", outsider, school=school.code)["hits"] == []
    assert api.get(f"/resources/{identifier}", headers=outsider).status_code == 403


def test_embedded_fallback_serves_the_same_api(settings: Settings, db: Engine) -> None:
    from fastapi.testclient import TestClient as Client

    from content_service.main import create_app
    from content_service.services.search import backend_for
    from tests.content_service.resources.conftest import isolated

    fallback = isolated(settings, MEILI_URL="")
    with Client(create_app(fallback), base_url="http://127.0.0.1") as api:
        school = create_school(db)
        author, reviewer = staff(api, db, school)
        identifier = publish(api, author, reviewer, title="Đường tròn ngoại tiếp")
        run_until_empty(fallback, engine=db)
        found = _search(api, "duong tron")
        assert found["backend"] == "sqlite-fts5"
        assert [h["identifier"] for h in found["hits"]] == [identifier]
        assert "<mark>Đường</mark>" in found["hits"][0]["highlight"]["title"]
    backend_for(fallback).drop()


def _published_item(db: Engine, school_id: object) -> str:
    from sqlmodel import Session

    from content_service.models.base import utcnow
    from content_service.models.items import ItemRecord, ItemVersionRecord, VersionStatus

    with Session(db) as session:
        item = ItemRecord(identifier="toan9-pt-001", school_id=school_id)
        session.add(item)
        session.flush()
        content = {
            "identifier": "toan9-pt-001",
            "kind": "choice",
            "stem": "Nghiệm của phương trình x² - 5x + 6 = 0 là gì?",
            "choices": [{"identifier": "A", "text": "x = 2 và x = 3"}],
            "correct": ["A"],
            "rationale": "Đáp án bí mật: phân tích thành (x-2)(x-3)",
        }
        session.add(
            ItemVersionRecord(
                item_id=item.id,
                number=1,
                status=VersionStatus.PUBLISHED,
                content=content,
                content_hash="0" * 64,
                kind="choice",
                title="Phương trình bậc hai",
                subject="toan",
                grade=9,
                published_at=utcnow(),
            )
        )
        session.commit()
    return "toan9-pt-001"


def test_items_are_searchable_by_staff_without_their_keys(
    api: TestClient, db: Engine, app_settings: Settings
) -> None:
    school = create_school(db)
    item = _published_item(db, school.id)
    admin = bearer(api, create_user(db, role=Role.SYSTEM_ADMIN, school=None))
    job = api.post("/search/reindex", headers=admin)
    assert job.status_code == 202
    run_until_empty(app_settings, engine=db)
    assert api.get(f"/jobs/{job.json()['id']}", headers=admin).json()["status"] == "succeeded"
    teacher = bearer(api, create_user(db, role=Role.TEACHER, school=school))
    student = bearer(api, create_user(db, role=Role.STUDENT, school=school))
    hits = _search(api, "phuong trinh", teacher, doc_type="item")["hits"]
    assert [h["identifier"] for h in hits] == [item]
    assert "bí mật" not in str(hits)
    assert _search(api, "phuong trinh", student)["hits"] == []
