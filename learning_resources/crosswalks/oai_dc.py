"""Crosswalk to ``oai_dc``: the 15 unqualified Dublin Core elements required by OAI-PMH.

Qualified ``dcterms`` properties are dumbed down to their parent element, the usual DCMI rule:
``dcterms:created``/``issued`` → ``dc:date``, ``dcterms:license`` → ``dc:rights``,
``dcterms:alternative`` → ``dc:title``. Curriculum subjects are written as their Vietnamese
names (``Hóa học``) so harvesters display them, followed by the free keywords.
"""

from __future__ import annotations

from lxml import etree

from learning_resources.crosswalks.common import landing_url
from learning_resources.licences import get_licence
from learning_resources.resources import LearningResource
from learning_resources.vocabularies import subject_name

__all__ = ["DC_NAMESPACE", "OAI_DC_NAMESPACE", "OAI_DC_SCHEMA", "XSI_NAMESPACE", "to_oai_dc"]

OAI_DC_NAMESPACE = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC_NAMESPACE = "http://purl.org/dc/elements/1.1/"
XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Human-language text gets xml:lang (allowed on every element by simpledc20021212.xsd).
_LANGUAGE_TAGGED = frozenset({"title", "subject", "description"})
_NSMAP = {"oai_dc": OAI_DC_NAMESPACE, "dc": DC_NAMESPACE, "xsi": XSI_NAMESPACE}


def _elements(resource: LearningResource, base_url: str) -> list[tuple[str, str]]:
    dc, edu = resource.dc, resource.education
    licence = get_licence(resource.licence)
    pairs: list[tuple[str, str]] = [("title", dc.title)]
    if dc.alternative_title:
        pairs.append(("title", dc.alternative_title))
    pairs += [("creator", name) for name in dc.creators]
    pairs += [("subject", subject_name(code)) for code in edu.subjects]
    pairs += [("subject", keyword) for keyword in dc.keywords]
    if dc.description:
        pairs.append(("description", dc.description))
    if dc.publisher:
        pairs.append(("publisher", dc.publisher))
    pairs += [("contributor", name) for name in dc.contributors]
    if dc.created is not None:
        pairs.append(("date", dc.created.isoformat()))
    if resource.published_at is not None:
        pairs.append(("date", resource.published_at.date().isoformat()))
    pairs.append(("type", resource.dc_type))
    pairs += [("type", kind) for kind in edu.resource_types]
    pairs += [("format", media_type) for media_type in resource.content.media_types]
    pairs.append(("identifier", landing_url(base_url, resource)))
    if resource.content.url:
        pairs.append(("identifier", resource.content.url))
    if dc.source:
        pairs.append(("source", dc.source))
    pairs.append(("language", dc.language))
    pairs += [("relation", relation) for relation in dc.relations]
    if dc.coverage:
        pairs.append(("coverage", dc.coverage))
    pairs.append(("rights", licence.uri))
    if dc.rights_holder:
        pairs.append(("rights", f"© {dc.rights_holder}"))
    return pairs


def to_oai_dc(resource: LearningResource, *, base_url: str) -> etree._Element:
    """Return the ``<oai_dc:dc>`` element of a resource version.

    Parameters
    ----------
    resource : LearningResource
        Should be valid (see :func:`learning_resources.validation.validate_resource`).
    base_url : str
        Public base URL of the repository; ``dc:identifier`` is the resource's landing page.

    Returns
    -------
    lxml.etree._Element
        Root ``oai_dc:dc`` with ``xsi:schemaLocation``, ready to put inside ``<metadata>``.

    Raises
    ------
    UnknownLicenceError
        If the licence is not registered.
    """
    root = etree.Element(etree.QName(OAI_DC_NAMESPACE, "dc"), nsmap=_NSMAP)
    root.set(etree.QName(XSI_NAMESPACE, "schemaLocation"), f"{OAI_DC_NAMESPACE} {OAI_DC_SCHEMA}")
    for name, text in _elements(resource, base_url):
        element = etree.SubElement(root, etree.QName(DC_NAMESPACE, name))
        element.text = text
        if name in _LANGUAGE_TAGGED:
            element.set(XML_LANG, resource.dc.language)
    return root
