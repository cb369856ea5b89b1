"""The outbox of record events for the sector database (QĐ 4998/QĐ-BGDĐT, 2021).

Every change to a synced record appends an event ``(idbanghi, sukien, phienban,
thoigiancapnhat)``: NEW, UPDATE or CANCEL (a soft delete), with a version that increases per
record. A consumer pulls everything after the last ``seq`` it saw; replaying a batch twice, or
out of order, leaves it in the same state, because it keeps the highest version of each record
(:func:`replay_events`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.models.base import as_utc, utcnow
from content_service.models.gradebook import RecordEventRecord
from content_service.models.people import Role
from content_service.schemas.transcripts import RecordEventPublic, RecordEventsPublic
from content_service.services.access import Principal, require_role, require_school


class RecordEvent(StrEnum):
    NEW = "NEW"
    UPDATE = "UPDATE"
    CANCEL = "CANCEL"


@dataclass(frozen=True, slots=True)
class Change:
    record_id: str
    event: RecordEvent
    data: dict[str, Any]


async def emit_events(
    *, session: AsyncSession, school_id: uuid.UUID, record_type: str, changes: Sequence[Change]
) -> None:
    """Append one event per change, each record's version one above its last."""
    if not changes:
        return
    ids = [c.record_id for c in changes]
    rows = await session.exec(
        select(RecordEventRecord.record_id, func.max(RecordEventRecord.version))
        .where(RecordEventRecord.record_type == record_type)
        .where(col(RecordEventRecord.record_id).in_(ids))
        .group_by(col(RecordEventRecord.record_id))
    )
    versions: dict[str, int] = {record_id: int(v) for record_id, v in rows.all()}
    now = utcnow()
    for change in changes:
        version = versions.get(change.record_id, 0) + 1
        versions[change.record_id] = version
        session.add(
            RecordEventRecord(
                school_id=school_id,
                record_type=record_type,
                record_id=change.record_id,
                version=version,
                event=change.event,
                payload=change.data,
                at=now,
            )
        )


def _timestamp(value: datetime) -> str:
    return as_utc(value).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def to_public(record: RecordEventRecord) -> RecordEventPublic:
    assert record.seq is not None  # read back from the table
    return RecordEventPublic(
        seq=record.seq,
        idbanghi=record.record_id,
        loai=record.record_type,
        sukien=record.event,
        phienban=record.version,
        thoigiancapnhat=_timestamp(record.at),
        data=record.payload,
    )


async def export_events(
    *,
    session: AsyncSession,
    principal: Principal,
    school_id: uuid.UUID | None,
    since: int,
    limit: int,
) -> RecordEventsPublic:
    """Events after ``since`` (a ``seq``), oldest first; the school admin's own school."""
    require_role(principal, Role.SCHOOL_ADMIN)
    school = school_id if school_id is not None else principal.school_id
    require_school(principal, school)
    query = (
        select(RecordEventRecord)
        .where(col(RecordEventRecord.seq) > since)
        .order_by(col(RecordEventRecord.seq))
        .limit(limit)
    )
    if school is not None:
        query = query.where(RecordEventRecord.school_id == school)
    rows = list((await session.exec(query)).all())
    events = [to_public(r) for r in rows]
    return RecordEventsPublic(events=events, next_since=events[-1].seq if events else since)


def replay_events(
    store: dict[str, dict[str, Any]], events: Iterable[RecordEventPublic]
) -> dict[str, dict[str, Any]]:
    """Apply events to a receiver's ``store`` the way the sector database does.

    The store maps ``loai/idbanghi`` to ``{"phienban", "sukien", "data", "deleted"}``. An event
    whose version is not above the stored one is ignored, so replays are idempotent.
    CANCEL keeps the record, marked deleted (soft delete).
    """
    for event in events:
        key = f"{event.loai}/{event.idbanghi}"
        current = store.get(key)
        if current is not None and current["phienban"] >= event.phienban:
            continue
        store[key] = {
            "phienban": event.phienban,
            "sukien": event.sukien,
            "data": event.data,
            "deleted": event.sukien == RecordEvent.CANCEL,
        }
    return store
