"""Consistency of the Vietnamese relevance set in tests/fixtures/vi_search/."""

import json
import unicodedata
from pathlib import Path

import pytest

from learning_resources.documents import document_id
from learning_resources.licences import get_licence
from learning_resources.vietnamese import (
    fold_diacritics,
    fold_for_search,
    has_diacritics,
    rerank_exact_tone,
    tokenize_syllables,
)
from learning_resources.vocabularies import LEARNING_RESOURCE_TYPES, SUBJECTS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "vi_search"
KINDS = {"tone-less", "d/đ", "typo", "prefix", "tone-marked", "mixed"}
AREAS = {
    "maths",
    "physics",
    "chemistry",
    "biology",
    "literature",
    "history",
    "geography",
    "informatics",
}
FIELDS = ("title", "keywords", "description")


@pytest.fixture(scope="module")
def records():
    return json.loads((FIXTURES / "records.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def queries():
    return json.loads((FIXTURES / "queries.json").read_text(encoding="utf-8"))


def segments(record):
    return [record["title"], *record["keywords"], record["description"]]


def contains_phrase(record, phrase, *, fold, prefix=False):
    def prepare(text):
        tokens = tokenize_syllables(text)
        return [fold_diacritics(t) for t in tokens] if fold else tokens

    wanted = prepare(phrase)
    head, last = wanted[:-1], wanted[-1]
    for segment in segments(record):
        tokens = prepare(segment)
        for start in range(len(tokens) - len(wanted) + 1):
            candidate = tokens[start + len(head)]
            if tokens[start : start + len(head)] == head and (
                candidate.startswith(last) if prefix else candidate == last
            ):
                return True
    return False


def all_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from all_strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from all_strings(item)


def test_files_are_nfc(records, queries):
    for text in [*all_strings(records), *all_strings(queries)]:
        assert unicodedata.is_normalized("NFC", text), text


def test_records_are_valid(records):
    assert len(records) >= 200
    ids = [record["id"] for record in records]
    assert len(set(ids)) == len(ids)
    for record in records:
        assert document_id("resource", record["id"]) == f"resource-{record['id']}"
        assert record["subject"] in SUBJECTS
        assert 1 <= record["grade"] <= 12
        assert record["resource_type"] in LEARNING_RESOURCE_TYPES
        assert get_licence(record["licence"]).code == record["licence"]
        assert record["language"] == "vi"
        assert record["title"].strip()
        assert record["description"].strip()
    assert {record["area"] for record in records} == AREAS


def test_near_homographs_are_present(records):
    words = {
        token for record in records for s in segments(record) for token in tokenize_syllables(s)
    }
    for group in (
        {"dương", "đường", "đương", "duong"},
        {"ma", "mà", "má", "mả", "mã", "mạ"},
        {"bạc", "bắc", "bác", "bậc"},
        {"sông", "sóng", "song", "sống"},
    ):
        assert group <= words, group - words


def test_queries_are_consistent(records, queries):
    ids = {record["id"] for record in records}
    assert len(queries) == 50
    assert len({q["id"] for q in queries}) == 50
    assert {q["kind"] for q in queries} == KINDS
    for query in queries:
        assert query["relevant"], query
        assert set(query["relevant"]) <= ids
        assert len(set(query["relevant"])) == len(query["relevant"])


def test_query_kinds_match_their_text(queries):
    for query in queries:
        text, kind, intended = query["query"], query["kind"], query.get("intended")
        if kind in {"tone-less", "d/đ", "typo", "prefix"}:
            assert not has_diacritics(text), query
        if kind == "d/đ":
            assert "đ" in intended.casefold()
        if kind in {"tone-less", "d/đ", "mixed"}:
            assert fold_for_search(text) == fold_for_search(intended), query
        if kind == "typo":
            assert fold_for_search(text) != fold_for_search(intended), query
        if kind == "prefix" and intended:
            assert fold_for_search(intended).startswith(fold_for_search(text)), query
        if kind == "mixed":
            assert has_diacritics(text)
            assert text.casefold() != intended.casefold()


def test_judgements_follow_the_documented_rules(records, queries):
    for query in queries:
        if query["kind"] == "tone-marked":
            expected = [r["id"] for r in records if contains_phrase(r, query["query"], fold=False)]
        elif query["kind"] == "prefix" and "intended" not in query:
            expected = [
                r["id"]
                for r in records
                if contains_phrase(r, query["query"], fold=True, prefix=True)
            ]
        else:
            expected = [
                r["id"] for r in records if contains_phrase(r, query["intended"], fold=False)
            ]
        assert query["relevant"] == expected, query["id"]


def test_tone_marked_queries_have_exact_matches_and_traps(records, queries):
    marked = [q for q in queries if q["kind"] == "tone-marked"]
    assert len([q for q in marked if q["exact"]]) >= 10
    for query in marked:
        assert has_diacritics(query["query"])
        assert query["exact"] == query["relevant"]
        traps = [
            r["id"]
            for r in records
            if contains_phrase(r, query["query"], fold=True)
            and not contains_phrase(r, query["query"], fold=False)
        ]
        assert traps, f"{query['id']} has no near-homograph to rank below the exact matches"


def test_rerank_puts_exact_matches_first_even_from_the_worst_engine_order(records, queries):
    for query in (q for q in queries if q["kind"] == "tone-marked"):
        folded_hits = [r for r in records if contains_phrase(r, query["query"], fold=True)]
        worst_first = sorted(folded_hits, key=lambda r: r["id"] in query["exact"])
        ranked = rerank_exact_tone(query["query"], worst_first, FIELDS)
        top = [hit["id"] for hit in ranked[: len(query["exact"])]]
        assert sorted(top) == sorted(query["exact"]), query["id"]


def test_folded_fallback_finds_every_relevant_record_of_unmarked_queries(records, queries):
    by_id = {record["id"]: record for record in records}
    for query in queries:
        if query["kind"] not in {"tone-less", "d/đ", "mixed"}:
            continue
        needle = f" {fold_for_search(query['query'])} "
        for record_id in query["relevant"]:
            haystacks = [f" {fold_for_search(s)} " for s in segments(by_id[record_id])]
            assert any(needle in h for h in haystacks), (query["id"], record_id)
