"""MARC 21 records: round trips through ISO 2709 and MARCXML, and Debian's yaz-marcdump reads
what we write with the Vietnamese intact."""

from __future__ import annotations

import subprocess
import unicodedata
from pathlib import Path

import pymarc
import pytest

from learning_resources.marc import (
    CatalogueRecord,
    Holding,
    MarcError,
    from_marc,
    read_iso2709,
    read_marcxml,
    to_marc,
    write_iso2709,
    write_marcxml,
)

RECORD = CatalogueRecord(
    title="Tiếng Việt lớp 5",
    subtitle="Tập một",
    authors=("Nguyễn Minh Thuyết", "Đỗ Việt Hùng"),
    isbn="9786040000001",
    ddc="495.922",
    publisher="Nhà xuất bản Giáo dục Việt Nam",
    place="Hà Nội",
    year="2024",
    subjects=("Tiếng Việt", "Sách giáo khoa"),
    summary="Sách giáo khoa môn Tiếng Việt theo Chương trình GDPT 2018.",
    control_number="t-0001",
    holdings=(Holding("TV000001", "Kho mở", "textbook"), Holding("TV000002", "Kho đóng")),
)


def test_fields_follow_marc21() -> None:
    marc = to_marc(RECORD)
    assert marc.leader[9] == "a"  # UTF-8
    assert marc["245"]["a"] == "Tiếng Việt lớp 5"
    assert marc["245"].indicators == pymarc.Indicators("1", "0")
    assert marc["100"]["a"] == "Nguyễn Minh Thuyết"
    assert [f["a"] for f in marc.get_fields("700")] == ["Đỗ Việt Hùng"]
    assert marc["041"]["a"] == "vie"
    assert marc["008"].data[35:38] == "vie"
    assert marc["082"]["a"] == "495.922"
    assert [f["p"] for f in marc.get_fields("952")] == ["TV000001", "TV000002"]


@pytest.mark.parametrize("kind", ["iso2709", "marcxml"])
def test_round_trip(kind: str) -> None:
    data = write_iso2709([RECORD, RECORD]) if kind == "iso2709" else write_marcxml([RECORD])
    records = read_iso2709(data) if kind == "iso2709" else read_marcxml(data)
    assert records[0] == RECORD


def test_nfd_input_is_stored_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Toán học")
    record = CatalogueRecord(title=decomposed)
    assert record.title == "Toán học"
    assert read_iso2709(write_iso2709([record]))[0].title == unicodedata.normalize(
        "NFC", decomposed
    )


def test_isbd_punctuation_is_dropped_on_import() -> None:
    marc = to_marc(CatalogueRecord(title="x"))
    marc["245"]["a"] = "Lịch sử Việt Nam /"
    assert from_marc(marc).title == "Lịch sử Việt Nam"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<collection xmlns='http://www.loc.gov/MARC21/slim'><record>", "not well-formed"),
        (
            b"<record xmlns='http://www.loc.gov/MARC21/slim'><leader>00000nam a2200000 a 4500"
            b"</leader></record>",
            "record 1: record has no title",
        ),
    ],
)
def test_bad_marcxml_is_refused_with_the_record_number(data: bytes, message: str) -> None:
    with pytest.raises(MarcError, match=message):
        read_marcxml(data)


def test_truncated_iso2709_is_refused() -> None:
    data = write_iso2709([RECORD])
    with pytest.raises(MarcError, match="record 1"):
        read_iso2709(data[:-40])


def test_empty_title_and_bad_language_are_refused() -> None:
    with pytest.raises(MarcError, match="245"):
        CatalogueRecord(title="  ")
    with pytest.raises(MarcError, match="language"):
        CatalogueRecord(title="x", language="vi")


def _yaz(input_format: str, path: Path) -> str:
    result = subprocess.run(
        ["/usr/bin/yaz-marcdump", "-i", input_format, "-o", "line", str(path)],
        capture_output=True,
        check=True,
    )
    return result.stdout.decode("utf-8")


@pytest.mark.parametrize(("kind", "suffix"), [("marc", "mrc"), ("marcxml", "xml")])
def test_yaz_marcdump_reads_our_records(tmp_path: Path, kind: str, suffix: str) -> None:
    path = tmp_path / f"catalogue.{suffix}"
    path.write_bytes(write_iso2709([RECORD]) if kind == "marc" else write_marcxml([RECORD]))
    dump = _yaz(kind, path)
    assert "245 10 $a Tiếng Việt lớp 5 $b Tập một" in dump
    assert "100 1  $a Nguyễn Minh Thuyết" in dump
    assert "700 1  $a Đỗ Việt Hùng" in dump
    assert "260    $a Hà Nội $b Nhà xuất bản Giáo dục Việt Nam $c 2024" in dump
    assert "952    $p TV000002 $c Kho đóng $y book" in dump
