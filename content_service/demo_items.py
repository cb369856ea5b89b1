"""Demo content for the item bank: the Vietnamese sample items, published by the demo teacher.

The items (96: six subjects, grades 6-12, the four cognitive levels) ship with the package in
``demo_data/items.json``. Each is stored as version 1, approved by the demo researcher and
published by the demo school's mathematics teacher, so the browser, assembly and quizzes have a
bank to work with. Loading twice adds nothing.
"""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, col, select

from content_service.models.base import utcnow
from content_service.models.items import (
    ItemRecord,
    ItemReviewRecord,
    ItemVersionRecord,
    ReviewDecision,
    VersionStatus,
)
from content_service.models.people import UserRecord
from content_service.services.items import fill_version
from item_bank.formats.json_items import load_items

DEMO_ITEMS = Path(__file__).parent / "demo_data" / "items.json"


def load_items_demo(
    session: Session,
    *,
    author_username: str = "gv.toan",
    reviewer_username: str = "nghiencuu",
    path: Path = DEMO_ITEMS,
) -> int:
    """Publish the demo items as ``author_username``; returns how many were added."""
    author = session.exec(select(UserRecord).where(UserRecord.username == author_username)).one()
    reviewer = session.exec(
        select(UserRecord).where(UserRecord.username == reviewer_username)
    ).first()
    items = load_items(path, source=path.name)
    existing = set(
        session.exec(
            select(ItemRecord.identifier).where(
                col(ItemRecord.identifier).in_([i.identifier for i in items])
            )
        ).all()
    )
    added = 0
    now = utcnow()
    for item in items:
        if item.identifier in existing:
            continue
        record = ItemRecord(
            identifier=item.identifier, school_id=author.school_id, created_by=author.id
        )
        version = ItemVersionRecord(
            item_id=record.id,
            number=1,
            status=VersionStatus.PUBLISHED,
            content={},
            content_hash="",
            kind=item.kind.value,
            created_by=author.id,
            submitted_at=now,
            published_at=now,
            published_by=author.id,
            change_note="dữ liệu mẫu",
        )
        fill_version(version, item)
        session.add(record)
        session.flush()
        session.add(version)
        session.flush()
        if reviewer is not None:
            session.add(
                ItemReviewRecord(
                    version_id=version.id,
                    reviewer_id=reviewer.id,
                    decision=ReviewDecision.APPROVE,
                    comment="Duyệt dữ liệu mẫu",
                )
            )
        added += 1
    session.commit()
    return added
