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
from datetime import UTC, datetime

from sqlalchemy import Engine
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
from content_service.services.oai_store import Column, DatabaseRecordStore, Query
from content_service.settings import Settings
from learning_resources import Collection
from learning_resources.oaipmh import (
    OaiSet,
    Repository,
    StoredRecord,
    handle_request,
    record_set_specs,
    standard_sets,
)

REPOSITORY_NAME = "Kho học liệu dùng chung — TP. Hồ Chí Minh và các tỉnh lân cận"
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


class DbRecordStore(DatabaseRecordStore):
    """Records and sets read from the database within one session."""

    epoch = EPOCH

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._collections: list[Collection] | None = None

    def exposed(self) -> Query:
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

    def datestamp_column(self) -> Column:
        return col(ResourceRecord.datestamp)

    def identifier_column(self) -> Column:
        return col(ResourceRecord.identifier)

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

    def to_record(self, row: tuple[ResourceRecord, ResourceVersionRecord]) -> StoredRecord:
        record, version = row
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

    def list_sets(self) -> Sequence[OaiSet]:
        return standard_sets(self.collections())

    def get_record(self, identifier: str) -> StoredRecord | None:
        row = self.session.exec(
            self.exposed().where(col(ResourceRecord.identifier) == identifier)
        ).first()
        return self.to_record(row) if row else None

    # Set membership (collections with their ancestors, subjects, grades) is computed from the
    # metadata, so sets are selected on the records (the base class's default).


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
        admin_emails=(f"thuvien@{settings.OAI_REPOSITORY_DOMAIN}",),
        domain=settings.OAI_REPOSITORY_DOMAIN,
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
