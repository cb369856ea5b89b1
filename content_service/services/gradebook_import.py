"""Importing a gradebook sheet from CSV or Excel, with every bad row and column reported."""

from __future__ import annotations

import csv
import io
import uuid
from decimal import Decimal
from typing import Any

import openpyxl
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.errors import UnprocessableError
from content_service.models.gradebook import ScoreSource
from content_service.services.access import Principal
from content_service.services.gradebook_access import (
    class_students,
    columns,
    get_gradebook,
    require_can_edit,
)
from content_service.services.gradebook_cells import Cell, InvalidCellsError, apply_cells


def _read_table(filename: str, content: bytes) -> list[list[str]]:
    """The sheet's rows as text cells (first row: headers)."""
    if filename.lower().endswith(".xlsx"):
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            table = [[_excel_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            workbook.close()
        except Exception as exc:
            raise UnprocessableError(
                f"file: {filename!r} is not a readable Excel workbook", code="invalid_file"
            ) from exc
        return table
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnprocessableError(
            f"file: {filename!r} is not UTF-8 text (save the CSV as UTF-8)", code="invalid_file"
        ) from None
    dialect = csv.excel_tab if text.count("\t") > text.count(",") else csv.excel
    try:  # newline="": a lone "\r" ends a line, as csv expects
        return [row for row in csv.reader(io.StringIO(text, newline=""), dialect)]
    except csv.Error as exc:
        raise UnprocessableError(
            f"file: {filename!r} is not a readable CSV ({exc})", code="invalid_file"
        ) from None


def _excel_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(Decimal(repr(value)))
    return str(value).strip()


async def import_scores(
    *,
    session: AsyncSession,
    principal: Principal,
    gradebook_id: uuid.UUID,
    filename: str,
    content: bytes,
    reason: str | None,
) -> tuple[int, int]:
    """Import a sheet with a ``username`` (or ``student_id``) column and the score columns.

    Rows are numbered as a spreadsheet shows them (the header is row 1). Empty cells leave the
    stored value alone. Any bad cell makes the whole import fail with every problem listed.
    Returns the number of data rows and of changed cells.
    """
    gradebook = await get_gradebook(session=session, principal=principal, gradebook_id=gradebook_id)
    await require_can_edit(
        session, principal, gradebook.class_id, gradebook.subject, gradebook.school_id
    )
    table = [row for row in _read_table(filename, content) if any(c.strip() for c in row)]
    if not table:
        raise UnprocessableError("file: the sheet is empty", code="invalid_file")
    header = [h.strip().lower() for h in table[0]]
    key_column = next((h for h in ("username", "student_id") if h in header), None)
    errors: list[dict[str, Any]] = []
    if key_column is None:
        errors.append(
            {"row": 1, "column": "username", "message": "no username or student_id column"}
        )
    unknown = [
        h
        for h in header
        if h and h not in (*columns(gradebook), "username", "student_id", "full_name")
    ]
    errors += [{"row": 1, "column": h, "message": "unknown column"} for h in unknown]
    if errors:
        raise InvalidCellsError(errors)
    students = await class_students(session, gradebook.class_id)
    by_key = {s.username: s.id for s in students} | {str(s.id): s.id for s in students}
    cells: list[Cell] = []
    for number, row in enumerate(table[1:], start=2):
        cells_of_row = dict(zip(header, row, strict=False))
        who = cells_of_row.get(key_column or "", "").strip()
        student_id = by_key.get(who.lower() if key_column == "username" else who)
        if student_id is None:
            errors.append(
                {
                    "row": number,
                    "column": key_column,
                    "message": f"no student {who!r} in this class",
                }
            )
            continue
        for column in columns(gradebook):
            raw = cells_of_row.get(column, "").strip()
            if raw:
                cells.append(Cell(student_id, column, raw, {"row": number}))
    if errors:
        raise InvalidCellsError(errors)
    changed = await apply_cells(
        session=session,
        principal=principal,
        gradebook=gradebook,
        cells=cells,
        reason=reason,
        source=ScoreSource.IMPORT,
    )
    return len(table) - 1, changed
