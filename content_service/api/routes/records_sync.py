"""/records-sync: the outbox of record events for the sector database, and OneRoster export."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from content_service.api.deps import PrincipalDep, SessionDep
from content_service.schemas.transcripts import RecordEventsPublic
from content_service.services import oneroster as oneroster_service
from content_service.services import record_sync as sync_service

router = APIRouter(prefix="/records-sync", tags=["records-sync"])


@router.get("/events", response_model=RecordEventsPublic)
async def read_events(
    principal: PrincipalDep,
    session: SessionDep,
    since: Annotated[int, Query(ge=0, le=2**31 - 1, description="last seq already received")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    school_id: Annotated[uuid.UUID | None, Query()] = None,
) -> RecordEventsPublic:
    """Record events after ``since``, oldest first (NEW / UPDATE / CANCEL, versioned)."""
    return await sync_service.export_events(
        session=session, principal=principal, school_id=school_id, since=since, limit=limit
    )


@router.get(
    "/oneroster.zip",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}},
)
async def read_oneroster(
    principal: PrincipalDep,
    session: SessionDep,
    school_id: Annotated[uuid.UUID | None, Query()] = None,
) -> Response:
    """The school as a OneRoster 1.2 CSV bundle (orgs, users, classes, results...)."""
    content = await oneroster_service.export_oneroster(
        session=session, principal=principal, school_id=school_id
    )
    return Response(
        content,
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="oneroster.zip"'},
    )
