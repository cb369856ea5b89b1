"""Offline packages of a collection: a deterministic ZIP with an IMS Content Packaging manifest.

Layout::

    imsmanifest.xml                     IMS CP 1.2 style: organisation tree + one resource each
    metadata.json                       package, collection tree and per-resource metadata
    resources/<id>/lrmi.jsonld          LRMI JSON-LD of each resource
    resources/<id>/<file path>          the files (links have none)

The same inputs always give the same bytes: entries are sorted, timestamps fixed to
1980-01-01 (the ZIP epoch), permissions and compression level fixed, JSON keys in fixed order.
That lets schools compare packages by hash and lets caches deduplicate them (Kolibri's idea).
File bytes come from a mapping keyed by SHA-256, so the caller decides where blobs live.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from typing import Any

from lxml import etree

from learning_resources.collections_tree import (
    Collection,
    build_collection_tree,
    collection_descendants,
    resources_in_collection,
)
from learning_resources.crosswalks.lom import to_lom
from learning_resources.crosswalks.lrmi import to_lrmi_jsonld
from learning_resources.errors import PackageError
from learning_resources.licences import get_licence
from learning_resources.resources import ContentKind, LearningResource, ResourceState

__all__ = ["IMSCP_NAMESPACE", "PACKAGE_FORMAT_VERSION", "build_package"]

IMSCP_NAMESPACE = "http://www.imsglobal.org/xsd/imscp_v1p1"
PACKAGE_FORMAT_VERSION = 1
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_FILE_MODE = 0o100644 << 16


def _cp(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    node = etree.SubElement(parent, f"{{{IMSCP_NAMESPACE}}}{name}")
    if text is not None:
        node.text = text
    return node


def _file_path(resource: LearningResource, path: str) -> str:
    return f"resources/{resource.identifier}/{path}"


def _organization_items(
    parent: etree._Element, tree: Mapping[str, Collection], identifier: str
) -> None:
    collection = tree[identifier]
    for resource_id in collection.resource_ids:
        item = _cp(parent, "item")
        item.set("identifier", f"ITEM-{identifier}-{resource_id}")
        item.set("identifierref", f"RES-{resource_id}")
    for child in (c for c in tree.values() if c.parent == identifier):
        node = _cp(parent, "item")
        node.set("identifier", f"COL-{child.identifier}")
        _cp(node, "title", child.title)
        _organization_items(node, tree, child.identifier)


def _resource_node(parent: etree._Element, resource: LearningResource, base_url: str) -> None:
    node = _cp(parent, "resource")
    node.set("identifier", f"RES-{resource.identifier}")
    node.set("type", "webcontent")
    content = resource.content
    if content.kind is ContentKind.LINK:
        node.set("href", content.url or "")
    else:
        entry = content.entry_point or content.files[0].path
        node.set("href", _file_path(resource, entry))
    _cp(node, "metadata").append(to_lom(resource, base_url=base_url))
    _cp(node, "file").set("href", _file_path(resource, "lrmi.jsonld"))
    for file in sorted(content.files, key=lambda f: f.path):
        _cp(node, "file").set("href", _file_path(resource, file.path))


def _manifest(
    root_id: str,
    tree: Mapping[str, Collection],
    resources: Sequence[LearningResource],
    base_url: str,
) -> bytes:
    manifest = etree.Element(f"{{{IMSCP_NAMESPACE}}}manifest", nsmap={None: IMSCP_NAMESPACE})
    manifest.set("identifier", f"MANIFEST-{root_id}")
    metadata = _cp(manifest, "metadata")
    _cp(metadata, "schema", "IMS Content")
    _cp(metadata, "schemaversion", "1.2")
    organizations = _cp(manifest, "organizations")
    organizations.set("default", f"ORG-{root_id}")
    organization = _cp(organizations, "organization")
    organization.set("identifier", f"ORG-{root_id}")
    organization.set("structure", "hierarchical")
    _cp(organization, "title", tree[root_id].title)
    _organization_items(organization, tree, root_id)
    resources_node = _cp(manifest, "resources")
    for resource in resources:
        _resource_node(resources_node, resource, base_url)
    xml: bytes = etree.tostring(manifest, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml


def _resource_metadata(resource: LearningResource) -> dict[str, Any]:
    return {
        "identifier": resource.identifier,
        "version": resource.version,
        "title": resource.dc.title,
        "kind": str(resource.content.kind),
        "licence": resource.licence,
        "licence_uri": get_licence(resource.licence).uri,
        "url": resource.content.url,
        "entry_point": resource.content.entry_point,
        "lrmi": _file_path(resource, "lrmi.jsonld"),
        "files": [
            {
                "path": _file_path(resource, f.path),
                "media_type": f.media_type,
                "size": f.size,
                "sha256": f.sha256,
            }
            for f in sorted(resource.content.files, key=lambda f: f.path)
        ],
    }


def _metadata_json(
    root_id: str, tree: Mapping[str, Collection], resources: Sequence[LearningResource]
) -> bytes:
    document = {
        "format": "learning-resources-package",
        "format_version": PACKAGE_FORMAT_VERSION,
        "collection": root_id,
        "collections": [
            {
                "identifier": c.identifier,
                "title": c.title,
                "description": c.description,
                "parent": c.parent,
                "resource_ids": list(c.resource_ids),
            }
            for c in tree.values()
        ],
        "resources": [_resource_metadata(r) for r in resources],
    }
    return _json_bytes(document)


def _json_bytes(document: Any) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _blob(resource: LearningResource, blobs: Mapping[str, bytes], sha256: str, path: str) -> bytes:
    data = blobs.get(sha256)
    if data is None:
        raise PackageError(f"{resource.identifier}: no bytes for {path!r} ({sha256})")
    if hashlib.sha256(data).hexdigest() != sha256:
        raise PackageError(f"{resource.identifier}: bytes of {path!r} do not match its SHA-256")
    return data


def _subtree(tree: Mapping[str, Collection], root_id: str) -> dict[str, Collection]:
    keep = {root_id, *collection_descendants(tree, root_id)}
    return {key: value for key, value in tree.items() if key in keep}


def _select_resources(
    ids: Sequence[str], resources: Sequence[LearningResource]
) -> list[LearningResource]:
    by_id = {resource.identifier: resource for resource in resources}
    selected = []
    for identifier in ids:
        resource = by_id.get(identifier)
        if resource is None:
            raise PackageError(f"resource {identifier!r} of the collection was not supplied")
        if resource.state is not ResourceState.PUBLISHED:
            raise PackageError(f"resource {identifier!r} is {resource.state}, not published")
        selected.append(resource)
    return selected


def build_package(
    collection_id: str,
    collections: Sequence[Collection],
    resources: Sequence[LearningResource],
    blobs: Mapping[str, bytes],
    *,
    base_url: str,
) -> bytes:
    """Build the offline ZIP of a collection and its sub-collections.

    Parameters
    ----------
    collection_id : str
        The collection to package.
    collections : sequence of Collection
        At least that collection and its descendants (others are ignored).
    resources : sequence of LearningResource
        The published versions of the resources in those collections.
    blobs : mapping of str to bytes
        File bytes keyed by lower-case hex SHA-256.
    base_url : str
        Public base URL for identifiers inside the metadata.

    Returns
    -------
    bytes
        The ZIP archive; identical inputs give identical bytes.

    Raises
    ------
    PackageError
        If a resource is missing or unpublished, or a file's bytes are missing or corrupt.
    MetadataValidationError
        If the collections do not form a valid tree.
    KeyError
        If ``collection_id`` is not among ``collections``.
    """
    tree = _subtree(build_collection_tree(collections), collection_id)
    selected = _select_resources(resources_in_collection(tree, collection_id), resources)
    entries: dict[str, bytes] = {
        "imsmanifest.xml": _manifest(collection_id, tree, selected, base_url),
        "metadata.json": _metadata_json(collection_id, tree, selected),
    }
    for resource in selected:
        entries[_file_path(resource, "lrmi.jsonld")] = _json_bytes(
            to_lrmi_jsonld(resource, base_url=base_url)
        )
        for file in resource.content.files:
            entries[_file_path(resource, file.path)] = _blob(
                resource, blobs, file.sha256, file.path
            )
    return _zip(entries)


def _zip(entries: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = _FILE_MODE
            info.create_system = 3  # Unix, so the mode bits mean the same on every builder
            archive.writestr(info, entries[name], compresslevel=6)
    return buffer.getvalue()
