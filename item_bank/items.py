"""The item model of the bank: what a teacher authors and a student answers.

Seven kinds are modelled natively because the service authors, delivers and scores them itself
(single choice, multiple response, true/false, numeric, short text, Likert, open response).
Every other QTI interaction (match, order, hottext, gap match, ...) is kept as a faithful QTI 3.0
document in :class:`QtiContent`, scored by the QTI response-processing interpreter, so nothing a
teacher imports is lost (TAO's approach: QTI is the model, our kinds are views of it).

All text is stored NFC: imports often arrive as NFD, and NFD Vietnamese neither compares nor
searches equal to what a teacher types.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum

from item_bank.errors import ItemValidationError

__all__ = [
    "Choice",
    "CognitiveLevel",
    "Item",
    "ItemKind",
    "ItemMetadata",
    "NumericKey",
    "QtiContent",
    "TemplateVariable",
    "TextAnswer",
    "nfc",
    "validate_item",
]

IDENTIFIER_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,127}$")


class ItemKind(StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_RESPONSE = "multiple_response"
    TRUE_FALSE = "true_false"
    NUMERIC = "numeric"
    SHORT_TEXT = "short_text"
    LIKERT = "likert"
    OPEN_RESPONSE = "open_response"
    QTI = "qti"  # any other QTI interaction, kept as QTI 3.0 and scored by the interpreter


class CognitiveLevel(StrEnum):
    """Cognitive levels of the 2018 general-education programme's test matrices."""

    NHAN_BIET = "nhan_biet"  # nhận biết: recall
    THONG_HIEU = "thong_hieu"  # thông hiểu: understanding
    VAN_DUNG = "van_dung"  # vận dụng: application
    VAN_DUNG_CAO = "van_dung_cao"  # vận dụng cao: higher-order application

    @property
    def label_vi(self) -> str:
        return {
            "nhan_biet": "Nhận biết",
            "thong_hieu": "Thông hiểu",
            "van_dung": "Vận dụng",
            "van_dung_cao": "Vận dụng cao",
        }[self.value]


def nfc(text: str) -> str:
    """Return ``text`` in Unicode normal form C."""
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True, slots=True)
class Choice:
    """One option of a choice or Likert item.

    ``score`` is the mapped value used for partial credit (QTI ``qti-mapping``); for a plain
    single-choice item it is left at 0 and the key decides. ``fixed`` keeps the option in place
    when options are shuffled ("none of the above").
    """

    identifier: str
    text: str
    fixed: bool = False
    feedback: str | None = None
    score: float = 0.0


@dataclass(frozen=True, slots=True)
class NumericKey:
    """An accepted numeric answer: ``value`` ± ``tolerance`` (absolute, or relative when
    ``relative`` is set, as a fraction), optionally with units; ``score`` is the fraction of the
    item's points it earns (Moodle allows partially correct numeric answers)."""

    value: float | str  # a float, or an expression over template variables ("a*b")
    tolerance: float = 0.0
    relative: bool = False
    units: tuple[str, ...] = ()
    score: float = 1.0
    feedback: str | None = None


@dataclass(frozen=True, slots=True)
class TextAnswer:
    """An accepted short-text answer and the fraction of the points it earns.

    ``*`` in ``text`` is a wildcard, as in Moodle's short-answer type."""

    text: str
    score: float = 1.0
    case_sensitive: bool = False
    feedback: str | None = None


@dataclass(frozen=True, slots=True)
class TemplateVariable:
    """A template variable of a parameterised item, drawn from a seeded generator.

    Either a range (``minimum``..``maximum`` by ``step``; integers when all three are integers)
    or a list of ``values`` to pick from, or a computed variable: an arithmetic ``expression``
    over the variables declared before it (``"a * b"``), evaluated by the safe evaluator of
    :func:`item_bank.templates.evaluate_expression`, never by ``eval``.
    """

    name: str
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    values: tuple[str | float, ...] = ()
    expression: str | None = None


@dataclass(frozen=True, slots=True)
class ItemMetadata:
    """Vietnamese-school metadata: subject, grade 1-12, topic, the 2018 programme's requirement
    ("yêu cầu cần đạt") code and the cognitive level drive test matrices and search facets."""

    subject: str | None = None
    grade: int | None = None
    topic: str | None = None
    requirement_code: str | None = None
    cognitive_level: CognitiveLevel | None = None
    tags: tuple[str, ...] = ()
    language: str = "vi"
    author: str | None = None
    licence: str | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class QtiContent:
    """A QTI 3.0 ``qti-assessment-item`` kept whole, for interactions the bank does not model.

    ``xml`` is the canonical serialisation (namespace-normalised QTI 3.0) so that two equal items
    compare equal after an export and re-import.
    """

    xml: str
    interactions: tuple[str, ...] = ()  # e.g. ("qti-match-interaction",), for search and display


