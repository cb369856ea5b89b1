"""Parsing harvested OAI-PMH pages (pure; the service's harvester does the HTTP).

:func:`parse_list_records` turns one ``ListRecords`` (or ``ListIdentifiers``) response into
records, deleted identifiers and the next resumption token. Following Sickle and pyoai, an
absent *or empty* ``<resumptionToken/>`` ends the list, and ``noRecordsMatch`` is an empty page
rather than a failure (an incremental harvest with nothing new is normal).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

from learning_resources.crosswalks.oai_dc import DC_NAMESPACE, OAI_DC_NAMESPACE
from learning_resources.oaipmh.errors import OaiError, OaiErrorCode
from learning_resources.oaipmh.responses import OAI_NAMESPACE

__all__ = ["HarvestPage", "HarvestedRecord", "parse_list_records", "parse_oai_dc"]

_NS = {"oai": OAI_NAMESPACE}
# Harvested XML is untrusted: no entity expansion, no network, no DTD loading.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@dataclass(frozen=True, slots=True)
class HarvestedRecord:
    """A live record of a harvested page.

    ``metadata`` is the child element of ``<metadata>`` (e.g. ``oai_dc:dc``), or None for
    ``ListIdentifiers`` pages.
    """

    identifier: str
    datestamp: datetime
    set_specs: tuple[str, ...]
    metadata: etree._Element | None


@dataclass(frozen=True, slots=True)
class HarvestPage:
    """One harvested page: live records, deleted identifiers and the continuation."""

    records: tuple[HarvestedRecord, ...]
    deleted: tuple[str, ...]
    resumption_token: str | None
    complete_list_size: int | None


def _datestamp(text: str) -> datetime:
    pattern = "%Y-%m-%dT%H:%M:%SZ" if "T" in text else "%Y-%m-%d"
    return datetime.strptime(text, pattern).replace(tzinfo=UTC)


def _text(node: etree._Element, path: str) -> str:
    value = node.findtext(path, namespaces=_NS)
    if value is None:
        raise ValueError(f"harvested header lacks {path}")
    return str(value).strip()


def _raise_errors(root: etree._Element) -> bool:
    errors = root.findall("oai:error", _NS)
    codes = [(e.get("code", ""), (e.text or "").strip()) for e in errors]
    if not codes:
        return False
    if all(code == OaiErrorCode.NO_RECORDS_MATCH for code, _ in codes):
        return True
    valid = {c.value for c in OaiErrorCode}
    typed = tuple(
        (OaiErrorCode(code) if code in valid else OaiErrorCode.BAD_ARGUMENT, msg)
        for code, msg in codes
    )
    raise OaiError(typed[0][0], typed[0][1], typed[1:])


def parse_list_records(xml: bytes) -> HarvestPage:
    """Parse one ListRecords/ListIdentifiers response page.

    Parameters
    ----------
    xml : bytes
        The response body.

    Returns
    -------
    HarvestPage
        ``resumption_token`` is None on the last page.

    Raises
    ------
    OaiError
        For any ``<error>`` other than ``noRecordsMatch`` (unknown codes map to badArgument).
    ValueError
        If the body is not an OAI-PMH response or a header lacks identifier/datestamp
        (``lxml.etree.XMLSyntaxError`` is a ValueError subclass too).
    """
    root = etree.fromstring(xml, parser=_PARSER)
    if root.tag != f"{{{OAI_NAMESPACE}}}OAI-PMH":
        raise ValueError(f"not an OAI-PMH response: root is {root.tag}")
    if _raise_errors(root):
        return HarvestPage((), (), None, 0)
    records: list[HarvestedRecord] = []
    deleted: list[str] = []
    for header in root.iterfind(".//oai:header", _NS):
        identifier = _text(header, "oai:identifier")
        if header.get("status") == "deleted":
            deleted.append(identifier)
            continue
        # In a <record>, <metadata> directly follows <header>; ListIdentifiers has none.
        following = header.getnext()
        is_metadata = following is not None and following.tag == f"{{{OAI_NAMESPACE}}}metadata"
        metadata = following if is_metadata else None
        records.append(
            HarvestedRecord(
                identifier=identifier,
                datestamp=_datestamp(_text(header, "oai:datestamp")),
                set_specs=tuple(
                    (s.text or "").strip() for s in header.iterfind("oai:setSpec", _NS)
                ),
                metadata=metadata[0] if metadata is not None and len(metadata) else None,
            )
        )
    token_node = root.find(".//oai:resumptionToken", _NS)
    token = (token_node.text or "").strip() if token_node is not None else ""
    size = token_node.get("completeListSize") if token_node is not None else None
    return HarvestPage(tuple(records), tuple(deleted), token or None, int(size) if size else None)


def parse_oai_dc(metadata: etree._Element) -> dict[str, list[str]]:
    """Return an ``oai_dc:dc`` element as ``{element name: [values...]}`` in document order.

    Raises
    ------
    ValueError
        If the element is not ``oai_dc:dc``.
    """
    if metadata.tag != f"{{{OAI_DC_NAMESPACE}}}dc":
        raise ValueError(f"not an oai_dc record: {metadata.tag}")
    values: dict[str, list[str]] = {}
    for child in metadata:
        qname = etree.QName(child)
        if qname.namespace == DC_NAMESPACE and child.text and child.text.strip():
            values.setdefault(qname.localname, []).append(child.text.strip())
    return values
