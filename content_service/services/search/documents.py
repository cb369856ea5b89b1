"""Database rows → search documents (synchronous: the worker runs these).

A resource is indexed while its status is ``published`` and it is not private; an item while it
has a published version; a library title while it is not deleted (its ``type`` facet says
whether copies, digital files or both exist). Anything else is deleted from the index. Items
carry only their stem text and metadata: never choices' keys, feedback or rationale, because
students search too.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from content_service.models.items import ItemRecord, ItemVersionRecord, VersionStatus
from content_service.models.library import (
    LibraryCopyRecord,
    LibraryDigitalFileRecord,
    LibraryTitleRecord,
)
from content_service.models.people import SchoolRecord
from content_service.models.resources import (
    CollectionMemberRecord,
    ResourceCollectionRecord,
    ResourceRecord,
    ResourceVersionRecord,
    resource_from_json,
)
from learning_resources import (
    Visibility,
    document_id,
    item_document,
    library_document,
    resource_document,
)
from learning_resources.vocabularies import SUBJECTS


def resource_key(identifier: str) -> str:
    return document_id("resource", identifier)


def item_key(identifier: str) -> str:
    return document_id("item", identifier)


def library_key(identifier: str) -> str:
    return document_id("library", identifier)


def resource_search_document(session: Session, record: ResourceRecord) -> dict[str, Any] | None:
    """The document of a resource's published version, or None when it must not be indexed."""
    if record.status != "published" or record.published_number is None:
        return None
    version = session.exec(
        select(ResourceVersionRecord).where(
            ResourceVersionRecord.resource_id == record.id,
            ResourceVersionRecord.number == record.published_number,
        )
    ).first()
    if version is None:
        return None
    collections = session.exec(
        select(ResourceCollectionRecord.identifier)
        .join(
            CollectionMemberRecord,
            col(CollectionMemberRecord.collection_id) == ResourceCollectionRecord.id,
        )
        .where(CollectionMemberRecord.resource_id == record.id)
    ).all()
    resource = resource_from_json(version.document, collections=tuple(collections))
    if resource.visibility is Visibility.PRIVATE:
        return None
    document = resource_document(resource)
    document["origin"] = record.origin
    return document


def _school_code(session: Session, school_id: uuid.UUID | None) -> str | None:
    if school_id is None:
        return None
    school = session.get(SchoolRecord, school_id)
    return school.code if school else None


def item_search_document(session: Session, item: ItemRecord) -> dict[str, Any] | None:
    """The document of an item's newest published version (stem and metadata only), or None."""
    version = session.exec(
        select(ItemVersionRecord)
        .where(
            ItemVersionRecord.item_id == item.id,
            ItemVersionRecord.status == VersionStatus.PUBLISHED,
        )
        .order_by(col(ItemVersionRecord.number).desc())
    ).first()
    if version is None:
        return None
    stem = str(version.content.get("stem", ""))
    school = _school_code(session, item.school_id)
    return item_document(
        identifier=item.identifier,
        version=version.number,
        text=stem,
        subjects=[version.subject] if version.subject in SUBJECTS else [],
        grades=[version.grade] if version.grade else [],
        item_type=version.kind,
        school=school,
        visibility=Visibility.SCHOOL if school else Visibility.PUBLIC,
        title=version.title,
    )


def library_search_document(session: Session, title: LibraryTitleRecord) -> dict[str, Any] | None:
    """The document of a library title, or None for a deleted one."""
    if title.deleted:
        return None
    school = _school_code(session, title.school_id)
    if school is None:
        return None
    copies = session.exec(
        select(LibraryCopyRecord.id).where(LibraryCopyRecord.title_id == title.id).limit(1)
    ).first()
    files = session.exec(
        select(LibraryDigitalFileRecord.id)
        .where(LibraryDigitalFileRecord.title_id == title.id)
        .limit(1)
    ).first()
    return library_document(
        identifier=str(title.id),
        title=title.title,
        subtitle=title.subtitle,
        authors=title.authors,
        subjects=title.subjects,
        summary=title.summary,
        isbn=title.isbn,
        language=title.language,
        school=school,
        formats=[f for f, present in (("print", copies), ("digital", files)) if present],
    )


def _library_changes(
    session: Session, identifiers: list[str], upserts: list[dict[str, Any]], deletes: list[str]
) -> None:
    for identifier in identifiers:
        try:
            title = session.get(LibraryTitleRecord, uuid.UUID(identifier))
        except ValueError:
            title = None
        document = library_search_document(session, title) if title else None
        if document is None:
            deletes.append(library_key(identifier))
        else:
            upserts.append(document)


def index_changes(
    engine: Engine, *, resources: list[str], items: list[str], library: list[str] | None = None
) -> tuple[list[dict[str, Any]], list[str]]:
    """Documents to upsert and keys to delete for the given resource, item and title ids."""
    upserts: list[dict[str, Any]] = []
    deletes: list[str] = []
    with Session(engine) as session:
        _library_changes(session, list(library or []), upserts, deletes)
        for identifier in resources:
            record = session.exec(
                select(ResourceRecord).where(ResourceRecord.identifier == identifier)
            ).first()
            document = resource_search_document(session, record) if record else None
            if document is None:
                deletes.append(resource_key(identifier))
            else:
                upserts.append(document)
        for identifier in items:
            item = session.exec(
                select(ItemRecord).where(ItemRecord.identifier == identifier)
            ).first()
            document = item_search_document(session, item) if item else None
            if document is None:
                deletes.append(item_key(identifier))
            else:
                upserts.append(document)
    return upserts, deletes


def all_documents(engine: Engine) -> Iterator[dict[str, Any]]:
    """Every document the index should hold (for a full rebuild)."""
    with Session(engine) as session:
        for record in session.exec(
            select(ResourceRecord).where(ResourceRecord.status == "published")
        ):
            document = resource_search_document(session, record)
            if document is not None:
                yield document
        published = select(ItemVersionRecord.item_id).where(
            ItemVersionRecord.status == VersionStatus.PUBLISHED
        )
        for item in session.exec(select(ItemRecord).where(col(ItemRecord.id).in_(published))):
            document = item_search_document(session, item)
            if document is not None:
                yield document
        titles = select(LibraryTitleRecord).where(col(LibraryTitleRecord.deleted).is_(False))
        for title in session.exec(titles):
            document = library_search_document(session, title)
            if document is not None:
                yield document


def changed_since(engine: Engine, since: datetime) -> tuple[list[str], list[str], list[str]]:
    """Resource, item and library-title ids changed at or after ``since`` (catch-up)."""
    with Session(engine) as session:
        resources = session.exec(
            select(ResourceRecord.identifier).where(col(ResourceRecord.datestamp) >= since)
        ).all()
        versions = select(ItemVersionRecord.item_id).where(
            (col(ItemVersionRecord.published_at) >= since)
            | (col(ItemVersionRecord.retired_at) >= since)
        )
        items = session.exec(
            select(ItemRecord.identifier).where(col(ItemRecord.id).in_(versions))
        ).all()
        titles = session.exec(
            select(LibraryTitleRecord.id).where(col(LibraryTitleRecord.updated_at) >= since)
        ).all()
    return list(resources), list(items), [str(t) for t in titles]
