"""Images, audio and video of items: stored once by SHA-256, served at ``/item-assets/<sha>``.

Imports bring files in two ways: a QTI content package carries them as package files that the
item text refers to by a relative path (``images/sign.png``), and Moodle XML embeds them as
base64 (the domain importer turns them into ``data:`` URIs). Both are stored under
``DATA_DIR/item-assets/<sha[:2]>/<sha>`` with an ``item_asset`` row, and the item text is
rewritten to ``/item-assets/<sha>`` before the item is validated and saved. Every version links
the assets its content uses (``item_version_asset``), which decides who may read them:

* an asset of a published or retired version: any signed-in user (students see the items they
  are given; published items are city-wide);
* otherwise: whoever may see a version that uses it (authors, their school's staff, reviewers),
  and the person who uploaded it (an editor's image before the item is saved).

Only the media types in :data:`MEDIA_TYPES` are accepted, recognised by their first bytes, not
by the name or the declared type. A file written for a transaction that rolls back stays on
disk unreferenced; it is harmless (same bytes, same name) and reused by the next import.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import posixpath
import re
import tempfile
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.errors import NotFoundError, PayloadTooLargeError, UnprocessableError
from content_service.models.items import (
    ItemAssetRecord,
    ItemRecord,
    ItemVersionAssetRecord,
    ItemVersionRecord,
    VersionStatus,
)
from content_service.services.access import Principal

MAX_ASSET_BYTES = 20 * 1024 * 1024
ASSET_PREFIX = "/item-assets/"
# media type -> file extension used in exported packages
MEDIA_TYPES = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/svg+xml": ".svg",
    "audio/mpeg": ".mp3",
    "audio/ogg": ".ogg",
    "audio/wav": ".wav",
    "video/mp4": ".mp4",
    "video/webm": ".webm",
}
_MEDIA_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".mp3", ".ogg", ".oga", ".wav"}
    | {".mp4", ".m4v", ".webm"}
)
_SHA = re.compile(r"[0-9a-f]{64}")
_ASSET_URL = re.compile(r"/item-assets/([0-9a-f]{64})")
_DATA_URI = re.compile(r"data:([\w/+.-]+);base64,([A-Za-z0-9+/=\s]+)")
# a relative address in an attribute or a Markdown image/link
_REFERENCE = re.compile(r"""((?:src|href|data)\s*=\s*["'])([^"']+)(["'])|(\]\()([^)\s]+)(\))""")
_SHARED = (VersionStatus.PUBLISHED, VersionStatus.RETIRED)


def sniff_media_type(data: bytes) -> str | None:
    """The media type of a file from its first bytes, if it is one we accept."""
    head = data[:64]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    text = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<svg") or (text.startswith(b"<?xml") and b"<svg" in data[:4096]):
        return "image/svg+xml"
    return None


def asset_url(sha256: str) -> str:
    return f"{ASSET_PREFIX}{sha256}"


def asset_path(data_dir: Path, sha256: str) -> Path:
    if not _SHA.fullmatch(sha256):
        raise NotFoundError(f"asset {sha256!r} not found", code="asset_not_found")
    return data_dir / "item-assets" / sha256[:2] / sha256


def referenced_assets(content: Any) -> set[str]:
    """The SHA-256 of every ``/item-assets/<sha>`` the JSON content mentions."""
    found: set[str] = set()

    def collect(text: str) -> str:
        found.update(_ASSET_URL.findall(text))
        return text

    _walk(content, collect)
    return found


def _walk(value: Any, change: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, list):
        return [_walk(v, change) for v in value]
    if isinstance(value, dict):
        return {k: _walk(v, change) for k, v in value.items()}
    return value


def _write_file(path: Path, data: bytes) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)  # atomic: a reader never sees half a file
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@dataclass
class AssetStore:
    """Stores files of one request or import; remembers what it stored to write rows once."""

    session: AsyncSession
    data_dir: Path
    principal: Principal
    stored: dict[str, ItemAssetRecord] = field(default_factory=dict)

    async def store(self, data: bytes, filename: str, *, where: str) -> ItemAssetRecord:
        """Check and store one file; ``where`` names it in errors (file and item)."""
        if len(data) > MAX_ASSET_BYTES:
            raise PayloadTooLargeError(
                f"{where}: {len(data)} bytes is over the limit of {MAX_ASSET_BYTES} bytes "
                "for an image, audio or video file",
                code="asset_too_large",
            )
        media_type = sniff_media_type(data)
        if media_type is None:
            raise UnprocessableError(
                f"{where}: not an image, audio or video file we accept "
                f"({', '.join(sorted(MEDIA_TYPES))})",
                code="asset_type_refused",
            )
        sha = hashlib.sha256(data).hexdigest()
        if sha in self.stored:
            return self.stored[sha]
        _write_file(asset_path(self.data_dir, sha), data)
        record = await self.session.get(ItemAssetRecord, sha)
        if record is None:
            record = ItemAssetRecord(
                sha256=sha,
                media_type=media_type,
                size=len(data),
                filename=posixpath.basename(filename)[:200],
                created_by=self.principal.user_id,
            )
            self.session.add(record)
        self.stored[sha] = record
        return record

    async def flush(self) -> None:
        """Write the new rows before versions link to them (foreign keys)."""
        await self.session.flush()


async def store_upload(
    *, session: AsyncSession, principal: Principal, data_dir: Path, filename: str, data: bytes
) -> ItemAssetRecord:
    """An editor's upload: stored and readable by its uploader until a version uses it."""
    store = AssetStore(session, data_dir, principal)
    record = await store.store(data, filename, where=filename or "upload")
    await store.flush()
    return record


