"""Export-only crosswalk to IEEE LOM (1484.12.1) XML, LOMv1.0 vocabularies.

Eight of the nine categories are written (Annotation has nothing to say about a new record).
Classification carries the curriculum: ``discipline`` holds the subject, ``educational level``
the grade and ``competency`` the "yêu cầu cần đạt" codes, each in a taxon path whose source is
"Chương trình GDPT 2018". Our resource types that have a LOM equivalent are mapped; the others
are left out rather than forced into a wrong term.
"""

from __future__ import annotations

from lxml import etree

from learning_resources.crosswalks.common import landing_url
from learning_resources.durations import format_duration, parse_duration
from learning_resources.licences import get_licence
from learning_resources.resources import LearningResource, ResourceState
from learning_resources.vocabularies import EDUCATIONAL_FRAMEWORK, subject_name

__all__ = ["LOM_NAMESPACE", "to_lom"]

LOM_NAMESPACE = "http://ltsc.ieee.org/xsd/LOM"
_LOM_TYPES = {
    "exercise": "exercise",
    "worksheet": "exercise",
    "simulation": "simulation",
    "quiz": "questionnaire",
    "assessment": "exam",
    "experiment": "experiment",
    "presentation": "slide",
    "video lecture": "lecture",
    "reading": "narrative text",
    "textbook": "narrative text",
    "image": "figure",
    "map": "diagram",
    "reference": "index",
}
_STATUS = {
    ResourceState.PUBLISHED: "final",
    ResourceState.WITHDRAWN: "unavailable",
}


class _Builder:
    def __init__(self, language: str) -> None:
        self.language = language

    def el(self, parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
        node = etree.SubElement(parent, f"{{{LOM_NAMESPACE}}}{name}")
        if text is not None:
            node.text = text
        return node

    def langstring(self, parent: etree._Element, name: str, text: str) -> None:
        self.el(self.el(parent, name), "string", text).set("language", self.language)

    def vocab(self, parent: etree._Element, name: str, value: str) -> None:
        node = self.el(parent, name)
        self.el(node, "source", "LOMv1.0")
        self.el(node, "value", value)

    def identifier(self, parent: etree._Element, catalog: str, entry: str) -> None:
        node = self.el(parent, "identifier")
        self.el(node, "catalog", catalog)
        self.el(node, "entry", entry)


def _vcard(name: str) -> str:
    escaped = name.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return f"BEGIN:VCARD\nVERSION:3.0\nFN:{escaped}\nN:{escaped}\nEND:VCARD"


def _general(b: _Builder, root: etree._Element, r: LearningResource, page: str) -> None:
    general = b.el(root, "general")
    b.identifier(general, "URI", page)
    b.langstring(general, "title", r.dc.title)
    b.el(general, "language", r.dc.language)
    if r.dc.description:
        b.langstring(general, "description", r.dc.description)
    for keyword in r.dc.keywords:
        b.langstring(general, "keyword", keyword)
    if r.dc.coverage:
        b.langstring(general, "coverage", r.dc.coverage)
    b.vocab(general, "aggregationLevel", "1")


def _life_cycle(b: _Builder, root: etree._Element, r: LearningResource) -> None:
    life = b.el(root, "lifeCycle")
    b.langstring(life, "version", str(r.version))
    b.vocab(life, "status", _STATUS.get(r.state, "draft"))
    for role, names in (("author", r.dc.creators), ("publisher", (r.dc.publisher,))):
        for name in (n for n in names if n):
            contribute = b.el(life, "contribute")
            b.vocab(contribute, "role", role)
            b.el(contribute, "entity", _vcard(name))
            if role == "author" and r.dc.created is not None:
                b.el(b.el(contribute, "date"), "dateTime", r.dc.created.isoformat())


def _meta_and_technical(b: _Builder, root: etree._Element, r: LearningResource, page: str) -> None:
    meta = b.el(root, "metaMetadata")
    b.el(meta, "metadataSchema", "LOMv1.0")
    b.el(meta, "language", r.dc.language)
    technical = b.el(root, "technical")
    for media_type in r.content.media_types:
        b.el(technical, "format", media_type)
    if r.content.files:
        b.el(technical, "size", str(sum(f.size for f in r.content.files)))
    b.el(technical, "location", r.content.url or page)


def _educational(b: _Builder, root: etree._Element, r: LearningResource) -> None:
    edu = r.education
    educational = b.el(root, "educational")
    if edu.interactivity_type:
        b.vocab(educational, "interactivityType", edu.interactivity_type)
    for kind in dict.fromkeys(_LOM_TYPES[t] for t in edu.resource_types if t in _LOM_TYPES):
        b.vocab(educational, "learningResourceType", kind)
    b.vocab(educational, "intendedEndUserRole", "learner")
    b.vocab(educational, "context", "school")
    if edu.age_range:
        b.langstring(educational, "typicalAgeRange", edu.age_range)
    if edu.time_required:
        duration = format_duration(parse_duration(edu.time_required))
        b.el(b.el(educational, "typicalLearningTime"), "duration", duration)
    b.el(educational, "language", r.dc.language)


def _rights_and_relations(
    b: _Builder, root: etree._Element, r: LearningResource, base: str
) -> None:
    rights = b.el(root, "rights")
    b.vocab(rights, "cost", "no")
    b.vocab(rights, "copyrightAndOtherRestrictions", "yes")
    licence = get_licence(r.licence)
    b.langstring(rights, "description", f"{licence.name} ({licence.code}): {licence.uri}")
    for collection in r.collections:
        relation = b.el(root, "relation")
        b.vocab(relation, "kind", "ispartof")
        b.identifier(
            b.el(relation, "resource"), "URI", f"{base.rstrip('/')}/collections/{collection}"
        )


def _classification(
    b: _Builder, root: etree._Element, purpose: str, taxa: list[tuple[str, str]]
) -> None:
    if not taxa:
        return
    classification = b.el(root, "classification")
    b.vocab(classification, "purpose", purpose)
    path = b.el(classification, "taxonPath")
    b.langstring(path, "source", EDUCATIONAL_FRAMEWORK)
    for taxon_id, entry in taxa:
        taxon = b.el(path, "taxon")
        b.el(taxon, "id", taxon_id)
        b.langstring(taxon, "entry", entry)


def to_lom(resource: LearningResource, *, base_url: str) -> etree._Element:
    """Return the ``<lom>`` element (namespace ``http://ltsc.ieee.org/xsd/LOM``) of a resource.

    Parameters
    ----------
    resource : LearningResource
    base_url : str
        Public base URL, used for the URI identifier and relations.

    Returns
    -------
    lxml.etree._Element
    """
    builder = _Builder(resource.dc.language)
    page = landing_url(base_url, resource)
    root = etree.Element(f"{{{LOM_NAMESPACE}}}lom", nsmap={None: LOM_NAMESPACE})
    _general(builder, root, resource, page)
    _life_cycle(builder, root, resource)
    _meta_and_technical(builder, root, resource, page)
    _educational(builder, root, resource)
    _rights_and_relations(builder, root, resource, base_url)
    edu = resource.education
    _classification(builder, root, "discipline", [(c, subject_name(c)) for c in edu.subjects])
    _classification(builder, root, "educational level", [(str(g), f"Lớp {g}") for g in edu.grades])
    competencies = [(a.target_code, a.target_name) for a in edu.alignments]
    _classification(builder, root, "competency", competencies)
    return root
