import dataclasses
import unicodedata
from datetime import datetime

import pytest

from learning_resources.errors import MetadataValidationError, UnknownLicenceError
from learning_resources.resources import (
    Alignment,
    Content,
    ContentKind,
    Educational,
    ResourceFile,
    ResourceState,
    StateChange,
    normalize_text_fields,
)
from learning_resources.validation import find_problems, validate_resource
from learning_resources.vocabularies import EDUCATIONAL_FRAMEWORK

SHA = "a" * 64


def fields_of(problems):
    return [problem.field for problem in problems]


def test_valid_resource_has_no_problems(resource):
    assert find_problems(resource) == []
    assert validate_resource(resource) is resource
    assert resource.dc_type == "Text"
    assert (
        resource.education.alignments[0].framework
        == EDUCATIONAL_FRAMEWORK
        == ("Chương trình GDPT 2018")
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "  "}, "dc.title"),
        ({"title": "x" * 501}, "dc.title"),
        ({"language": "vie"}, "dc.language"),
        ({"creators": ("",)}, "dc.creators[0]"),
        ({"keywords": ("ok", " ")}, "dc.keywords[1]"),
    ],
)
def test_dublin_core_errors_name_the_field(resource, change, field):
    broken = dataclasses.replace(resource, dc=dataclasses.replace(resource.dc, **change))
    assert fields_of(find_problems(broken)) == [field]
    with pytest.raises(MetadataValidationError, match=field.replace("[", r"\[")) as info:
        validate_resource(broken)
    assert info.value.field == field
    assert info.value.code == "metadata_invalid"


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"grades": ()}, ["education.grades"]),
        ({"grades": (0, 13)}, ["education.grades[0]", "education.grades[1]"]),
        ({"grades": (True,)}, ["education.grades[0]"]),
        ({"grades": (10, 10)}, ["education.grades"]),
        ({"subjects": ()}, ["education.subjects"]),
        ({"subjects": ("hoa hoc",)}, ["education.subjects[0]"]),
        ({"resource_types": ("poster",)}, ["education.resource_types[0]"]),
        ({"educational_uses": ("fun",)}, ["education.educational_uses[0]"]),
        ({"interactivity_type": "passive"}, ["education.interactivity_type"]),
        ({"typical_age_range": "15 tuổi"}, ["education.typical_age_range"]),
        ({"typical_age_range": "16-15"}, ["education.typical_age_range"]),
        ({"time_required": "45 phút"}, ["education.time_required"]),
        ({"time_required": "P1M"}, ["education.time_required"]),
    ],
)
def test_educational_errors_name_the_field(resource, change, fields):
    education = dataclasses.replace(resource.education, **change)
    assert fields_of(find_problems(dataclasses.replace(resource, education=education))) == fields


def test_alignment_errors_name_the_field(resource):
    bad = Alignment(
        target_code="toán 10",
        target_name=" ",
        alignment_type="mentions",
        framework="",
        target_url="ftp://example.org",
    )
    education = dataclasses.replace(resource.education, alignments=(bad,))
    prefix = "education.alignments[0]"
    assert fields_of(find_problems(dataclasses.replace(resource, education=education))) == [
        f"{prefix}.target_code",
        f"{prefix}.target_name",
        f"{prefix}.alignment_type",
        f"{prefix}.framework",
        f"{prefix}.target_url",
    ]


def test_resource_level_errors(resource):
    broken = dataclasses.replace(
        resource,
        identifier="Bài 1",
        version=0,
        licence="GPL-3.0",
        modified=datetime(2026, 1, 1),
        state=ResourceState.PUBLISHED,
        collections=("ok", "Không"),
    )
    problems = find_problems(broken)
    assert fields_of(problems) == [
        "identifier",
        "version",
        "licence",
        "modified",
        "published_at",
        "collections[1]",
    ]
    assert isinstance(problems[2], UnknownLicenceError)
    assert problems[2].code == "licence_unknown"


def _with_content(resource, **content):
    return dataclasses.replace(resource, content=Content(**content))


