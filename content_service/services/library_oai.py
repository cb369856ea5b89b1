"""OAI-PMH over the library catalogues: the union catalogue schools harvest (DOMAIN.md §4.6).

:func:`learning_resources.oaipmh.handle_request` does the protocol (verbs, arguments, errors,
datestamps, paging, signed resumption tokens) over :class:`CatalogueStore`, a record store
reading the database. Its metadata formats are those of learning resources (``oai_dc`` with a
CC licence, ``lom``), and it has no way to plug in another one; a library title has neither a
CC licence nor LOM. So the provider answers with a stand-in resource per title, and this module
replaces every ``<metadata>`` payload with the title's own rendering: MARCXML for ``marc21``
and a plain Dublin Core crosswalk for ``oai_dc``. ``marc21`` requests reach the provider as
``oai_dc`` ones; their resumption tokens carry a ``m21.`` mark so a resumed harvest stays in
MARC. ``lom`` is refused with ``cannotDisseminateFormat``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from lxml import etree
from sqlalchemy import func
from sqlmodel import Session, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.models.base import as_utc, utcnow
from content_service.models.library import LibraryCopyRecord, LibraryTitleRecord
from content_service.models.people import SchoolRecord
from content_service.services.library import catalogue_record
from learning_resources.crosswalks.oai_dc import DC_NAMESPACE, OAI_DC_NAMESPACE, OAI_DC_SCHEMA
from learning_resources.marc import (
    MARCXML_NAMESPACE,
    MARCXML_SCHEMA,
    CatalogueRecord,
    to_marcxml_element,
)
from learning_resources.oaipmh import (
    OAI_NAMESPACE,
    OaiSet,
    RecordPage,
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
MARC21 = "marc21"
_TOKEN_MARK = "m21."  # noqa: S105 - a marker prepended to OAI resumption tokens, not a secret
_UNSUPPORTED = "x-unsupported"
_O = f"{{{OAI_NAMESPACE}}}"
_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def local_identifier(title_id: uuid.UUID) -> str:
    return f"t-{title_id.hex}"


def _title_id(local: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(local.removeprefix("t-")) if local.startswith("t-") else None
    except ValueError:
        return None


def _stand_in(title: LibraryTitleRecord) -> LearningResource:
    # Only what handle_request needs to render a header; the payload is replaced afterwards.
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


class CatalogueStore:
    """A :class:`learning_resources.oaipmh.RecordStore` over ``library_title`` (all schools).

    Sets are ``school:<code>``, one per school with a catalogue.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._schools = {s.id: s.code for s in session.exec(select(SchoolRecord)).all()}

    def _record(self, title: LibraryTitleRecord) -> StoredRecord:
        specs = (f"school:{self._schools.get(title.school_id, 'unknown')}",)
        return StoredRecord(
            local_identifier(title.id),
            as_utc(title.updated_at),
            specs,
            _stand_in(title),
            deleted=title.deleted,
        )

    def earliest_datestamp(self) -> datetime:
        earliest = self.session.exec(select(func.min(LibraryTitleRecord.updated_at))).one()
        return as_utc(earliest) if earliest is not None else _EPOCH

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
        return self._record(title) if title is not None else None

    def list_records(
        self,
        *,
        set_spec: str | None,
        from_: datetime | None,
        until: datetime | None,
        cursor: int,
        limit: int,
    ) -> RecordPage:
        query = select(LibraryTitleRecord)
        if set_spec is not None:
            code = set_spec.removeprefix("school:")
            ids = [
                i for i, c in self._schools.items() if c == code and set_spec.startswith("school:")
            ]
            query = query.where(col(LibraryTitleRecord.school_id).in_(ids))
        if from_ is not None:
            query = query.where(col(LibraryTitleRecord.updated_at) >= from_)
        if until is not None:
            # Whole-second granularity: a change at 10:00:00.5 matches until=10:00:00Z.
            query = query.where(
                col(LibraryTitleRecord.updated_at) < until.replace(microsecond=0) + _SECOND
            )
        total = self.session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = self.session.exec(
            query.order_by(col(LibraryTitleRecord.updated_at), col(LibraryTitleRecord.id))
            .offset(cursor)
            .limit(limit)
        ).all()
        return RecordPage(tuple(self._record(t) for t in rows), int(total))

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