async def embed_files(
    store: AssetStore,
    document: dict[str, Any],
    *,
    where: str,
    files: Mapping[str, bytes] | None = None,
    base: str = "",
) -> dict[str, Any]:
    """Store the document's ``data:`` URIs (and package files it refers to relatively) and
    point the text at ``/item-assets/<sha>`` instead."""
    replacements: dict[str, str] = {}
    texts: list[str] = []

    def collect(text: str) -> str:
        texts.append(text)
        return text

    _walk(document, collect)
    for text in texts:
        for match in _DATA_URI.finditer(text):
            if match.group(0) in replacements:
                continue
            try:
                data = base64.b64decode(re.sub(r"\s+", "", match.group(2)), validate=True)
            except (binascii.Error, ValueError):
                raise UnprocessableError(
                    f"{where}: an embedded file is not valid base64", code="import_refused"
                ) from None
            record = await store.store(data, "embedded", where=f"{where}: embedded file")
            replacements[match.group(0)] = asset_url(record.sha256)
        if files:
            for reference in _relative_references(text):
                if reference in replacements:
                    continue
                name = posixpath.normpath(posixpath.join(base, reference.split("#")[0]))
                if name not in files or posixpath.splitext(name)[1].lower() not in _MEDIA_SUFFIXES:
                    continue
                record = await store.store(files[name], name, where=f"{where}: {name}")
                replacements[reference] = asset_url(record.sha256)
    if not replacements:
        return document
    return dict(_walk(document, lambda text: _replace(text, replacements)))


def _relative_references(text: str) -> Iterable[str]:
    for match in _REFERENCE.finditer(text):
        reference = match.group(2) or match.group(5) or ""
        if reference and not re.match(r"^(?:[a-z][\w+.-]*:|/|#)", reference, re.IGNORECASE):
            yield reference


def _replace(text: str, replacements: Mapping[str, str]) -> str:
    for match_text, url in replacements.items():
        if match_text.startswith("data:"):
            text = text.replace(match_text, url)
    if not any(not k.startswith("data:") for k in replacements):
        return text

    def swap(match: re.Match[str]) -> str:
        if match.group(2) is not None:
            url = replacements.get(match.group(2))
            return f"{match.group(1)}{url}{match.group(3)}" if url else match.group(0)
        url = replacements.get(match.group(5))
        return f"{match.group(4)}{url}{match.group(6)}" if url else match.group(0)

    return _REFERENCE.sub(swap, text)


async def link_versions(
    session: AsyncSession, contents: Mapping[uuid.UUID, Any], *, replace: bool = False
) -> None:
    """Record which assets each version (id → JSON content) uses; an unknown one is a 422."""
    wanted = {version_id: referenced_assets(content) for version_id, content in contents.items()}
    if replace and wanted:
        await session.exec(
            delete(ItemVersionAssetRecord).where(
                col(ItemVersionAssetRecord.version_id).in_(list(wanted))
            )
        )
    needed = set().union(*wanted.values()) if wanted else set()
    if not needed:
        return
    known = set(
        (
            await session.exec(
                select(ItemAssetRecord.sha256).where(col(ItemAssetRecord.sha256).in_(needed))
            )
        ).all()
    )
    missing = sorted(needed - known)
    if missing:
        raise UnprocessableError(
            f"item: refers to {asset_url(missing[0])}, which is not a stored asset "
            "(upload it first)",
            code="asset_not_found",
        )
    session.add_all(
        ItemVersionAssetRecord(version_id=version_id, sha256=sha)
        for version_id, shas in wanted.items()
        for sha in sorted(shas)
    )


async def readable_asset(
    *, session: AsyncSession, principal: Principal, data_dir: Path, sha256: str
) -> tuple[ItemAssetRecord, Path]:
    """The asset and its file when ``principal`` may read it; 404 otherwise (never 403, so
    unpublished assets do not reveal that they exist)."""
    from content_service.services.items import can_see_version

    path = asset_path(data_dir, sha256)
    record = await session.get(ItemAssetRecord, sha256)
    if record is None or not path.is_file():
        raise NotFoundError(f"asset {sha256} not found", code="asset_not_found")
    if record.created_by == principal.user_id:
        return record, path
    rows = await session.exec(
        select(ItemVersionRecord, ItemRecord)
        .join(
            ItemVersionAssetRecord, col(ItemVersionAssetRecord.version_id) == ItemVersionRecord.id
        )
        .join(ItemRecord, col(ItemRecord.id) == ItemVersionRecord.item_id)
        .where(ItemVersionAssetRecord.sha256 == sha256)
    )
    for version, item in rows.all():
        if version.status in _SHARED or can_see_version(principal, item, version):
            return record, path
    raise NotFoundError(f"asset {sha256} not found", code="asset_not_found")


async def package_files(
    *, session: AsyncSession, data_dir: Path, documents: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], dict[str, bytes]]:
    """For an export: the documents with assets at ``../assets/<sha><ext>`` (relative to
    ``items/<identifier>.xml``) and the files to put in the package at ``assets/...``."""
    shas = set().union(*(referenced_assets(d) for d in documents)) if documents else set()
    if not shas:
        return documents, {}
    records = (
        await session.exec(select(ItemAssetRecord).where(col(ItemAssetRecord.sha256).in_(shas)))
    ).all()
    names = {r.sha256: f"assets/{r.sha256}{MEDIA_TYPES.get(r.media_type, '')}" for r in records}
    files = {}
    for sha, name in names.items():
        path = asset_path(data_dir, sha)
        if path.is_file():
            files[name] = path.read_bytes()

    def relative(text: str) -> str:
        return _ASSET_URL.sub(
            lambda m: f"../{names[m.group(1)]}" if names.get(m.group(1)) in files else m.group(0),
            text,
        )

    return [dict(_walk(d, relative)) for d in documents], files
