"""Learning resources: Qualified Dublin Core plus LRMI educational metadata, content and state.

A :class:`LearningResource` is one *version* of a resource. Versions move through the workflow in
:mod:`learning_resources.workflow`; a published version is never changed again (a revision is a
new draft version with the same identifier and ``version + 1``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum, StrEnum
from typing import Any, TypeVar

from learning_resources.vietnamese import nfc
from learning_resources.vocabularies import EDUCATIONAL_FRAMEWORK

__all__ = [
    "DCMI_TYPES",
    "Alignment",
    "Content",
    "ContentKind",
    "DublinCore",
    "Educational",
    "LearningResource",
    "ResourceFile",
    "ResourceState",
    "StateChange",
    "Visibility",
    "normalize_text_fields",
]

T = TypeVar("T")


class ResourceState(StrEnum):
    """Workflow states of a resource version."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class ContentKind(StrEnum):
    """What a resource version delivers: one kind of file set, or a link."""

    PDF = "pdf"
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"
    HTML_PACKAGE = "html_package"
    NOTEBOOK = "notebook"
    LINK = "link"


class Visibility(StrEnum):
    """Who may find a resource: everyone, members of its school, or its authors only."""

    PUBLIC = "public"
    SCHOOL = "school"
    PRIVATE = "private"


DCMI_TYPES: dict[ContentKind, str] = {
    ContentKind.PDF: "Text",
    ContentKind.IMAGE: "StillImage",
    ContentKind.VIDEO: "MovingImage",
    ContentKind.AUDIO: "Sound",
    ContentKind.HTML_PACKAGE: "InteractiveResource",
    ContentKind.NOTEBOOK: "InteractiveResource",
    ContentKind.LINK: "Text",
}
"""``dcterms:type`` (DCMI Type Vocabulary) emitted for each content kind."""


@dataclass(frozen=True, slots=True)
class ResourceFile:
    """One stored file of a resource version.

    Attributes
    ----------
    path : str
        Relative POSIX path inside the version (``"bai-giang/slide-1.png"``).
    media_type : str
        IANA media type (``"application/pdf"``; notebooks use ``"application/x-ipynb+json"``).
    size : int
        Size in bytes.
    sha256 : str
        Lower-case hex SHA-256 of the bytes; packages and caches rely on it.
    """

    path: str
    media_type: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Content:
    """The deliverable: files of one kind, or a URL for ``ContentKind.LINK``.

    ``entry_point`` is the file a viewer opens first (``index.html`` of an HTML package, the main
    notebook); it defaults to the only file when there is one.
    """

    kind: ContentKind
    files: tuple[ResourceFile, ...] = ()
    url: str | None = None
    entry_point: str | None = None

    @property
    def media_types(self) -> tuple[str, ...]:
        """Distinct media types in file order (``text/html`` for a link), for ``dcterms:format``."""
        if self.kind is ContentKind.LINK:
            return ("text/html",)
        return tuple(dict.fromkeys(f.media_type for f in self.files))


@dataclass(frozen=True, slots=True)
class Alignment:
    """An LRMI ``AlignmentObject`` pointing at a "yêu cầu cần đạt" of the 2018 programme.

    Attributes
    ----------
    target_code : str
        Our code for the requirement (e.g. ``"TOAN.10.DS.2.1"``); used as a canonical facet.
    target_name : str
        The requirement as worded in the programme (schema.org ``targetName``).
    alignment_type : str
        ``"teaches"``, ``"assesses"`` or ``"requires"``.
    framework : str
        ``educationalFramework``; always "Chương trình GDPT 2018" for the national programme.
    target_description, target_url : str or None
        Optional longer text and link to the published programme document.
    """

    target_code: str
    target_name: str
    alignment_type: str = "teaches"
    framework: str = EDUCATIONAL_FRAMEWORK
    target_description: str | None = None
    target_url: str | None = None


@dataclass(frozen=True, slots=True)
class DublinCore:
    """The ``dcterms:*`` descriptive metadata (ISO 15836-2 / TCVN 7980-2:2024).

    ``dcterms:type``, ``format``, ``license`` and ``identifier`` are not stored here: they are
    derived from the content kind, the files, the licence and the identifier of the resource.
    ``keywords`` are free-text ``dcterms:subject`` values; the curriculum subject is a code in
    :class:`Educational`.
    """

    title: str
    description: str = ""
    creators: tuple[str, ...] = ()
    contributors: tuple[str, ...] = ()
    publisher: str | None = None
    keywords: tuple[str, ...] = ()
    language: str = "vi"
    created: date | None = None
    source: str | None = None
    relations: tuple[str, ...] = ()
    coverage: str | None = None
    rights_holder: str | None = None
    alternative_title: str | None = None


