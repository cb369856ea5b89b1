"""/oai: the OAI-PMH 2.0 provider (GET and POST), and /harvest-sources: repositories we harvest."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import col, select
from starlette.concurrency import run_in_threadpool

from content_service.api.deps import PageDep, PrincipalDep, SessionDep, SettingsDep
from content_service.errors import BadRequestError, NotFoundError
from content_service.models.base import utcnow
from content_service.models.people import Role
from content_service.models.resources import HarvestSourceRecord
from content_service.schemas.common import Page, page_of
from content_service.schemas.jobs import JobPublic
from content_service.schemas.resources import HarvestSourceCreate, HarvestSourcePublic
from content_service.services import oai as oai_service
from content_service.services.access import require_role
from content_service.services.audit import record_audit
from content_service.services.harvest import enqueue_harvest

router = APIRouter(tags=["oai-pmh"])
XML = "text/xml; charset=utf-8"


async def _arguments(request: Request) -> dict[str, list[str]]:
    arguments = parse_qs(request.url.query, keep_blank_values=True)
    if request.method == "POST":
        if not request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            # The protocol only defines form bodies; anything else is parsed as no arguments,
            # which the provider answers with badVerb.
            return {}
        body = (await request.body()).decode("utf-8", errors="replace")
        for key, values in parse_qs(body, keep_blank_values=True).items():
            arguments.setdefault(key, []).extend(values)
    return arguments


@router.get("/oai", response_class=Response, operation_id="oai_pmh_get")
@router.post("/oai", response_class=Response, operation_id="oai_pmh_post")
async def oai_pmh(request: Request, settings: SettingsDep) -> Response:
    """OAI-PMH 2.0: Identify, ListMetadataFormats, ListSets, ListIdentifiers, ListRecords,
    GetRecord; formats oai_dc and lom; errors inside a 200 response, as the protocol says."""
    arguments = await _arguments(request)
    page_size = getattr(request.app.state, "oai_page_size", oai_service.PAGE_SIZE)
    body = await run_in_threadpool(
        oai_service.answer,
        arguments,
        settings=settings,
        base_url=str(request.base_url).rstrip("/"),
        now=utcnow(),
        page_size=page_size,
    )
    return Response(body, media_type=XML)


@router.post("/harvest-sources", status_code=201, response_model=HarvestSourcePublic)
async def create_harvest_source(
    data: HarvestSourceCreate, principal: PrincipalDep, session: SessionDep
) -> HarvestSourcePublic:
    """Register another OAI-PMH repository to import on a schedule (librarians)."""
    require_role(principal, Role.LIBRARIAN)
    existing = (
        await session.exec(
            select(HarvestSourceRecord).where(HarvestSourceRecord.base_url == data.base_url)
        )
    ).first()
    if existing is not None:
        raise BadRequestError(f"base_url {data.base_url!r} is already a harvest source")
    source = HarvestSourceRecord(**data.model_dump(), created_by=principal.user_id)
    session.add(source)
    await session.flush()
    enqueue_harvest(session, source.id, principal=principal, scheduled=True)
    record_audit(
        session=session,
        actor=principal,
        action="harvest_source.create",
        entity="harvest_source",
        entity_id=source.id,
        details={"base_url": data.base_url},
    )
    return HarvestSourcePublic.model_validate(source, from_attributes=True)


@router.get("/harvest-sources", response_model=Page[HarvestSourcePublic])
async def read_harvest_sources(
    principal: PrincipalDep, session: SessionDep, page: PageDep
) -> Page[HarvestSourcePublic]:
    """Repositories we harvest, with their last outcome."""
    require_role(principal, Role.LIBRARIAN, Role.SCHOOL_ADMIN)
    query = select(HarvestSourceRecord).order_by(col(HarvestSourceRecord.created_at))
    rows = (await session.exec(query.limit(page.limit).offset(page.offset))).all()
    total = len((await session.exec(select(HarvestSourceRecord.id))).all())
    return page_of(HarvestSourcePublic, rows, total, page)


@router.post("/harvest-sources/{source_id}/run", status_code=202, response_model=JobPublic)
async def run_harvest(
    source_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> JobPublic:
    """Harvest now (incremental: only records changed since the last harvest)."""
    require_role(principal, Role.LIBRARIAN)
    if await session.get(HarvestSourceRecord, source_id) is None:
        raise NotFoundError(f"harvest source {source_id} does not exist")
    job = enqueue_harvest(session, source_id, principal=principal)
    await session.flush()
    return JobPublic.model_validate(job, from_attributes=True)
