"""/search: resources, items and library titles in one search, with facets, highlighting and
per-school visibility enforced here (the caller's own filters can only narrow it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from content_service.api.deps import (
    PrincipalDep,
    SessionDep,
    SettingsDep,
    credentials,
    principal_or_none,
)
from content_service.db import session_scope
from content_service.errors import ServiceError
from content_service.schemas.jobs import JobPublic
from content_service.schemas.resources import SearchHitPublic, SearchPublic
from content_service.services.access import Principal, require_role
from content_service.services.resources import school_code
from content_service.services.search import (
    Audience,
    SearchQuery,
    SearchUnavailableError,
    backend_for,
)
from content_service.services.search.base import FACETS
from content_service.services.search.outbox import enqueue_reindex
from learning_resources import nfc

router = APIRouter(tags=["search"])

Short = Annotated[str | None, Query(max_length=64)]


class SearchUnavailableHttpError(ServiceError):
    status_code = 503
    code = "search_unavailable"


async def search_audience(session: SessionDep, principal: Principal | None) -> Audience:
    """Whose search this is (also used by the search pages): the engine enforces it."""
    if principal is None:
        return Audience()
    if principal.is_system_admin:
        return Audience(everything=True, staff=True)
    return Audience(
        school=await school_code(session, principal.school_id), staff=principal.is_staff
    )


async def caller_audience(request: Request) -> Audience:
    """The caller's audience. An anonymous search, the most frequent request of the public
    repository, opens no database session at all; a token that does not authenticate searches
    as anonymous (as everywhere an account is optional)."""
    token = credentials(request)
    if not token:
        return Audience()
    async with session_scope(request.app.state.sessionmaker) as session:
        return await search_audience(session, await principal_or_none(session, token))


@router.get("/search", response_model=SearchPublic)
async def search(
    audience: Annotated[Audience, Depends(caller_audience)],
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=200)] = "",
    type: Short = None,
    subject: Short = None,
    grade: Annotated[int | None, Query(ge=1, le=12)] = None,
    licence: Short = None,
    language: Short = None,
    school: Short = None,
    doc_type: Annotated[str | None, Query(pattern="^(resource|item|library)$")] = None,
    kind: Short = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1000)] = 0,
    facets: Annotated[
        str,
        Query(
            max_length=200,
            description="comma-separated facets to count (" + ",".join(FACETS) + "); "
            "none by default: counting costs more than the search on large result sets",
        ),
    ] = "",
) -> SearchPublic:
    """Search resources, library titles and (for staff) items; exact tones rank first.

    ``type`` filters resource types, item types and library formats (``print``, ``digital``).
    """
    given = {
        "type": type,
        "subject": subject,
        "grade": grade,
        "licence": licence,
        "language": language,
        "school": school,
        "doc_type": doc_type,
        "kind": kind,
    }
    filters = {k: v for k, v in given.items() if v is not None}
    query = SearchQuery(
        q=nfc(q).strip(),
        filters=filters,
        audience=audience,
        limit=limit,
        offset=offset,
        facets=tuple(name for name in facets.split(",") if name in FACETS),
    )
    backend = backend_for(settings)
    try:
        result = await backend.search_async(query)
    except SearchUnavailableError as error:
        raise SearchUnavailableHttpError(f"search is unavailable: {error}") from None
    hits = [
        SearchHitPublic(
            doc_type=h.document["doc_type"],
            identifier=h.document["identifier"],
            version=h.document.get("version"),
            title=h.document.get("title") or "",
            description=h.document.get("description") or "",
            subject=h.document.get("subject") or [],
            grade=h.document.get("grade") or [],
            type=h.document.get("type") or [],
            kind=h.document.get("kind"),
            licence=h.document.get("licence"),
            language=h.document.get("language"),
            school=h.document.get("school"),
            highlight=h.highlight,
        )
        for h in result.hits
    ]
    return SearchPublic(
        query=query.q,
        backend=backend.name,
        total=result.total,
        limit=limit,
        offset=offset,
        hits=hits,
        facets=result.facets,
    )


@router.post("/search/reindex", status_code=202, response_model=JobPublic)
async def reindex(principal: PrincipalDep, session: SessionDep) -> JobPublic:
    """Rebuild the whole index into a new one and swap it in (system admins); see /jobs/{id}."""
    require_role(principal)
    job = enqueue_reindex(session, principal=principal)
    await session.flush()
    return JobPublic.model_validate(job, from_attributes=True)
