"""Score exam answer sheets against an assembled form's items (the item bank's keys).

A form is the exam paper: its questions in printed order, each an item of the bank with its
options in printed order (A, B, C, ...) and the mark it carries on this paper. A sheet lists one
answer per question: printed letters for choice questions ("AC" for a multiple-response
question), a number or text for numeric and short-text questions, or nothing (left blank).
Each answer is scored by :func:`item_bank.scoring.score_response`, so partial credit works as
the item defines it, then scaled to the question's mark on the paper. The paper's total is
converted to the exam's 10-point scale in 0.25 steps (DOMAIN.md §2: every test is scored on 10
points in steps of 0.25), rounding half up to the nearest quarter.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from content_service.admissions.rules.errors import AdmissionInputError
from content_service.admissions.rules.scores import MAX_TEST_SCORE
from item_bank.items import Item, ItemKind
from item_bank.scoring import score_response

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
BLANK = "-"  # a question left blank in the compact "1A 2C 3-" form
_CHOICE_KINDS = (ItemKind.SINGLE_CHOICE, ItemKind.MULTIPLE_RESPONSE, ItemKind.TRUE_FALSE)
_VALUE_KINDS = (ItemKind.NUMERIC, ItemKind.SHORT_TEXT)
_TOKEN = re.compile(r"^(\d+)(.*)$")


class FormNotScoreableError(ValueError):
    """A form holds a question that an answer sheet cannot carry (an essay, a template...)."""


@dataclass(frozen=True, slots=True)
class SheetQuestion:
    """One printed question: the item, its options in printed order and its mark."""

    position: int
    item: Item
    choice_order: tuple[str, ...]
    points: float

    @property
    def letters(self) -> str:
        """The printed option letters, ``"ABCD"`` for four options."""
        return LETTERS[: len(self.choice_order)] if self.item.kind in _CHOICE_KINDS else ""


@dataclass(frozen=True, slots=True)
class SheetForm:
    """An exam paper: questions in printed order."""

    code: str
    questions: tuple[SheetQuestion, ...]

    def __post_init__(self) -> None:
        for question in self.questions:
            item = question.item
            if item.kind not in (*_CHOICE_KINDS, *_VALUE_KINDS) or item.template_variables:
                raise FormNotScoreableError(
                    f"form {self.code}: question {question.position} ({item.identifier}, "
                    f"{item.kind.value}) cannot be scored from an answer sheet"
                )

    @property
    def total_points(self) -> float:
        return float(sum(q.points for q in self.questions))


@dataclass(frozen=True, slots=True)
class SheetScore:
    """A scored sheet: points on the paper and the test score on the 10-point scale."""

    points: Decimal
    max_points: Decimal
    score: Decimal


def parse_compact_answers(text: str, n_questions: int) -> list[str]:
    """Split ``"1A 2C 3- 4=2,5"`` into one raw answer per question, in question order.

    Every question 1..n appears once; ``-`` marks a blank; ``=`` introduces a numeric or text
    answer (no spaces).

    Raises
    ------
    AdmissionInputError
        For a token that is not ``<number><answer>``, a question number out of range or given
        twice, or a sheet that does not answer every question (the wrong number of answers).
    """
    answers: dict[int, str] = {}
    for token in text.split():
        match = _TOKEN.match(token)
        if match is None:
            raise AdmissionInputError(f"answers: {token!r} is not <question number><answer>")
        number, answer = int(match.group(1)), match.group(2)
        if not 1 <= number <= n_questions:
            raise AdmissionInputError(
                f"answers: question {number} does not exist (the form has {n_questions})"
            )
        if number in answers:
            raise AdmissionInputError(f"answers: question {number} is answered twice")
        answers[number] = answer
    if len(answers) != n_questions:
        missing = [str(n) for n in range(1, n_questions + 1) if n not in answers]
        raise AdmissionInputError(
            f"answers: wrong number of answers, expected {n_questions}, got {len(answers)} "
            f"(missing {', '.join(missing[:10])}; write '{BLANK}' for a blank)"
        )
    return [answers[n].removeprefix("=") for n in range(1, n_questions + 1)]


def _response(question: SheetQuestion, raw: str) -> object:
    answer = raw.strip()
    if answer in ("", BLANK):
        return None
    item = question.item
    if item.kind in _VALUE_KINDS:
        return answer
    letters = answer.upper()
    for letter in letters:
        if letter not in question.letters:
            raise AdmissionInputError(
                f"question {question.position}: {letter!r} is not a printed option "
                f"({question.letters[0]}-{question.letters[-1]})"
            )
    if len(set(letters)) != len(letters):
        raise AdmissionInputError(f"question {question.position}: {answer!r} repeats a letter")
    return [question.choice_order[LETTERS.index(letter)] for letter in letters]


def _points(question: SheetQuestion, response: object) -> float:
    item = question.item
    if response is None:
        return 0.0
    if item.kind in _CHOICE_KINDS and item.kind is not ItemKind.MULTIPLE_RESPONSE:
        assert isinstance(response, list)
        if len(response) > 1:
            return 0.0  # two bubbles on a one-answer question: no mark, as on a paper sheet
        response = response[0]
    result = score_response(item, response)
    if result.max_score <= 0:
        return 0.0
    return result.score / result.max_score * question.points


def quarter_scale(points: Decimal, max_points: Decimal) -> Decimal:
    """``points`` out of ``max_points`` on the 10-point scale, to the nearest 0.25 (half up)."""
    if max_points <= 0:
        raise AdmissionInputError("the form carries no marks")
    quarters = (points / max_points * MAX_TEST_SCORE * 4).quantize(Decimal(1), ROUND_HALF_UP)
    return (quarters / 4).quantize(Decimal("0.01"))


def score_sheet(form: SheetForm, answers: Sequence[str]) -> SheetScore:
    """Score one sheet.

    Parameters
    ----------
    form : SheetForm
    answers : sequence of str
        One raw answer per question in printed order ("" or "-" for a blank).

    Returns
    -------
    SheetScore

    Raises
    ------
    AdmissionInputError
        For the wrong number of answers, a letter the question does not print, or an answer
        the item refuses.
    """
    if len(answers) != len(form.questions):
        raise AdmissionInputError(
            f"answers: wrong number of answers, expected {len(form.questions)}, got {len(answers)}"
        )
    total = 0.0
    for question, raw in zip(form.questions, answers, strict=True):
        response = _response(question, raw)
        try:
            total += _points(question, response)
        except ValueError as error:
            raise AdmissionInputError(f"question {question.position}: {error}") from None
    # Marks are sums of a few decimal fractions: six places undo the binary noise.
    points = Decimal(f"{total:.6f}").normalize()
    max_points = Decimal(f"{form.total_points:.6f}").normalize()
    return SheetScore(points, max_points, quarter_scale(points, max_points))


__all__ = [
    "FormNotScoreableError",
    "SheetForm",
    "SheetQuestion",
    "SheetScore",
    "parse_compact_answers",
    "quarter_scale",
    "score_sheet",
]