_SECOND = datetime(2000, 1, 1, 0, 0, 1) - datetime(2000, 1, 1)


def _prepare(arguments: Mapping[str, Sequence[str]]) -> tuple[dict[str, list[str]], str | None]:
    """Arguments for the provider, and the prefix the caller really asked for."""
    args = {key: list(values) for key, values in arguments.items()}
    asked = None
    prefixes = args.get("metadataPrefix")
    if prefixes and len(prefixes) == 1 and prefixes[0] in (MARC21, "lom"):
        asked = prefixes[0]
        args["metadataPrefix"] = ["oai_dc" if asked == MARC21 else _UNSUPPORTED]
    tokens = args.get("resumptionToken")
    if tokens and len(tokens) == 1 and tokens[0].startswith(_TOKEN_MARK):
        args["resumptionToken"] = [tokens[0].removeprefix(_TOKEN_MARK)]
        asked = MARC21
    return args, asked


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


_XSI = "http://www.w3.org/2001/XMLSchema-instance"


def _rewrite(body: bytes, store: CatalogueStore, asked: str | None) -> bytes:
    root = etree.fromstring(body)
    request = root.find(f"{_O}request")
    if request is not None and request.get("metadataPrefix") in ("oai_dc", _UNSUPPORTED) and asked:
        request.set("metadataPrefix", asked)
    for error in root.iter(f"{_O}error"):
        if error.text and _UNSUPPORTED in error.text:
            error.text = error.text.replace(_UNSUPPORTED, asked or "")
    for formats in root.iter(f"{_O}ListMetadataFormats"):
        for entry in list(formats):
            if entry.findtext(f"{_O}metadataPrefix") == "lom":
                formats.remove(entry)
        entry = etree.SubElement(formats, f"{_O}metadataFormat")
        for name, text in (
            ("metadataPrefix", MARC21),
            ("schema", MARCXML_SCHEMA),
            ("metadataNamespace", MARCXML_NAMESPACE),
        ):
            etree.SubElement(entry, f"{_O}{name}").text = text
    for record in root.iter(f"{_O}record"):
        metadata = record.find(f"{_O}metadata")
        identifier = record.findtext(f"{_O}header/{_O}identifier") or ""
        catalogue = store.catalogue(identifier.removeprefix(f"oai:{DOMAIN}:"))
        if metadata is None or catalogue is None:
            continue
        for child in list(metadata):
            metadata.remove(child)
        payload = to_marcxml_element(catalogue) if asked == MARC21 else _dublin_core(catalogue)
        metadata.append(payload)
    if asked == MARC21:
        for token in root.iter(f"{_O}resumptionToken"):
            if token.text:
                token.text = _TOKEN_MARK + token.text
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


async def answer(
    *,
    session: AsyncSession,
    arguments: Mapping[str, Sequence[str]],
    base_url: str,
    token_key: bytes,
    now: datetime | None = None,
) -> bytes:
    """Answer one OAI-PMH request over every school's catalogue (public, like the OPAC)."""
    moment = now or utcnow()
    repository = Repository(
        name="Mục lục liên hợp thư viện trường học",
        base_url=base_url,
        admin_emails=("thuvien@hcm.edu.vn",),
        domain=DOMAIN,
        landing_base_url=base_url.rsplit("/oai", 1)[0] + "/titles",
        page_size=100,
    )
    args, asked = _prepare(arguments)

    def run(sync_session: Session) -> bytes:
        store = CatalogueStore(sync_session)
        body = handle_request(
            args, store=store, repository=repository, now=moment, token_key=token_key
        )
        return _rewrite(body, store, asked)

    return await session.run_sync(run)  # type: ignore[arg-type]  # a sqlmodel Session
