"""IMS Content Packages of QTI 3.0 items and tests: import and export.

A package is a zip (or an unpacked folder) with ``imsmanifest.xml`` listing resources of type
``imsqti_item_xmlv3p0`` (QTI 2.x item types are read too) and ``imsqti_test_xmlv3p0`` with their
``<file>`` and ``<dependency>`` entries. Items are imported through :mod:`item_bank.qti`; every
other file (tests, images, stylesheets) travels as bytes. Import is all or nothing.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from lxml import etree

from item_bank.errors import ImportFormatError
from item_bank.items import Item
from item_bank.qti.assessment_tests import AssessmentTest, read_assessment_test
from item_bank.qti.exporter import export_item
from item_bank.qti.importer import ItemReport, import_items
from item_bank.qti.lom import lom_to_metadata, metadata_to_lom
from item_bank.qti.xml import XSI_NS, local_name, parse_xml

__all__ = [
    "ITEM_TYPE",
    "TEST_TYPE",
    "PackageResource",
    "QtiPackage",
    "build_package",
    "export_package",
    "read_package",
]

ITEM_TYPE = "imsqti_item_xmlv3p0"
TEST_TYPE = "imsqti_test_xmlv3p0"
_ITEM_TYPES = {ITEM_TYPE, "imsqti_item_xmlv2p2", "imsqti_item_xmlv2p1"}
_TEST_TYPES = {TEST_TYPE, "imsqti_test_xmlv2p2", "imsqti_test_xmlv2p1"}
CP_NS = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"
_CP_SCHEMA = (
    f"{CP_NS} https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqtiv3p0_imscpv1p2_v1p0.xsd"
)
MAX_UNPACKED_BYTES = 1 << 30  # refuse zip bombs: 1 GiB unpacked at most
MAX_RATIO = 200  # and no member compressed more than 200:1


@dataclass(frozen=True, slots=True)
class PackageResource:
    """One manifest ``<resource>``."""

    identifier: str
    type: str
    href: str
    files: tuple[str, ...] = ()
    dependencies: tuple[str, ...] = ()


@dataclass(frozen=True)
class QtiPackage:
    """A content package: items, tests, the other files and the manifest's resources."""

    identifier: str
    items: tuple[Item, ...]
    tests: tuple[AssessmentTest, ...] = ()
    resources: tuple[PackageResource, ...] = ()
    files: Mapping[str, bytes] = field(default_factory=dict)  # non-item files by href
    reports: tuple[ItemReport, ...] = ()
    item_resources: Mapping[str, str] = field(default_factory=dict)  # item → resource identifier


def _safe_name(name: str, source: str) -> str:
    normalised = posixpath.normpath(name.replace("\\", "/"))
    if normalised.startswith(("/", "../")) or normalised == ".." or ":" in normalised.split("/")[0]:
        raise ImportFormatError(source, f"unsafe path {name!r} in package")
    return normalised


def _read_files(package: Path | bytes, source: str) -> dict[str, bytes]:
    if isinstance(package, Path) and package.is_dir():
        return {
            _safe_name(p.relative_to(package).as_posix(), source): p.read_bytes()
            for p in sorted(package.rglob("*"))
            if p.is_file()
        }
    data = package.read_bytes() if isinstance(package, Path) else package
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ImportFormatError(source, "not a zip file") from None
    files: dict[str, bytes] = {}
    total = 0
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if total > MAX_UNPACKED_BYTES or (ratio > MAX_RATIO and info.file_size > 1 << 20):
                raise ImportFormatError(source, f"{info.filename}: refusing a zip bomb")
            files[_safe_name(info.filename, source)] = archive.read(info)
    return files


def _cp(element: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in element if isinstance(c.tag, str) and local_name(c) == name]


def _resources(
    manifest: etree._Element, source: str
) -> tuple[list[PackageResource], dict[str, etree._Element]]:
    resources = []
    loms: dict[str, etree._Element] = {}
    for holder in _cp(manifest, "resources"):
        for element in _cp(holder, "resource"):
            for metadata in _cp(element, "metadata"):
                loms.update({element.get("identifier", ""): lom for lom in _cp(metadata, "lom")})
            href = element.get("href", "")
            files = tuple(_safe_name(f.get("href", ""), source) for f in _cp(element, "file"))
            dependencies = tuple(d.get("identifierref", "") for d in _cp(element, "dependency"))
            resources.append(
                PackageResource(
                    element.get("identifier", ""),
                    element.get("type", ""),
                    _safe_name(href, source) if href else "",
                    files,
                    dependencies,
                )
            )
    return resources, loms


def read_package(package: Path | bytes, *, source: str | None = None) -> QtiPackage:
    """Read a content package from a zip file, zip bytes or an unpacked folder.

    Raises
    ------
    ImportFormatError
        If the package has no manifest, the manifest is malformed, a resource's file is
        missing, a dependency names no resource, or any item or test is broken.
    """
    name = source or (str(package) if isinstance(package, Path) else "package")
    files = _read_files(package, name)
    if "imsmanifest.xml" not in files:
        raise ImportFormatError(name, "no imsmanifest.xml at the package root")
    manifest = parse_xml(files["imsmanifest.xml"], source=f"{name}:imsmanifest.xml")
    if local_name(manifest) != "manifest":
        raise ImportFormatError(name, f"imsmanifest.xml: root element is <{local_name(manifest)}>")
    resources, loms = _resources(manifest, name)
    _check_resources(resources, files, name)
    item_resources = {r.href: r for r in resources if r.type in _ITEM_TYPES}
    item_hrefs = list(item_resources)
    try:
        imported = import_items((h, files[h]) for h in item_hrefs)
        items, owners = _with_metadata(imported.items, imported.reports, item_resources, loms)
    except ImportFormatError as error:
        raise ImportFormatError(f"{name}:{error.source}", error.problem, item=error.item) from None
    tests = tuple(
        read_assessment_test(files[r.href], source=f"{name}:{r.href}")
        for r in resources
        if r.type in _TEST_TYPES
    )
    taken = {*item_hrefs, "imsmanifest.xml"}
    others = {k: v for k, v in files.items() if k not in taken}
    return QtiPackage(
        manifest.get("identifier", ""),
        items,
        tests,
        tuple(resources),
        others,
        imported.reports,
        owners,
    )


