"""Catalogue, MARC exchange (read back by yaz-marcdump), digital items, inter-library loans,
statistics and the OAI-PMH union catalogue."""

from __future__ import annotations

import subprocess
from pathlib import Path

from fastapi.testclient import TestClient
from lxml import etree
from sqlalchemy import Engine

from content_service.main import create_app
from content_service.models.people import Role
from content_service.settings import Settings
from tests.content_service.library.library_factories import barcode, create_title
from tests.factories import bearer, create_school, create_user

BOOK = {
    "title": "Toán 10",
    "subtitle": "Tập hai",
    "authors": ["Hà Huy Khoái", "Cung Thế Anh"],
    "isbn": "978-604-0-00000-2",
    "ddc": "510.712",
    "publisher": "Nhà xuất bản Giáo dục Việt Nam",
    "place": "Hà Nội",
    "year": "2022",
    "subjects": ["Đại số", "Hình học"],
    "copies": [{"barcode": "TK-0001", "location": "Kho mở", "item_type": "textbook"}],
}
NS = {"o": "http://www.openarchives.org/OAI/2.0/", "m": "http://www.loc.gov/MARC21/slim"}


def test_catalogue_search_is_accent_insensitive(client: TestClient, db: Engine) -> None:
    school = create_school(db)
    staff = bearer(client, create_user(db, role=Role.LIBRARIAN, school=school))
    created = client.post("/library/titles", json=BOOK, headers=staff)
    assert created.status_code == 201, created.text
    assert created.json()["available_copies"] == 1
    create_title(db, school=school, title="Ngữ văn 10")
    student = bearer(client, create_user(db, role=Role.STUDENT, school=school))
    for query in ("toan", "Toán", "dai so", "HA HUY"):
        found = client.get("/library/titles", params={"q": query}, headers=student).json()
        assert [t["title"] for t in found["items"]] == ["Toán 10"], query
    assert (
        client.get("/library/titles", params={"q": "vật lý"}, headers=student).json()["total"] == 0
    )
    other = bearer(client, create_user(db, role=Role.STUDENT, school=create_school(db)))
    assert client.get(f"/library/titles/{created.json()['id']}", headers=other).status_code == 403


def test_duplicate_barcode_is_a_conflict(client: TestClient, db: Engine) -> None:
    school = create_school(db)
    staff = bearer(client, create_user(db, role=Role.LIBRARIAN, school=school))
    title = client.post("/library/titles", json=BOOK, headers=staff).json()
    again = client.post(
        f"/library/titles/{title['id']}/copies", json={"barcode": "TK-0001"}, headers=staff
    )
    assert again.status_code == 409
    assert again.json()["code"] == "already_exists"


def test_marc_export_reads_back_with_yaz_marcdump(
    client: TestClient, db: Engine, tmp_path: Path
) -> None:
    school = create_school(db)
    staff = bearer(client, create_user(db, role=Role.LIBRARIAN, school=school))
    client.post("/library/titles", json=BOOK, headers=staff)
    for fmt, yaz_format in (("iso2709", "marc"), ("marcxml", "marcxml")):
        response = client.get("/library/marc", params={"format": fmt}, headers=staff)
        assert response.status_code == 200
        path = tmp_path / f"export.{fmt}"
        path.write_bytes(response.content)
        dump = subprocess.run(
            ["/usr/bin/yaz-marcdump", "-i", yaz_format, "-o", "line", str(path)],
            capture_output=True,
            check=True,
        ).stdout.decode("utf-8")
        assert "245 10 $a Toán 10 $b Tập hai" in dump
        assert "700 1  $a Cung Thế Anh" in dump
        assert "650  4 $a Đại số" in dump
        assert "952    $p TK-0001 $c Kho mở $y textbook" in dump


