"""Import Moodle XML question files (``<quiz><question type=...>``) into the bank.

Moodle's own importer (``question/format/xml/format.php``) is the reference: categories switch the
folder for the questions that follow, answer fractions must be on Moodle's grade menu, and a file
with any broken question imports nothing. The parser refuses DTDs and entities and never touches
the network, so a hostile file cannot read local files or expand into gigabytes.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote

from lxml import etree

from item_bank.errors import ImportFormatError
from item_bank.formats.common import (
    BrokenQuestionError,
    CategoryPath,
    IdentifierPool,
    finish_item,
    match_fraction,
    metadata,
    moodle_text,
    raise_collected,
)
from item_bank.formats.moodle_qtypes import build_question
from item_bank.formats.report import ImportedQuestion, ImportReport
from item_bank.items import ItemMetadata

__all__ = ["import_moodle_xml"]

_MIME = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
         ".svg": "image/svg+xml", ".webp": "image/webp", ".mp3": "audio/mpeg"}  # fmt: skip
_PLUGINFILE = re.compile(r"@@PLUGINFILE@@/([^\"'\s>)]+)")


@dataclass(slots=True)
class Question:
    """A parsed ``<question>`` with its rich texts resolved; handed to the type builders."""

    element: etree._Element
    qtype: str
    name: str
    text: str
    general_feedback: str | None
    points: float
    identifier: str
    metadata: ItemMetadata
    notes: list[str] = field(default_factory=list)

    def child_text(self, tag: str, default: str = "") -> str:
        found = self.element.find(tag)
        return (found.text or "").strip() if found is not None else default

    def flag(self, tag: str, *, default: bool = False) -> bool:
        """Moodle writes booleans as ``1/0`` or ``true/false``; an empty element means true."""
        found = self.element.find(tag)
        if found is None:
            return default
        value = (found.text or "").strip().lower()
        return value in ("", "1", "true", "yes")

    def rich(self, element: etree._Element | None) -> str:
        """The ``<text>`` of ``element`` as Markdown, embedded files inlined as data URIs."""
        return rich_text(element, self.notes)

    def fraction(self, raw: str | None, where: str) -> float:
        """An answer's grade as a fraction of the mark; off Moodle's menu is a broken question."""
        try:
            value = float(raw or "0") / 100.0
        except ValueError:
            raise BrokenQuestionError(f"{where} has a grade {raw!r} that is not a number") from None
        matched = match_fraction(value)
        if matched is None:
            raise BrokenQuestionError(
                f"invalid grade {value:g} for {where} (not on Moodle's grade list)"
            )
        return matched


def rich_text(element: etree._Element | None, notes: list[str]) -> str:
    """Read ``<x format=...><text/><file/></x>`` and inline its ``@@PLUGINFILE@@`` files."""
    if element is None:
        return ""
    text_el = element.find("text")
    text = moodle_text(text_el.text or "" if text_el is not None else "", element.get("format", ""))
    files = {f.get("name", ""): f for f in element.findall("file")}

    def inline(match: re.Match[str]) -> str:
        name = unquote(match.group(1))
        file_el = files.get(name)
        if file_el is None or file_el.get("encoding") != "base64":
            notes.append(f"file {name!r} is referenced but not included; link left unresolved")
            return match.group(0)
        return data_uri(name, file_el.text or "")

    return _PLUGINFILE.sub(inline, text)


def data_uri(name: str, payload: str) -> str:
    """``data:`` URI for an embedded file; the base64 is checked so a corrupt file is caught."""
    compact = re.sub(r"\s+", "", payload)
    try:
        base64.b64decode(compact, validate=True)
    except binascii.Error:
        raise BrokenQuestionError(f"embedded file {name!r} is not valid base64") from None
    suffix = Path(name).suffix.lower()
    mime = _MIME.get(suffix) or mimetypes.types_map.get(suffix, "application/octet-stream")
    return f"data:{mime};base64,{compact}"


def _parse(data: bytes, source: str) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
        huge_tree=True,
    )
    try:
        tree = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise ImportFormatError(source, f"not well-formed XML: {error}") from None
    if tree.getroottree().docinfo.doctype:
        raise ImportFormatError(source, "DOCTYPE declarations are not allowed in a question file")
    if tree.tag != "quiz":
        raise ImportFormatError(source, f"the root element is <{tree.tag}>, expected <quiz>")
    return tree


def import_moodle_xml(
    data: bytes | str | Path, *, source: str | None = None, language: str = "vi"
) -> ImportReport:
    """Import a Moodle XML file; all of it or, if any question is broken, nothing.

    Parameters
    ----------
    data : bytes, str or Path
        The file's bytes, its text, or its path.
    source : str, optional
        The name used in reports and errors; defaults to the file name.
    language : str
        BCP 47 language of the questions, stored in each item's metadata.

    Returns
    -------
    ImportReport
        Every question in file order, imported or skipped with the reason.

    Raises
    ------
    ImportFormatError
        The file is not Moodle XML, or at least one question is broken (an answer grade off
        Moodle's grade list, a Cloze question without valid embedded answers...); the message
        names the file and every broken question.
    """
    if isinstance(data, Path):
        source = source or data.name
        data = data.read_bytes()
    source = source or "moodle.xml"
    raw = data.encode("utf-8") if isinstance(data, str) else data
    root = _parse(raw, source)
    category, ids = CategoryPath(), IdentifierPool()
    questions: list[ImportedQuestion] = []
    problems: list[tuple[str, str]] = []
    position = 0
    for element in root.iter("question"):
        qtype = element.get("type", "")
        if qtype == "category":
            category = CategoryPath(_category_path(element))
            continue
        position += 1
        name = _name(element, position)
        where = f"question {position} {name!r}"
        try:
            question = _question(element, qtype, name, category, ids, language)
            item, skipped = build_question(question)
            if item is not None:
                item = finish_item(item, source=source, name=name)
        except BrokenQuestionError as problem:
            problems.append((where, str(problem)))
            continue
        except ImportFormatError as error:
            problems.append((where, error.problem))
            continue
        notes = tuple(dict.fromkeys(question.notes))
        questions.append(ImportedQuestion(position, name, item, skipped, notes))
    raise_collected(source, problems)
    return ImportReport(source=source, format="moodle_xml", questions=tuple(questions))


def _category_path(element: etree._Element) -> str:
    text = element.find("category/text")
    if text is None:  # Moodle 1.9 wrote the path straight into <category>
        text = element.find("category")
    return (text.text or "").strip() if text is not None else ""


def _name(element: etree._Element, position: int) -> str:
    text = element.find("name/text")
    name = (text.text or "").strip() if text is not None else ""
    return name or f"question {position}"


def _question(
    element: etree._Element,
    qtype: str,
    name: str,
    category: CategoryPath,
    ids: IdentifierPool,
    language: str,
) -> Question:
    idnumber = (element.findtext("idnumber") or "").strip()
    tags = [t.text.strip() for t in element.findall("tags/tag/text") if t.text and t.text.strip()]
    notes: list[str] = []
    text = rich_text(element.find("questiontext"), notes)
    text = _old_image(element, text, notes)
    feedback = rich_text(element.find("generalfeedback"), notes) or None
    grade = element.findtext("defaultgrade")
    question = Question(
        element=element,
        qtype=qtype,
        name=name,
        text=text,
        general_feedback=feedback,
        points=float(grade) if grade and grade.strip() else 1.0,
        identifier=ids.claim(idnumber or name, fallback="q"),
        metadata=metadata(category, language=language, source=idnumber or None, extra_tags=tags),
        notes=notes,
    )
    if question.flag("hidden"):
        question.notes.append("hidden in Moodle")
    return question


def _old_image(element: etree._Element, text: str, notes: list[str]) -> str:
    """Moodle 1.9's ``<image>``/``<image_base64>`` become an inline image after the text."""
    name = (element.findtext("image") or "").strip()
    if not name:
        return text
    payload = (element.findtext("image_base64") or "").strip()
    if not payload:
        notes.append(f"image {name!r} is referenced by <image> but not included; dropped")
        return text
    alt = quote(Path(name).stem, safe=" ")
    return f'{text}\n\n<img src="{data_uri(name, payload)}" alt="{alt}" />'