@pytest.mark.parametrize(
    ("content", "fields"),
    [
        ({"kind": ContentKind.LINK}, ["content.url"]),
        (
            {
                "kind": ContentKind.LINK,
                "url": "https://x.vn",
                "files": (ResourceFile("a", "text/html", 1, SHA),),
            },
            ["content.files"],
        ),
        ({"kind": ContentKind.PDF, "url": "https://x.vn/a.pdf"}, ["content.url", "content.files"]),
        (
            {"kind": ContentKind.PDF, "files": (ResourceFile("a.pdf", "image/png", 1, SHA),)},
            ["content.files[0].media_type"],
        ),
        (
            {
                "kind": ContentKind.PDF,
                "files": (
                    ResourceFile("a.pdf", "application/pdf", 1, SHA),
                    ResourceFile("b.pdf", "application/pdf", 1, SHA),
                ),
            },
            ["content.files"],
        ),
        (
            {
                "kind": ContentKind.IMAGE,
                "files": (
                    ResourceFile("../a.png", "image/png", -1, "XYZ"),
                    ResourceFile("/abs.png", "image/png", 1, SHA),
                    ResourceFile("a\\b.png", "image/png", 1, SHA),
                    ResourceFile("/abs.png", "image/png", 1, SHA),
                ),
            },
            [
                "content.files[0].path",
                "content.files[0].size",
                "content.files[0].sha256",
                "content.files[1].path",
                "content.files[2].path",
                "content.files[3].path",
                "content.files",
            ],
        ),
        (
            {
                "kind": ContentKind.HTML_PACKAGE,
                "files": (ResourceFile("index.js", "text/javascript", 1, SHA),),
                "entry_point": "index.html",
            },
            ["content.entry_point"],
        ),
        (
            {
                "kind": ContentKind.HTML_PACKAGE,
                "files": (ResourceFile("index.js", "text/javascript", 1, SHA),),
            },
            ["content.entry_point"],
        ),
        (
            {
                "kind": ContentKind.NOTEBOOK,
                "files": (ResourceFile("bai.ipynb", "application/json", 1, SHA),),
            },
            ["content.files"],
        ),
    ],
)
def test_content_errors_name_the_field(resource, content, fields):
    assert fields_of(find_problems(_with_content(resource, **content))) == fields


@pytest.mark.parametrize(
    ("kind", "files", "url", "entry", "dc_type"),
    [
        (ContentKind.LINK, (), "https://vi.wikipedia.org/wiki/Parabol", None, "Text"),
        (
            ContentKind.IMAGE,
            (ResourceFile("ban-do.png", "image/png", 9, SHA),),
            None,
            None,
            "StillImage",
        ),
        (
            ContentKind.VIDEO,
            (ResourceFile("v.mp4", "video/mp4", 9, SHA),),
            None,
            None,
            "MovingImage",
        ),
        (ContentKind.AUDIO, (ResourceFile("a.mp3", "audio/mpeg", 9, SHA),), None, None, "Sound"),
        (
            ContentKind.HTML_PACKAGE,
            (
                ResourceFile("index.html", "text/html", 9, SHA),
                ResourceFile("app.js", "text/javascript", 9, SHA),
            ),
            None,
            "index.html",
            "InteractiveResource",
        ),
        (
            ContentKind.NOTEBOOK,
            (ResourceFile("bai-1.ipynb", "application/x-ipynb+json", 9, SHA),),
            None,
            "bai-1.ipynb",
            "InteractiveResource",
        ),
    ],
)
def test_every_content_kind_validates(resource, kind, files, url, entry, dc_type):
    changed = _with_content(resource, kind=kind, files=files, url=url, entry_point=entry)
    assert find_problems(changed) == []
    assert changed.dc_type == dc_type
    assert changed.content.media_types == (
        ("text/html",) if url else tuple(f.media_type for f in files)
    )


def test_explicit_age_range_is_accepted(resource):
    education = dataclasses.replace(resource.education, typical_age_range="15-16")
    assert find_problems(dataclasses.replace(resource, education=education)) == []


def test_age_range_defaults_from_grades():
    assert Educational(grades=(10, 11), subjects=("toan",)).age_range == "15-17"
    assert Educational(grades=(), subjects=("toan",)).age_range is None
    assert Educational(grades=(1,), subjects=("toan",), typical_age_range="6-").age_range == "6-"


def test_normalize_text_fields_makes_every_string_nfc_and_keeps_types(resource):
    def nfd(text):
        return unicodedata.normalize("NFD", text)

    change = StateChange(
        "reject",
        ResourceState.IN_REVIEW,
        ResourceState.DRAFT,
        resource.modified,
        "gv",
        nfd("Thiếu đáp án"),
    )
    decomposed = dataclasses.replace(
        resource,
        dc=dataclasses.replace(
            resource.dc, title=nfd(resource.dc.title), creators=(nfd("Lê Thị Ánh"),)
        ),
        education=dataclasses.replace(
            resource.education, alignments=(Alignment("TOAN.10.1", nfd("Giải được phương trình")),)
        ),
        history=(change,),
    )
    assert decomposed != resource
    normalized = normalize_text_fields(decomposed)
    assert normalized.dc.title == resource.dc.title
    assert normalized.dc.creators == ("Lê Thị Ánh",)
    assert normalized.education.alignments[0].target_name == "Giải được phương trình"
    assert normalized.history[0].reason == "Thiếu đáp án"
    assert normalized.history[0].source is ResourceState.IN_REVIEW
    assert normalized.content.kind is ContentKind.PDF
    assert normalized.education.grades == (10,)


def test_dataclasses_are_frozen(resource):
    with pytest.raises(dataclasses.FrozenInstanceError):
        resource.version = 2  # type: ignore[misc]
