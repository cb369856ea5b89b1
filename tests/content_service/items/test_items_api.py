"""The item bank API: authoring, versions, review, access, search, preview and QTI export."""

from __future__ import annotations

import dataclasses
import io
import zipfile

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from content_service.models.jobs import JobRecord
from content_service.models.people import Role
from content_service.services.search.outbox import INDEX_JOB
from item_bank.formats.json_items import item_from_dict
from item_bank.items import ItemMetadata
from item_bank.packages import read_package
from item_bank.qti.importer import read_item
from tests.content_service.items.factories import choice_item, edited, publish
from tests.factories import bearer, create_school, create_user


def _count(db: Engine, table: str) -> int:
    with db.connect() as conn:
        return int(conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one())


@pytest.fixture
def people(client: TestClient, db: Engine) -> dict[str, dict[str, str]]:
    school = create_school(db)
    other_school = create_school(db, name="Trường THPT Nguyễn Thị Minh Khai")
    users = {
        "author": create_user(db, role=Role.TEACHER, school=school),
        "colleague": create_user(db, role=Role.TEACHER, school=school),
        "outsider": create_user(db, role=Role.TEACHER, school=other_school),
        "researcher": create_user(db, role=Role.RESEARCHER, school=None),
        "student": create_user(db, role=Role.STUDENT, school=school),
        "parent": create_user(db, role=Role.PARENT, school=None),
    }
    return {name: bearer(client, user) for name, user in users.items()}


def test_create_returns_the_item_with_a_draft_version(client: TestClient, people) -> None:
    response = client.post("/items", json={"item": choice_item()}, headers=people["author"])
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["identifier"] == "toan10-hs-001"
    assert [v["number"] for v in body["versions"]] == [1]
    latest = body["latest"]
    assert latest["status"] == "draft"
    assert latest["subject"] == "Toán"
    assert latest["cognitive_level"] == "nhan_biet"
    assert latest["content"]["correct"] == ["A"]
    assert item_from_dict(latest["content"]).identifier == "toan10-hs-001"
    assert body["can_edit"] is True


def test_invalid_item_is_refused_naming_the_field(client: TestClient, people, db: Engine) -> None:
    bad = choice_item(correct=["Z"])
    response = client.post("/items", json={"item": bad}, headers=people["author"])
    assert response.status_code == 422
    assert "correct" in response.json()["detail"]
    assert "Z" in response.json()["detail"]
    unknown = choice_item(colour="red")
    response = client.post("/items", json={"item": unknown}, headers=people["author"])
    assert response.status_code == 422
    assert "colour" in response.json()["detail"]
    assert _count(db, "item") == 0


def test_duplicate_identifier_is_a_conflict(client: TestClient, people) -> None:
    assert (
        client.post("/items", json={"item": choice_item()}, headers=people["author"]).status_code
        == 201
    )
    again = client.post("/items", json={"item": choice_item()}, headers=people["colleague"])
    assert again.status_code == 409
    assert "toan10-hs-001" in again.json()["detail"]


@pytest.mark.parametrize("who", ["student", "parent"])
def test_students_and_parents_never_reach_the_bank(client: TestClient, people, who: str) -> None:
    headers = people[who]
    created = client.post("/items", json={"item": choice_item()}, headers=people["author"])
    item_id = created.json()["id"]
    version_id = created.json()["latest"]["id"]
    calls = [
        client.get("/items", headers=headers),
        client.get(f"/items/{item_id}", headers=headers),
        client.get("/items/by-identifier/toan10-hs-001", headers=headers),
        client.get(f"/item-versions/{version_id}", headers=headers),
        client.get(f"/item-versions/{version_id}/qti", headers=headers),
        client.post("/items", json={"item": choice_item("x1")}, headers=headers),
        client.post("/items/preview", json={"item": choice_item()}, headers=headers),
        client.get(f"/items/export?ids={item_id}", headers=headers),
        client.post(
            "/items/imports",
            files={"file": ("a.txt", b"Q?\nA. a\nB. b\nANSWER: A\n")},
            headers=headers,
        ),
        client.post(
            "/assembly/forms",
            json={"blueprint": {"cells": [{"cognitive_level": "nhan_biet", "count": 1}]}},
            headers=headers,
        ),
    ]
    assert [c.status_code for c in calls] == [403] * len(calls)


