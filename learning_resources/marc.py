"""MARC 21 bibliographic records for the school library: build, read, ISO 2709 and MARCXML.

A :class:`CatalogueRecord` is the library's view of one title (DOMAIN.md §4: 245/100/020/041
``vie``/082 DDC, holdings in a Koha-style 952). Records are written in UTF-8 (leader/09 ``a``),
NFC-normalised, so Vietnamese text survives ``yaz-marcdump`` and other MARC tools.
pymarc is a pure parser; no web or database code is imported here.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pymarc
from lxml import etree

__all__ = [
    "MARCXML_NAMESPACE",
    "MARCXML_SCHEMA",
    "CatalogueRecord",
    "Holding",
    "MarcError",
    "from_marc",
    "read_iso2709",
    "read_marcxml",
    "to_marc",
    "to_marcxml_element",
    "write_iso2709",
    "write_marcxml",
]

MARCXML_NAMESPACE = "http://www.loc.gov/MARC21/slim"
MARCXML_SCHEMA = "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd"
# Leader for a new record: new (n), language material (a), monograph (m), UTF-8 (a at /09).
_LEADER = "00000nam a2200000 a 4500"


class MarcError(ValueError):
    """A MARC file or record that cannot be read, with the position of the bad record."""


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


@dataclass(frozen=True, slots=True)
class Holding:
    """One copy (952): barcode ($p), shelving location ($c) and item type ($y)."""

    barcode: str
    location: str = ""
    item_type: str = "book"


@dataclass(frozen=True, slots=True)
class CatalogueRecord:
    """One title as the library catalogues it.

    Attributes
    ----------
    title : str
        245 $a (and $b for ``subtitle``).
    authors : tuple of str
        The first is the main entry (100 $a); others are added entries (700 $a).
    language : str
        MARC language code for 041 $a and 008/35-37 (``vie`` for Vietnamese).
    ddc : str
        Dewey Decimal classification (082 $a).
    control_number : str
        001; the service's title id when exported.
    """

    title: str
    subtitle: str = ""
    authors: tuple[str, ...] = ()
    isbn: str = ""
    language: str = "vie"
    ddc: str = ""
    publisher: str = ""
    place: str = ""
    year: str = ""
    edition: str = ""
    subjects: tuple[str, ...] = ()
    summary: str = ""
    control_number: str = ""
    holdings: tuple[Holding, ...] = ()

    def __post_init__(self) -> None:
        if not self.title.strip():
            raise MarcError("title (245 $a) must not be empty")
        for name in ("title", "subtitle", "isbn", "ddc", "publisher", "place", "year"):
            object.__setattr__(self, name, _nfc(getattr(self, name)))
        for name in ("edition", "summary", "control_number"):
            object.__setattr__(self, name, _nfc(getattr(self, name)))
        object.__setattr__(self, "authors", tuple(_nfc(a) for a in self.authors if a.strip()))
        object.__setattr__(self, "subjects", tuple(_nfc(s) for s in self.subjects if s.strip()))
        if len(self.language) != 3:
            raise MarcError(f"language: expected a 3-letter MARC code, got {self.language!r}")


def _add(marc: pymarc.Record, field: pymarc.Field) -> None:
    marc.add_field(field)  # type: ignore[no-untyped-call]  # pymarc ships no annotations


def _field(tag: str, indicators: str, pairs: Sequence[tuple[str, str]]) -> pymarc.Field:
    subfields = [pymarc.Subfield(code, value) for code, value in pairs if value]
    return pymarc.Field(tag=tag, indicators=pymarc.Indicators(*indicators), subfields=subfields)


def _fixed_008(record: CatalogueRecord) -> str:
    year = record.year[:4] if record.year[:4].isdigit() else "    "
    # 00-05 date entered (left blank), 06 s = single date, 07-10 year, 35-37 language.
    return f"      s{year}    vm            000 0 {record.language} d"


def to_marc(record: CatalogueRecord) -> pymarc.Record:
    """Build a UTF-8 MARC 21 bibliographic record.

    Returns
    -------
    pymarc.Record
        Fields 001, 008, 020, 041, 082, 100, 245, 250, 260, 520, 650, 700 and one 952 per
        holding; empty values are left out.
    """
    marc = pymarc.Record(force_utf8=True, leader=_LEADER)
    if record.control_number:
        _add(marc, pymarc.Field(tag="001", data=record.control_number))
    _add(marc, pymarc.Field(tag="008", data=_fixed_008(record)))
    if record.isbn:
        _add(marc, _field("020", "  ", [("a", record.isbn)]))
    _add(marc, _field("041", "0 ", [("a", record.language)]))
    if record.ddc:
        _add(marc, _field("082", "04", [("a", record.ddc)]))
    if record.authors:
        _add(marc, _field("100", "1 ", [("a", record.authors[0])]))
    title_indicator = "1" if record.authors else "0"
    _add(marc, _field("245", f"{title_indicator}0", [("a", record.title), ("b", record.subtitle)]))
    if record.edition:
        _add(marc, _field("250", "  ", [("a", record.edition)]))
    if record.publisher or record.place or record.year:
        imprint = [("a", record.place), ("b", record.publisher), ("c", record.year)]
        _add(marc, _field("260", "  ", imprint))
    if record.summary:
        _add(marc, _field("520", "  ", [("a", record.summary)]))
    for subject in record.subjects:
        _add(marc, _field("650", " 4", [("a", subject)]))
    for author in record.authors[1:]:
        _add(marc, _field("700", "1 ", [("a", author)]))
    for holding in record.holdings:
        pairs = [("p", holding.barcode), ("c", holding.location), ("y", holding.item_type)]
        _add(marc, _field("952", "  ", pairs))
    return marc


def _first(marc: pymarc.Record, tag: str, code: str) -> str:
    for field in marc.get_fields(tag):
        values = field.get_subfields(code)
        if values:
            return _nfc(values[0])
    return ""


def _all(marc: pymarc.Record, tag: str, code: str) -> tuple[str, ...]:
    return tuple(_nfc(v) for field in marc.get_fields(tag) for v in field.get_subfields(code))


def _strip_isbd(text: str) -> str:
    # Catalogued records often end 245 $a with ISBD punctuation (" :", " /", ".").
    return text.rstrip(" /:;,.=").strip()


def from_marc(marc: pymarc.Record) -> CatalogueRecord:
    """Read a MARC 21 bibliographic record into a :class:`CatalogueRecord`.

    Raises
    ------
    MarcError
        If the record has no 245 $a title.
    """
    title = _strip_isbd(_first(marc, "245", "a"))
    if not title:
        raise MarcError("record has no title (245 $a)")
    language = _first(marc, "041", "a")
    fixed = marc.get_fields("008")
    if not language and fixed and len(fixed[0].data or "") >= 38:
        language = (fixed[0].data or "")[35:38]
    if len(language.strip()) != 3:
        language = "und"
    control = marc.get_fields("001")
    holdings = tuple(
        Holding(
            barcode=_nfc((f.get_subfields("p") or [""])[0]),
            location=_nfc((f.get_subfields("c") or [""])[0]),
            item_type=_nfc((f.get_subfields("y") or ["book"])[0]) or "book",
        )
        for f in marc.get_fields("952")
        if f.get_subfields("p")
    )
    return CatalogueRecord(
        title=title,
        subtitle=_strip_isbd(_first(marc, "245", "b")),
        authors=_all(marc, "100", "a") + _all(marc, "700", "a"),
        isbn=_first(marc, "020", "a").split(" ")[0],
        language=language,
        ddc=_first(marc, "082", "a"),
        publisher=_strip_isbd(_first(marc, "260", "b") or _first(marc, "264", "b")),
        place=_strip_isbd(_first(marc, "260", "a") or _first(marc, "264", "a")),
        year=_strip_isbd(_first(marc, "260", "c") or _first(marc, "264", "c")),
        edition=_first(marc, "250", "a"),
        subjects=_all(marc, "650", "a"),
        summary=_first(marc, "520", "a"),
        control_number=_nfc(control[0].data or "") if control else "",
        holdings=holdings,
    )


def write_iso2709(records: Iterable[CatalogueRecord]) -> bytes:
    """Serialise records as ISO 2709 (``.mrc``), UTF-8."""
    return b"".join(to_marc(record).as_marc() for record in records)


def to_marcxml_element(record: CatalogueRecord) -> etree._Element:
    """Return one ``<marc:record>`` element (used for OAI-PMH ``marc21`` and MARCXML files)."""
    marc = to_marc(record)
    marc.as_marc()  # fills the record length and base address into the leader
    xml: bytes = pymarc.record_to_xml(marc, namespace=True)  # type: ignore[no-untyped-call]
    return etree.fromstring(xml)


def write_marcxml(records: Iterable[CatalogueRecord]) -> bytes:
    """Serialise records as a MARCXML ``<collection>`` (UTF-8, with declaration)."""
    collection = etree.Element(
        f"{{{MARCXML_NAMESPACE}}}collection", nsmap={None: MARCXML_NAMESPACE}
    )
    for record in records:
        collection.append(to_marcxml_element(record))
    return bytes(etree.tostring(collection, xml_declaration=True, encoding="UTF-8"))


def read_iso2709(data: bytes) -> list[CatalogueRecord]:
    """Parse ISO 2709 bytes.

    Raises
    ------
    MarcError
        Naming the record number (1-based) that cannot be read.
    """
    reader = pymarc.MARCReader(io.BytesIO(data), to_unicode=True, force_utf8=True)
    records: list[CatalogueRecord] = []
    for number, marc in enumerate(reader, 1):
        if marc is None:
            raise MarcError(f"record {number}: {reader.current_exception}")
        try:
            records.append(from_marc(marc))
        except MarcError as error:
            raise MarcError(f"record {number}: {error}") from None
    return records


def read_marcxml(data: bytes) -> list[CatalogueRecord]:
    """Parse a MARCXML document (a ``<collection>`` or a single ``<record>``).

    Raises
    ------
    MarcError
        For malformed XML or a record without a title, naming the record number.
    """
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as error:
        raise MarcError(f"not well-formed MARCXML: {error}") from None
    tag = f"{{{MARCXML_NAMESPACE}}}record"
    nodes = [root] if root.tag == tag else list(root.iter(tag))
    records: list[CatalogueRecord] = []
    for number, node in enumerate(nodes, 1):
        try:
            records.append(from_marc(_record_from_xml(node)))
        except MarcError as error:
            raise MarcError(f"record {number}: {error}") from None
    return records


def _record_from_xml(node: etree._Element) -> pymarc.Record:
    ns = f"{{{MARCXML_NAMESPACE}}}"
    marc = pymarc.Record(force_utf8=True)
    leader = node.find(f"{ns}leader")
    if leader is not None and leader.text:
        marc.leader = pymarc.Leader(leader.text)
    for control in node.iter(f"{ns}controlfield"):
        _add(marc, pymarc.Field(tag=control.get("tag", ""), data=control.text or ""))
    for data in node.iter(f"{ns}datafield"):
        subfields = [
            pymarc.Subfield(sub.get("code", ""), sub.text or "")
            for sub in data.iter(f"{ns}subfield")
        ]
        indicators = pymarc.Indicators(data.get("ind1", " "), data.get("ind2", " "))
        _add(
            marc, pymarc.Field(tag=data.get("tag", ""), indicators=indicators, subfields=subfields)
        )
    return marc
