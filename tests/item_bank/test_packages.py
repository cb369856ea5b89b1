"""IMS content packages: the two sample packages, export and re-import, broken packages."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from item_bank.errors import ImportFormatError
from item_bank.items import Choice, CognitiveLevel, Item, ItemKind, ItemMetadata
from item_bank.packages import ITEM_TYPE, build_package, export_package, read_package

PACKAGES = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "test-material"
    / "qti"
    / "qti3"
    / "packages"
)


def zipped(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def test_simple_package() -> None:
    package = read_package(PACKAGES / "simple")
    assert [i.identifier for i in package.items] == ["choice"]
    assert package.items[0].kind is ItemKind.SINGLE_CHOICE
    assert package.resources[0].type == ITEM_TYPE
    assert package.resources[0].files == ("choice.xml", "images/sign.png")
    assert set(package.files) == {"images/sign.png"}
    assert [r.status for r in package.reports] == ["imported"]


def test_feedback_test_package() -> None:
    package = read_package(PACKAGES / "basicFeedbackTest")
    assert len(package.items) == 4
    assert all(i.kind is ItemKind.QTI for i in package.items)
    (test,) = package.tests
    assert test.identifier == "SPECTATUS-GENERATED-TEST"
    assert len(test.item_refs()) == 4
    test_resource = next(r for r in package.resources if r.type == "imsqti_test_xmlv3p0")
    assert len(test_resource.dependencies) == 4


@pytest.mark.parametrize("name", ["simple", "basicFeedbackTest"])
def test_zip_and_folder_read_the_same_and_exports_reimport_equal(name: str) -> None:
    from_folder = read_package(PACKAGES / name)
    from_zip = read_package(zipped(PACKAGES / name))
    assert from_zip == from_folder
    exported = export_package(from_folder)
    assert read_package(exported) == from_folder
    assert read_package(export_package(read_package(exported))) == from_folder


def test_build_package_from_items() -> None:
    items = [
        Item(
            "q1",
            ItemKind.SINGLE_CHOICE,
            "Hình: ![a](../images/a.png)",
            choices=(Choice("A", "1"), Choice("B", "2")),
            correct=("A",),
        ),
        Item("q2", ItemKind.OPEN_RESPONSE, "Viết một câu."),
    ]
    package = build_package(
        items, identifier="bank-1", files={"images/a.png": b"\x89PNG", "images/unused.png": b"x"}
    )
    assert package.resources[0].files == ("items/q1.xml", "images/a.png")
    assert package.resources[1].files == ("items/q2.xml",)
    again = read_package(export_package(package))
    assert again.items == tuple(i.normalised() for i in items)
    assert again.resources == package.resources
    assert again.files == package.files


def make_zip(files: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


MANIFEST = """<manifest xmlns="http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1" identifier="m">
<resources>{resources}</resources></manifest>"""


def manifest(*resources: str) -> str:
    return MANIFEST.format(resources="".join(resources))


def test_missing_manifest() -> None:
    with pytest.raises(ImportFormatError, match=r"no imsmanifest\.xml"):
        read_package(make_zip({"a.xml": "<x/>"}))


def test_not_a_zip() -> None:
    with pytest.raises(ImportFormatError, match="not a zip file"):
        read_package(b"plain bytes", source="upload.zip")


def test_path_traversal_is_refused() -> None:
    with pytest.raises(ImportFormatError, match=r"unsafe path '../evil.xml'"):
        read_package(make_zip({"imsmanifest.xml": manifest(), "../evil.xml": "<x/>"}))


def test_missing_file_and_dependency() -> None:
    resource = f'<resource identifier="i1" type="{ITEM_TYPE}" href="i1.xml">'
    resource += '<file href="i1.xml"/></resource>'
    with pytest.raises(ImportFormatError, match=r"resource 'i1': file 'i1\.xml' is missing"):
        read_package(make_zip({"imsmanifest.xml": manifest(resource)}))
    dependent = resource.replace("</resource>", '<dependency identifierref="nope"/></resource>')
    with pytest.raises(ImportFormatError, match="dependency 'nope' is not a resource"):
        read_package(make_zip({"imsmanifest.xml": manifest(dependent), "i1.xml": "<x/>"}))


def test_broken_item_names_package_and_file_and_nothing_is_imported() -> None:
    good = (PACKAGES / "simple" / "choice.xml").read_bytes()
    resources = [
        f'<resource identifier="r{i}" type="{ITEM_TYPE}" href="{name}">'
        f'<file href="{name}"/></resource>'
        for i, name in enumerate(("good.xml", "bad.xml"))
    ]
    files = {
        "imsmanifest.xml": manifest(*resources),
        "good.xml": good,
        "bad.xml": "<qti-assessment-item",
    }
    with pytest.raises(ImportFormatError, match=r"^upload.zip:bad.xml: malformed XML"):
        read_package(make_zip(files), source="upload.zip")


def test_item_metadata_travels_as_lom() -> None:
    metadata = ItemMetadata(
        subject="Toán", grade=10, topic="Hàm số bậc hai", requirement_code="TOAN10.DS.3",
        cognitive_level=CognitiveLevel.VAN_DUNG, tags=("hàm số", "đồ thị"), language="vi",
        author="Nguyễn Thị Lan", licence="CC BY 4.0", source="Đề kiểm tra giữa kì I",
    )  # fmt: skip
    item = Item(
        "hs-1", ItemKind.TRUE_FALSE, "Đồ thị hàm số bậc hai là một parabol.",
        choices=(Choice("d", "Đúng"), Choice("s", "Sai")), correct=("d",), metadata=metadata,
    ).normalised()  # fmt: skip
    package = build_package([item], identifier="lom")
    data = export_package(package)
    manifest = zipfile.ZipFile(io.BytesIO(data)).read("imsmanifest.xml").decode()
    assert "<imsmd:keyword><imsmd:string>hàm số</imsmd:string></imsmd:keyword>" in manifest
    again = read_package(data)
    assert again.items == (item,)
    assert again == read_package(export_package(again))


def test_bad_lom_grade_is_reported() -> None:
    package = build_package(
        [Item("q", ItemKind.OPEN_RESPONSE, "?", metadata=ItemMetadata(grade=7))], identifier="p"
    )
    data = export_package(package)
    archive = zipfile.ZipFile(io.BytesIO(data))
    files = {n: archive.read(n) for n in archive.namelist()}
    files["imsmanifest.xml"] = files["imsmanifest.xml"].replace(
        b"<imsmd:id>7</imsmd:id>", b"<imsmd:id>seven</imsmd:id>"
    )
    with pytest.raises(
        ImportFormatError, match=r"items/q\.xml: item 'q': LOM metadata: invalid literal"
    ):
        read_package(make_zip(files), source="p.zip")