def test_drafts_are_private_to_the_school_published_items_city_wide(
    client: TestClient, people
) -> None:
    created = client.post("/items", json={"item": choice_item()}, headers=people["author"])
    item_id = created.json()["id"]
    assert client.get(f"/items/{item_id}", headers=people["colleague"]).status_code == 200
    assert client.get(f"/items/{item_id}", headers=people["outsider"]).status_code == 404
    assert client.get("/items", headers=people["outsider"]).json()["total"] == 0
    assert client.get("/items", headers=people["colleague"]).json()["total"] == 1
    # the outsider cannot edit either
    put = client.put(f"/items/{item_id}", json={"item": choice_item()}, headers=people["outsider"])
    assert put.status_code == 403
    # submitted: reviewers anywhere see it; published: everyone on staff
    client.post(f"/items/{item_id}/submit", headers=people["author"])
    assert client.get(f"/items/{item_id}", headers=people["outsider"]).status_code == 200
    version_id = created.json()["latest"]["id"]
    client.post(
        f"/item-versions/{version_id}/reviews",
        json={"decision": "approve"},
        headers=people["researcher"],
    )
    assert (
        client.post(f"/item-versions/{version_id}/publish", headers=people["author"]).status_code
        == 200
    )
    # a new draft by the author's school is not shown to the outsider, the published one is
    client.put(
        f"/items/{item_id}",
        json={"item": edited(choice_item(), "Bản nháp mới")},
        headers=people["colleague"],
    )
    seen = client.get(f"/items/{item_id}", headers=people["outsider"]).json()
    assert [v["number"] for v in seen["versions"]] == [1]
    assert seen["latest"]["status"] == "published"
    listed = client.get("/items", headers=people["outsider"]).json()
    assert [(r["number"], r["status"]) for r in listed["items"]] == [(1, "published")]
    mine = client.get("/items", headers=people["author"]).json()
    assert [(r["number"], r["status"]) for r in mine["items"]] == [(2, "draft")]


def test_edit_in_place_then_new_version_after_submit(client: TestClient, people) -> None:
    item = choice_item()
    item_id = client.post("/items", json={"item": item}, headers=people["author"]).json()["id"]
    first = client.put(
        f"/items/{item_id}",
        json={"item": edited(item, "Sửa lỗi chính tả"), "change_note": "chính tả"},
        headers=people["colleague"],
    )
    assert first.status_code == 200
    assert [v["number"] for v in first.json()["versions"]] == [1]
    assert first.json()["latest"]["content"]["stem"] == "Sửa lỗi chính tả"
    client.post(f"/items/{item_id}/submit", headers=people["author"])
    second = client.put(
        f"/items/{item_id}", json={"item": edited(item, "Phiên bản 2")}, headers=people["author"]
    )
    body = second.json()
    assert [v["number"] for v in body["versions"]] == [1, 2]
    assert [v["status"] for v in body["versions"]] == ["in_review", "draft"]
    assert body["latest"]["content"]["stem"] == "Phiên bản 2"
    renamed = client.put(
        f"/items/{item_id}", json={"item": choice_item("doi-ten")}, headers=people["author"]
    )
    assert renamed.status_code == 422
    assert "identifier" in renamed.json()["detail"]


