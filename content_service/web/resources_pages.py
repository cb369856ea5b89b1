"""Pages of the shared repository: search with facets, and a resource's page (Vietnamese URLs)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from content_service.api.deps import OptionalPrincipalDep, SessionDep, SettingsDep
from content_service.api.routes.search import search_audience
from content_service.services import resources as service
from content_service.services.search import SearchQuery, SearchUnavailableError, backend_for
from content_service.services.search.base import FACETS
from content_service.web.pages import render
from learning_resources import nfc
from learning_resources.vocabularies import SUBJECTS

router = APIRouter(include_in_schema=False)
FACET_PARAMS = ("subject", "grade", "type", "licence", "language", "school", "doc_type", "kind")


@router.get("/thu-vien/tim-kiem", response_class=HTMLResponse)
async def search_page(
    request: Request,
    principal: OptionalPrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    filters: dict[str, str | int] = {}
    for name in FACET_PARAMS:
        value = request.query_params.get(name)
        if value:
            filters[name] = int(value) if name == "grade" and value.isdigit() else value[:64]
    query = SearchQuery(
        q=nfc(q).strip(),
        filters=filters,
        audience=await search_audience(session, principal),
        facets=FACETS,
    )
    result, unavailable = None, False
    try:
        result = await backend_for(settings).search_async(query)
    except SearchUnavailableError:
        unavailable = True
    return render(
        request,
        "resources/search.html",
        user=principal,
        q=q,
        result=result,
        unavailable=unavailable,
    )


@router.get("/thu-vien/hoc-lieu/{identifier}", response_class=HTMLResponse)
async def resource_page(
    request: Request, identifier: str, principal: OptionalPrincipalDep, session: SessionDep
) -> HTMLResponse:
    record, version = await service.read_resource(
        session=session, principal=principal, identifier=identifier, count_view=True
    )
    doc = version.document
    subjects = [SUBJECTS.get(code, code) for code in doc["education"]["subjects"]]
    return render(
        request,
        "resources/detail.html",
        user=principal,
        record=record,
        doc=doc,
        subjects=subjects,
    )
