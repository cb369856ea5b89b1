"""Images of items: imported from QTI packages and Moodle XML, served with access rules, and
carried through a QTI 3.0 package export and re-import."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from content_service.models.people import Role
from item_bank.packages import read_package
from tests.content_service.items.factories import choice_item, publish_existing
from tests.factories import bearer, create_school, create_user

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
_ASSET = re.compile(r"/item-assets/([0-9a-f]{64})")


@pytest.fixture
def people(client: TestClient, db: Engine) -> dict[str, dict[str, str]]:
    school = create_school(db)
    other = create_school(db, name="Trường THCS Trần Đại Nghĩa")
    users = {
        "author": create_user(db, role=Role.TEACHER, school=school),
        "reviewer": create_user(db, role=Role.TEACHER, school=school),
        "outsider": create_user(db, role=Role.TEACHER, school=other),
        "student": create_user(db, role=Role.STUDENT, school=other),
    }
    return {name: bearer(client, user) for name, user in users.items()}


def _zip_folder(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def _import(client: TestClient, headers: dict[str, str], name: str, data: bytes) -> dict:
    response = client.post("/items/imports", files={"file": (name, data)}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _rows(db: Engine, sql: str) -> int:
    with db.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


def test_package_images_are_stored_served_and_exported(
    client: TestClient, db: Engine, people, test_material: Path, settings
) -> None:
    folder = test_material / "qti/qti3/packages/simple"
    sign = (folder / "images/sign.png").read_bytes()
    sha = hashlib.sha256(sign).hexdigest()
    report = _import(client, people["author"], "simple.zip", _zip_folder(folder))
    (row,) = report["imported"]
    version = client.get(f"/item-versions/{row['version_id']}", headers=people["author"]).json()
    assert f"/item-assets/{sha}" in version["content"]["stem"]
    assert "images/sign.png" not in str(version["content"])
    # stored once, content-addressed under DATA_DIR, linked to the version
    stored = settings.DATA_DIR / "item-assets" / sha[:2] / sha
    assert stored.read_bytes() == sign
    assert _rows(db, f"SELECT count(*) FROM item_version_asset WHERE sha256 = '{sha}'") == 1

    served = client.get(f"/item-assets/{sha}", headers=people["author"])
    assert served.status_code == 200
    assert served.content == sign
    assert served.headers["content-type"] == "image/png"
    assert served.headers["etag"] == f'"{sha}"'
    assert "immutable" in served.headers["cache-control"]
    assert served.headers["x-content-type-options"] == "nosniff"
    again = client.get(
        f"/item-assets/{sha}", headers={**people["author"], "If-None-Match": f'"{sha}"'}
    )
    assert again.status_code == 304
    # a draft's image: its author's school only; never to students
    for who in ("outsider", "student"):
        refused = client.get(f"/item-assets/{sha}", headers=people[who])
        assert refused.status_code == 404, who
        assert refused.json()["code"] == "asset_not_found"
    assert client.get(f"/item-assets/{sha}").status_code == 401
    page = client.get(f"/pages/items/{row['item_id']}", headers=people["author"])
    assert f'<img src="/item-assets/{sha}"' in page.text  # the detail page shows the image
    assert client.get("/item-assets/not-a-hash", headers=people["author"]).status_code == 404

    # once published, any signed-in user may load it (students are given published items)
    publish_existing(client, people["author"], people["reviewer"], row["item_id"])
    for who in ("outsider", "student"):
        assert client.get(f"/item-assets/{sha}", headers=people[who]).content == sign

    # the QTI 3.0 export carries the image and the item refers to it relatively
    exported = client.get("/items/export", params={"ids": row["item_id"]}, headers=people["author"])
    assert exported.status_code == 200
    package = read_package(exported.content, source="export.zip")
    assert package.files[f"assets/{sha}.png"] == sign
    (resource,) = [r for r in package.resources if r.identifier == row["identifier"]]
    assert f"assets/{sha}.png" in resource.files
    assert f"../assets/{sha}.png" in package.items[0].stem

    # round trip: empty the bank, re-import the export, get the same content back
    with db.begin() as conn:
        for table in ("item_version_asset", "item_review", "item_version", "item"):
            conn.execute(text(f"DELETE FROM {table}"))
    (again_row,) = _import(client, people["author"], "export.zip", exported.content)["imported"]
    reimported = client.get(
        f"/item-versions/{again_row['version_id']}", headers=people["author"]
    ).json()
    assert reimported["content"] == version["content"]


def test_moodle_embedded_files_become_assets(
    client: TestClient, db: Engine, people, test_material: Path
) -> None:
    path = test_material / "moodle/xml/truefalse.xml"
    report = _import(client, people["author"], path.name, path.read_bytes())
    assert report["imported"]
    shas: set[str] = set()
    for row in report["imported"]:
        content = client.get(
            f"/item-versions/{row['version_id']}", headers=people["author"]
        ).json()["content"]
        assert "data:image" not in str(content)
        shas.update(_ASSET.findall(str(content)))
    assert len(shas) >= 3  # logo, infos, thumbs up and down
    assert _rows(db, "SELECT count(*) FROM item_asset") == len(shas)
    for sha in shas:
        served = client.get(f"/item-assets/{sha}", headers=people["author"])
        assert served.headers["content-type"] == "image/jpeg"
        assert hashlib.sha256(served.content).hexdigest() == sha


def test_editor_uploads_checks_type_and_links_on_save(
    client: TestClient, db: Engine, people
) -> None:
    uploaded = client.post(
        "/item-assets", files={"file": ("hinh.png", PNG_1PX)}, headers=people["author"]
    )
    assert uploaded.status_code == 201, uploaded.text
    body = uploaded.json()
    assert body["media_type"] == "image/png"
    assert body["url"] == f"/item-assets/{hashlib.sha256(PNG_1PX).hexdigest()}"
    # the uploader sees it before any item uses it; nobody else does
    assert client.get(body["url"], headers=people["author"]).status_code == 200
    assert client.get(body["url"], headers=people["reviewer"]).status_code == 404
    # a text file named .png is refused by its content; students cannot upload
    fake = client.post(
        "/item-assets",
        files={"file": ("x.png", b"<script>alert(1)</script>")},
        headers=people["author"],
    )
    assert fake.status_code == 422
    assert fake.json()["code"] == "asset_type_refused"
    assert "x.png" in fake.json()["detail"]
    student = client.post(
        "/item-assets", files={"file": ("a.png", PNG_1PX)}, headers=people["student"]
    )
    assert student.status_code == 403
    # an item using the upload links it; its school's staff may now load it
    item = choice_item("dia10-anh", stem=f"Quan sát hình: ![bản đồ]({body['url']})")
    created = client.post("/items", json={"item": item}, headers=people["author"])
    assert created.status_code == 201, created.text
    assert client.get(body["url"], headers=people["reviewer"]).status_code == 200
    # an address that is no stored asset is refused, naming it
    missing = "/item-assets/" + "0" * 64
    bad = client.post(
        "/items",
        json={"item": choice_item("dia10-thieu", stem=f"![x]({missing})")},
        headers=people["author"],
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "asset_not_found"
    assert missing in bad.json()["detail"]
    assert _rows(db, "SELECT count(*) FROM item WHERE identifier = 'dia10-thieu'") == 0
