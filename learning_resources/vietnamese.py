"""Vietnamese text handling: NFC, diacritic folding, syllable tokens and exact-tone re-ranking.

Vietnamese writes each syllable separately and distinguishes words by tone marks and letter
diacritics (``ma``, ``mà``, ``má``, ``mả``, ``mã``, ``mạ`` are six different words). Search engines
fold those marks away so that tone-less queries still match; that loses the precision a user asks
for when they *do* type the marks. This module supplies both sides (DOMAIN.md §7):

* :func:`fold_diacritics` / :func:`fold_for_search` remove every mark and map ``đ``/``Đ`` to
  ``d``/``D`` (Unicode does not decompose ``đ``, so a plain NFD strip misses it; SQLite FTS5's
  ``remove_diacritics`` misses it too).
* :func:`marked_syllables` lists the marked words of a text: indexed beside each document, they
  let the search backends fetch the documents holding a query's marked words exactly, however
  deep the folding engine ranks them.
* :func:`rerank_exact_tone` moves hits that contain the query's marked words *exactly* to the top.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

__all__ = [
    "document_marked_syllables",
    "fold_diacritics",
    "fold_for_search",
    "has_diacritics",
    "marked_syllables",
    "nfc",
    "rerank_exact_tone",
    "tokenize_syllables",
]

_STROKE_D = str.maketrans({"đ": "d", "Đ": "D"})
# \w in Python's re is Unicode-aware and, on NFC text, keeps precomposed Vietnamese letters whole.
_SYLLABLE = re.compile(r"\w+")
H = TypeVar("H", bound=Mapping[str, Any])


def nfc(text: str) -> str:
    """Return ``text`` in Unicode Normalisation Form C.

    Imports frequently arrive as NFD (macOS file names, some Word exports); comparing an NFD
    ``Toán`` with an NFC one fails byte-wise, so every stored and query string goes through here.
    """
    return unicodedata.normalize("NFC", text)


def fold_diacritics(text: str) -> str:
    """Remove tone marks and letter diacritics, mapping ``đ``/``Đ`` to ``d``/``D``.

    Parameters
    ----------
    text : str
        Any Unicode text (NFC or NFD).

    Returns
    -------
    str
        NFC text with every combining mark removed and case preserved, e.g.
        ``"Đường thẳng"`` → ``"Duong thang"``.
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_STROKE_D))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


def has_diacritics(text: str) -> bool:
    """Return True when ``text`` carries any Vietnamese tone mark, diacritic or ``đ``."""
    return fold_diacritics(text) != nfc(text)


def tokenize_syllables(text: str) -> list[str]:
    """Split text into lower-cased NFC syllables (runs of letters and digits).

    Parameters
    ----------
    text : str
        Text in any normalisation form.

    Returns
    -------
    list of str
        Syllables in order, punctuation and whitespace dropped; marks kept.
    """
    return _SYLLABLE.findall(nfc(text).casefold())


def fold_for_search(text: str) -> str:
    """Fold text for an accent-insensitive index (the SQLite FTS5 fallback).

    Apply the same function to documents and to queries: it lower-cases, folds diacritics and
    ``đ``→``d``, and joins the syllables with single spaces, so the FTS tokenizer only ever sees
    ASCII-compatible letters and cannot disagree with us about ``đ``.

    Parameters
    ----------
    text : str
        Document field or user query.

    Returns
    -------
    str
        Space-separated folded syllables, e.g. ``"Đồng Nai, 2024"`` → ``"dong nai 2024"``.
    """
    return " ".join(fold_diacritics(token) for token in tokenize_syllables(text))


@functools.lru_cache(maxsize=65_536)
def _is_marked(syllable: str) -> bool:
    return has_diacritics(syllable)  # the syllable vocabulary is small: remember the answer


def marked_syllables(*texts: str) -> set[str]:
    """The syllables of ``texts`` that carry marks, lower-cased NFC (``Đường`` → ``đường``).

    Indexed beside each document, they let an engine put the documents holding a marked query
    word with exactly its marks first, at any depth of the result list (the search backends).
    """
    return {s for text in texts for s in tokenize_syllables(text) if _is_marked(s)}


def _field_texts(document: Mapping[str, Any], fields: Sequence[str]) -> list[str]:
    """The strings of a document's fields (each a string or a list of strings)."""
    texts: list[str] = []
    for field in fields:
        value = document.get(field)
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, list | tuple):
            texts.extend(item for item in value if isinstance(item, str))
    return texts


def document_marked_syllables(document: Mapping[str, Any], fields: Sequence[str]) -> list[str]:
    """:func:`marked_syllables` of a document's text fields, sorted."""
    return sorted(marked_syllables(*_field_texts(document, fields)))


def rerank_exact_tone(query: str, hits: Sequence[H], fields: Sequence[str]) -> list[H]:
    """Stable-sort search hits so that exact-tone matches of a marked query come first.

    Meilisearch folds tone marks before ranking, so for ``dương`` it returns ``đường``,
    ``duong`` and ``đương`` in arbitrary order (precision@5 was 0 in our measurement). When the
    query carries marks, each hit is scored by how many of the query's *marked* syllables occur
    verbatim (same tones, case-insensitive, NFC) in the given fields; hits are stable-sorted by
    that score, descending. Hits that tie keep the engine's order, so typo tolerance and
    relevance ranking still decide among equals.

    Parameters
    ----------
    query : str
        The user's query as typed.
    hits : sequence of mapping
        Engine hits in engine order; field values may be strings or lists of strings.
    fields : sequence of str
        Names of the *unfolded* text fields to inspect (e.g. ``("title", "description")``).

    Returns
    -------
    list
        The same hit objects, re-ordered. Unchanged order when the query has no marks.
    """
    marked = marked_syllables(query)
    if not marked:
        return list(hits)
    # A substring test first (cheap, and most hits fail it), then the whole-word check: \w
    # boundaries are exactly where tokenize_syllables cuts. Tokenising every field of a
    # 100-hit window instead was a third of a re-ranked search's time.
    whole_words = [(token, re.compile(rf"(?<!\w){re.escape(token)}(?!\w)")) for token in marked]

    def score(text: str) -> int:
        return sum(1 for token, word in whole_words if token in text and word.search(text))

    def text(hit: H) -> str:
        return nfc("\n".join(_field_texts(hit, fields))).casefold()

    scores = [score(text(hit)) for hit in hits]
    order = sorted(range(len(hits)), key=lambda index: -scores[index])
    return [hits[index] for index in order]
