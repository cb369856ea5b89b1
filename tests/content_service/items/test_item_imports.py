"""Imports through POST /items/imports: every shared QTI and Moodle fixture file, all or nothing."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from content_service.models.people import Role
from item_bank.formats.json_items import item_from_dict
from item_bank.qti.importer import read_item
from tests.factories import bearer, create_school, create_user

BROKEN = {
    # file name: what the refusal must name (the item, or the place of the problem)
    "aiken_errors.txt": "A question with too few answers",
    "broken_cloze_questions.xml": "Multianswer question without subquestions",
    "error_invalid_grades.xml": "invalid grades",
    "full-example.xml": "malformed XML",
}
_NOT_DATA = ("LICENSE", "NOTICE", "COPYING", "SOURCES", "README")


def _data_files(root: Path) -> list[Path]:
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and not p.name.startswith(_NOT_DATA) and p.suffix.lower() in (".xml", ".txt")
    )


def _rows(db: Engine, table: str) -> int:
    with db.connect() as conn:
        return int(conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one())


@pytest.fixture
def teacher(client: TestClient, db: Engine) -> dict[str, str]:
    return bearer(client, create_user(db, role=Role.TEACHER, school=create_school(db)))


def _upload(client: TestClient, headers: dict[str, str], name: str, data: bytes, fmt: str = "auto"):
    return client.post(
        "/items/imports", files={"file": (name, data)}, data={"format": fmt}, headers=headers
    )


def test_every_well_formed_fixture_file_imports(
    client: TestClient, db: Engine, teacher, test_material: Path
) -> None:
    files = [
        p
        for p in _data_files(test_material / "qti") + _data_files(test_material / "moodle")
        if p.name not in BROKEN
    ]
    assert len(files) >= 75
    imported_total = 0
    for path in files:
        response = _upload(client, teacher, path.name, path.read_bytes())
        assert response.status_code == 200, (path, response.text)
        report = response.json()
        assert report["file"] == path.name
        assert report["imported"] or report["skipped"], path
        for row in report["skipped"]:
            assert row["reason"], path
        imported_total += len(report["imported"])
    assert _rows(db, "item") == imported_total
    assert _rows(db, "item_version") == imported_total
    # the QTI 2.2 twins share identifiers with the QTI 3 items: skipped, never overwritten
    again = _upload(
        client, teacher, "choice.xml", (test_material / "qti/qti3/items/choice.xml").read_bytes()
    )
    assert again.json()["imported"] == []
    assert "already in the bank" in again.json()["skipped"][0]["reason"]


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_files_are_refused_and_leave_nothing(
    client: TestClient, db: Engine, teacher, test_material: Path, name: str
) -> None:
    (path,) = [p for p in _data_files(test_material) if p.name == name]
    before = (_rows(db, "item"), _rows(db, "item_version"))
    response = _upload(client, teacher, path.name, path.read_bytes())
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert name in detail
    assert BROKEN[name] in detail
    assert (_rows(db, "item"), _rows(db, "item_version")) == before


def test_a_broken_item_in_a_good_file_leaves_nothing(
    client: TestClient, db: Engine, teacher
) -> None:
    gift = "::Q1:: Thủ đô của Việt Nam là? {=Hà Nội ~Huế ~Đà Nẵng}\n\n::Q2:: Câu hỏi hỏng {=a ~b\n"
    response = _upload(client, teacher, "de-hong.gift.txt", gift.encode(), "gift")
    assert response.status_code == 422
    assert "de-hong.gift.txt" in response.json()["detail"]
    assert _rows(db, "item") == 0


def _zip_folder(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in folder.rglob("*"):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def test_content_packages_import_and_qti3_round_trip_through_the_api(
    client: TestClient, db: Engine, teacher, test_material: Path
) -> None:
    for folder in sorted((test_material / "qti/qti3/packages").iterdir()):
        response = _upload(client, teacher, f"{folder.name}.zip", _zip_folder(folder))
        assert response.status_code == 200, response.text
        assert response.json()["format"] == "qti_package"
        assert response.json()["imported"], folder
    not_a_zip = _upload(client, teacher, "goi.zip", b"PK\x03\x04 not really a zip")
    assert not_a_zip.status_code == 422
    assert "goi.zip" in not_a_zip.json()["detail"]
    # QTI 3.0 items: import, export through the API, re-import to an equal item
    for path in sorted((test_material / "qti/qti3/items").glob("*.xml")):
        report = _upload(client, teacher, path.name, path.read_bytes()).json()
        rows = report["imported"] or []
        for row in rows:
            version = client.get(f"/item-versions/{row['version_id']}", headers=teacher).json()
            exported = client.get(f"/item-versions/{row['version_id']}/qti", headers=teacher)
            assert exported.status_code == 200
            original = item_from_dict(version["content"])
            assert read_item(exported.content, source=path.name) == read_item(
                path.read_bytes(), source=path.name
            ), path.name
            assert original.identifier == row["identifier"]


def test_imports_have_their_own_body_limit(client: TestClient, teacher) -> None:
    # 70 KiB is over the test MAX_REQUEST_BYTES (64 KiB): refused on other endpoints...
    big_item = {"item": {"identifier": "x", "kind": "open_response", "stem": "a" * 70 * 1024}}
    refused = client.post("/items", json=big_item, headers=teacher)
    assert refused.status_code == 413
    assert refused.json()["code"] == "payload_too_large"
    # ...but an import may be up to MAX_IMPORT_BYTES
    response = _upload(client, teacher, "lon.xml", b"<quiz>" + b" " * (70 * 1024) + b"</quiz>")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "file": "lon.xml",
        "format": "moodle_xml",
        "imported": [],
        "skipped": [],
        "errors": [],
    }
