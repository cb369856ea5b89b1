"""The harvester: imports another repository's records over OAI-PMH into the union catalogue.

Runs as the ``harvest.run`` job. Each run asks for ``oai_dc`` records changed since the last
successful run (``from``), follows resumption tokens to the end, and upserts one local resource
per remote record (identifier ``h-<hash>``, ``origin`` = the base URL). Remote deletions withdraw
the local copy. Every change enqueues the search outbox job in the same transaction. Harvested
copies mirror the remote record (version 1 is rewritten in place): they are not our own
immutable versions and are not re-exposed over our OAI-PMH.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, select
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.jobs import enqueue
from content_service.models.base import as_utc, utcnow
from content_service.models.jobs import JobRecord
from content_service.models.resources import (
    HarvestSourceRecord,
    ResourceRecord,
    ResourceVersionRecord,
    resource_to_json,
)
from content_service.services.access import Principal
from content_service.services.search.outbox import INDEX_JOB, MAX_ATTEMPTS
from learning_resources import (
    Content,
    ContentKind,
    DublinCore,
    Educational,
    LearningResource,
    ResourceState,
    Visibility,
    licence_from_uri,
    nfc,
)
from learning_resources.errors import MetadataValidationError
from learning_resources.oaipmh import HarvestedRecord, parse_list_records, parse_oai_dc
from learning_resources.oaipmh.datestamps import format_datestamp
from learning_resources.vocabularies import SUBJECTS

HARVEST_JOB = "harvest.run"
MAX_PAGES = 10_000


def enqueue_harvest(
    session: AsyncSession,
    source_id: uuid.UUID,
    *,
    principal: Principal | None = None,
    scheduled: bool = False,
) -> JobRecord:
    """Queue a harvest; a ``scheduled`` run queues the next one when it ends."""
    params = {"source_id": str(source_id), "scheduled": scheduled}
    return enqueue(session, HARVEST_JOB, params, principal=principal, max_attempts=5)


def local_identifier(base_url: str, oai_identifier: str) -> str:
    digest = hashlib.sha256(f"{base_url}\n{oai_identifier}".encode()).hexdigest()[:24]
    return f"h-{digest}"


def _licence(values: list[str]) -> str:
    for value in values:
        try:
            return licence_from_uri(value).code
        except (MetadataValidationError, ValueError):
            continue
    return ""


def to_resource(record: HarvestedRecord, identifier: str, now: datetime) -> LearningResource:
    """Map an ``oai_dc`` record (plus our set conventions) to a published resource copy."""
    assert record.metadata is not None
    dc = parse_oai_dc(record.metadata)
    links = [v for v in dc.get("identifier", []) if v.startswith(("http://", "https://"))]
    subjects = tuple(s.split(":", 1)[1] for s in record.set_specs if s.startswith("subject:"))
    grades = tuple(
        int(s.split(":", 1)[1])
        for s in record.set_specs
        if s.startswith("grade:") and s.split(":", 1)[1].isdigit()
    )
    return LearningResource(
        identifier=identifier,
        version=1,
        dc=DublinCore(
            title=nfc((dc.get("title") or [record.identifier])[0]),
            description=nfc(" ".join(dc.get("description", []))),
            creators=tuple(nfc(c) for c in dc.get("creator", [])),
            publisher=next(iter(dc.get("publisher", [])), None),
            keywords=tuple(nfc(s) for s in dc.get("subject", [])),
            language=(dc.get("language") or ["vi"])[0][:2],
        ),
        education=Educational(grades=grades, subjects=tuple(s for s in subjects if s in SUBJECTS)),
        content=Content(ContentKind.LINK, url=links[0] if links else None),
        licence=_licence(dc.get("rights", [])),
        modified=record.datestamp,
        state=ResourceState.PUBLISHED,
        visibility=Visibility.PUBLIC,
        published_at=record.datestamp,
    )


def _upsert(
    session: Session, source: HarvestSourceRecord, record: HarvestedRecord, now: datetime
) -> str:
    identifier = local_identifier(source.base_url, record.identifier)
    resource = to_resource(record, identifier, now)
    existing = session.exec(
        select(ResourceRecord).where(ResourceRecord.identifier == identifier)
    ).first()
    if existing is None:
        existing = ResourceRecord(
            identifier=identifier,
            origin=source.base_url,
            origin_identifier=record.identifier,
            published_number=1,
        )
        session.add(existing)
        session.flush()
        version = ResourceVersionRecord(resource_id=existing.id, number=1, document={})
    else:
        version = session.exec(
            select(ResourceVersionRecord).where(ResourceVersionRecord.resource_id == existing.id)
        ).one()
    version.document = resource_to_json(resource)
    version.state, version.title, version.visibility = (
        "published",
        resource.dc.title[:500],
        "public",
    )
    version.modified_at = now
    existing.status, existing.datestamp = "published", now
    session.add_all([existing, version])
    return identifier


def _withdraw(
    session: Session, source: HarvestSourceRecord, oai_identifier: str, now: datetime
) -> str | None:
    identifier = local_identifier(source.base_url, oai_identifier)
    existing = session.exec(
        select(ResourceRecord).where(ResourceRecord.identifier == identifier)
    ).first()
    if existing is None or existing.status == "withdrawn":
        return None
    existing.status, existing.datestamp = "withdrawn", now
    session.add(existing)
    return identifier


def _request(
    client: httpx.Client, source: HarvestSourceRecord, token: str | None, since: datetime | None
) -> bytes:
    params: dict[str, str] = {"verb": "ListRecords"}
    if token:
        params["resumptionToken"] = token
    else:
        params["metadataPrefix"] = "oai_dc"
        if since is not None:
            params["from"] = format_datestamp(since)
        if source.set_spec:
            params["set"] = source.set_spec
    response = client.get(source.base_url, params=params)
    response.raise_for_status()
    return response.content


def harvest(
    engine: Engine, source_id: uuid.UUID, *, client: httpx.Client | None = None
) -> dict[str, Any]:
    """Run one incremental harvest of a source; each page commits with its outbox job."""
    own = client is None
    client = client or httpx.Client(timeout=httpx.Timeout(30.0, connect=5.0), follow_redirects=True)
    started = utcnow()
    imported = withdrawn = 0
    try:
        with Session(engine) as session:
            source = session.get(HarvestSourceRecord, source_id)
            if source is None:
                raise LookupError(f"harvest source {source_id} does not exist")
            since = as_utc(source.harvested_until) if source.harvested_until else None
            token: str | None = None
            for _ in range(MAX_PAGES):
                page = parse_list_records(_request(client, source, token, since))
                now = utcnow()
                changed = [
                    _upsert(session, source, r, now) for r in page.records if r.metadata is not None
                ]
                gone = [i for i in (_withdraw(session, source, d, now) for d in page.deleted) if i]
                if changed or gone:
                    session.add(
                        JobRecord(
                            kind=INDEX_JOB,
                            params={"resources": changed + gone},
                            max_attempts=MAX_ATTEMPTS,
                        )
                    )
                imported, withdrawn = imported + len(changed), withdrawn + len(gone)
                session.commit()
                token = page.resumption_token
                if token is None:
                    break
            # The next run asks from a little before this one started (clock skew, same second).
            source.harvested_until = started - timedelta(seconds=1)
            source.record_count += imported
            source.last_status = (
                f"ok {format_datestamp(started)}: {imported} imported, {withdrawn} withdrawn"
            )
            session.add(source)
            session.commit()
    finally:
        if own:
            client.close()
    return {"imported": imported, "withdrawn": withdrawn}


def record_failure(engine: Engine, source_id: uuid.UUID, error: str) -> None:
    with Session(engine) as session:
        source = session.get(HarvestSourceRecord, source_id)
        if source is not None:
            source.last_status = f"failed {format_datestamp(utcnow())}: {error[:500]}"
            session.add(source)
            session.commit()


def schedule_next(engine: Engine, source_id: uuid.UUID) -> None:
    """Queue the next scheduled run of a source (interval 0: only on request)."""
    with Session(engine) as session:
        source = session.get(HarvestSourceRecord, source_id)
        if source is None or source.interval_minutes <= 0:
            return
        session.add(
            JobRecord(
                kind=HARVEST_JOB,
                params={"source_id": str(source_id), "scheduled": True},
                run_after=utcnow() + timedelta(minutes=source.interval_minutes),
                max_attempts=5,
            )
        )
        session.commit()
