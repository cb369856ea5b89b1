"""OAI-PMH over the library catalogues: the union catalogue schools harvest (DOMAIN.md §4.6).

:func:`learning_resources.oaipmh.handle_request` does the protocol (verbs, arguments, errors,
datestamps, paging, signed resumption tokens) over :class:`CatalogueStore`, a record store
reading the database (paging shared with the repository's store in :mod:`.oai_store`). The
library offers its own metadata formats: ``marc21`` (MARCXML) and ``oai_dc`` (a plain Dublin
Core crosswalk of the MARC record); each renders the title's catalogue record, looked up by the
local identifier of the stand-in resource the provider hands it. ``lom`` is not offered: a
library title has no LOM (``cannotDisseminateFormat``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from lxml import etree
from sqlmodel import Session, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.models.base import as_utc, utcnow
from content_service.models.library import LibraryCopyRecord, LibraryTitleRecord
from content_service.models.people import SchoolRecord
from content_service.services.library import catalogue_record
from content_service.services.oai_store import Column, DatabaseRecordStore, Query
from learning_resources.crosswalks.oai_dc import DC_NAMESPACE, OAI_DC_NAMESPACE, OAI_DC_SCHEMA
from learning_resources.marc import (
    MARCXML_NAMESPACE,
    MARCXML_SCHEMA,
    CatalogueRecord,
    to_marcxml_element,
)
from learning_resources.oaipmh import (
    MetadataFormat,
    OaiSet,
    Repository,
    StoredRecord,
    handle_request,
)
from learning_resources.resources import (
    Content,
    ContentKind,
    DublinCore,
    Educational,
    LearningResource,
    ResourceState,
)

DOMAIN = "thuvien.hcm.edu.vn"
"""Default repository identifier; the route passes ``settings.OAI_LIBRARY_DOMAIN``."""
MARC21 = "marc21"
_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
_XSI = "http://www.w3.org/2001/XMLSchema-instance"


def local_identifier(title_id: uuid.UUID) -> str:
    return f"t-{title_id.hex}"


def _title_id(local: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(local.removeprefix("t-")) if local.startswith("t-") else None
    except ValueError:
        return None


def _stand_in(title: LibraryTitleRecord) -> LearningResource:
    # What handle_request needs for a header; the metadata formats render the MARC record.
    return LearningResource(
        identifier=local_identifier(title.id),
        version=1,
        dc=DublinCore(title=title.title),
        education=Educational(grades=(), subjects=()),
        content=Content(kind=ContentKind.LINK, url="https://example.invalid/"),
        licence="CC0-1.0",
        modified=as_utc(title.updated_at),
        state=ResourceState.WITHDRAWN if title.deleted else ResourceState.PUBLISHED,
    )


class CatalogueStore(DatabaseRecordStore):
    """A :class:`learning_resources.oaipmh.RecordStore` over ``library_title`` (all schools).

    Sets are ``school:<code>``, one per school with a catalogue.
    """

    epoch = _EPOCH

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._schools = {s.id: s.code for s in session.exec(select(SchoolRecord)).all()}

    def exposed(self) -> Query:
        return select(LibraryTitleRecord)

    def datestamp_column(self) -> Column:
        return col(LibraryTitleRecord.updated_at)

    def identifier_column(self) -> Column:
        return col(LibraryTitleRecord.id)

    def to_record(self, row: LibraryTitleRecord) -> StoredRecord:
        specs = (f"school:{self._schools.get(row.school_id, 'unknown')}",)
        return StoredRecord(
            local_identifier(row.id),
            as_utc(row.updated_at),
            specs,
            _stand_in(row),
            deleted=row.deleted,
        )

    def select_set(self, query: Query, set_spec: str) -> Query:
        code = set_spec.removeprefix("school:")
        ids = [i for i, c in self._schools.items() if c == code and set_spec.startswith("school:")]
        return query.where(col(LibraryTitleRecord.school_id).in_(ids))

    def list_sets(self) -> Sequence[OaiSet]:
        with_titles = set(self.session.exec(select(LibraryTitleRecord.school_id).distinct()).all())
        names = {s.id: s.name for s in self.session.exec(select(SchoolRecord)).all()}
        return [
            OaiSet(f"school:{code}", names[school_id])
            for school_id, code in sorted(self._schools.items(), key=lambda item: item[1])
            if school_id in with_titles
        ]

    def get_record(self, identifier: str) -> StoredRecord | None:
        title_id = _title_id(identifier)
        title = self.session.get(LibraryTitleRecord, title_id) if title_id else None
        return self.to_record(title) if title is not None else None

    def catalogue(self, identifier: str) -> CatalogueRecord | None:
        title_id = _title_id(identifier)
        title = self.session.get(LibraryTitleRecord, title_id) if title_id else None
        if title is None:
            return None
        copies = self.session.exec(
            select(LibraryCopyRecord)
            .where(LibraryCopyRecord.title_id == title.id)
            .order_by(col(LibraryCopyRecord.barcode))
        ).all()
        return catalogue_record(title, copies)

    def metadata_formats(self) -> dict[str, MetadataFormat]:
        """``oai_dc`` and ``marc21``, both rendered from the title's catalogue record."""

        def render(
            to_xml: Callable[[CatalogueRecord], etree._Element],
        ) -> Callable[..., etree._Element]:
            def rendered(resource: LearningResource, *, base_url: str) -> etree._Element:
                record = self.catalogue(resource.identifier)
                if record is None:  # the provider only renders records it just read
                    raise LookupError(resource.identifier)
                return to_xml(record)

            return rendered

        return {
            "oai_dc": MetadataFormat(
                "oai_dc", OAI_DC_SCHEMA, OAI_DC_NAMESPACE, render(_dublin_core)
            ),
            MARC21: MetadataFormat(
                MARC21, MARCXML_SCHEMA, MARCXML_NAMESPACE, render(to_marcxml_element)
            ),
        }