def test_marc_import_creates_titles_and_copies(client: TestClient, db: Engine) -> None:
    source, target = create_school(db), create_school(db)
    source_staff = bearer(client, create_user(db, role=Role.LIBRARIAN, school=source))
    client.post("/library/titles", json=BOOK, headers=source_staff)
    data = client.get("/library/marc", params={"format": "marcxml"}, headers=source_staff).content
    data = data.replace(b"TK-0001", b"TK-0002")
    staff = bearer(client, create_user(db, role=Role.LIBRARIAN, school=target))
    imported = client.post(
        "/library/marc",
        files={"file": ("catalogue.xml", data, "application/xml")},
        data={"format": "marcxml"},
        headers=staff,
    )
    assert imported.status_code == 201, imported.text
    assert (imported.json()["titles"], imported.json()["copies"]) == (1, 1)
    title = client.get(f"/library/titles/{imported.json()['title_ids'][0]}", headers=staff).json()
    assert title["authors"] == ["Hà Huy Khoái", "Cung Thế Anh"]
    assert title["copies"][0]["barcode"] == "TK-0002"
    bad = client.post(
        "/library/marc",
        files={"file": ("x.mrc", b"00026nam  2200025   4500\x1e\x1d", "application/marc")},
        headers=staff,
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "bad_marc"
    assert "record 1" in bad.json()["detail"]


def test_digital_item_is_read_in_the_browser_by_members_only(
    client: TestClient, db: Engine
) -> None:
    school = create_school(db)
    staff = bearer(client, create_user(db, role=Role.LIBRARIAN, school=school))
    title, _ = create_title(db, school=school)
    pdf = b"%PDF-1.4\n% sach dien tu\n%%EOF\n"
    uploaded = client.post(
        f"/library/titles/{title.id}/digital",
        files={"file": ("de-men.pdf", pdf, "application/pdf")},
        headers=staff,
    )
    assert uploaded.status_code == 201, uploaded.text
    url = uploaded.json()["read_url"]
    student = bearer(client, create_user(db, role=Role.STUDENT, school=school))
    opened = client.get(url, headers=student)
    assert opened.status_code == 200
    assert opened.content == pdf
    assert opened.headers["content-disposition"].startswith("inline")
    outsider = bearer(client, create_user(db, role=Role.STUDENT, school=create_school(db)))
    assert client.get(url, headers=outsider).status_code == 403
    fake = client.post(
        f"/library/titles/{title.id}/digital",
        files={"file": ("x.pdf", b"<html>", "application/pdf")},
        headers=staff,
    )
    assert fake.status_code == 422
    assert fake.json()["code"] == "bad_file_content"


def test_inter_library_loan_workflow(client: TestClient, db: Engine) -> None:
    lender, borrower = create_school(db), create_school(db)
    lending = bearer(client, create_user(db, role=Role.LIBRARIAN, school=lender))
    borrowing = bearer(client, create_user(db, role=Role.LIBRARIAN, school=borrower))
    code = barcode()
    title, _ = create_title(db, school=lender, barcodes=(code,))
    request = client.post("/library/ill", json={"title_id": str(title.id)}, headers=borrowing)
    assert request.status_code == 201, request.text
    url = f"/library/ill/{request.json()['id']}/actions"
    out_of_turn = client.post(url, json={"action": "ship"}, headers=borrowing)
    assert out_of_turn.json()["code"] == "ill_wrong_side"
    steps = [
        (lending, {"action": "approve", "barcode": code}, "approved"),
        (lending, {"action": "ship"}, "shipped"),
        (borrowing, {"action": "receive"}, "received"),
        (borrowing, {"action": "return"}, "returned"),
        (lending, {"action": "complete"}, "completed"),
    ]
    for headers, body, expected in steps:
        response = client.post(url, json=body, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == expected
        if expected == "shipped":
            copy = client.get(f"/library/titles/{title.id}", headers=lending).json()["copies"][0]
            assert copy["status"] == "in_transit"
    copy = client.get(f"/library/titles/{title.id}", headers=lending).json()["copies"][0]
    assert copy["status"] == "available"
    assert client.get("/library/ill", headers=borrowing).json()["total"] == 1


def test_statistics_csv(client: TestClient, db: Engine) -> None:
    school = create_school(db)
    librarian = create_user(db, role=Role.LIBRARIAN, school=school)
    staff = bearer(client, librarian)
    student = create_user(db, role=Role.STUDENT, school=school)
    code = barcode()
    create_title(db, school=school, barcodes=(code, barcode()))
    client.post(
        "/library/checkouts", json={"barcode": code, "patron_id": str(student.id)}, headers=staff
    )
    response = client.get("/library/statistics.csv", headers=staff)
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[1] == "hạng bạn đọc,loại tài liệu,lượt mượn,đã trả,lượt gia hạn"
    assert "student,book,1,0,0" in lines
    assert lines[-2:] == ["số nhan đề,1", "số bản,2"]


def test_oai_identifiers_use_the_library_domain_setting(db: Engine, settings: Settings) -> None:
    create_title(db, school=create_school(db), barcodes=("OD-1",), title="Số đỏ")
    custom = settings.model_copy(update={"OAI_LIBRARY_DOMAIN": "thuvien.binhduong.edu.vn"})
    with TestClient(create_app(custom), base_url="http://127.0.0.1") as client:
        listed = client.get(
            "/library/oai", params={"verb": "ListIdentifiers", "metadataPrefix": "marc21"}
        )
    root = etree.fromstring(listed.content)
    identifiers = root.xpath("//o:header/o:identifier/text()", namespaces=NS)
    assert len(identifiers) == 1
    assert identifiers[0].startswith("oai:thuvien.binhduong.edu.vn:")


def test_oai_pmh_union_catalogue_in_marc21(client: TestClient, db: Engine) -> None:
    school = create_school(db, code="79-THPT-LQD")
    create_title(db, school=school, barcodes=("OA-1",), title="Truyện Kiều", authors=["Nguyễn Du"])
    formats = etree.fromstring(client.get("/library/oai?verb=ListMetadataFormats").content)
    assert formats.xpath("//o:metadataPrefix/text()", namespaces=NS) == ["oai_dc", "marc21"]
    sets = etree.fromstring(client.get("/library/oai?verb=ListSets").content)
    assert sets.xpath("//o:setSpec/text()", namespaces=NS) == ["school:79-THPT-LQD"]
    listed = client.post("/library/oai", data={"verb": "ListRecords", "metadataPrefix": "marc21"})
    root = etree.fromstring(listed.content)
    assert root.xpath("o:request/@metadataPrefix", namespaces=NS) == ["marc21"]
    titles = root.xpath("//m:datafield[@tag='245']/m:subfield[@code='a']/text()", namespaces=NS)
    assert titles == ["Truyện Kiều"]
    assert root.xpath("//m:datafield[@tag='952']/m:subfield[@code='p']/text()", namespaces=NS) == [
        "OA-1"
    ]
    identifier = root.xpath("//o:header/o:identifier/text()", namespaces=NS)[0]
    dc = etree.fromstring(
        client.get(
            "/library/oai",
            params={"verb": "GetRecord", "identifier": identifier, "metadataPrefix": "oai_dc"},
        ).content
    )
    assert dc.xpath("//*[local-name()='creator']/text()") == ["Nguyễn Du"]
    assert dc.xpath("//*[local-name()='rights']") == []  # no invented licence
    lom = etree.fromstring(
        client.get("/library/oai", params={"verb": "ListRecords", "metadataPrefix": "lom"}).content
    )
    assert lom.xpath("//o:error/@code", namespaces=NS) == ["cannotDisseminateFormat"]
    assert lom.xpath("o:request/@metadataPrefix", namespaces=NS) == ["lom"]
