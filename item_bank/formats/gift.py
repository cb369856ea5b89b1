"""Import GIFT question files (Moodle's plain-text format) into the bank.

Follows Moodle's ``qformat_gift``: questions are separated by blank lines, ``//`` lines are
comments, ``$CATEGORY:`` switches the category, ``::title::`` names a question, ``[id:...]`` and
``[tag:...]`` give its idnumber and tags, and the type is decided from the answer block the way
Moodle decides it (empty → essay, ``#`` → numerical, ``~`` → multiple choice, ``=`` with ``->`` →
matching, ``T``/``F`` → true/false, otherwise short answer). ``\\~ \\= \\# \\{ \\} \\: \\\\``
escape the control characters and ``\\n`` is a line break.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from item_bank.formats import qti_build as qb
from item_bank.formats.common import (
    BrokenQuestionError,
    CategoryPath,
    IdentifierPool,
    finish_item,
    metadata,
    raise_collected,
)
from item_bank.formats.gift_answers import (
    FORMAT_MARKER,
    escape_controls,
    formatted,
    parse_answers,
    restore,
)
from item_bank.formats.report import ImportedQuestion, ImportReport
from item_bank.items import Item, ItemKind, QtiContent

__all__ = ["import_gift"]


@dataclass(frozen=True, slots=True)
class GiftBlock:
    """One blank-line-separated block of a GIFT file, comments removed."""

    line: int
    text: str


def blocks(text: str) -> list[GiftBlock]:
    """Split GIFT text into blocks on blank lines, dropping ``//`` comment lines."""
    found: list[GiftBlock] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith("//"):
            line = ""
        if line.strip():
            if not current:
                start = number
            current.append(line)
        elif current:
            found.append(GiftBlock(start, "\n".join(current).strip()))
            current = []
    if current:
        found.append(GiftBlock(start, "\n".join(current).strip()))
    return found


def import_gift(
    data: bytes | str | Path, *, source: str | None = None, language: str = "vi"
) -> ImportReport:
    """Import a GIFT file; all of it or, if any question is broken, nothing.

    Parameters
    ----------
    data : bytes, str or Path
        The file's UTF-8 bytes, its text, or its path.
    source : str, optional
        The name used in reports and errors; defaults to the file name.
    language : str
        BCP 47 language of the questions, stored in each item's metadata.

    Returns
    -------
    ImportReport
        Every question in file order with its starting line, imported or skipped with a reason.

    Raises
    ------
    ImportFormatError
        A question is broken (unbalanced braces, too few answers, a grade off Moodle's list, a
        numerical answer that is not a number); the message names the file, each broken question
        and its line.
    """
    if isinstance(data, Path):
        source = source or data.name
        data = data.read_bytes()
    source = source or "questions.gift"
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    category, ids = CategoryPath(), IdentifierPool()
    questions: list[ImportedQuestion] = []
    problems: list[tuple[str, str]] = []
    position = 0
    for block in blocks(escape_controls(text)):
        if block.text.startswith("$CATEGORY:"):
            category = CategoryPath(restore(block.text[len("$CATEGORY:") :].strip()))
            continue
        position += 1
        name, body, idnumber, tags = _header(block.text)
        label = name or _default_name(body)
        try:
            notes: list[str] = []
            meta = metadata(category, language=language, source=idnumber, extra_tags=tags)
            identifier = ids.claim(idnumber or label, fallback="q")
            item, skipped = _build(body, identifier, label, meta, notes)
            if item is not None:
                item = finish_item(item, source=source, name=label)
        except BrokenQuestionError as problem:
            problems.append((f"question {position} {label!r} (line {block.line})", str(problem)))
            continue
        questions.append(
            ImportedQuestion(position, label, item, skipped, tuple(notes), line=block.line)
        )
    raise_collected(source, problems)
    return ImportReport(source=source, format="gift", questions=tuple(questions))


def _default_name(body: str) -> str:
    """Moodle names an untitled question after the start of its text."""
    text = FORMAT_MARKER.sub("", body.split("{", 1)[0])
    return re.sub(r"\s+", " ", restore(text)).strip()[:60] or "question"


def _header(text: str) -> tuple[str, str, str | None, list[str]]:
    """Split off ``::title::`` and the ``[id:...]``/``[tag:...]`` markers."""
    name = ""
    if text.startswith("::") and "::" in text[2:]:
        end = text.index("::", 2)
        name, text = restore(text[2:end]).strip(), text[end + 2 :].strip()
    idnumber, tags = None, []
    while marker := re.match(r"\s*\[(id|tag):([^\]]*)\]", text):
        value = restore(marker.group(2)).strip()
        if marker.group(1) == "id":
            idnumber = value
        else:
            tags.append(value)
        text = text[marker.end() :]
    return name, text.strip(), idnumber, tags


def _build(
    body: str, identifier: str, name: str, meta: object, notes: list[str]
) -> tuple[Item | None, str | None]:
    start, end = body.find("{"), body.rfind("}")
    if start == -1 and end == -1:
        return None, "not a question (GIFT text without an answer block is a description)"
    if start == -1 or end == -1 or end < start:
        raise BrokenQuestionError("Could not find a {...} answer block around the answers")
    answer_text = body[start + 1 : end]
    before, after = body[:start], body[end + 1 :]
    text_format = FORMAT_MARKER.match(before)
    default = text_format.group(1).lower() if text_format else "moodle"
    stem_raw = before if not after.strip() else f"{before}_____{after}"
    stem = formatted(stem_raw.strip())
    general_feedback = None
    if "####" in answer_text:
        answer_text, feedback = answer_text.split("####", 1)
        general_feedback = formatted(feedback.strip(), default) or None
    parsed = parse_answers(answer_text.strip(), default, notes)
    base = {
        "identifier": identifier,
        "stem": stem,
        "title": name,
        "general_feedback": general_feedback,
        "metadata": meta,
    }
    if parsed.kind is ItemKind.QTI:
        xml = qb.match_document(
            identifier=identifier,
            title=name,
            prompt_html=stem,
            pairs=parsed.pairs,
            points=1.0,
            shuffle=True,
        )
        content = QtiContent(xml=xml, interactions=("qti-match-interaction",))
        return Item(kind=ItemKind.QTI, qti=content, shuffle=True, **base), None  # type: ignore[arg-type]
    return Item(kind=parsed.kind, **parsed.fields, **base), None  # type: ignore[arg-type]