def _with_metadata(
    items: tuple[Item, ...],
    reports: tuple[ItemReport, ...],
    resources: Mapping[str, PackageResource],
    loms: Mapping[str, etree._Element],
) -> tuple[tuple[Item, ...], dict[str, str]]:
    """Apply each item resource's LOM to its item and remember which resource holds it."""
    by_identifier = {i.identifier: i for i in items}
    owners: dict[str, str] = {}
    for report in reports:
        if report.status != "imported" or report.identifier is None:
            continue
        resource = resources[report.source]
        owners[report.identifier] = resource.identifier
        lom = loms.get(resource.identifier)
        if lom is not None:
            item = by_identifier[report.identifier]
            try:
                metadata = lom_to_metadata(lom, item.metadata)
            except ValueError as error:
                raise ImportFormatError(
                    report.source, f"LOM metadata: {error}", item=item.identifier
                ) from None
            by_identifier[report.identifier] = replace(item, metadata=metadata)
    return tuple(by_identifier[i.identifier] for i in items), owners


def _check_resources(
    resources: list[PackageResource], files: Mapping[str, bytes], source: str
) -> None:
    identifiers = {r.identifier for r in resources}
    for resource in resources:
        needed = ([resource.href] if resource.href else []) + list(resource.files)
        for href in needed:
            if href not in files:
                raise ImportFormatError(
                    source, f"resource {resource.identifier!r}: file {href!r} is missing"
                )
        for dependency in resource.dependencies:
            if dependency not in identifiers:
                raise ImportFormatError(
                    source,
                    f"resource {resource.identifier!r}: dependency {dependency!r} "
                    "is not a resource",
                )
        if resource.type in _ITEM_TYPES | _TEST_TYPES and not resource.href:
            raise ImportFormatError(source, f"resource {resource.identifier!r} has no href")


def build_package(
    items: Iterable[Item], *, identifier: str, files: Mapping[str, bytes] | None = None
) -> QtiPackage:
    """Make a package of ``items`` (at ``items/<identifier>.xml``) plus ``files`` (images...).

    Each item resource lists as its files the item document and the package files its
    content refers to.
    """
    extra = dict(files or {})
    resources = []
    listed = tuple(items)
    for item in listed:
        href = f"items/{item.identifier}.xml"
        document = export_item(item)
        used = tuple(sorted(name for name in extra if _refers(document, name, href)))
        resources.append(PackageResource(item.identifier, ITEM_TYPE, href, (href, *used)))
    return QtiPackage(identifier, listed, (), tuple(resources), extra)


def _refers(document: str, name: str, href: str) -> bool:
    relative = posixpath.relpath(name, posixpath.dirname(href))
    return f'"{relative}"' in document or f'"{name}"' in document


def export_package(package: QtiPackage) -> bytes:
    """Return the package as zip bytes: manifest, item documents at their hrefs, other files.

    Raises
    ------
    ValueError
        If an item has no resource in ``package.resources``.
    """
    by_identifier = {r.identifier: r for r in package.resources if r.type in _ITEM_TYPES}
    placed = {
        item.identifier: _resource_for(item, package, by_identifier) for item in package.items
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", _manifest(package, placed))
        for item in package.items:
            archive.writestr(placed[item.identifier].href, export_item(item))
        for name, data in sorted(package.files.items()):
            archive.writestr(name, data)
    return buffer.getvalue()


def _resource_for(
    item: Item, package: QtiPackage, by_identifier: Mapping[str, PackageResource]
) -> PackageResource:
    owner = package.item_resources.get(item.identifier, item.identifier)
    resource = by_identifier.get(owner)
    if resource is None:
        raise ValueError(f"item {item.identifier!r} has no resource in the package")
    return resource


def _manifest(package: QtiPackage, placed: Mapping[str, PackageResource]) -> str:
    items = {placed[i.identifier].identifier: i for i in package.items}
    root = etree.Element(f"{{{CP_NS}}}manifest", nsmap={None: CP_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", _CP_SCHEMA)
    root.set("identifier", package.identifier)
    metadata = etree.SubElement(root, f"{{{CP_NS}}}metadata")
    etree.SubElement(metadata, f"{{{CP_NS}}}schema").text = "QTI Package"
    etree.SubElement(metadata, f"{{{CP_NS}}}schemaversion").text = "3.0.0"
    etree.SubElement(root, f"{{{CP_NS}}}organizations")
    resources = etree.SubElement(root, f"{{{CP_NS}}}resources")
    for resource in package.resources:
        element = etree.SubElement(
            resources, f"{{{CP_NS}}}resource", identifier=resource.identifier, type=resource.type
        )
        if resource.href:
            element.set("href", resource.href)
        if resource.identifier in items:
            metadata = etree.SubElement(element, f"{{{CP_NS}}}metadata")
            metadata.append(metadata_to_lom(items[resource.identifier].metadata))
        for href in resource.files:
            etree.SubElement(element, f"{{{CP_NS}}}file", href=href)
        for dependency in resource.dependencies:
            etree.SubElement(element, f"{{{CP_NS}}}dependency", identifierref=dependency)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="unicode") + "\n"
    )
