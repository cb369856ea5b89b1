"""Validation of learning-resource metadata; every error names the offending field.

:func:`find_problems` returns all problems at once (an authoring form shows them together);
:func:`validate_resource` raises the first one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from learning_resources.durations import parse_duration
from learning_resources.errors import MetadataValidationError
from learning_resources.identifiers import validate_identifier
from learning_resources.licences import get_licence
from learning_resources.resources import (
    Alignment,
    Content,
    ContentKind,
    DublinCore,
    Educational,
    LearningResource,
    ResourceState,
)
from learning_resources.vocabularies import (
    EDUCATIONAL_USES,
    INTERACTIVITY_TYPES,
    LEARNING_RESOURCE_TYPES,
    SUBJECTS,
)

__all__ = ["find_problems", "validate_resource"]

MAX_TITLE_LENGTH = 500
ALIGNMENT_TYPES = frozenset({"teaches", "assesses", "requires"})
_LANGUAGE = re.compile(r"^[a-z]{2}(?:-[A-Z]{2})?$")
_AGE_RANGE = re.compile(r"^(\d{1,2})-(\d{1,2})?$")
_TARGET_CODE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,63}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
# Media types a file of each kind may have; HTML packages carry assets of any type.
_MEDIA_PREFIX: dict[ContentKind, tuple[str, ...]] = {
    ContentKind.PDF: ("application/pdf",),
    ContentKind.IMAGE: ("image/",),
    ContentKind.VIDEO: ("video/",),
    ContentKind.AUDIO: ("audio/",),
}
NOTEBOOK_MEDIA_TYPE = "application/x-ipynb+json"


def _error(field: str, message: str) -> MetadataValidationError:
    return MetadataValidationError(field, message)


def _check_dc(dc: DublinCore) -> Iterator[MetadataValidationError]:
    if not dc.title.strip():
        yield _error("dc.title", "must not be empty")
    elif len(dc.title) > MAX_TITLE_LENGTH:
        yield _error("dc.title", f"must be at most {MAX_TITLE_LENGTH} characters")
    if not _LANGUAGE.match(dc.language):
        yield _error("dc.language", f"{dc.language!r} is not an ISO 639-1 code such as 'vi'")
    for name in ("creators", "contributors", "keywords", "relations"):
        for index, value in enumerate(getattr(dc, name)):
            if not value.strip():
                yield _error(f"dc.{name}[{index}]", "must not be empty")


def _check_alignment(index: int, alignment: Alignment) -> Iterator[MetadataValidationError]:
    field = f"education.alignments[{index}]"
    if not _TARGET_CODE.match(alignment.target_code):
        yield _error(f"{field}.target_code", f"{alignment.target_code!r} must be like TOAN.10.1")
    if not alignment.target_name.strip():
        yield _error(f"{field}.target_name", "must state the 'yêu cầu cần đạt'")
    if alignment.alignment_type not in ALIGNMENT_TYPES:
        yield _error(f"{field}.alignment_type", f"must be one of {sorted(ALIGNMENT_TYPES)}")
    if not alignment.framework.strip():
        yield _error(f"{field}.framework", "must not be empty")
    if alignment.target_url is not None and not _URL.match(alignment.target_url):
        yield _error(f"{field}.target_url", "must be an http(s) URL")


def _check_vocabulary(
    field: str, values: tuple[str, ...], allowed: frozenset[str]
) -> Iterator[MetadataValidationError]:
    for index, value in enumerate(values):
        if value not in allowed:
            yield _error(f"{field}[{index}]", f"{value!r} is not one of {sorted(allowed)}")


def _check_age_range(value: str) -> Iterator[MetadataValidationError]:
    match = _AGE_RANGE.match(value)
    if match is None:
        yield _error("education.typical_age_range", f"{value!r} must look like '15-16' or '15-'")
    elif match.group(2) is not None and int(match.group(2)) < int(match.group(1)):
        yield _error("education.typical_age_range", f"{value!r} ends before it starts")


def _check_education(edu: Educational) -> Iterator[MetadataValidationError]:
    if not edu.grades:
        yield _error("education.grades", "at least one grade (1-12) is required")
    for index, grade in enumerate(edu.grades):
        if isinstance(grade, bool) or not isinstance(grade, int) or not 1 <= grade <= 12:
            yield _error(f"education.grades[{index}]", f"{grade!r} is not a grade 1-12")
    if len(set(edu.grades)) != len(edu.grades):
        yield _error("education.grades", "grades must not repeat")
    if not edu.subjects:
        yield _error("education.subjects", "at least one subject code is required")
    yield from _check_vocabulary("education.subjects", edu.subjects, frozenset(SUBJECTS))
    for index, alignment in enumerate(edu.alignments):
        yield from _check_alignment(index, alignment)
    yield from _check_vocabulary(
        "education.resource_types", edu.resource_types, LEARNING_RESOURCE_TYPES
    )
    yield from _check_vocabulary(
        "education.educational_uses", edu.educational_uses, EDUCATIONAL_USES
    )
    if edu.interactivity_type is not None and edu.interactivity_type not in INTERACTIVITY_TYPES:
        yield _error(
            "education.interactivity_type", f"must be one of {sorted(INTERACTIVITY_TYPES)}"
        )
    if edu.typical_age_range is not None:
        yield from _check_age_range(edu.typical_age_range)
    if edu.time_required is not None:
        try:
            parse_duration(edu.time_required, field="education.time_required")
        except MetadataValidationError as error:
            yield error


def _check_file_path(field: str, path: str) -> Iterator[MetadataValidationError]:
    parts = PurePosixPath(path).parts
    if not path or path.startswith("/") or "\\" in path or ".." in parts or "." in parts:
        yield _error(field, f"{path!r} must be a relative POSIX path without '..'")


def _check_files(content: Content) -> Iterator[MetadataValidationError]:
    prefixes = _MEDIA_PREFIX.get(content.kind)
    for index, file in enumerate(content.files):
        field = f"content.files[{index}]"
        yield from _check_file_path(f"{field}.path", file.path)
        if file.size < 0:
            yield _error(f"{field}.size", "must not be negative")
        if not _SHA256.match(file.sha256):
            yield _error(f"{field}.sha256", "must be 64 lower-case hex digits")
        if prefixes is not None and not file.media_type.startswith(prefixes):
            yield _error(f"{field}.media_type", f"{file.media_type!r} is not a {content.kind}")
    paths = [file.path for file in content.files]
    if len(set(paths)) != len(paths):
        yield _error("content.files", "file paths must be unique")


def _check_content(content: Content) -> Iterator[MetadataValidationError]:
    if content.kind is ContentKind.LINK:
        if content.url is None or not _URL.match(content.url):
            yield _error("content.url", "a link needs an http(s) URL")
        if content.files:
            yield _error("content.files", "a link has no files")
        return
    if content.url is not None:
        yield _error("content.url", f"a {content.kind} resource is stored, not linked")
    if not content.files:
        yield _error("content.files", f"a {content.kind} resource needs at least one file")
    yield from _check_files(content)
    if content.kind is ContentKind.PDF and len(content.files) > 1:
        yield _error("content.files", "a PDF resource holds exactly one file")
    yield from _check_entry_point(content)


def _check_entry_point(content: Content) -> Iterator[MetadataValidationError]:
    paths = {file.path for file in content.files}
    entry = content.entry_point
    if entry is not None and entry not in paths:
        yield _error("content.entry_point", f"{entry!r} is not one of the files")
    if content.kind is ContentKind.HTML_PACKAGE and not (entry or "").endswith((".html", ".htm")):
        yield _error("content.entry_point", "an HTML package needs an .html entry point")
    if content.kind is ContentKind.NOTEBOOK and not any(
        f.path.endswith(".ipynb") and f.media_type == NOTEBOOK_MEDIA_TYPE for f in content.files
    ):
        yield _error(
            "content.files", f"a notebook resource needs an .ipynb ({NOTEBOOK_MEDIA_TYPE})"
        )


def _check_resource(resource: LearningResource) -> Iterator[MetadataValidationError]:
    try:
        validate_identifier(resource.identifier)
    except MetadataValidationError as error:
        yield error
    if resource.version < 1:
        yield _error("version", f"must be >= 1, got {resource.version}")
    try:
        get_licence(resource.licence)
    except MetadataValidationError as error:
        yield error
    if resource.modified.utcoffset() is None:
        yield _error("modified", "must be time zone-aware")
    if resource.state is ResourceState.PUBLISHED and resource.published_at is None:
        yield _error("published_at", "a published version needs its publication time")
    for index, collection in enumerate(resource.collections):
        try:
            validate_identifier(collection, field=f"collections[{index}]")
        except MetadataValidationError as error:
            yield error


def find_problems(resource: LearningResource) -> list[MetadataValidationError]:
    """Return every validation problem of a resource version (empty when it is valid).

    Parameters
    ----------
    resource : LearningResource

    Returns
    -------
    list of MetadataValidationError
        Each names its field with a dotted path such as ``"education.grades[1]"``.
    """
    return [
        *_check_resource(resource),
        *_check_dc(resource.dc),
        *_check_education(resource.education),
        *_check_content(resource.content),
    ]


def validate_resource(resource: LearningResource) -> LearningResource:
    """Return the resource unchanged if it is valid.

    Raises
    ------
    MetadataValidationError
        The first problem found (``UnknownLicenceError`` for an unregistered licence).
    """
    problems = find_problems(resource)
    if problems:
        raise problems[0]
    return resource
