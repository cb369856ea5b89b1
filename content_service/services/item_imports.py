"""Importing item files into the bank: QTI items and packages, Moodle XML, GIFT, Aiken.

The whole file is read by the domain importers first; a broken file raises before anything is
written, and the rows of a good file are written in the request's one transaction, so nothing of
a refused file ever stays in the database. Items whose identifier is already in the bank are
skipped and reported, never overwritten. Imported items start as drafts of the importer.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from enum import StrEnum

from lxml import etree
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.errors import PayloadTooLargeError, UnprocessableError
from content_service.models.items import ItemRecord
from content_service.services.access import Principal
from content_service.services.audit import record_audit
from content_service.services.items import add_items_bulk, require_bank_user
from item_bank.errors import ItemBankError
from item_bank.formats import import_aiken, import_gift, import_moodle_xml
from item_bank.items import Item
from item_bank.packages import read_package
from item_bank.qti.importer import import_items
from item_bank.qti.xml import local_name, parse_xml

MAX_IMPORT_BYTES = 20 * 1024 * 1024
_AIKEN_ANSWER = re.compile(r"^ANSWER:\s*[A-Za-z]\s*$", re.MULTILINE)


class ImportFormat(StrEnum):
    AUTO = "auto"
    QTI = "qti"
    QTI_PACKAGE = "qti_package"
    MOODLE_XML = "moodle_xml"
    GIFT = "gift"
    AIKEN = "aiken"


@dataclass
class ImportOutcome:
    file: str
    format: str
    imported: list[dict[str, object]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def detect_format(filename: str, data: bytes) -> ImportFormat:
    """Guess the format from the name and the first bytes."""
    name = filename.lower()
    if data[:4] == b"PK\x03\x04" or name.endswith(".zip"):
        return ImportFormat.QTI_PACKAGE
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") or name.endswith(".xml"):
        if re.search(rb"<quiz[\s>]", data[:65536]):
            return ImportFormat.MOODLE_XML
        return ImportFormat.QTI
    text = data[:65536].decode("utf-8", errors="replace")
    if _AIKEN_ANSWER.search(text) and "{" not in text:
        return ImportFormat.AIKEN
    return ImportFormat.GIFT


def _parse(
    filename: str, data: bytes, chosen: ImportFormat
) -> tuple[list[Item], list[dict[str, str]]]:
    """Read the file with the domain importer: the items, and what was skipped and why."""
    if chosen is ImportFormat.QTI_PACKAGE:
        package = read_package(data, source=filename)
        skipped = [
            {"identifier": r.identifier or r.source, "reason": r.reason}
            for r in package.reports
            if r.status != "imported"
        ]
        return list(package.items), skipped
    if chosen is ImportFormat.QTI:
        root = parse_xml(data, source=filename)
        if local_name(root) == "quiz":
            raise UnprocessableError(f"{filename}: this is a Moodle XML file, not QTI")
        result = import_items([(filename, data)])
        skipped = [
            {"identifier": r.identifier or r.source, "reason": r.reason}
            for r in result.reports
            if r.status != "imported"
        ]
        return list(result.items), skipped
    importer = {
        ImportFormat.MOODLE_XML: import_moodle_xml,
        ImportFormat.GIFT: import_gift,
        ImportFormat.AIKEN: import_aiken,
    }[chosen]
    report = importer(data, source=filename)
    skipped = [
        {"identifier": q.name or f"#{q.position}", "reason": q.skipped or ""}
        for q in report.skipped
    ]
    return list(report.items), skipped


async def import_file(
    *,
    session: AsyncSession,
    principal: Principal,
    filename: str,
    data: bytes,
    format: ImportFormat = ImportFormat.AUTO,
) -> ImportOutcome:
    """Import one uploaded file: all its items (as drafts) or, if it is broken, nothing.

    Raises
    ------
    UnprocessableError
        The file cannot be read; the message names the file, the item and the problem.
    PayloadTooLargeError
        The file is over ``MAX_IMPORT_BYTES``.
    """
    require_bank_user(principal)
    filename = (filename or "upload").rsplit("/", 1)[-1][:200]
    if len(data) > MAX_IMPORT_BYTES:
        raise PayloadTooLargeError(
            f"{filename}: {len(data)} bytes is over the import limit of {MAX_IMPORT_BYTES} bytes"
        )
    if not data.strip():
        raise UnprocessableError(f"{filename}: the file is empty", code="import_refused")
    chosen = detect_format(filename, data) if format is ImportFormat.AUTO else format
    try:
        items, skipped = _parse(filename, data, chosen)
    except UnprocessableError:
        raise
    except ItemBankError as error:
        raise UnprocessableError(str(error), code="import_refused") from None
    except (zipfile.BadZipFile, etree.LxmlError, UnicodeDecodeError) as error:
        raise UnprocessableError(
            f"{filename}: cannot be read as {chosen.value}: {error}", code="import_refused"
        ) from None
    except (ValueError, KeyError, TypeError) as error:
        raise UnprocessableError(
            f"{filename}: cannot be read as {chosen.value}: {type(error).__name__}: {error}",
            code="import_refused",
        ) from None
    outcome = ImportOutcome(file=filename, format=chosen.value, skipped=skipped)
    identifiers = [item.identifier for item in items]
    taken: set[str] = set()
    for start in range(0, len(identifiers), 500):
        chunk = identifiers[start : start + 500]
        rows = await session.exec(
            select(ItemRecord.identifier).where(col(ItemRecord.identifier).in_(chunk))
        )
        taken.update(rows.all())
    seen: set[str] = set()
    fresh = []
    for item in items:
        if item.identifier in taken or item.identifier in seen:
            outcome.skipped.append(
                {
                    "identifier": item.identifier,
                    "reason": f"an item {item.identifier!r} is already in the bank",
                }
            )
            continue
        seen.add(item.identifier)
        fresh.append(item)
    pairs = await add_items_bulk(
        session=session, principal=principal, items=fresh, change_note=f"imported from {filename}"
    )
    outcome.imported = [
        {"identifier": record.identifier, "item_id": record.id, "version_id": version.id}
        for record, version in pairs
    ]
    record_audit(
        session=session,
        actor=principal,
        action="item.import",
        entity="item_import",
        entity_id=filename,
        details={
            "format": chosen.value,
            "imported": len(outcome.imported),
            "skipped": len(outcome.skipped),
        },
    )
    return outcome
