"""Importing item files into the bank: QTI items and packages, Moodle XML, GIFT, Aiken.

The whole file is read by the domain importers first; a broken file raises before anything is
written, and the rows of a good file are written in the request's one transaction, so nothing of
a refused file ever stays in the database. Items whose identifier is already in the bank are
skipped and reported, never overwritten. Imported items start as drafts of the importer.

Images, audio and video travel with the items: package files the item text refers to and the
``data:`` URIs of Moodle XML are stored as item assets (:mod:`.item_assets`) and the text points
at ``/item-assets/<sha>``. Uploads larger than ``IMPORT_BACKGROUND_BYTES`` are kept under
``DATA_DIR/imports`` and imported by the ``item.import`` job (``tasks/item_imports.py``); the
job's result is the same per-item report.
"""

from __future__ import annotations

import asyncio
import posixpath
import re
import uuid
import zipfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

from lxml import etree
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.errors import PayloadTooLargeError, UnprocessableError
from content_service.jobs import enqueue
from content_service.models.items import ItemRecord
from content_service.models.jobs import JobRecord
from content_service.services.access import Principal
from content_service.services.audit import record_audit
from content_service.services.item_assets import AssetStore, embed_files
from content_service.services.items import add_items_bulk, require_bank_user
from content_service.settings import Settings
from item_bank.errors import ItemBankError
from item_bank.formats import import_aiken, import_gift, import_moodle_xml
from item_bank.formats.json_items import item_from_dict, item_to_dict
from item_bank.items import Item
from item_bank.packages import read_package
from item_bank.qti.importer import import_items
from item_bank.qti.xml import local_name, parse_xml

JOB_KIND = "item.import"
_COPY_CHUNK = 1 << 20
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

    def as_json(self) -> dict[str, Any]:
        """The report as JSON (a job's result)."""
        out = asdict(self)
        out["imported"] = [{k: str(v) for k, v in row.items()} for row in self.imported]
        return out


@dataclass(frozen=True)
class _Parsed:
    """What the domain importer read: items, skipped entries, package files, item folders."""

    items: list[Item]
    skipped: list[dict[str, str]]
    files: Mapping[str, bytes] = field(default_factory=dict)
    folders: Mapping[str, str] = field(default_factory=dict)  # identifier -> its file's folder


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


def _parse(filename: str, data: bytes, chosen: ImportFormat) -> _Parsed:
    """Read the file with the domain importer: the items, and what was skipped and why."""
    if chosen is ImportFormat.QTI_PACKAGE:
        package = read_package(data, source=filename)
        skipped = [
            {"identifier": r.identifier or r.source, "reason": r.reason}
            for r in package.reports
            if r.status != "imported"
        ]
        hrefs = {r.identifier: r.href for r in package.resources}
        folders = {
            identifier: posixpath.dirname(hrefs.get(resource, ""))
            for identifier, resource in package.item_resources.items()
        }
        return _Parsed(list(package.items), skipped, package.files, folders)
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
        return _Parsed(list(result.items), skipped)
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
    return _Parsed(list(report.items), skipped)


def _media_files(files: Mapping[str, bytes]) -> bool:
    suffixes = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".mp3", ".ogg", ".wav", ".mp4")
    return any(name.lower().endswith(suffixes) for name in files)


async def _with_assets(
    parsed: _Parsed, *, data: bytes, store: AssetStore, filename: str
) -> list[Item]:
    """The items with their images stored as assets and the text pointing at them."""
    embedded = b"data:" in data or b"base64" in data  # Moodle: <file encoding="base64">
    if not embedded and not _media_files(parsed.files):
        return parsed.items
    out = []
    for item in parsed.items:
        document = item_to_dict(item)
        changed = await embed_files(
            store,
            document,
            where=f"{filename}: item {item.identifier}",
            files=parsed.files,
            base=parsed.folders.get(item.identifier, ""),
        )
        out.append(item if changed is document else item_from_dict(changed, source=filename))
    await store.flush()
    return out


def _read(filename: str, data: bytes, chosen: ImportFormat) -> _Parsed:
    """The domain importer's reading of the file; a broken file raises a 422 naming it."""
    try:
        return _parse(filename, data, chosen)
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


def _clean_name(filename: str) -> str:
    return (filename or "upload").replace("\\", "/").rsplit("/", 1)[-1][:200] or "upload"


