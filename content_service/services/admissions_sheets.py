"""Exam answer sheets scored from the item bank's keys, written into a grade-10 round.

The exam paper is an assembled form set (``AssembledFormRecord``: forms pinned to item
versions, with their printed option order). A CSV of sheets is scored with the pure rules of
:mod:`content_service.admissions.rules.sheets` and the subject's score written to each
applicant. Every bad row is named; nothing is written unless every row is good. The keys stay
on the server: the report gives each sheet's points and score, never the key.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.admissions.rules import AdmissionInputError
from content_service.admissions.rules.sheets import (
    FormNotScoreableError,
    SheetForm,
    SheetQuestion,
    parse_compact_answers,
    score_sheet,
)
from content_service.errors import ConflictError, UnprocessableError
from content_service.models.admissions import AdmissionApplicantRecord
from content_service.models.items import AssembledFormRecord, ItemVersionRecord
from content_service.services import assembly as assembly_service
from content_service.services.access import Principal
from content_service.services.admissions import get_round
from content_service.services.audit import record_audit
from content_service.services.items import item_of

SUBJECTS = ("literature", "mathematics", "foreign_language")
MAX_ERRORS = 50
_QUESTION_COLUMN = re.compile(r"^(?:q|câu\s*)?(\d+)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One uploaded sheet: the applicant, the form number and one raw answer per question
    (``answers``), or the compact text (``compact``) when the CSV has an ``answers`` column."""

    number: int
    applicant_code: str
    form: str
    answers: tuple[str, ...] | None
    compact: str | None


@dataclass(frozen=True, slots=True)
class ScoredSheet:
    row: int
    applicant_code: str
    form: str
    points: str
    max_points: str
    score: str


