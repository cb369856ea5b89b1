"""The item bank: create and edit items as versions, review and publish them, search, export.

Rules kept here (tables in ``models/items.py``):

* a version is edited in place only while it is a draft; editing an item whose latest version is
  in review, published or retired makes a new draft ``n+1``; published content never changes;
* publishing needs an approval by someone other than the version's author, and retires the
  previously published version of the item (one published version per item, what assembly and
  new quizzes use; old attempts keep pointing at theirs);
* students, parents and librarians never reach the bank; teachers, researchers and admins read
  published (and retired) versions city-wide and versions in review (they are the reviewers);
  drafts are seen by their author and the item's school staff; editing is for the item's author
  and its school's staff.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    UnprocessableError,
)
from content_service.models.base import utcnow
from content_service.models.items import (
    ItemRecord,
    ItemReviewRecord,
    ItemVersionRecord,
    ReviewDecision,
    VersionStatus,
)
from content_service.models.people import Role
from content_service.services.access import Principal, require_role
from content_service.services.audit import record_audit
from content_service.services.item_assets import link_versions
from content_service.services.item_search import search_text_of
from content_service.services.search.outbox import enqueue_item_index
from item_bank.errors import ImportFormatError
from item_bank.formats.json_items import item_from_dict, item_to_dict
from item_bank.items import Item

BANK_ROLES = (Role.TEACHER, Role.RESEARCHER, Role.SCHOOL_ADMIN)
REVIEWER_ROLES = (Role.TEACHER, Role.RESEARCHER, Role.SCHOOL_ADMIN)
_SHARED_STATUSES = (VersionStatus.IN_REVIEW, VersionStatus.PUBLISHED, VersionStatus.RETIRED)


# -- access rules ------------------------------------------------------------------------------


def require_bank_user(principal: Principal) -> None:
    """Students, parents and librarians never reach the item bank."""
    require_role(principal, *BANK_ROLES)


def can_edit(principal: Principal, item: ItemRecord) -> bool:
    if principal.is_system_admin:
        return True
    if principal.role not in BANK_ROLES:
        return False
    if item.created_by == principal.user_id:
        return True
    return item.school_id is not None and item.school_id == principal.school_id


def can_see_version(principal: Principal, item: ItemRecord, version: ItemVersionRecord) -> bool:
    if principal.role not in BANK_ROLES and not principal.is_system_admin:
        return False
    if version.status in _SHARED_STATUSES:
        return True
    return can_edit(principal, item) or version.created_by == principal.user_id


def require_can_edit(principal: Principal, item: ItemRecord) -> None:
    if not can_edit(principal, item):
        raise PermissionDeniedError(
            f"item {item.identifier!r}: only its author and its school's staff may change it",
            code="not_item_editor",
        )


# -- conversions -------------------------------------------------------------------------------


def parse_item(document: dict[str, Any], *, source: str = "item") -> Item:
    """The validated, NFC-normalised domain item of a JSON document; 422 naming the fields."""
    try:
        return item_from_dict(document, source=source)
    except ImportFormatError as error:
        raise UnprocessableError(
            f"item: {error.item or '?'}: {error.problem}", code="invalid_item"
        ) from None


def item_of(version: ItemVersionRecord) -> Item:
    return item_from_dict(version.content, source=f"item version {version.id}")


def content_hash(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _columns(item: Item) -> dict[str, Any]:
    meta = item.metadata
    return {
        "kind": item.kind.value,
        "title": item.title[:300],
        "subject": (meta.subject or "")[:64],
        "grade": meta.grade,
        "topic": (meta.topic or "")[:200],
        "requirement_code": (meta.requirement_code or "")[:64],
        "cognitive_level": meta.cognitive_level.value if meta.cognitive_level else "",
        "language": (meta.language or "vi")[:16],
    }


def fill_version(version: ItemVersionRecord, item: Item) -> None:
    content = item_to_dict(item)
    version.content = content
    version.content_hash = content_hash(content)
    version.search_text = search_text_of(content)
    for name, value in _columns(item).items():
        setattr(version, name, value)


# -- loading -----------------------------------------------------------------------------------


async def _item(session: AsyncSession, item_id: uuid.UUID) -> ItemRecord:
    item = await session.get(ItemRecord, item_id)
    if item is None:
        raise NotFoundError(f"item {item_id} not found", code="item_not_found")
    return item


async def _version(session: AsyncSession, version_id: uuid.UUID) -> ItemVersionRecord:
    version = await session.get(ItemVersionRecord, version_id)
    if version is None:
        raise NotFoundError(f"item version {version_id} not found", code="item_version_not_found")
    return version


async def versions_of(session: AsyncSession, item_id: uuid.UUID) -> list[ItemVersionRecord]:
    rows = await session.exec(
        select(ItemVersionRecord)
        .where(ItemVersionRecord.item_id == item_id)
        .order_by(col(ItemVersionRecord.number))
    )
    return list(rows.all())


async def reviews_of(session: AsyncSession, version_id: uuid.UUID) -> list[ItemReviewRecord]:
    rows = await session.exec(
        select(ItemReviewRecord)
        .where(ItemReviewRecord.version_id == version_id)
        .order_by(col(ItemReviewRecord.created_at))
    )
    return list(rows.all())


@dataclass(frozen=True)
class ItemView:
    """An item with the versions the caller may see (oldest first) and their reviews."""

    item: ItemRecord
    versions: list[ItemVersionRecord]
    reviews: dict[uuid.UUID, list[ItemReviewRecord]]
    editable: bool

    @property
    def latest(self) -> ItemVersionRecord:
        return self.versions[-1]


async def _view(session: AsyncSession, principal: Principal, item: ItemRecord) -> ItemView:
    visible = [
        v for v in await versions_of(session, item.id) if can_see_version(principal, item, v)
    ]
    if not visible:
        raise NotFoundError(f"item {item.id} not found", code="item_not_found")
    reviews = {v.id: await reviews_of(session, v.id) for v in visible}
    return ItemView(item, visible, reviews, can_edit(principal, item))


async def get_item(*, session: AsyncSession, principal: Principal, item_id: uuid.UUID) -> ItemView:
    require_bank_user(principal)
    return await _view(session, principal, await _item(session, item_id))


async def get_item_by_identifier(
    *, session: AsyncSession, principal: Principal, identifier: str
) -> ItemView:
    require_bank_user(principal)
    found = (
        await session.exec(select(ItemRecord).where(ItemRecord.identifier == identifier))
    ).first()
    if found is None:
        raise NotFoundError(f"item {identifier!r} not found", code="item_not_found")
    return await _view(session, principal, found)


async def get_version(
    *, session: AsyncSession, principal: Principal, version_id: uuid.UUID
) -> tuple[ItemVersionRecord, list[ItemReviewRecord]]:
    require_bank_user(principal)
    version = await _version(session, version_id)
    item = await _item(session, version.item_id)
    if not can_see_version(principal, item, version):
        raise NotFoundError(f"item version {version_id} not found", code="item_version_not_found")
    return version, await reviews_of(session, version.id)


# -- authoring ---------------------------------------------------------------------------------


async def create_item(
    *,
    session: AsyncSession,
    principal: Principal,
    document: dict[str, Any],
    change_note: str = "",
    audit: bool = True,
) -> tuple[ItemRecord, ItemVersionRecord]:
    """Create an item and its draft version 1 from a JSON document."""
    require_bank_user(principal)
    return await add_item(
        session=session,
        principal=principal,
        item=parse_item(document),
        change_note=change_note,
        audit=audit,
    )


async def add_item(
    *,
    session: AsyncSession,
    principal: Principal,
    item: Item,
    change_note: str = "",
    audit: bool = True,
    status: VersionStatus = VersionStatus.DRAFT,
) -> tuple[ItemRecord, ItemVersionRecord]:
    """Store a validated domain item as a new bank item with version 1 (a draft by default)."""
    existing = (
        await session.exec(select(ItemRecord.id).where(ItemRecord.identifier == item.identifier))
    ).first()
    if existing is not None:
        raise ConflictError(
            f"identifier: an item {item.identifier!r} is already in the bank",
            code="identifier_taken",
        )
    record = ItemRecord(
        identifier=item.identifier,
        school_id=principal.school_id,
        created_by=principal.user_id,
        latest_number=1,
    )
    version = ItemVersionRecord(
        item_id=record.id,
        number=1,
        status=status,
        content={},
        content_hash="",
        kind=item.kind.value,
        created_by=principal.user_id,
        change_note=change_note,
    )
    fill_version(version, item)
    session.add(record)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise ConflictError(
            f"identifier: an item {item.identifier!r} is already in the bank",
            code="identifier_taken",
        ) from exc
    session.add(version)
    await link_versions(session, {version.id: version.content})
    await session.flush()
    if audit:
        record_audit(
            session=session,
            actor=principal,
            action="item.create",
            entity="item",
            entity_id=record.id,
            school_id=record.school_id,
            details={"identifier": item.identifier, "version": 1},
        )
    return record, version


@dataclass(frozen=True, slots=True)
class AddedItem:
    """An item written by :func:`add_items_bulk`: its identifier, item id and version 1 id."""

    identifier: str
    item_id: uuid.UUID
    version_id: uuid.UUID


_BULK_ROWS = 1000  # rows per INSERT; SQLite's default variable limit stays far away


def _bulk_rows(
    principal: Principal, item: Item, change_note: str, now: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    item_id, version_id = uuid.uuid4(), uuid.uuid4()
    content = item_to_dict(item)
    record = {
        "id": item_id,
        "identifier": item.identifier,
        "school_id": principal.school_id,
        "created_by": principal.user_id,
        "created_at": now,
        "latest_number": 1,
    }
    version = {
        "id": version_id,
        "item_id": item_id,
        "number": 1,
        "status": VersionStatus.DRAFT.value,
        "content": content,
        "content_hash": content_hash(content),
        "search_text": search_text_of(content),
        "created_by": principal.user_id,
        "created_at": now,
        "submitted_at": None,
        "published_at": None,
        "published_by": None,
        "retired_at": None,
        "change_note": change_note,
        **_columns(item),
    }
    return record, version


async def add_items_bulk(
    *, session: AsyncSession, principal: Principal, items: Sequence[Item], change_note: str = ""
) -> list[AddedItem]:
    """Store validated items with new identifiers as drafts (imports).

    Rows go in with multi-row ``INSERT``s, not one ORM object each: the same columns and the
    same validation (the items are validated domain objects), about twice as fast on 10,000
    items. The caller's transaction is kept: a failure leaves nothing.
    """
    now = utcnow()
    rows = [_bulk_rows(principal, item, change_note, now) for item in items]
    item_table = ItemRecord.__table__  # type: ignore[attr-defined]
    version_table = ItemVersionRecord.__table__  # type: ignore[attr-defined]
    try:
        for start in range(0, len(rows), _BULK_ROWS):
            chunk = rows[start : start + _BULK_ROWS]
            await session.exec(insert(item_table), params=[record for record, _ in chunk])
            await session.exec(insert(version_table), params=[version for _, version in chunk])
    except IntegrityError as exc:
        raise ConflictError(
            "identifier: an item of this file was added to the bank meanwhile; import again",
            code="identifier_taken",
        ) from exc
    await link_versions(session, {version["id"]: version["content"] for _, version in rows})
    await session.flush()
    return [AddedItem(r["identifier"], r["id"], v["id"]) for r, v in rows]


async def update_item(
    *,
    session: AsyncSession,
    principal: Principal,
    item_id: uuid.UUID,
    document: dict[str, Any],
    change_note: str = "",
) -> ItemView:
    """Edit the latest draft in place, or start draft ``n+1`` when the latest is frozen."""
    require_bank_user(principal)
    record = await _item(session, item_id)
    require_can_edit(principal, record)
    item = parse_item(document)
    if item.identifier != record.identifier:
        raise UnprocessableError(
            f"item.identifier: is {record.identifier!r} for this item and cannot change "
            f"(got {item.identifier!r})",
            code="identifier_fixed",
        )
    versions = await versions_of(session, record.id)
    latest = versions[-1]
    if latest.status == VersionStatus.DRAFT:
        fill_version(latest, item)
        latest.change_note = change_note or latest.change_note
        session.add(latest)
        action, number, changed = "item.edit_draft", latest.number, latest
    else:
        number = latest.number + 1
        draft = ItemVersionRecord(
            item_id=record.id,
            number=number,
            status=VersionStatus.DRAFT,
            content={},
            content_hash="",
            kind=item.kind.value,
            created_by=principal.user_id,
            change_note=change_note,
        )
        fill_version(draft, item)
        record.latest_number = number
        session.add(draft)
        session.add(record)
        action, changed = "item.new_version", draft
    await session.flush()
    await link_versions(session, {changed.id: changed.content}, replace=action == "item.edit_draft")
    await session.flush()
    record_audit(
        session=session,
        actor=principal,
        action=action,
        entity="item",
        entity_id=record.id,
        school_id=record.school_id,
        details={"version": number},
    )
    return await _view(session, principal, record)


async def submit_item(
    *, session: AsyncSession, principal: Principal, item_id: uuid.UUID
) -> ItemView:
    """Send the latest draft to review; its content is frozen from now on."""
    require_bank_user(principal)
    record = await _item(session, item_id)
    require_can_edit(principal, record)
    latest = (await versions_of(session, record.id))[-1]
    if latest.status != VersionStatus.DRAFT:
        raise ConflictError(
            f"status: version {latest.number} is {latest.status}, only a draft can be submitted",
            code="invalid_transition",
        )
    latest.status = VersionStatus.IN_REVIEW
    latest.submitted_at = utcnow()
    session.add(latest)
    await session.flush()
    _audit_version(session, principal, record, latest, "item.submit")
    return await _view(session, principal, record)


def _audit_version(
    session: AsyncSession,
    principal: Principal,
    record: ItemRecord,
    version: ItemVersionRecord,
    action: str,
    **details: Any,
) -> None:
    record_audit(
        session=session,
        actor=principal,
        action=action,
        entity="item_version",
        entity_id=version.id,
        school_id=record.school_id,
        details={"identifier": record.identifier, "version": version.number, **details},
    )


async def review_version(
    *,
    session: AsyncSession,
    principal: Principal,
    version_id: uuid.UUID,
    decision: ReviewDecision,
    comment: str,
) -> ItemReviewRecord:
    """A reviewer (not the author) comments on, approves or sends back a version in review."""
    require_role(principal, *REVIEWER_ROLES)
    version = await _version(session, version_id)
    record = await _item(session, version.item_id)
    if not can_see_version(principal, record, version):
        raise NotFoundError(f"item version {version_id} not found", code="item_version_not_found")
    if version.created_by == principal.user_id and decision is not ReviewDecision.COMMENT:
        raise PermissionDeniedError(
            "decision: the author of a version cannot approve or reject it", code="own_version"
        )
    if version.status != VersionStatus.IN_REVIEW and decision is not ReviewDecision.COMMENT:
        raise ConflictError(
            f"status: version {version.number} is {version.status}, not in review",
            code="not_in_review",
        )
    review = ItemReviewRecord(
        version_id=version.id, reviewer_id=principal.user_id, decision=decision, comment=comment
    )
    session.add(review)
    # "request changes" leaves the version as reviewed: the author's edit makes draft n+1
    await session.flush()
    _audit_version(session, principal, record, version, f"item.review.{decision.value}")
    return review


async def publish_version(
    *, session: AsyncSession, principal: Principal, version_id: uuid.UUID
) -> ItemVersionRecord:
    """Publish a version in review that someone other than its author approved."""
    require_bank_user(principal)
    version = await _version(session, version_id)
    record = await _item(session, version.item_id)
    require_can_edit(principal, record)
    if version.status != VersionStatus.IN_REVIEW:
        raise ConflictError(
            f"status: version {version.number} is {version.status}; only a version in review "
            "can be published",
            code="invalid_transition",
        )
    if version.number != record.latest_number:
        raise ConflictError(
            f"version: {version.number} was superseded by version {record.latest_number}",
            code="superseded",
        )
    decisive = [
        r
        for r in await reviews_of(session, version.id)
        if r.decision != ReviewDecision.COMMENT and r.reviewer_id != version.created_by
    ]
    if not decisive or decisive[-1].decision != ReviewDecision.APPROVE:
        raise ConflictError(
            "reviews: publishing needs an approval by someone other than the author "
            "(after any request for changes)",
            code="not_approved",
        )
    for other in await versions_of(session, record.id):
        if other.status == VersionStatus.PUBLISHED and other.id != version.id:
            other.status = VersionStatus.RETIRED
            other.retired_at = utcnow()
            session.add(other)
    version.status = VersionStatus.PUBLISHED
    version.published_at = utcnow()
    version.published_by = principal.user_id
    session.add(version)
    await session.flush()
    _audit_version(session, principal, record, version, "item.publish")
    enqueue_item_index(session, record.identifier, principal=principal)
    return version


async def retire_version(
    *, session: AsyncSession, principal: Principal, version_id: uuid.UUID
) -> ItemVersionRecord:
    require_bank_user(principal)
    version = await _version(session, version_id)
    record = await _item(session, version.item_id)
    require_can_edit(principal, record)
    if version.status != VersionStatus.PUBLISHED:
        raise ConflictError(
            f"status: version {version.number} is {version.status}; only a published version "
            "can be retired",
            code="invalid_transition",
        )
    version.status = VersionStatus.RETIRED
    version.retired_at = utcnow()
    session.add(version)
    await session.flush()
    _audit_version(session, principal, record, version, "item.retire")
    enqueue_item_index(session, record.identifier, principal=principal)
    return version


# -- counting ------------------------------------------------------------------------------------


async def count_items(*, session: AsyncSession) -> int:
    return int((await session.exec(select(func.count()).select_from(ItemRecord))).one())


# -- export ------------------------------------------------------------------------------------


async def exportable_versions(
    *, session: AsyncSession, principal: Principal, item_ids: Sequence[uuid.UUID]
) -> list[ItemVersionRecord]:
    """For each item, the version a caller exports: the published one, else the latest visible."""
    require_bank_user(principal)
    chosen = []
    for item_id in item_ids:
        view = await _view(session, principal, await _item(session, item_id))
        published = [v for v in view.versions if v.status == VersionStatus.PUBLISHED]
        chosen.append(published[-1] if published else view.latest)
    return chosen
