import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from learning_resources.documents import (
    FACET_FIELDS,
    SEARCHABLE_FIELDS,
    document_id,
    item_document,
    resource_document,
)
from learning_resources.errors import MetadataValidationError
from learning_resources.resources import Visibility

KEY = re.compile(r"^[A-Za-z0-9_-]{1,511}$")


def test_resource_document(published_resource):
    document = resource_document(published_resource)
    assert document["id"] == "resource-res-0000000000000000000000000a"
    assert KEY.match(document["id"])
    assert document["title"] == "Hàm số bậc hai và đồ thị"
    assert document["title_folded"] == "ham so bac hai va do thi"
    assert document["keywords_folded"] == ["parabol", "ham so bac hai"]
    assert document["description_folded"].startswith("bai giang ve do thi ham so bac hai")
    assert document["subject"] == ["toan"]
    assert document["subject_name"] == ["Toán"]
    assert document["grade"] == [10]
    assert document["type"] == ["presentation", "exercise"]
    assert document["licence"] == "CC-BY-SA-4.0"
    assert document["language"] == "vi"
    assert document["school"] == "thpt-nth"
    assert document["visibility"] == "public"
    assert document["alignment"] == ["TOAN.10.DS.3.2", "TOAN.10.DS.3.3"]
    assert document["published_at"] == int(published_resource.published_at.timestamp())
    assert set(FACET_FIELDS) <= document.keys()
    assert set(SEARCHABLE_FIELDS) <= document.keys()


def test_document_text_is_nfc_even_from_nfd_input(resource_builder, resource):
    import dataclasses

    nfd = unicodedata.normalize("NFD", "Hóa học hữu cơ")
    built = resource_builder(dc=dataclasses.replace(resource.dc, title=nfd, keywords=(nfd,)))
    document = resource_document(built)
    assert document["title"] == "Hóa học hữu cơ" == document["keywords"][0]
    assert document["published_at"] is None


def test_item_document():
    document = item_document(
        identifier="urn:uuid:4f1c/câu 1",
        version=2,
        text="Nghiệm của phương trình x² − 5x + 6 = 0 là gì?",  # noqa: RUF001 -- real minus sign
        subjects=["toan"],
        grades=[9, 8],
        item_type="choice",
        school=None,
        visibility=Visibility.SCHOOL,
    )
    assert KEY.match(document["id"])
    assert document["id"].startswith("item-urn_3auuid_3a4f1c_2fc_c3_a2u_201")
    assert document["title"] == document["description"]
    assert document["title_folded"].startswith("nghiem cua phuong trinh")
    assert document["grade"] == [8, 9]
    assert (document["type"], document["visibility"], document["doc_type"]) == (
        ["choice"],
        "school",
        "item",
    )
    with pytest.raises(MetadataValidationError, match="subjects"):
        item_document(
            identifier="q1",
            version=1,
            text="?",
            subjects=["Toán"],
            grades=[9],
            item_type="choice",
            school=None,
            visibility=Visibility.PUBLIC,
        )


def test_document_id_limits_length():
    assert document_id("item", "a" * 500) == "item-" + "a" * 500
    with pytest.raises(MetadataValidationError, match="511"):
        document_id("item", "ă" * 100)


@given(st.text(max_size=60), st.text(max_size=60))
def test_document_ids_are_key_safe_and_injective(first, second):
    first_id, second_id = document_id("item", first), document_id("item", second)
    assert KEY.match(first_id)
    assert (first_id == second_id) == (
        unicodedata.normalize("NFC", first) == unicodedata.normalize("NFC", second)
    )


def test_library_document_folds_text_and_maps_the_marc_language() -> None:
    from learning_resources import library_document

    document = library_document(
        identifier="0f5c",
        title="Đất rừng phương Nam",
        subtitle="Tiểu thuyết",
        authors=["Đoàn Giỏi"],
        subjects=["Văn học Việt Nam"],
        isbn="9786042000017",
        language="vie",
        school="79-001",
        formats=["digital", "print"],
    )
    assert document["id"] == "library-0f5c"
    assert document["doc_type"] == "library"
    assert document["title"] == "Đất rừng phương Nam : Tiểu thuyết"
    assert document["title_folded"] == "dat rung phuong nam tieu thuyet"
    assert document["keywords"] == ["Văn học Việt Nam", "9786042000017"]
    assert document["creators"] == ["Đoàn Giỏi"]
    assert document["type"] == ["print", "digital"]  # canonical order
    assert document["language"] == "vi"
    assert (document["school"], document["visibility"]) == ("79-001", "school")
    assert (
        library_document(identifier="x", title="Tom", language="tgl", school="s")["language"]
        == "tgl"
    )