def parse_sheets_csv(text: str) -> list[SheetRow]:
    """CSV to sheets: ``applicant_code, form`` and either ``answers`` ("1A 2C 3- ...") or one
    column per question (``1, 2, ...``, ``q1, q2, ...`` or ``Câu 1, ...``).

    Raises
    ------
    ValueError
        For a CSV without the needed columns.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = [h.strip() for h in next(reader, [])]
    lowered = [h.lower() for h in header]
    for needed in ("applicant_code", "form"):
        if needed not in lowered:
            raise ValueError(f"the header has no {needed!r} column")
    questions = {
        i: int(m.group(1)) for i, h in enumerate(header) if (m := _QUESTION_COLUMN.match(h))
    }
    if "answers" not in lowered and not questions:
        raise ValueError("the header needs an 'answers' column or one column per question")
    order = sorted(questions, key=lambda i: questions[i])
    rows = []
    for number, raw in enumerate(reader, 1):
        if not any(cell.strip() for cell in raw):
            continue
        cells = {lowered[i]: v.strip() for i, v in enumerate(raw) if i < len(header)}
        compact = cells.get("answers") if "answers" in lowered else None
        answers = None
        if compact is None:
            answers = tuple(raw[i].strip() if i < len(raw) else "" for i in order)
        rows.append(
            SheetRow(
                number, cells.get("applicant_code", ""), cells.get("form", ""), answers, compact
            )
        )
    return rows


async def _forms(session: AsyncSession, record: AssembledFormRecord) -> dict[str, SheetForm]:
    ids = {uuid.UUID(e["version_id"]) for form in record.forms for e in form["items"]}
    versions = {
        v.id: v
        for v in (
            await session.exec(select(ItemVersionRecord).where(col(ItemVersionRecord.id).in_(ids)))
        ).all()
    }
    forms = {}
    for form in record.forms:
        code = str(form["number"])
        questions = tuple(
            SheetQuestion(
                position=int(e["position"]),
                item=item_of(versions[uuid.UUID(e["version_id"])]),
                choice_order=tuple(e["choice_order"]),
                points=float(e["points"]),
            )
            for e in form["items"]
        )
        try:
            forms[code] = SheetForm(code, questions)
        except FormNotScoreableError as error:
            raise UnprocessableError(str(error), code="form_not_scoreable") from None
    return forms


def _score_row(
    row: SheetRow, forms: dict[str, SheetForm], applicants: dict[str, AdmissionApplicantRecord]
) -> ScoredSheet:
    if not row.applicant_code:
        raise AdmissionInputError("applicant_code: required")
    if row.applicant_code not in applicants:
        raise AdmissionInputError(f"applicant_code: unknown applicant {row.applicant_code!r}")
    form = forms.get(row.form.removeprefix("Đề").strip())
    if form is None:
        known = ", ".join(sorted(forms))
        raise AdmissionInputError(f"form: unknown form {row.form!r} (this exam has {known})")
    if row.compact is not None:
        answers: Sequence[str] = parse_compact_answers(row.compact, len(form.questions))
    else:
        answers = row.answers or ()
    scored = score_sheet(form, answers)
    return ScoredSheet(
        row.number,
        row.applicant_code,
        form.code,
        str(scored.points),
        str(scored.max_points),
        str(scored.score),
    )


async def score_answer_sheets(
    *,
    session: AsyncSession,
    principal: Principal,
    round_id: uuid.UUID,
    assembly_id: uuid.UUID,
    subject: str,
    text: str,
) -> list[ScoredSheet]:
    """Score the sheets of one subject and write the scores (all rows or none).

    Raises
    ------
    UnprocessableError
        ``invalid_answer_sheets`` naming every bad row (unknown applicant or form, wrong number
        of answers, a letter the question does not print, an applicant listed twice);
        ``bad_subject``; ``form_not_scoreable``; ``bad_csv``.
    ConflictError
        ``already_allocated`` once the round has results (re-scoring would silently change them).
    """
    round_ = await get_round(session=session, principal=principal, round_id=round_id)
    if round_.kind != "grade10":
        raise UnprocessableError("answer sheets are for grade-10 rounds", code="not_grade10")
    if subject not in SUBJECTS:
        raise UnprocessableError(
            f"subject: expected one of {', '.join(SUBJECTS)}, got {subject!r}", code="bad_subject"
        )
    if round_.status != "draft":
        raise ConflictError(
            "the round has results already: scores can only change before allocation",
            code="already_allocated",
        )
    record = await assembly_service.get_forms(
        session=session, principal=principal, form_id=assembly_id
    )
    forms = await _forms(session, record)
    try:
        rows = parse_sheets_csv(text)
    except (ValueError, csv.Error) as error:
        raise UnprocessableError(f"file: {error}", code="bad_csv") from None
    if not rows:
        raise UnprocessableError("file: no answer sheets", code="bad_csv")
    # A NUL cannot be stored, so no applicant has one (and PostgreSQL refuses it in a query).
    codes = {r.applicant_code for r in rows if "\x00" not in r.applicant_code}
    applicants = {
        a.applicant_code: a
        for a in (
            await session.exec(
                select(AdmissionApplicantRecord).where(
                    AdmissionApplicantRecord.round_id == round_.id,
                    col(AdmissionApplicantRecord.applicant_code).in_(codes),
                )
            )
        ).all()
    }
    errors: list[str] = []
    scored: list[ScoredSheet] = []
    seen: set[str] = set()
    for row in rows:
        try:
            if row.applicant_code in seen:
                raise AdmissionInputError(f"applicant_code: {row.applicant_code!r} is listed twice")
            seen.add(row.applicant_code)
            scored.append(_score_row(row, forms, applicants))
        except AdmissionInputError as error:
            errors.append(f"row {row.number}: {row.applicant_code or '?'}: {error}")
    if errors:
        more = f"; and {len(errors) - MAX_ERRORS} more" if len(errors) > MAX_ERRORS else ""
        raise UnprocessableError(
            "; ".join(errors[:MAX_ERRORS]) + more, code="invalid_answer_sheets"
        )
    for sheet in scored:
        applicant = applicants[sheet.applicant_code]
        sheets: dict[str, Any] = dict(applicant.details.get("answer_sheets") or {})
        sheets[subject] = {
            "assembly_id": str(assembly_id),
            "form": sheet.form,
            "points": sheet.points,
            "max_points": sheet.max_points,
        }
        # A new dict: the JSON column only notices reassignment.
        applicant.details = {**applicant.details, subject: sheet.score, "answer_sheets": sheets}
        session.add(applicant)
    await session.flush()
    record_audit(
        session=session,
        actor=principal,
        action="admissions.answer_sheets.score",
        entity="admission_round",
        entity_id=round_.id,
        details={"subject": subject, "assembly_id": str(assembly_id), "sheets": len(scored)},
    )
    return scored
