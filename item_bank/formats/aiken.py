"""Import Aiken files: single-answer multiple choice, one question per block of lines.

Follows Moodle's ``qformat_aiken``: a question is one line of text, then options ``A)`` or
``A.`` (Moodle also accepts no space after the label), then ``ANSWER: X``. Lines shorter than
two characters are ignored. Text is plain, so HTML typed in a question is shown as typed.
Moodle reports a question without enough options, an option or answer outside a question and a
question left unfinished; any of these refuses the whole file here (Moodle's stop-on-error).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from item_bank.formats.common import (
    CategoryPath,
    IdentifierPool,
    finish_item,
    metadata,
    moodle_text,
    raise_collected,
)
from item_bank.formats.report import ImportedQuestion, ImportReport
from item_bank.items import Choice, Item, ItemKind

__all__ = ["import_aiken"]

_OPTION = re.compile(r"^[A-Z][).][ \t]?")


@dataclass(slots=True)
class _Open:
    """The question being read: its stem line and options so far."""

    line: int
    stem: str
    options: list[str] = field(default_factory=list)


def import_aiken(
    data: bytes | str | Path, *, source: str | None = None, language: str = "vi"
) -> ImportReport:
    """Import an Aiken file; all of it or, if any question is broken, nothing.

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
        Every question with its starting line; Aiken questions are single-choice items.

    Raises
    ------
    ImportFormatError
        Names the file and every problem with its line, in Moodle's words ("Question must have
        at least 2 answers on line 3", "Question not started on line 5", ...).
    """
    if isinstance(data, Path):
        source = source or data.name
        data = data.read_bytes()
    source = source or "questions.aiken.txt"
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    parsed, problems = _read(text)
    ids, category = IdentifierPool(), CategoryPath()
    questions = []
    for position, (question, letter) in enumerate(parsed, start=1):
        choices = tuple(
            Choice(f"choice_{chr(ord('a') + i)}", moodle_text(option, "plain_text"))
            for i, option in enumerate(question.options)
        )
        item = Item(
            identifier=ids.claim(question.stem[:60], fallback="q"),
            kind=ItemKind.SINGLE_CHOICE,
            stem=moodle_text(question.stem, "plain_text"),
            title=question.stem[:60],
            choices=choices,
            correct=(f"choice_{letter.lower()}",),
            shuffle=True,
            metadata=metadata(category, language=language),
        )
        item = finish_item(item, source=source, name=question.stem)
        questions.append(ImportedQuestion(position, question.stem, item, line=question.line))
    raise_collected(source, problems)
    return ImportReport(source=source, format="aiken", questions=tuple(questions))


def _read(text: str) -> tuple[list[tuple[_Open, str]], list[tuple[str, str]]]:
    done: list[tuple[_Open, str]] = []
    problems: list[tuple[str, str]] = []
    current: _Open | None = None
    for number, raw in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        line = raw.strip()
        if len(line) < 2:
            continue
        if _OPTION.match(line):
            if current is None:
                problems.append((f"line {number}", f"Question not started on line {number}"))
            else:
                current.options.append(line[2:].strip())
        elif line.startswith("ANSWER:"):
            if current is None:
                problems.append((f"line {number}", f"Question not started on line {number}"))
                continue
            problem = _answer_problem(current, line, number)
            if problem:
                problems.append((_where(current), problem))
            else:
                done.append((current, line.split(":", 1)[1].strip()[0]))
            current = None
        else:
            if current is not None:
                problems.append(
                    (
                        _where(current),
                        f"Question not completed before next question start on line {number}",
                    )
                )
            current = _Open(number, line)
    if current is not None:
        problems.append((_where(current), "Question not completed before the end of the file"))
    return done, problems


def _where(question: _Open) -> str:
    return f"question {question.stem[:60]!r} (line {question.line})"


def _answer_problem(question: _Open, line: str, number: int) -> str | None:
    if len(question.options) < 2:
        return f"Question must have at least 2 answers on line {number}"
    letter = line.split(":", 1)[1].strip()[:1]
    if not letter or not "A" <= letter <= "Z" or ord(letter) - ord("A") >= len(question.options):
        return f"ANSWER {letter or '(empty)'!s} on line {number} does not name one of the options"
    return None
