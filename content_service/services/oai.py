"""OAI-PMH over the database: a ``RecordStore`` for ``learning_resources.oaipmh.handle_request``.

Exposed records are our own resources (not harvested copies) whose published version is public,
including withdrawn ones, which stay as deleted records forever (``deletedRecord=persistent``).
The provider is synchronous, so the route runs it in a worker thread with a synchronous engine
kept per settings.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from content_service.db import make_engine
from content_service.models.base import as_utc
from content_service.models.resources import (
    CollectionMemberRecord,
    ResourceCollectionRecord,
    ResourceRecord,
    ResourceVersionRecord,
    resource_from_json,
)
from content_service.settings import Settings
from learning_resources import Collection
from learning_resources.oaipmh import (
    OaiSet,
    RecordPage,
    Repository,
    StoredRecord,
    handle_request,
    record_set_specs,
    standard_sets,
)

REPOSITORY_DOMAIN = "hoclieu.edu.vn"
REPOSITORY_NAME = "Kho học liệu dùng chung — TP. Hồ Chí Minh và các tỉnh lân cận"
ADMIN_EMAIL = "thuvien@hoclieu.edu.vn"
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
PAGE_SIZE = 100

_ENGINES: dict[str, Engine] = {}
_LOCK = threading.Lock()


def sync_engine(settings: Settings) -> Engine:
    with _LOCK:
        engine = _ENGINES.get(settings.database_url)
        if engine is None:
            engine = _ENGINES[settings.database_url] = make_engine(settings)
        return engine


def token_key(settings: Settings) -> bytes:
    return hashlib.sha256(b"oai-resumption-token:" + settings.SECRET_KEY.encode()).digest()


class DbRecordStore:
    """Records and sets read from the database within one session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._collections: list[Collection] | None = None

    def _exposed(self):  # type: ignore[no-untyped-def]
        return (
            select(ResourceRecord, ResourceVersionRecord)
            .join(
                ResourceVersionRecord,
                (col(ResourceVersionRecord.resource_id) == ResourceRecord.id)
                & (col(ResourceVersionRecord.number) == ResourceRecord.published_number),
            )
            .where(
                ResourceRecord.origin == "",
                col(ResourceRecord.status).in_(["published", "withdrawn"]),
                ResourceVersionRecord.visibility == "public",
            )
        )

    def collections(self) -> list[Collection]:
        if self._collections is None:
            records = self.session.exec(select(ResourceCollectionRecord)).all()
            by_id = {r.id: r for r in records}
            self._collections = [
                Collection(
                    identifier=r.identifier,
                    title=r.title,
                    parent=by_id[r.parent_id].identifier if r.parent_id in by_id else None,
                    description=r.description,
                )
                for r in records
            ]
        return self._collections

    def _record(self, record: ResourceRecord, version: ResourceVersionRecord) -> StoredRecord:
        collections = self.session.exec(
            select(ResourceCollectionRecord.identifier)
            .join(
                CollectionMemberRecord,
                col(CollectionMemberRecord.collection_id) == ResourceCollectionRecord.id,
            )
            .where(CollectionMemberRecord.resource_id == record.id)
        ).all()
        resource = resource_from_json(version.document, collections=tuple(collections))
        tree = {c.identifier: c for c in self.collections()}
        datestamp = as_utc(record.datestamp) if record.datestamp else resource.modified
        return StoredRecord(
            identifier=record.identifier,
            datestamp=datestamp,
            set_specs=record_set_specs(resource, tree),
            resource=resource,
            deleted=record.status == "withdrawn",
        )

    def earliest_datestamp(self) -> datetime:
        query = self._exposed().subquery()
        earliest = self.session.exec(select(func.min(query.c.datestamp))).one()
        return as_utc(earliest) if earliest else EPOCH

    def list_sets(self) -> Sequence[OaiSet]:
        return standard_sets(self.collections())

    def get_record(self, identifier: str) -> StoredRecord | None:
        row = self.session.exec(
            self._exposed().where(ResourceRecord.identifier == identifier)
        ).first()
        return self._record(*row) if row else None

    def list_records(
        self,
        *,
        set_spec: str | None,
        from_: datetime | None,
        until: datetime | None,
        cursor: int,
        limit: int,
    ) -> RecordPage:
        query = self._exposed()
        if from_ is not None:
            query = query.where(col(ResourceRecord.datestamp) >= from_)
        if until is not None:  # inclusive at whole-second granularity
            query = query.where(col(ResourceRecord.datestamp) < until + timedelta(seconds=1))
        query = query.order_by(col(ResourceRecord.datestamp), col(ResourceRecord.identifier))
        if set_spec is None:
            total = self.session.exec(select(func.count()).select_from(query.subquery())).one()
            rows = self.session.exec(query.offset(cursor).limit(limit)).all()
            return RecordPage(tuple(self._record(r, v) for r, v in rows), int(total))
        # Set membership (collections with their ancestors, subjects, grades) is computed from
        # the metadata: filter in Python, which is fine at a repository's scale.
        selected = [
            stored
            for stored in (self._record(r, v) for r, v in self.session.exec(query).all())
            if set_spec in stored.set_specs
        ]
        return RecordPage(tuple(selected[cursor : cursor + limit]), len(selected))


def answer(
    arguments: dict[str, list[str]],
    *,
    settings: Settings,
    base_url: str,
    now: datetime,
    page_size: int = PAGE_SIZE,
) -> bytes:
    """One OAI-PMH response (runs in a worker thread)."""
    repository = Repository(
        name=REPOSITORY_NAME,
        base_url=f"{base_url}/oai",
        admin_emails=(ADMIN_EMAIL,),
        domain=REPOSITORY_DOMAIN,
        landing_base_url=f"{base_url}/resources",
        page_size=page_size,
    )
    with Session(sync_engine(settings)) as session:
        return handle_request(
            arguments,
            store=DbRecordStore(session),
            repository=repository,
            now=now,
            token_key=token_key(settings),
        )
