"""Hardened XML parsing, QTI 2.x → 3.0 conversion and the canonical QTI 3.0 serialisation.

Every QTI document the bank reads goes through :func:`parse_xml`: no network, no DTD loading,
no entity expansion (billion-laughs and XXE are the classic attacks on XML importers).
QTI 2.1/2.2 documents are converted to QTI 3.0 on the way in, so the rest of the code only
knows the kebab-case ``qti-`` vocabulary.
"""

from __future__ import annotations

import re

from lxml import etree

from item_bank.errors import ImportFormatError

__all__ = [
    "MATHML_NS",
    "QTI_NS",
    "QTI_V2_NAMESPACES",
    "XSI_NS",
    "canonical_xml",
    "local_name",
    "parse_xml",
    "q",
    "to_qti3",
]

QTI_NS = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
QTI_V2_NAMESPACES = (
    "http://www.imsglobal.org/xsd/imsqti_v2p1",
    "http://www.imsglobal.org/xsd/imsqti_v2p2",
    "http://www.imsglobal.org/xsd/imsqti_v2p0",
)
MATHML_NS = "http://www.w3.org/1998/Math/MathML"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
QTI_SCHEMA_LOCATION = (
    f"{QTI_NS} https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_asiv3p0_v1p0.xsd"
)

# HTML (XHTML 1.1 and the HTML5 subset QTI 3.0 allows) keeps its name in QTI 3.0; every other
# element of the QTI 2.x namespace becomes qti-kebab-case.
HTML_ELEMENTS = frozenset(
    [
        "a",
        "abbr",
        "acronym",
        "address",
        "article",
        "aside",
        "audio",
        "b",
        "bdi",
        "bdo",
        "big",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "details",
        "dfn",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "label",
        "li",
        "mark",
        "nav",
        "object",
        "ol",
        "p",
        "param",
        "picture",
        "pre",
        "q",
        "rb",
        "rp",
        "rt",
        "rtc",
        "ruby",
        "s",
        "samp",
        "section",
        "small",
        "source",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "time",
        "tr",
        "track",
        "tt",
        "u",
        "ul",
        "var",
        "video",
        "wbr",
    ]
)
# QTI 3.0 wraps the content of these in qti-content-body; QTI 2.x did not.
CONTENT_BODY_PARENTS = frozenset(
    ("rubricBlock", "modalFeedback", "feedbackBlock", "templateBlock", "testFeedback")
)

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_blank_text=False,
)


def q(name: str) -> str:
    """Return the Clark name of a QTI 3.0 element (``q("qti-value")``)."""
    return f"{{{QTI_NS}}}{name}"


def local_name(element: etree._Element) -> str:
    """Return the element's name without its namespace ('' for comments and PIs)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def parse_xml(data: bytes | str, *, source: str) -> etree._Element:
    """Parse ``data`` safely and return the root element.

    Raises
    ------
    ImportFormatError
        If the document is not well-formed or declares entities (naming ``source``).
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if b"<!ENTITY" in raw:
        raise ImportFormatError(source, "entity declarations are not allowed in QTI documents")
    try:
        root = etree.fromstring(raw, parser=_PARSER)
    except etree.XMLSyntaxError as error:
        raise ImportFormatError(source, f"malformed XML: {error}") from None
    return root


def _kebab(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", name).lower()


_TEMPLATE_URI = re.compile(r"^https?://www\.imsglobal\.org/question/qti_v2p[0-2]/rptemplates/(\w+)")


def _convert_template_uri(uri: str) -> str:
    match = _TEMPLATE_URI.match(uri)
    if not match:
        return uri
    return f"https://www.imsglobal.org/question/qti_v3p0/rptemplates/{match.group(1)}.xml"


def to_qti3(root: etree._Element) -> etree._Element:
    """Return a QTI 3.0 copy of a QTI 2.x element tree (a 3.0 tree is returned unchanged).

    Element and attribute names go from camelCase to kebab-case, QTI elements get the ``qti-``
    prefix, the block-feedback and rubric elements get their ``qti-content-body`` wrapper and the
    standard response-processing template URIs move to their 3.0 form.
    """
    namespace = etree.QName(root).namespace
    if namespace not in QTI_V2_NAMESPACES:
        return root
    converted = _convert_element(root, namespace)
    etree.cleanup_namespaces(converted, top_nsmap={None: QTI_NS})
    return converted


def _convert_element(element: etree._Element, old_ns: str) -> etree._Element:
    if not isinstance(element.tag, str):
        return _copy_node(element)
    qname = etree.QName(element)
    if qname.namespace == old_ns:
        name = qname.localname
        tag = q(name if name in HTML_ELEMENTS else "qti-" + _kebab(name))
        attributes = {_convert_attribute(k): v for k, v in element.attrib.items()}
        if name == "responseProcessing" and "template" in attributes:
            attributes["template"] = _convert_template_uri(attributes["template"])
    else:
        name = ""
        tag = element.tag
        attributes = dict(element.attrib)
    if f"{{{XSI_NS}}}schemaLocation" in attributes:
        attributes[f"{{{XSI_NS}}}schemaLocation"] = QTI_SCHEMA_LOCATION
    new = etree.Element(tag, attrib=attributes, nsmap=_nsmap(element, old_ns))
    container = new
    if name in CONTENT_BODY_PARENTS:
        container = etree.SubElement(new, q("qti-content-body"))
    container.text = element.text
    for child in element:
        converted = _convert_element(child, old_ns)
        converted.tail = child.tail
        container.append(converted)
    return new


def _copy_node(node: etree._Element) -> etree._Element:
    if isinstance(node, etree._Comment):
        return etree.Comment(node.text)
    return etree.ProcessingInstruction(node.target, node.text)  # type: ignore[attr-defined]


def _convert_attribute(name: str) -> str:
    if name.startswith("{"):
        return name
    return _kebab(name)


def _nsmap(element: etree._Element, old_ns: str) -> dict[str | None, str]:
    mapping: dict[str | None, str] = {}
    for prefix, uri in element.nsmap.items():
        mapping[prefix] = QTI_NS if uri == old_ns else uri
    return mapping


def canonical_xml(root: etree._Element) -> str:
    """Return the canonical QTI 3.0 text of an element: default namespace, unused prefixes
    dropped, no XML declaration, so that equal documents give equal strings."""
    copy = etree.fromstring(etree.tostring(root), parser=_PARSER)
    etree.cleanup_namespaces(copy, top_nsmap={None: QTI_NS})
    return etree.tostring(copy, encoding="unicode")