def test_review_rules_and_history(client: TestClient, people) -> None:
    created = client.post("/items", json={"item": choice_item()}, headers=people["author"]).json()
    item_id, version_id = created["id"], created["latest"]["id"]
    # not in review yet
    early = client.post(
        f"/item-versions/{version_id}/reviews",
        json={"decision": "approve"},
        headers=people["colleague"],
    )
    assert early.status_code == 409
    client.post(f"/items/{item_id}/submit", headers=people["author"])
    assert client.post(f"/items/{item_id}/submit", headers=people["author"]).status_code == 409
    own = client.post(
        f"/item-versions/{version_id}/reviews",
        json={"decision": "approve"},
        headers=people["author"],
    )
    assert own.status_code == 403
    assert (
        client.post(f"/item-versions/{version_id}/publish", headers=people["author"]).status_code
        == 409
    )
    client.post(
        f"/item-versions/{version_id}/reviews",
        json={"decision": "request_changes", "comment": "Phương án B gây nhầm lẫn"},
        headers=people["outsider"],
    )
    refused = client.post(f"/item-versions/{version_id}/publish", headers=people["author"])
    assert refused.status_code == 409
    assert "approval" in refused.json()["detail"]
    client.post(
        f"/item-versions/{version_id}/reviews",
        json={"decision": "approve", "comment": "Đã ổn"},
        headers=people["researcher"],
    )
    published = client.post(f"/item-versions/{version_id}/publish", headers=people["colleague"])
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    history = client.get(f"/items/{item_id}", headers=people["outsider"]).json()
    decisions = [(r["decision"], r["comment"]) for r in history["latest"]["reviews"]]
    assert decisions == [("request_changes", "Phương án B gây nhầm lẫn"), ("approve", "Đã ổn")]
    retired = client.post(f"/item-versions/{version_id}/retire", headers=people["author"])
    assert retired.json()["status"] == "retired"


def test_published_versions_cannot_be_changed_by_any_endpoint(client: TestClient, people) -> None:
    item = choice_item()
    v1 = publish(client, people["author"], people["researcher"], item)
    item_id, v1_id = v1["item_id"], v1["id"]
    before = client.get(f"/item-versions/{v1_id}", headers=people["author"]).json()
    attempts = [
        client.put(
            f"/items/{item_id}", json={"item": edited(item, "Đổi đề")}, headers=people["author"]
        ),
        client.post(f"/items/{item_id}/submit", headers=people["author"]),
        client.post(f"/item-versions/{v1_id}/publish", headers=people["author"]),
        client.post(
            f"/item-versions/{v1_id}/reviews",
            json={"decision": "request_changes"},
            headers=people["outsider"],
        ),
        client.put(f"/item-versions/{v1_id}", json={"item": item}, headers=people["author"]),
        client.patch(f"/item-versions/{v1_id}", json={"stem": "x"}, headers=people["author"]),
        client.delete(f"/item-versions/{v1_id}", headers=people["author"]),
        client.delete(f"/items/{item_id}", headers=people["author"]),
    ]
    assert attempts[0].status_code == 200  # a new draft, version 2
    assert attempts[1].status_code == 200  # version 2 goes to review
    assert attempts[2].status_code == 409  # v1 is already published
    assert attempts[3].status_code == 409  # v1 is not in review
    assert [a.status_code for a in attempts[4:]] == [405, 405, 405, 405]
    after = client.get(f"/item-versions/{v1_id}", headers=people["author"]).json()
    assert after["content"] == before["content"]
    assert after["content_hash"] == before["content_hash"]
    assert after["status"] == "published"
    detail = client.get(f"/items/{item_id}", headers=people["author"]).json()
    assert [(v["number"], v["status"]) for v in detail["versions"]] == [
        (1, "published"),
        (2, "in_review"),
    ]
    # publishing v2 retires v1, whose content still never changes
    v2_id = detail["latest"]["id"]
    client.post(
        f"/item-versions/{v2_id}/reviews", json={"decision": "approve"}, headers=people["colleague"]
    )
    assert (
        client.post(f"/item-versions/{v2_id}/publish", headers=people["author"]).status_code == 200
    )
    old = client.get(f"/item-versions/{v1_id}", headers=people["author"]).json()
    assert old["status"] == "retired"
    assert old["content"] == before["content"]


def test_search_filters(client: TestClient, people) -> None:
    for n, (subject, level) in enumerate(
        [("Toán", "nhan_biet"), ("Toán", "van_dung"), ("Vật lí", "nhan_biet")]
    ):
        item = choice_item(f"item-{n}", title=f"Câu {subject} {n}")
        item["metadata"] = {
            "subject": subject,
            "grade": 10 + n,
            "topic": "Chủ đề",
            "cognitive_level": level,
        }
        client.post("/items", json={"item": item}, headers=people["author"])

    def ids(**params: object) -> list[str]:
        body = client.get("/items", params=params, headers=people["author"]).json()
        return sorted(r["identifier"] for r in body["items"])

    assert ids(subject="Toán") == ["item-0", "item-1"]
    assert ids(cognitive_level="nhan_biet") == ["item-0", "item-2"]
    assert ids(grade=12) == ["item-2"]
    assert ids(kind="single_choice", status="draft") == ["item-0", "item-1", "item-2"]
    assert ids(status="published") == []
    assert ids(q="item-1") == ["item-1"]
    assert ids(q="Vật lí") == ["item-2"]
    page = client.get("/items", params={"limit": 2}, headers=people["author"]).json()
    assert page["total"] == 3
    assert len(page["items"]) == 2
    assert page["items"][0]["stem_preview"].startswith("Tập xác định")


