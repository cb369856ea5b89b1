"""Rendering OAI-PMH 2.0 response XML (envelope, headers, records, tokens, errors)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from learning_resources.crosswalks.lom import LOM_NAMESPACE, to_lom
from learning_resources.crosswalks.oai_dc import (
    DC_NAMESPACE,
    OAI_DC_NAMESPACE,
    OAI_DC_SCHEMA,
    XSI_NAMESPACE,
    to_oai_dc,
)
from learning_resources.identifiers import oai_identifier
from learning_resources.oaipmh.datestamps import format_datestamp
from learning_resources.oaipmh.errors import OaiErrorCode
from learning_resources.oaipmh.store import OaiSet, StoredRecord
from learning_resources.resources import LearningResource

__all__ = [
    "METADATA_FORMATS",
    "OAI_NAMESPACE",
    "MetadataFormat",
    "element",
    "envelope",
    "error_elements",
    "header_element",
    "record_element",
    "resumption_token_element",
    "set_element",
]

OAI_NAMESPACE = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"


@dataclass(frozen=True, slots=True)
class MetadataFormat:
    """A metadata format the provider disseminates."""

    prefix: str
    schema: str
    namespace: str
    render: Callable[..., etree._Element]


METADATA_FORMATS: dict[str, MetadataFormat] = {
    "oai_dc": MetadataFormat("oai_dc", OAI_DC_SCHEMA, OAI_DC_NAMESPACE, to_oai_dc),
    # LOM rather than LRMI: OAI-PMH carries XML, LRMI is JSON-LD, and LOM is what learning-object
    # repositories (ARIADNE, MERLOT, IMS CC tools) harvest. LRMI is offered in packages and pages.
    "lom": MetadataFormat("lom", "http://ltsc.ieee.org/xsd/lomv1.0/lom.xsd", LOM_NAMESPACE, to_lom),
}
"""Supported metadataPrefix values: ``oai_dc`` (mandatory) and ``lom`` (IEEE LOM)."""


def element(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    """Append an element in the OAI-PMH namespace."""
    node = etree.SubElement(parent, f"{{{OAI_NAMESPACE}}}{name}")
    if text is not None:
        node.text = text
    return node


def envelope(
    *, now: datetime, base_url: str, request_attributes: Mapping[str, str]
) -> etree._Element:
    """Return the ``<OAI-PMH>`` root with ``responseDate`` and the echoed ``request``."""
    root = etree.Element(
        f"{{{OAI_NAMESPACE}}}OAI-PMH", nsmap={None: OAI_NAMESPACE, "xsi": XSI_NAMESPACE}
    )
    root.set(f"{{{XSI_NAMESPACE}}}schemaLocation", f"{OAI_NAMESPACE} {OAI_SCHEMA}")
    element(root, "responseDate", format_datestamp(now))
    request = element(root, "request", base_url)
    for name in sorted(request_attributes):
        request.set(name, request_attributes[name])
    return root


def error_elements(root: etree._Element, errors: tuple[tuple[OaiErrorCode, str], ...]) -> None:
    """Append one ``<error code="...">`` per error."""
    for code, message in errors:
        element(root, "error", message).set("code", str(code))


def header_element(parent: etree._Element, record: StoredRecord, domain: str) -> None:
    """Append a record ``<header>`` (``status="deleted"`` for deleted records)."""
    header = element(parent, "header")
    if record.deleted:
        header.set("status", "deleted")
    element(header, "identifier", oai_identifier(domain, record.identifier))
    element(header, "datestamp", format_datestamp(record.datestamp))
    for spec in record.set_specs:
        element(header, "setSpec", spec)


def record_element(
    parent: etree._Element,
    record: StoredRecord,
    metadata_format: MetadataFormat,
    *,
    domain: str,
    landing_base_url: str,
) -> None:
    """Append a ``<record>``: header, and metadata unless the record is deleted."""
    node = element(parent, "record")
    header_element(node, record, domain)
    resource: LearningResource | None = record.resource
    if not record.deleted and resource is not None:
        metadata = element(node, "metadata")
        metadata.append(metadata_format.render(resource, base_url=landing_base_url))


def set_element(parent: etree._Element, oai_set: OaiSet) -> None:
    """Append a ``<set>`` with spec, name and an ``oai_dc`` description when there is one."""
    node = element(parent, "set")
    element(node, "setSpec", oai_set.spec)
    element(node, "setName", oai_set.name)
    if oai_set.description:
        description = element(node, "setDescription")
        dc = etree.SubElement(
            description,
            f"{{{OAI_DC_NAMESPACE}}}dc",
            nsmap={"oai_dc": OAI_DC_NAMESPACE, "dc": DC_NAMESPACE},
        )
        etree.SubElement(dc, f"{{{DC_NAMESPACE}}}description").text = oai_set.description


def resumption_token_element(
    parent: etree._Element,
    token: str | None,
    *,
    complete_list_size: int,
    cursor: int,
    expires: datetime | None,
) -> None:
    """Append a ``<resumptionToken>``; empty (``token=None``) on the last page of a list."""
    node = element(parent, "resumptionToken", token)
    node.set("completeListSize", str(complete_list_size))
    node.set("cursor", str(cursor))
    if token is not None and expires is not None:
        node.set("expirationDate", format_datestamp(expires))
