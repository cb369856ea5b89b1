"""Helpers shared by the Moodle XML, GIFT and Aiken importers.

Moodle stores answer grades as fractions of the question's mark and accepts only the values of its
grade menu (``question_bank::fraction_options_full``); an import with any other value is refused
with "invalid grades", so the importers check every fraction against the same list.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable

from item_bank.errors import ImportFormatError, ItemValidationError
from item_bank.items import IDENTIFIER_PATTERN, Item, ItemMetadata, nfc, require_valid

__all__ = [
    "MOODLE_FRACTIONS",
    "BrokenQuestionError",
    "CategoryPath",
    "IdentifierPool",
    "UnsupportedQuestionError",
    "finish_item",
    "match_fraction",
    "moodle_text",
    "raise_collected",
    "sanitise_identifier",
]

_POSITIVE = (
    1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25, 0.2,
    0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05,
)  # fmt: skip
# Moodle's grade menu, positive and negative, plus "None".
MOODLE_FRACTIONS: tuple[float, ...] = (*_POSITIVE, 0.0, *(-f for f in _POSITIVE))
_FRACTION_TOLERANCE = 0.00001  # match_grade_options(..., 'error') uses this tolerance


def match_fraction(fraction: float) -> float | None:
    """Return Moodle's grade-menu value equal to ``fraction`` (within 1e-5), or ``None``."""
    for option in MOODLE_FRACTIONS:
        if abs(fraction - option) < _FRACTION_TOLERANCE:
            return option
    return None


def sanitise_identifier(text: str, *, fallback: str = "item") -> str:
    """Turn a Moodle idnumber or question name into a valid bank identifier.

    Vietnamese diacritics are folded (``Hàm số`` → ``Ham_so``, ``đ`` → ``d``) so identifiers stay
    ASCII like QTI's; every other character outside ``[A-Za-z0-9_.-]`` becomes ``_``.
    """
    folded = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = "".join(c for c in folded if not unicodedata.combining(c))
    cleaned = re.sub(r"[^A-Za-z0-9_.\-]+", "_", ascii_text).strip("_.-")
    if not cleaned:
        cleaned = fallback
    if not re.match(r"[A-Za-z_]", cleaned):
        cleaned = f"{fallback}_{cleaned}"
    return cleaned[:120]


class IdentifierPool:
    """Hands out identifiers unique within one import (``name``, ``name-2``, ``name-3``...)."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def claim(self, text: str, *, fallback: str = "item") -> str:
        base = sanitise_identifier(text, fallback=fallback)
        candidate, n = base, 1
        while candidate in self._used:
            n += 1
            candidate = f"{base}-{n}"
        assert IDENTIFIER_PATTERN.match(candidate)
        self._used.add(candidate)
        return candidate


class CategoryPath:
    """A Moodle category path (``$course$/Toán/Hàm số``) as topic and hierarchical tags.

    The context prefix (``$course$``, ``$system$``, ``$module$``, ``$cat1$``...) says where Moodle
    stored the category, not what it is about, so it is dropped. The topic keeps the full path;
    the tags hold every ancestor path, so a search for ``Iota`` finds ``Iota/Kappa`` questions.
    """

    def __init__(self, raw: str = "") -> None:
        parts = [nfc(p.strip()) for p in re.split(r"(?<!/)/(?!/)", raw) if p.strip()]
        if parts and re.fullmatch(r"\$[a-z0-9]+\$", parts[0]):
            parts = parts[1:]
        self.parts: tuple[str, ...] = tuple(p.replace("//", "/") for p in parts)

    @property
    def topic(self) -> str | None:
        return "/".join(self.parts) or None

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple("/".join(self.parts[: i + 1]) for i in range(len(self.parts)))


def moodle_text(text: str, text_format: str) -> str:
    """Return Moodle text as the bank's Markdown (raw HTML is valid Markdown).

    ``plain_text`` is escaped so that ``<html>`` typed by the author shows as typed; ``html``,
    ``markdown`` and ``moodle_auto_format`` pass through.
    """
    text = nfc(text.strip())
    if text_format in ("plain_text", "plain"):
        return html.escape(text, quote=False)
    return text


def finish_item(item: Item, *, source: str, name: str) -> Item:
    """Validate and NFC-normalise an imported item; a broken one makes the file broken."""
    try:
        return require_valid(item, source=source)
    except ItemValidationError as error:
        raise ImportFormatError(source, "; ".join(error.problems), item=name) from error


def metadata(
    category: CategoryPath,
    *,
    language: str,
    source: str | None = None,
    extra_tags: Iterable[str] = (),
) -> ItemMetadata:
    """Build item metadata from the current category, the file's language and the source id."""
    tags = tuple(dict.fromkeys((*category.tags, *(nfc(t) for t in extra_tags))))
    return ItemMetadata(topic=category.topic, tags=tags, language=language, source=source)


class BrokenQuestionError(Exception):
    """Raised by a question builder when a question is broken; collected per file."""


class UnsupportedQuestionError(BrokenQuestionError):
    """A well-formed question using a feature the bank cannot represent: skipped, not broken."""


def raise_collected(source: str, problems: list[tuple[str, str]]) -> None:
    """Raise one ImportFormatError listing every broken question, as ``(where, message)`` pairs.

    Moodle reports every broken question of a file and then imports nothing (stop on error), so
    the importers collect all problems before refusing the file.
    """
    if not problems:
        return
    listed = "; ".join(f"{where}: {message}" for where, message in problems)
    count = f"{len(problems)} broken question{'s' if len(problems) > 1 else ''}"
    raise ImportFormatError(source, f"{count}: {listed}", item=problems[0][0])