async def import_file(
    *,
    session: AsyncSession,
    principal: Principal,
    filename: str,
    data: bytes,
    data_dir: Path,
    format: ImportFormat = ImportFormat.AUTO,
    max_bytes: int = 100 * 1024 * 1024,
) -> ImportOutcome:
    """Import one uploaded file: all its items (as drafts) or, if it is broken, nothing.

    Raises
    ------
    UnprocessableError
        The file cannot be read; the message names the file, the item and the problem.
    PayloadTooLargeError
        The file (or one of its images) is over the limit.
    """
    require_bank_user(principal)
    filename = _clean_name(filename)
    if len(data) > max_bytes:
        raise PayloadTooLargeError(
            f"{filename}: {len(data)} bytes is over the import limit of {max_bytes} bytes"
        )
    if not data.strip():
        raise UnprocessableError(f"{filename}: the file is empty", code="import_refused")
    chosen = detect_format(filename, data) if format is ImportFormat.AUTO else format
    parsed = _read(filename, data, chosen)
    outcome = ImportOutcome(file=filename, format=chosen.value, skipped=list(parsed.skipped))
    fresh = await _fresh_items(session, parsed.items, outcome)
    store = AssetStore(session, data_dir, principal)
    try:
        fresh = await _with_assets(
            _Parsed(fresh, [], parsed.files, parsed.folders),
            data=data,
            store=store,
            filename=filename,
        )
    except ItemBankError as error:
        raise UnprocessableError(str(error), code="import_refused") from None
    pairs = await add_items_bulk(
        session=session, principal=principal, items=fresh, change_note=f"imported from {filename}"
    )
    outcome.imported = [
        {"identifier": added.identifier, "item_id": added.item_id, "version_id": added.version_id}
        for added in pairs
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
            "assets": len(store.stored),
        },
    )
    return outcome


async def _fresh_items(
    session: AsyncSession, items: list[Item], outcome: ImportOutcome
) -> list[Item]:
    """The items whose identifier is new to the bank (and to the file); the rest are reported."""
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
    return fresh


# -- uploads: in the request, or as a background job ---------------------------------------


def save_upload(source: IO[bytes], *, data_dir: Path, max_bytes: int, filename: str) -> Path:
    """Copy an upload to ``DATA_DIR/imports/<uuid>`` in chunks, refusing it over ``max_bytes``."""
    folder = data_dir / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{uuid.uuid4().hex}.upload"
    written = 0
    try:
        with target.open("wb") as out:
            while chunk := source.read(_COPY_CHUNK):
                written += len(chunk)
                if written > max_bytes:
                    raise PayloadTooLargeError(
                        f"{_clean_name(filename)}: over the import limit of {max_bytes} bytes"
                    )
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


@dataclass(frozen=True)
class ImportStarted:
    """An upload too large to import in the request: the job that will import it."""

    job: JobRecord
    file: str


async def import_upload(
    *,
    session: AsyncSession,
    principal: Principal,
    settings: Settings,
    source: IO[bytes],
    filename: str,
    format: ImportFormat = ImportFormat.AUTO,
) -> ImportOutcome | ImportStarted:
    """Import an uploaded file now, or (over ``IMPORT_BACKGROUND_BYTES``) queue a job for it."""
    require_bank_user(principal)
    filename = _clean_name(filename)
    path = await asyncio.to_thread(
        save_upload,
        source,
        data_dir=settings.DATA_DIR,
        max_bytes=settings.MAX_IMPORT_BYTES,
        filename=filename,
    )
    if path.stat().st_size <= settings.IMPORT_BACKGROUND_BYTES:
        try:
            data = path.read_bytes()
        finally:
            path.unlink(missing_ok=True)
        return await import_file(
            session=session,
            principal=principal,
            filename=filename,
            data=data,
            data_dir=settings.DATA_DIR,
            format=format,
            max_bytes=settings.MAX_IMPORT_BYTES,
        )
    job = enqueue(
        session,
        JOB_KIND,
        {
            "path": path.name,
            "filename": filename,
            "format": format.value,
            "user_id": str(principal.user_id),
        },
        principal=principal,
        max_attempts=2,
    )
    await session.flush()
    return ImportStarted(job, filename)


def upload_path(data_dir: Path, name: str) -> Path:
    """The kept upload of a job (its name only: a job cannot point outside the folder)."""
    return data_dir / "imports" / Path(name).name


def discard_upload(data_dir: Path, name: str) -> None:
    upload_path(data_dir, name).unlink(missing_ok=True)
