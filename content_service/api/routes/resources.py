"""/resources and /collections: the shared repository, its review workflow, files and packages."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import FileResponse, Response
from starlette.concurrency import run_in_threadpool

from content_service.api.deps import (
    OptionalPrincipalDep,
    PageDep,
    PrincipalDep,
    SessionDep,
    SettingsDep,
)
from content_service.schemas.common import Page
from content_service.schemas.resources import (
    CollectionCreate,
    CollectionMemberIn,
    CollectionPublic,
    ResourceCreate,
    ResourcePublic,
    ResourceSummary,
    ResourceUpdate,
    TransitionIn,
)
from content_service.services import resources as service

router = APIRouter(tags=["resources"])

Event = Literal["submit", "retract", "start-review", "reject", "publish", "withdraw"]
MAX_FILE_BYTES = 50 * 1024 * 1024


@router.post("/resources", status_code=201, response_model=ResourcePublic)
async def create_resource(
    data: ResourceCreate, principal: PrincipalDep, session: SessionDep
) -> ResourcePublic:
    """Create a resource with its first draft version (staff of a school)."""
    record, version = await service.create_resource(session=session, principal=principal, data=data)
    return ResourcePublic(**service.resource_public(record, version))


@router.get("/resources", response_model=Page[ResourceSummary])
async def read_resources(
    principal: OptionalPrincipalDep,
    session: SessionDep,
    page: PageDep,
    status: Annotated[str | None, Query(max_length=16)] = None,
    mine: bool = False,
) -> Page[ResourceSummary]:
    """Published resources you may see; ``mine=true`` or ``status=`` lists the school's work."""
    rows, total = await service.list_resources(
        session=session, principal=principal, page=page, status=status, mine=mine
    )
    items = [ResourceSummary(**service.resource_summary(r, v)) for r, v in rows]
    return Page[ResourceSummary](items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/resources/{identifier}", response_model=ResourcePublic)
async def read_resource(
    identifier: str,
    principal: OptionalPrincipalDep,
    session: SessionDep,
    version: Annotated[int | None, Query(ge=1)] = None,
) -> ResourcePublic:
    """One resource: its published version, or any version for the school's staff."""
    record, found = await service.read_resource(
        session=session,
        principal=principal,
        identifier=identifier,
        version_number=version,
        count_view=True,
    )
    return ResourcePublic(**service.resource_public(record, found))


@router.put("/resources/{identifier}", response_model=ResourcePublic)
async def update_resource(
    identifier: str, data: ResourceUpdate, principal: PrincipalDep, session: SessionDep
) -> ResourcePublic:
    """Replace the draft's metadata."""
    record, version = await service.update_draft(
        session=session, principal=principal, identifier=identifier, data=data
    )
    return ResourcePublic(**service.resource_public(record, version))


@router.post("/resources/{identifier}/versions", status_code=201, response_model=ResourcePublic)
async def create_version(
    identifier: str, principal: PrincipalDep, session: SessionDep
) -> ResourcePublic:
    """Start the next draft of a published (or withdrawn) resource."""
    record, version = await service.start_new_version(
        session=session, principal=principal, identifier=identifier
    )
    return ResourcePublic(**service.resource_public(record, version))


@router.post("/resources/{identifier}/{event}", response_model=ResourcePublic)
async def apply_event(
    identifier: str,
    event: Event,
    principal: PrincipalDep,
    session: SessionDep,
    data: Annotated[TransitionIn | None, Body()] = None,
) -> ResourcePublic:
    """Workflow: submit, retract, start-review, reject (reason), publish, withdraw (reason)."""
    record, version = await service.transition(
        session=session,
        principal=principal,
        identifier=identifier,
        event=event.replace("-", "_"),
        reason=data.reason if data else None,
    )
    return ResourcePublic(**service.resource_public(record, version))


@router.put("/resources/{identifier}/files/{path:path}", response_model=ResourcePublic)
async def upload_file(
    identifier: str,
    path: str,
    request: Request,
    principal: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
) -> ResourcePublic:
    """Attach a file to the draft: the body is the file, its Content-Type the media type."""
    data = await request.body()
    media_type = request.headers.get("content-type", "application/octet-stream").split(";")[0]
    record, version = await service.add_file(
        session=session,
        principal=principal,
        settings=settings,
        identifier=identifier,
        path=path,
        media_type=media_type.strip().lower(),
        data=data,
    )
    return ResourcePublic(**service.resource_public(record, version))


@router.get("/resources/{identifier}/files/{path:path}", response_class=FileResponse)
async def download_file(
    identifier: str,
    path: str,
    principal: OptionalPrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
    version: Annotated[int | None, Query(ge=1)] = None,
) -> FileResponse:
    """Download one file of the version you may see (counted)."""
    record, found = await service.read_resource(
        session=session, principal=principal, identifier=identifier, version_number=version
    )
    file = service.find_file(found.document, path)
    await service.count_download(session, record)
    return FileResponse(
        service.blob_path(settings, file.sha256),
        media_type=file.media_type,
        filename=path.rsplit("/", 1)[-1],
    )


@router.get("/resources/{identifier}/preview", response_class=Response)
async def preview_file(
    identifier: str,
    principal: OptionalPrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
    file: Annotated[str | None, Query(max_length=500)] = None,
    version: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """A preview: first page of a PDF (PNG), an image, or a notebook rendered to HTML."""
    _record, found = await service.read_resource(
        session=session, principal=principal, identifier=identifier, version_number=version
    )
    content = found.document["content"]
    path = (
        file
        or content.get("entry_point")
        or next((f["path"] for f in content.get("files", ())), "")
    )
    target, media_type = await run_in_threadpool(
        service.render_preview, settings, service.find_file(found.document, path)
    )
    headers = {"Content-Security-Policy": service.PREVIEW_CSP, "X-Content-Type-Options": "nosniff"}
    return FileResponse(target, media_type=media_type, headers=headers)


@router.post("/collections", status_code=201, response_model=CollectionPublic)
async def create_collection(
    data: CollectionCreate, principal: PrincipalDep, session: SessionDep
) -> CollectionPublic:
    """Create a collection, optionally inside a parent collection."""
    record = await service.create_collection(
        session=session,
        principal=principal,
        title=data.title,
        description=data.description,
        parent=data.parent,
    )
    return CollectionPublic(**await service.collection_view(session, record))


@router.get("/collections", response_model=Page[CollectionPublic])
async def read_collections(session: SessionDep, page: PageDep) -> Page[CollectionPublic]:
    """Every collection with its published members and sub-collections."""
    views, total = await service.list_collections(session=session, page=page)
    items = [CollectionPublic(**v) for v in views]
    return Page[CollectionPublic](items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/collections/{identifier}", response_model=CollectionPublic)
async def read_collection(identifier: str, session: SessionDep) -> CollectionPublic:
    """One collection."""
    record = await service.get_collection(session, identifier)
    return CollectionPublic(**await service.collection_view(session, record))


@router.post("/collections/{identifier}/resources", response_model=CollectionPublic)
async def add_collection_member(
    identifier: str, data: CollectionMemberIn, principal: PrincipalDep, session: SessionDep
) -> CollectionPublic:
    """Put a resource into a collection."""
    record = await service.add_to_collection(
        session=session, principal=principal, collection=identifier, resource=data.resource
    )
    return CollectionPublic(**await service.collection_view(session, record))


@router.get("/collections/{identifier}/package", response_class=Response)
async def download_package(
    identifier: str, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    """The collection and its sub-collections as one offline ZIP (manifest, metadata, files)."""
    data = await service.collection_package(
        session=session,
        settings=settings,
        identifier=identifier,
        base_url=str(request.base_url).rstrip("/"),
    )
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{identifier}.zip"'},
    )