PLAIN = choice_item(
    stem="Nghiệm của phương trình $2x = 4$ là số nào?",
    choices=[
        {"identifier": "A", "text": "$x = 2$", "feedback": "Đúng."},
        {"identifier": "B", "text": "$x = -2$"},
        {"identifier": "C", "text": "$x = 8$"},
    ],
)


def test_by_identifier_and_qti_export_round_trip(client: TestClient, people) -> None:
    # LaTeX commands with backslashes lose them in item_bank's QTI export (reported to the lead),
    # so this round trip uses maths without commands; metadata travels in packages (LOM) only.
    created = client.post("/items", json={"item": PLAIN}, headers=people["author"]).json()
    found = client.get("/items/by-identifier/toan10-hs-001", headers=people["colleague"])
    assert found.json()["id"] == created["id"]
    assert (
        client.get("/items/by-identifier/khong-co", headers=people["colleague"]).status_code == 404
    )
    qti = client.get(f"/item-versions/{created['latest']['id']}/qti", headers=people["author"])
    assert qti.status_code == 200
    assert qti.headers["content-type"].startswith("application/xml")
    assert "qti-assessment-item" in qti.text
    original = item_from_dict(created["latest"]["content"])
    again = read_item(qti.content, source="export.xml")
    assert again == dataclasses.replace(original, metadata=ItemMetadata())


def test_package_export_is_an_ims_content_package(client: TestClient, people) -> None:
    ids = []
    for n in range(3):
        body = client.post(
            "/items", json={"item": dict(PLAIN, identifier=f"goi-{n}")}, headers=people["author"]
        ).json()
        ids.append(body["id"])
    response = client.get(
        "/items/export",
        params={"ids": ",".join(ids), "format": "qti3_package"},
        headers=people["author"],
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert "imsmanifest.xml" in names
    assert sorted(n for n in names if n.startswith("items/")) == [
        f"items/goi-{n}.xml" for n in range(3)
    ]
    package = read_package(response.content, source="export.zip")
    assert sorted(i.identifier for i in package.items) == ["goi-0", "goi-1", "goi-2"]
    assert {i.metadata.subject for i in package.items} == {"Toán"}
    bad = client.get("/items/export", params={"ids": "not-a-uuid"}, headers=people["author"])
    assert bad.status_code == 422
    hidden = client.get("/items/export", params={"ids": ids[0]}, headers=people["outsider"])
    assert hidden.status_code == 404


def test_preview_renders_maths_and_key_and_lists_problems(client: TestClient, people) -> None:
    response = client.post("/items/preview", json={"item": choice_item()}, headers=people["author"])
    body = response.json()
    assert response.status_code == 200
    assert "<math" in body["html"]
    assert "item-choice-correct" in body["html"]
    assert "Biểu thức dưới căn không âm." in body["html"]
    assert body["problems"] == []
    broken = client.post(
        "/items/preview",
        json={"item": choice_item(stem="  ", correct=["Q"])},
        headers=people["author"],
    ).json()
    assert broken["html"] == ""
    assert any(p.startswith("stem") for p in broken["problems"])
    assert any(p.startswith("correct") for p in broken["problems"])


def test_publishing_and_retiring_queue_the_search_index(
    client: TestClient, people, db: Engine
) -> None:
    version = publish(client, people["author"], people["researcher"], choice_item())
    client.post(f"/item-versions/{version['id']}/retire", headers=people["author"])
    with Session(db) as session:
        jobs = session.exec(select(JobRecord).where(JobRecord.kind == INDEX_JOB)).all()
    assert [job.params for job in jobs] == [{"items": ["toan10-hs-001"]}] * 2
