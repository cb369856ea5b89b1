"""Crosswalk to LRMI: a schema.org ``LearningResource`` as a JSON-LD dict.

Grades become ``educationalLevel`` ``DefinedTerm``s ("Lớp 10"), curriculum subjects become
``educationalAlignment`` objects of type ``educationalSubject`` and the "yêu cầu cần đạt"
alignments keep their type (``teaches``/``assesses``/``requires``) with ``educationalFramework``
"Chương trình GDPT 2018" (DOMAIN.md §3).
"""

from __future__ import annotations

from typing import Any

from learning_resources.crosswalks.common import landing_url
from learning_resources.licences import get_licence
from learning_resources.resources import Alignment, ContentKind, LearningResource
from learning_resources.vocabularies import EDUCATIONAL_FRAMEWORK, subject_name

__all__ = ["SCHEMA_CONTEXT", "to_lrmi_jsonld"]

SCHEMA_CONTEXT = "https://schema.org/"


def _alignment(alignment: Alignment) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@type": "AlignmentObject",
        "alignmentType": alignment.alignment_type,
        "educationalFramework": alignment.framework,
        "targetName": alignment.target_name,
        "identifier": alignment.target_code,
    }
    if alignment.target_description:
        node["targetDescription"] = alignment.target_description
    if alignment.target_url:
        node["targetUrl"] = alignment.target_url
    return node


def _subject(code: str) -> dict[str, Any]:
    return {
        "@type": "AlignmentObject",
        "alignmentType": "educationalSubject",
        "educationalFramework": EDUCATIONAL_FRAMEWORK,
        "targetName": subject_name(code),
        "identifier": code,
    }


def _grade(grade: int) -> dict[str, Any]:
    return {
        "@type": "DefinedTerm",
        "name": f"Lớp {grade}",
        "termCode": str(grade),
        "inDefinedTermSet": EDUCATIONAL_FRAMEWORK,
    }


def _people(names: tuple[str, ...]) -> list[dict[str, str]]:
    return [{"@type": "Person", "name": name} for name in names]


def _optional(resource: LearningResource) -> dict[str, Any]:
    dc, edu = resource.dc, resource.education
    pairs: dict[str, Any] = {
        "alternateName": dc.alternative_title,
        "publisher": {"@type": "Organization", "name": dc.publisher} if dc.publisher else None,
        "dateCreated": dc.created.isoformat() if dc.created else None,
        "datePublished": resource.published_at.isoformat() if resource.published_at else None,
        "typicalAgeRange": edu.age_range,
        "timeRequired": edu.time_required,
        "interactivityType": edu.interactivity_type,
        "isBasedOn": dc.source,
        "spatialCoverage": dc.coverage,
        "copyrightHolder": {"@type": "Organization", "name": dc.rights_holder}
        if dc.rights_holder
        else None,
    }
    return {key: value for key, value in pairs.items() if value}


def to_lrmi_jsonld(resource: LearningResource, *, base_url: str) -> dict[str, Any]:
    """Return the LRMI JSON-LD description of a resource version.

    Parameters
    ----------
    resource : LearningResource
    base_url : str
        Public base URL; ``@id`` is the landing page, ``url`` the link target or landing page.

    Returns
    -------
    dict
        JSON-serialisable; keys in a fixed order so ``json.dumps`` output is deterministic.
    """
    dc, edu = resource.dc, resource.education
    page = landing_url(base_url, resource)
    is_link = resource.content.kind is ContentKind.LINK
    document: dict[str, Any] = {
        "@context": SCHEMA_CONTEXT,
        "@type": "LearningResource",
        "@id": page,
        "identifier": resource.identifier,
        "version": resource.version,
        "name": dc.title,
        "description": dc.description,
        "inLanguage": dc.language,
        "url": resource.content.url if is_link else page,
        "license": get_licence(resource.licence).uri,
        "dateModified": resource.modified.isoformat(),
        "author": _people(dc.creators),
        "contributor": _people(dc.contributors),
        "keywords": list(dc.keywords),
        "educationalLevel": [_grade(grade) for grade in edu.grades],
        "educationalAlignment": [_subject(code) for code in edu.subjects]
        + [_alignment(alignment) for alignment in edu.alignments],
        "learningResourceType": list(edu.resource_types),
        "educationalUse": list(edu.educational_uses),
        "encodingFormat": list(resource.content.media_types),
        "isPartOf": [f"{base_url.rstrip('/')}/collections/{c}" for c in resource.collections],
    }
    document.update(_optional(resource))
    teaches = [a.target_name for a in edu.alignments if a.alignment_type == "teaches"]
    assesses = [a.target_name for a in edu.alignments if a.alignment_type == "assesses"]
    if teaches:
        document["teaches"] = teaches
    if assesses:
        document["assesses"] = assesses
    return document