@dataclass(frozen=True, slots=True)
class Educational:
    """LRMI educational properties.

    Attributes
    ----------
    grades : tuple of int
        ``educationalLevel``: school grades 1-12.
    subjects : tuple of str
        Subject codes from :data:`learning_resources.vocabularies.SUBJECTS`.
    alignments : tuple of Alignment
        ``educationalAlignment`` entries.
    resource_types : tuple of str
        ``learningResourceType`` values from ``LEARNING_RESOURCE_TYPES``.
    typical_age_range : str or None
        ``typicalAgeRange`` such as ``"15-16"``; derived from the grades when None.
    time_required : str or None
        ISO 8601 duration (``"PT45M"``).
    educational_uses : tuple of str
        ``educationalUse`` values.
    interactivity_type : str or None
        ``"active"``, ``"expositive"`` or ``"mixed"``.
    """

    grades: tuple[int, ...]
    subjects: tuple[str, ...]
    alignments: tuple[Alignment, ...] = ()
    resource_types: tuple[str, ...] = ()
    typical_age_range: str | None = None
    time_required: str | None = None
    educational_uses: tuple[str, ...] = ()
    interactivity_type: str | None = None

    @property
    def age_range(self) -> str | None:
        """``typicalAgeRange``, defaulting to the ages of the grades (grade 1 ≈ age 6-7)."""
        if self.typical_age_range is not None or not self.grades:
            return self.typical_age_range
        return f"{min(self.grades) + 5}-{max(self.grades) + 6}"


@dataclass(frozen=True, slots=True)
class StateChange:
    """One workflow transition recorded on a version (an audit trail entry)."""

    event: str
    source: ResourceState
    target: ResourceState
    at: datetime
    actor: str
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class LearningResource:
    """One version of a learning resource.

    Attributes
    ----------
    identifier : str
        Stable identifier (:mod:`learning_resources.identifiers`), shared by all versions.
    version : int
        Version number, starting at 1.
    dc : DublinCore
        Descriptive metadata.
    education : Educational
        LRMI educational metadata.
    content : Content
        Files or link.
    licence : str
        SPDX code of a registered CC licence (:mod:`learning_resources.licences`).
    modified : datetime
        Time zone-aware time of the last change; the OAI-PMH datestamp.
    state : ResourceState
        Workflow state; only ``DRAFT`` versions may be edited.
    school : str or None
        Owning school's code (a search facet and tenant key); None for system-wide resources.
    visibility : Visibility
        Who may find it.
    collections : tuple of str
        Identifiers of the collections the resource belongs to.
    published_at : datetime or None
        When this version was published (``dcterms:issued``).
    history : tuple of StateChange
        Transitions of this version, oldest first.
    """

    identifier: str
    version: int
    dc: DublinCore
    education: Educational
    content: Content
    licence: str
    modified: datetime
    state: ResourceState = ResourceState.DRAFT
    school: str | None = None
    visibility: Visibility = Visibility.PUBLIC
    collections: tuple[str, ...] = ()
    published_at: datetime | None = None
    history: tuple[StateChange, ...] = ()

    @property
    def dc_type(self) -> str:
        """``dcterms:type`` from the DCMI Type Vocabulary."""
        return DCMI_TYPES[self.content.kind]

    @property
    def is_deleted(self) -> bool:
        """True when OAI-PMH must report the record as deleted (a withdrawn version)."""
        return self.state is ResourceState.WITHDRAWN


def _normalize(value: Any) -> Any:
    # StrEnum members are str instances; nfc() would turn them into plain strings.
    if isinstance(value, Enum):
        return value
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, tuple):
        return tuple(_normalize(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _normalize(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    return value


def normalize_text_fields(value: T) -> T:
    """Return a copy of a resource (or any of its parts) with every text field in NFC.

    Walks dataclasses and tuples recursively, so titles, descriptions, creators, keywords,
    alignment texts, file paths and history reasons are all normalised; enums, numbers and dates
    are left alone (``StrEnum`` members are already ASCII).

    Parameters
    ----------
    value : dataclass instance, tuple or str
        Typically a :class:`LearningResource` or a :class:`Collection`.

    Returns
    -------
    same type as ``value``
    """
    return _normalize(value)  # type: ignore[no-any-return]
