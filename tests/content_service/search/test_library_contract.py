"""Library titles in the one catalogue search, on both engines (issue #9): print and digital
facets, the school's members only, and filters that narrow but never widen."""

from __future__ import annotations

from typing import Any

import pytest

from content_service.services.search import Audience, SearchBackend, SearchQuery
from learning_resources import library_document
from learning_resources.errors import MetadataValidationError
from tests.content_service.search.relevance import documents

SCHOOL, OTHER = "79-001", "79-002"


def _titles() -> list[dict[str, Any]]:
    return [
        library_document(
            identifier="t-de-men",
            title="Dế Mèn phiêu lưu ký",
            authors=["Tô Hoài"],
            subjects=["Văn học thiếu nhi"],
            school=SCHOOL,
            formats=["print"],
        ),
        library_document(
            identifier="t-hinh-hoc",
            title="Hình học 10",
            subtitle="Sách giáo khoa điện tử",
            summary="Vectơ, hệ thức lượng trong tam giác, phương pháp toạ độ",
            language="vie",
            school=SCHOOL,
            formats=["digital", "print"],
        ),
        library_document(
            identifier="t-english",
            title="English 10 Global Success",
            language="eng",
            isbn="9786040000017",
            school=SCHOOL,
            formats=["digital"],
        ),
        library_document(
            identifier="t-other-school",
            title="Dế Mèn phiêu lưu ký",
            authors=["Tô Hoài"],
            school=OTHER,
            formats=["print"],
        ),
    ]


@pytest.fixture
def catalogue(backend: SearchBackend) -> SearchBackend:
    backend.upsert([*documents()[:20], *_titles()])
    return backend


def _ids(backend: SearchBackend, q: str, **kwargs: Any) -> list[str]:
    return [h.document["identifier"] for h in backend.search(SearchQuery(q=q, **kwargs)).hits]


def test_titles_are_found_by_the_members_of_their_school_only(catalogue: SearchBackend) -> None:
    member = Audience(school=SCHOOL)
    assert _ids(catalogue, "de men phieu luu", audience=member) == ["t-de-men"]
    assert _ids(catalogue, "to hoai", audience=member) == ["t-de-men"]  # by author
    assert _ids(catalogue, "de men phieu luu", audience=Audience(school=OTHER)) == [
        "t-other-school"
    ]
    anonymous = catalogue.search(SearchQuery(q="de men phieu luu", limit=50)).hits
    assert all(h.document["doc_type"] == "resource" for h in anonymous)
    widened = _ids(catalogue, "de men", audience=Audience(school=OTHER), filters={"school": SCHOOL})
    assert widened == []
    everything = _ids(catalogue, "de men phieu luu", audience=Audience(everything=True))
    assert sorted(everything) == ["t-de-men", "t-other-school"]


def test_print_digital_school_and_language_facets(catalogue: SearchBackend) -> None:
    query = SearchQuery(
        q="",
        audience=Audience(school=SCHOOL),
        filters={"doc_type": "library"},
        facets=("type", "school", "language", "doc_type"),
        limit=50,
    )
    result = catalogue.search(query)
    assert sorted(h.document["identifier"] for h in result.hits) == [
        "t-de-men",
        "t-english",
        "t-hinh-hoc",
    ]
    assert result.facets["type"] == {"print": 2, "digital": 2}
    assert result.facets["school"] == {SCHOOL: 3}
    assert result.facets["language"] == {"vi": 2, "en": 1}
    assert result.facets["doc_type"] == {"library": 3}


def test_type_filter_selects_digital_items_and_tone_marks_rank_first(
    catalogue: SearchBackend,
) -> None:
    member = Audience(school=SCHOOL)
    digital = _ids(catalogue, "", audience=member, filters={"type": "digital"}, limit=50)
    assert sorted(digital) == ["t-english", "t-hinh-hoc"]
    assert _ids(catalogue, "9786040000017", audience=member) == ["t-english"]  # by ISBN
    hits = catalogue.search(SearchQuery(q="hình học", audience=member, limit=5)).hits
    assert hits[0].document["identifier"] == "t-hinh-hoc"
    assert "<mark>" in hits[0].highlight["title"]
    assert hits[0].document["doc_type"] == "library"


def test_a_deleted_title_leaves_the_index(catalogue: SearchBackend) -> None:
    member = Audience(school=SCHOOL)
    assert "t-de-men" in _ids(catalogue, "de men phieu luu", audience=member)
    catalogue.delete([_titles()[0]["id"]])
    assert "t-de-men" not in _ids(catalogue, "de men phieu luu", audience=member, limit=50)


def test_unknown_library_format_is_refused() -> None:
    with pytest.raises(MetadataValidationError) as error:
        library_document(identifier="t", title="x", school=SCHOOL, formats=["microfilm"])
    assert error.value.field == "formats"