def _dublin_core(record: CatalogueRecord) -> etree._Element:
    nsmap = {"oai_dc": OAI_DC_NAMESPACE, "dc": DC_NAMESPACE, "xsi": _XSI}
    root = etree.Element(f"{{{OAI_DC_NAMESPACE}}}dc", nsmap=nsmap)
    root.set(f"{{{_XSI}}}schemaLocation", f"{OAI_DC_NAMESPACE} {OAI_DC_SCHEMA}")
    pairs = [("title", record.title + (f" : {record.subtitle}" if record.subtitle else ""))]
    pairs += [("creator", a) for a in record.authors]
    pairs += [("subject", s) for s in record.subjects]
    pairs += [("subject", f"DDC {record.ddc}")] if record.ddc else []
    pairs += [("description", record.summary)] if record.summary else []
    pairs += [("publisher", record.publisher)] if record.publisher else []
    pairs += [("date", record.year)] if record.year else []
    pairs += [("type", "Text")]
    pairs += [("identifier", f"urn:isbn:{record.isbn}")] if record.isbn else []
    pairs += [("language", record.language)]
    for name, text in pairs:
        etree.SubElement(root, f"{{{DC_NAMESPACE}}}{name}").text = text
    return root


async def answer(
    *,
    session: AsyncSession,
    arguments: Mapping[str, Sequence[str]],
    base_url: str,
    token_key: bytes,
    now: datetime | None = None,
    domain: str = DOMAIN,
) -> bytes:
    """Answer one OAI-PMH request over every school's catalogue (public, like the OPAC)."""
    moment = now or utcnow()
    repository = Repository(
        name="Mục lục liên hợp thư viện trường học",
        base_url=base_url,
        admin_emails=(f"thuvien@{domain}",),
        domain=domain,
        landing_base_url=base_url.rsplit("/oai", 1)[0] + "/titles",
        page_size=100,
    )

    def run(sync_session: Session) -> bytes:
        store = CatalogueStore(sync_session)
        return handle_request(
            arguments,
            store=store,
            repository=repository,
            now=moment,
            token_key=token_key,
            formats=store.metadata_formats(),
        )

    return await session.run_sync(run)  # type: ignore[arg-type]  # a sqlmodel Session
