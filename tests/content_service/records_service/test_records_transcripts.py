"""Signed transcripts: issued, checked by pyHanko and pdfsig, tampering caught, copies logged."""

from __future__ import annotations

import subprocess
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from content_service.settings import Settings
from tests.content_service.records_service.records_factories import (
    ensure_pki,
    full_year,
    make_class_world,
)
from tests.factories import bearer


def _issue(client: TestClient, db: Engine, settings: Settings):  # type: ignore[no-untyped-def]
    ensure_pki(settings.DATA_DIR)
    world = make_class_world(db)
    full_year(db, world)
    admin = bearer(client, world.admin)
    response = client.post(
        "/transcripts",
        json={"student_id": str(world.students[0].id), "class_id": str(world.klass.id)},
        headers=admin,
    )
    assert response.status_code == 201, response.text
    return world, admin, response.json()


def test_signed_transcript_validates_with_pyhanko_and_pdfsig(
    client: TestClient, db: Engine, settings: Settings, tmp_path: Path
) -> None:
    _world, admin, transcript = _issue(client, db, settings)
    assert [s["role"] for s in transcript["signers"]] == [
        "Giáo viên chủ nhiệm",
        "Hiệu trưởng",
        "Con dấu nhà trường",
    ]
    pdf = client.get(f"/transcripts/{transcript['id']}/pdf", headers=admin)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    verdict = client.post(
        "/transcripts/verify", files={"file": ("hb.pdf", pdf.content, "application/pdf")}
    ).json()  # public: no login
    assert verdict["authentic"] is True
    assert verdict["unchanged"] is True
    assert verdict["registered"] is True
    assert verdict["number"] == transcript["number"]
    assert [s["signer"] for s in verdict["signatures"]] == [
        "Trần Văn Bình",
        "Lê Thị Cúc",
        "Trường THPT Lê Quý Đôn",
    ]
    path = tmp_path / "hb.pdf"
    path.write_bytes(pdf.content)
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False).stdout
    assert out.count("Signature Validation: Signature is Valid.") == 3
    assert "Total document signed" in out  # the seal, last, covers the whole file
    detail = client.get(f"/transcripts/{transcript['id']}", headers=admin).json()
    subjects = {s["subject"]: s for s in detail["data"]["subjects"]}
    assert subjects["Toán"]["year"] == "7.6"
    assert subjects["Giáo dục thể chất"]["year"] == "Đạt"


def test_one_changed_byte_fails_verification_and_the_page_says_so(
    client: TestClient, db: Engine, settings: Settings, tmp_path: Path
) -> None:
    _world, admin, transcript = _issue(client, db, settings)
    original = client.get(f"/transcripts/{transcript['id']}/pdf", headers=admin).content
    tampered = bytearray(original)
    position = original.index(b"stream") + 40  # inside the first page's content, signed by all
    tampered[position] ^= 0x01
    verdict = client.post(
        "/transcripts/verify", files={"file": ("hb.pdf", bytes(tampered), "application/pdf")}
    ).json()
    assert verdict["authentic"] is False
    assert verdict["registered"] is False
    assert not any(s["intact"] for s in verdict["signatures"])
    path = tmp_path / "tampered.pdf"
    path.write_bytes(bytes(tampered))
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False).stdout
    assert "Signature is Valid." not in out
    page = client.post(
        "/pages/records/verify", files={"file": ("hb.pdf", bytes(tampered), "application/pdf")}
    )
    assert page.status_code == 200
    assert "KHÔNG hợp lệ" in page.text
    good = client.post(
        "/pages/records/verify", files={"file": ("hb.pdf", original, "application/pdf")}
    )
    assert "Học bạ hợp lệ" in good.text
    assert transcript["number"] in good.text
    junk = client.post("/transcripts/verify", files={"file": ("x.pdf", b"%PDF-1.7 junk", "a/b")})
    assert junk.status_code == 200
    assert junk.json()["authentic"] is False


def test_every_copy_is_logged_and_parents_read_only_their_child(
    client: TestClient, db: Engine, settings: Settings
) -> None:
    world, admin, transcript = _issue(client, db, settings)
    parent = bearer(client, world.parent)
    mine = client.get(
        "/transcripts", params={"student_id": str(world.students[0].id)}, headers=parent
    )
    assert mine.status_code == 200
    assert [t["number"] for t in mine.json()["items"]] == [transcript["number"]]
    assert client.get(f"/transcripts/{transcript['id']}/pdf", headers=parent).status_code == 200
    other = client.get(
        "/transcripts", params={"student_id": str(world.students[1].id)}, headers=parent
    )
    assert other.status_code == 403
    copies = client.get(f"/transcripts/{transcript['id']}/copies", headers=admin).json()
    assert [(c["format"], c["issued_to"]) for c in copies["items"]] == [
        ("pdf", str(world.parent.id))
    ]
    assert client.get(f"/transcripts/{transcript['id']}/copies", headers=parent).status_code == 403


def test_incomplete_year_is_not_signed(client: TestClient, db: Engine, settings: Settings) -> None:
    ensure_pki(settings.DATA_DIR)
    world = make_class_world(db)
    response = client.post(
        "/transcripts",
        json={"student_id": str(world.students[0].id), "class_id": str(world.klass.id)},
        headers=bearer(client, world.admin),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "incomplete_record"
