"""Listing and searching the bank: one row per item (the version the caller may see), filtered
by metadata and by text.

The text search matches the folded visible text of a version (``item_version.search_text``, see
:mod:`.item_search`), so it finds drafts and versions in review too, which the search layer
(published items only) does not hold.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, literal, or_
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.models.items import ItemRecord, ItemVersionRecord, VersionStatus
from content_service.schemas.common import PageParams
from content_service.services.access import Principal
from content_service.services.item_search import query_pattern
from content_service.services.items import require_bank_user
from content_service.services.people import paginate


def _visible_clause(principal: Principal, version: Any) -> Any:
    """SQL twin of :func:`can_see_version` for a bank user (rows of ``item`` joined to
    ``version``)."""
    if principal.is_system_admin:
        return literal(True)
    return or_(
        col(version.status) != VersionStatus.DRAFT,
        col(version.created_by) == principal.user_id,
        col(ItemRecord.created_by) == principal.user_id,
        and_(
            col(ItemRecord.school_id).is_not(None),
            col(ItemRecord.school_id) == principal.school_id,
        ),
    )


def _text_clause(version: Any, q: str) -> Any:
    """The identifier contains ``q``, or the folded visible text holds the folded words."""
    literal_q = q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    conditions = [col(ItemRecord.identifier).ilike(f"%{literal_q}%", escape="\\")]
    pattern = query_pattern(q)
    if pattern:
        conditions.append(version.search_text.like(pattern, escape="\\"))
    return or_(*conditions)


def _listing_query(principal: Principal) -> Any:
    """One row per item: its latest version when the caller may see it, else its published one."""
    version = aliased(ItemVersionRecord)
    latest = aliased(ItemVersionRecord)
    latest_visible = _visible_clause(principal, latest)
    query = (
        select(ItemRecord, version)
        .join(version, col(version.item_id) == ItemRecord.id)
        .join(
            latest,
            and_(
                col(latest.item_id) == ItemRecord.id,
                col(latest.number) == ItemRecord.latest_number,
            ),
        )
        .where(
            or_(
                and_(col(version.number) == ItemRecord.latest_number, latest_visible),
                and_(col(version.status) == VersionStatus.PUBLISHED, ~latest_visible),
            )
        )
    )
    return query, version


async def list_items(
    *,
    session: AsyncSession,
    principal: Principal,
    page: PageParams,
    subject: str | None = None,
    grade: int | None = None,
    topic: str | None = None,
    cognitive_level: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    q: str | None = None,
) -> tuple[list[dict[str, Any]], int]:
    require_bank_user(principal)
    query, version = _listing_query(principal)
    filters = {
        "subject": subject,
        "grade": grade,
        "topic": topic,
        "cognitive_level": cognitive_level,
        "kind": kind,
        "status": status,
    }
    for name, value in filters.items():
        if value not in (None, ""):
            query = query.where(getattr(version, name) == value)
    if q and q.strip():
        query = query.where(_text_clause(version, q))
    query = query.order_by(version.subject, version.grade, version.topic, ItemRecord.identifier)
    rows, total = await paginate(session, query, page)
    return [summary(record, v) for record, v in rows], total


def summary(record: ItemRecord, version: ItemVersionRecord) -> dict[str, Any]:
    stem = str(version.content.get("stem", ""))
    return {
        "id": record.id,
        "identifier": record.identifier,
        "school_id": record.school_id,
        "version_id": version.id,
        "number": version.number,
        "status": version.status,
        "kind": version.kind,
        "title": version.title,
        "subject": version.subject,
        "grade": version.grade,
        "topic": version.topic,
        "cognitive_level": version.cognitive_level,
        "stem_preview": stem[:200] + ("…" if len(stem) > 200 else ""),
    }


async def facet_values(*, session: AsyncSession, principal: Principal) -> dict[str, list[Any]]:
    """Distinct subjects, grades and topics of published versions, for the browser's filters."""
    require_bank_user(principal)
    out: dict[str, list[Any]] = {}
    for name in ("subject", "grade", "topic"):
        column = getattr(ItemVersionRecord, name)
        rows = await session.exec(
            select(column)
            .where(ItemVersionRecord.status == VersionStatus.PUBLISHED)
            .group_by(column)
            .order_by(column)
        )
        out[name] = [v for v in rows.all() if v not in (None, "")]
    return out