@dataclass(frozen=True, slots=True)
class Item:
    """One assessment item, the unit that is versioned, reviewed, delivered and calibrated.

    ``stem``, choice texts and feedback are Markdown with LaTeX maths (``$...$``) and images.
    ``correct`` holds the keyed choice identifiers for choice kinds. ``points`` is the maximum
    score. For parameterised items, ``{{name}}`` in the text is replaced by the variable's value
    drawn for the attempt's seed.
    """

    identifier: str
    kind: ItemKind
    stem: str
    title: str = ""
    choices: tuple[Choice, ...] = ()
    correct: tuple[str, ...] = ()
    shuffle: bool = False
    max_choices: int = 1
    min_choices: int = 0
    partial_credit: bool = False
    numeric_keys: tuple[NumericKey, ...] = ()
    text_answers: tuple[TextAnswer, ...] = ()
    points: float = 1.0
    general_feedback: str | None = None
    rationale: str | None = None
    template_variables: tuple[TemplateVariable, ...] = ()
    qti: QtiContent | None = None
    metadata: ItemMetadata = field(default_factory=ItemMetadata)

    def normalised(self) -> Item:
        """Return a copy with every text NFC-normalised."""
        return _normalise(self)

    def choice(self, identifier: str) -> Choice:
        for option in self.choices:
            if option.identifier == identifier:
                return option
        raise KeyError(identifier)


def _normalise(value: object) -> object:  # recursive NFC over our frozen dataclasses
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, tuple):
        return tuple(_normalise(v) for v in value)
    if hasattr(value, "__dataclass_fields__") and not isinstance(value, StrEnum):
        changes = {f.name: _normalise(getattr(value, f.name)) for f in fields(value)}  # type: ignore[arg-type]
        return replace(value, **changes)  # type: ignore[type-var]
    return value


_CHOICE_KINDS = {ItemKind.SINGLE_CHOICE, ItemKind.MULTIPLE_RESPONSE, ItemKind.TRUE_FALSE}


def validate_item(item: Item) -> list[str]:
    """Return the problems that make ``item`` unusable, each naming the field; empty when valid.

    Importers and the API turn a non-empty list into an :class:`ItemValidationError`.
    """
    problems: list[str] = []
    if not IDENTIFIER_PATTERN.match(item.identifier):
        problems.append(f"identifier: {item.identifier!r} is not a valid identifier")
    if item.kind is not ItemKind.QTI and not item.stem.strip():
        problems.append("stem: is empty")
    if item.points < 0:
        problems.append(f"points: must not be negative, got {item.points}")
    ids = [c.identifier for c in item.choices]
    if len(set(ids)) != len(ids):
        problems.append("choices: identifiers are not unique")
    for option in item.choices:
        if not IDENTIFIER_PATTERN.match(option.identifier):
            problems.append(f"choices: {option.identifier!r} is not a valid identifier")
    unknown = [key for key in item.correct if key not in ids]
    if unknown:
        problems.append(f"correct: {', '.join(unknown)} is not one of the choices")
    problems.extend(_validate_kind(item))
    if any(v.expression is not None for v in item.template_variables):
        from item_bank.templates import computed_variable_problems  # templates imports items

        problems.extend(computed_variable_problems(item))
    meta = item.metadata
    if meta.grade is not None and not 1 <= meta.grade <= 12:
        problems.append(f"metadata.grade: must be 1-12, got {meta.grade}")
    return problems


def _validate_kind(item: Item) -> list[str]:
    problems: list[str] = []
    kind = item.kind
    if (kind in _CHOICE_KINDS or kind is ItemKind.LIKERT) and len(item.choices) < 2:
        problems.append(f"choices: a {kind.value} item needs at least 2 options")
    if kind in (ItemKind.SINGLE_CHOICE, ItemKind.TRUE_FALSE) and len(item.correct) != 1:
        problems.append(f"correct: a {kind.value} item needs exactly one key")
    if kind is ItemKind.TRUE_FALSE and len(item.choices) != 2:
        problems.append("choices: a true_false item has exactly two options")
    if kind is ItemKind.MULTIPLE_RESPONSE and not item.correct and not item.partial_credit:
        problems.append("correct: a multiple_response item needs at least one key")
    if kind is ItemKind.NUMERIC and not item.numeric_keys:
        problems.append("numeric_keys: a numeric item needs at least one accepted answer")
    if kind is ItemKind.SHORT_TEXT and not item.text_answers:
        problems.append("text_answers: a short_text item needs at least one accepted answer")
    if kind is ItemKind.QTI and item.qti is None:
        problems.append("qti: a qti item carries its QTI 3.0 document")
    for key in item.numeric_keys:
        if key.tolerance < 0:
            problems.append(f"numeric_keys: tolerance must not be negative, got {key.tolerance}")
    return problems


def require_valid(item: Item, *, source: str = "") -> Item:
    """Return ``item`` NFC-normalised, or raise :class:`ItemValidationError` listing problems."""
    normalised = item.normalised()
    problems = validate_item(normalised)
    if problems:
        raise ItemValidationError(item.identifier, problems, source=source)
    return normalised
