"""The versioned item JSON and the Vietnamese fixture set written in it."""

import json
import re
import unicodedata
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from item_bank.errors import ImportFormatError
from item_bank.formats import FORMAT_VERSION, dump_items, import_gift, load_items, upgrade
from item_bank.items import (
    Choice,
    CognitiveLevel,
    Item,
    ItemKind,
    ItemMetadata,
    NumericKey,
    TextAnswer,
    validate_item,
)

SUBJECTS = {"Toán", "Vật lí", "Hóa học", "Sinh học", "Ngữ văn", "Lịch sử và Địa lí"}
CODE = re.compile(r"^(TO|VL|HH|SH|NV|LD)\.(0[6-9]|1[0-2])\.[A-Z]{2,3}\.0[1-4]$")


@pytest.fixture
def vi_items(vi_items_path):
    return load_items(vi_items_path)


def test_fixture_set_covers_subjects_levels_and_kinds(vi_items):
    assert len(vi_items) == 96
    cells = Counter((i.metadata.subject, i.metadata.cognitive_level) for i in vi_items)
    assert set(cells) == {(s, level) for s in SUBJECTS for level in CognitiveLevel}
    assert set(cells.values()) == {4}
    kinds = Counter(i.kind for i in vi_items)
    assert kinds[ItemKind.SINGLE_CHOICE] == 60
    assert {
        ItemKind.MULTIPLE_RESPONSE,
        ItemKind.TRUE_FALSE,
        ItemKind.NUMERIC,
        ItemKind.SHORT_TEXT,
    } < set(kinds)
    assert {i.metadata.grade for i in vi_items} == {6, 7, 9, 10, 11, 12}
    assert all(len(i.choices) == 4 for i in vi_items if i.kind is ItemKind.SINGLE_CHOICE)
    assert Counter(i.correct[0] for i in vi_items if i.kind is ItemKind.SINGLE_CHOICE) == {
        "A": 15,
        "B": 15,
        "C": 15,
        "D": 15,
    }


def test_fixture_set_is_valid_nfc_with_consistent_codes(vi_items, vi_items_path):
    raw = vi_items_path.read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", raw)
    for item in vi_items:
        assert validate_item(item) == []
        code = item.metadata.requirement_code
        assert CODE.match(code), code
        subject, grade, topic, number = code.split(".")
        level = ["NB", "TH", "VD", "VDC"][int(number) - 1]
        assert item.identifier.startswith(f"{subject}{grade}-{topic}-{level}-")
        assert item.metadata.grade == int(grade)


def test_round_trip_is_exact(vi_items, moodle):
    assert load_items(dump_items(vi_items)) == vi_items
    imported = import_gift(moodle / "gift" / "examples.txt", language="en").items
    assert load_items(dump_items(imported)) == list(imported)


def test_defaults_are_left_out_and_text_is_not_escaped(vi_items):
    document = json.loads(dump_items(vi_items[:1]))
    assert document["format_version"] == FORMAT_VERSION
    entry = document["items"][0]
    assert "points" not in entry
    assert "partial_credit" not in entry
    assert "Đồ thị" in dump_items(vi_items[:1])


def test_versions_newer_missing_or_without_upgrade_are_refused():
    with pytest.raises(
        ImportFormatError, match="format_version 2 is newer than this software reads"
    ):
        upgrade({"format_version": 2, "items": []}, source="new.json")
    with pytest.raises(ImportFormatError, match="format_version must be an integer, got None"):
        load_items(b'{"items": []}')
    with pytest.raises(ImportFormatError, match="no upgrade from format_version 0"):
        upgrade({"format_version": 0, "items": []})
    assert upgrade({"format_version": 1, "items": []}) == {"format_version": 1, "items": []}


def test_broken_items_are_named():
    with pytest.raises(
        ImportFormatError, match=r"item 'x1': KeyError: .*unknown field\(s\) for Item: colour"
    ):
        load_items(
            json.dumps(
                {
                    "format_version": 1,
                    "items": [
                        {"identifier": "x1", "kind": "open_response", "stem": "s", "colour": "red"}
                    ],
                }
            )
        )
    with pytest.raises(
        ImportFormatError, match="item 'x2': correct: a single_choice item needs exactly one key"
    ):
        load_items(
            json.dumps(
                {
                    "format_version": 1,
                    "items": [
                        {
                            "identifier": "x2",
                            "kind": "single_choice",
                            "stem": "s",
                            "choices": [
                                {"identifier": "A", "text": "a"},
                                {"identifier": "B", "text": "b"},
                            ],
                        }
                    ],
                }
            )
        )
    entry = {"identifier": "x3", "kind": "open_response", "stem": "s"}
    twice = json.dumps({"format_version": 1, "items": [entry, entry]})
    with pytest.raises(ImportFormatError, match="item 'x3': identifier is used twice"):
        load_items(twice)
    with pytest.raises(ImportFormatError, match=r"^items\.json: not JSON"):
        load_items("{")


vietnamese_text = st.text(
    alphabet=st.sampled_from(list("aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậềểễếệ $^{}\\=~#")),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip())


@st.composite
def items(draw):
    kind = draw(st.sampled_from([ItemKind.SINGLE_CHOICE, ItemKind.NUMERIC, ItemKind.SHORT_TEXT]))
    fields = {}
    if kind is ItemKind.SINGLE_CHOICE:
        n = draw(st.integers(2, 5))
        fields["choices"] = tuple(Choice(f"c{i}", draw(vietnamese_text)) for i in range(n))
        fields["correct"] = (f"c{draw(st.integers(0, n - 1))}",)
        fields["shuffle"] = draw(st.booleans())
    elif kind is ItemKind.NUMERIC:
        value = draw(st.floats(-1e6, 1e6, allow_nan=False))
        tolerance = draw(st.floats(0, 10, allow_nan=False))
        fields["numeric_keys"] = (NumericKey(value, tolerance=tolerance, units=("m",)),)
    else:
        fields["text_answers"] = (TextAnswer(draw(vietnamese_text), score=0.5),)
    level = draw(st.sampled_from([None, *CognitiveLevel]))
    meta = ItemMetadata(subject="Toán", grade=draw(st.integers(1, 12)), cognitive_level=level)
    return Item(
        identifier=draw(st.from_regex(r"[A-Za-z][A-Za-z0-9_.\-]{0,20}", fullmatch=True)),
        kind=kind,
        stem=draw(vietnamese_text),
        points=draw(st.sampled_from([0.25, 0.5, 1.0, 2.0])),
        metadata=meta,
        **fields,
    ).normalised()


@given(st.lists(items(), max_size=4, unique_by=lambda i: i.identifier))
def test_any_valid_items_round_trip(generated):
    assert load_items(dump_items(generated)) == generated
