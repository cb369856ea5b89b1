"""Library pages: the catalogue search (OPAC), the one catalogue search (print, digital and
the open-learning repository, through the search engine), a title with its copies and the
in-browser reader for digital items, and the reader's own loans. Vietnamese first; plain
forms, no script.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from content_service.api.deps import OptionalPrincipalDep, SessionDep, SettingsDep
from content_service.api.routes.search import search_audience
from content_service.errors import ServiceError
from content_service.models.library import LibraryCopyRecord, LibraryTitleRecord
from content_service.models.people import UserRecord
from content_service.schemas.common import PageParams
from content_service.services import library as library_service
from content_service.services.library import INLINE_MEDIA_TYPES
from content_service.services.search import (
    SearchQuery,
    SearchResult,
    SearchUnavailableError,
    backend_for,
)
from content_service.web.pages import render
from learning_resources import nfc

router = APIRouter(prefix="/pages/library", include_in_schema=False)
_PAGE = PageParams(limit=50, offset=0)


def _login() -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


@router.get("", response_class=HTMLResponse, response_model=None)
async def catalogue(
    request: Request,
    principal: OptionalPrincipalDep,
    session: SessionDep,
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    if principal is None:
        return _login()
    user = await session.get(UserRecord, principal.user_id)
    titles: list[LibraryTitleRecord] = []
    total, error = 0, ""
    try:
        titles, total = await library_service.list_titles(
            session=session, principal=principal, page=_PAGE, q=q
        )
    except ServiceError as exc:
        error = str(exc.detail)
    loans, _ = await library_service.list_loans(
        session=session, principal=principal, page=_PAGE, patron_id=principal.user_id
    )
    copies: dict[uuid.UUID, LibraryCopyRecord | None] = {
        loan.copy_id: await session.get(LibraryCopyRecord, loan.copy_id) for loan in loans
    }
    return render(
        request,
        "library/catalogue.html",
        user_language=user.language if user else None,
        user=user,
        q=q,
        titles=titles,
        total=total,
        error=error,
        loans=loans,
        copies=copies,
    )


@router.get("/search", response_class=HTMLResponse, response_model=None)
async def one_catalogue_search(
    request: Request,
    principal: OptionalPrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=200)] = "",
    type: Literal["", "print", "digital"] = "",
) -> Response:
    """The school's print and digital titles and the shared repository, in one search."""
    if principal is None:
        return _login()
    user = await session.get(UserRecord, principal.user_id)
    query = SearchQuery(
        q=nfc(q).strip(),
        filters={"type": type} if type else {},
        audience=await search_audience(session, principal),
        facets=("doc_type", "type", "language"),
        limit=30,
    )
    result: SearchResult | None = None
    unavailable = False
    try:
        result = await backend_for(settings).search_async(query)
    except SearchUnavailableError:
        unavailable = True
    return render(
        request,
        "library/search.html",
        user_language=user.language if user else None,
        user=user,
        q=q,
        kind=type,
        result=result,
        unavailable=unavailable,
    )


@router.get("/titles/{title_id}", response_class=HTMLResponse, response_model=None)
async def title_page(
    request: Request,
    title_id: uuid.UUID,
    principal: OptionalPrincipalDep,
    session: SessionDep,
    read: uuid.UUID | None = None,
) -> Response:
    if principal is None:
        return _login()
    user = await session.get(UserRecord, principal.user_id)
    try:
        title = await library_service.get_title(
            session=session, principal=principal, title_id=title_id
        )
    except ServiceError as exc:
        response = render(request, "library/error.html", user=user, error=str(exc.detail))
        response.status_code = exc.status_code
        return response
    copies, files, waiting = await library_service.title_details(session=session, title=title)
    reading = next((f for f in files if f.id == read), None)
    return render(
        request,
        "library/title.html",
        user_language=user.language if user else None,
        user=user,
        title=title,
        copies=copies,
        files=files,
        waiting=waiting,
        reading=reading,
        inline_types=INLINE_MEDIA_TYPES,
    )
