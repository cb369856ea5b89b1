"""/items and /item-versions: create, edit, review, publish, search, import and export items."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile, status
from fastapi.responses import FileResponse, Response

from content_service.api.deps import PageDep, PrincipalDep, SessionDep, SettingsDep
from content_service.errors import UnprocessableError
from content_service.models.items import ItemReviewRecord, ItemVersionRecord
from content_service.schemas.common import page_of
from content_service.schemas.items import (
    ImportQueuedPublic,
    ImportReportPublic,
    ItemAssetPublic,
    ItemCreate,
    ItemDetail,
    ItemPreview,
    ItemPreviewRequest,
    ItemsPublic,
    ItemSummary,
    ItemUpdate,
    ReviewCreate,
    ReviewPublic,
    VersionPublic,
    VersionSummary,
)
from content_service.services import item_assets, item_imports, item_listing
from content_service.services import items as items_service
from item_bank.errors import ImportFormatError
from item_bank.formats.json_items import item_from_dict
from item_bank.packages import build_package, export_package
from item_bank.qti.exporter import export_item
from item_bank.rendering import render_item

router = APIRouter(tags=["items"])
# POST paths that accept bodies up to MAX_IMPORT_BYTES (main.py raises the size limit there)
IMPORT_PATHS = ("/items/imports", "/pages/items/import")


def version_public(
    version: ItemVersionRecord, reviews: list[ItemReviewRecord] | None = None
) -> VersionPublic:
    public = VersionPublic.model_validate(version, from_attributes=True)
    public.reviews = [ReviewPublic.model_validate(r, from_attributes=True) for r in reviews or []]
    return public


def detail(view: items_service.ItemView) -> ItemDetail:
    record = view.item
    return ItemDetail(
        id=record.id,
        identifier=record.identifier,
        school_id=record.school_id,
        created_by=record.created_by,
        created_at=record.created_at,
        versions=[VersionSummary.model_validate(v, from_attributes=True) for v in view.versions],
        latest=version_public(view.latest, view.reviews.get(view.latest.id)),
        can_edit=view.editable,
    )


@router.post("/items", response_model=ItemDetail, status_code=status.HTTP_201_CREATED)
async def create_item(data: ItemCreate, principal: PrincipalDep, session: SessionDep) -> ItemDetail:
    """Create an item; its version 1 is a draft (teacher, researcher, school admin)."""
    record, _ = await items_service.create_item(
        session=session, principal=principal, document=data.item
    )
    return detail(
        await items_service.get_item(session=session, principal=principal, item_id=record.id)
    )


@router.get("/items", response_model=ItemsPublic)
async def list_items(
    principal: PrincipalDep,
    session: SessionDep,
    page: PageDep,
    subject: Annotated[str | None, Query(max_length=64)] = None,
    grade: Annotated[int | None, Query(ge=1, le=12)] = None,
    topic: Annotated[str | None, Query(max_length=200)] = None,
    cognitive_level: Annotated[str | None, Query(max_length=16)] = None,
    kind: Annotated[str | None, Query(max_length=32)] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> ItemsPublic:
    """Items you may see, one row each (its latest visible version), filtered and paginated."""
    rows, total = await item_listing.list_items(
        session=session,
        principal=principal,
        page=page,
        subject=subject,
        grade=grade,
        topic=topic,
        cognitive_level=cognitive_level,
        kind=kind,
        status=status,
        q=q,
    )
    return page_of(ItemSummary, rows, total, page)


@router.post(
    "/items/imports",
    response_model=ImportReportPublic | ImportQueuedPublic,
    responses={202: {"model": ImportQueuedPublic, "description": "queued as a background job"}},
)
async def import_items(
    principal: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
    file: Annotated[UploadFile, File(description="QTI XML or zip, Moodle XML, GIFT or Aiken")],
    format: Annotated[item_imports.ImportFormat, Form()] = item_imports.ImportFormat.AUTO,
) -> ImportReportPublic | ImportQueuedPublic:
    """Import a file: every item as a draft, or (a broken file) nothing, with a 422 naming the
    file, the item and the problem. A file over IMPORT_BACKGROUND_BYTES answers 202 with the
    job that imports it (its result is the same report)."""
    result = await item_imports.import_upload(
        session=session,
        principal=principal,
        settings=settings,
        source=file.file,
        filename=file.filename or "upload",
        format=format,
    )
    if isinstance(result, item_imports.ImportStarted):
        response.status_code = status.HTTP_202_ACCEPTED
        return ImportQueuedPublic(file=result.file, job_id=result.job.id, status=result.job.status)
    return ImportReportPublic.model_validate(result, from_attributes=True)


@router.post("/item-assets", response_model=ItemAssetPublic, status_code=status.HTTP_201_CREATED)
async def upload_item_asset(
    principal: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="an image, audio or video file")],
) -> ItemAssetPublic:
    """Store an image, audio or video file for an item; refer to it as its ``url``."""
    items_service.require_bank_user(principal)
    data = await file.read(item_assets.MAX_ASSET_BYTES + 1)
    record = await item_assets.store_upload(
        session=session,
        principal=principal,
        data_dir=settings.DATA_DIR,
        filename=file.filename or "upload",
        data=data,
    )
    return ItemAssetPublic(
        sha256=record.sha256,
        url=item_assets.asset_url(record.sha256),
        media_type=record.media_type,
        size=record.size,
        filename=record.filename,
    )


@router.get("/item-assets/{sha256}", response_class=Response)
async def read_item_asset(
    sha256: str,
    request: Request,
    principal: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """An item's image, audio or video (published items' files: any signed-in user)."""
    record, path = await item_assets.readable_asset(
        session=session, principal=principal, data_dir=settings.DATA_DIR, sha256=sha256
    )
    headers = {
        "ETag": f'"{record.sha256}"',
        # the address is the content's hash: it never changes, but access may, so private
        "Cache-Control": "private, max-age=31536000, immutable",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    }
    if request.headers.get("if-none-match", "").strip() in (f'"{record.sha256}"', "*"):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return FileResponse(path, media_type=record.media_type, headers=headers)


@router.get("/items/export", response_class=Response)
async def export_items(
    principal: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
    ids: Annotated[list[str], Query(max_length=10_000)],
    format: Annotated[str, Query(pattern="^qti3_package$")] = "qti3_package",
) -> Response:
    """A QTI 3.0 IMS content package (zip) of the items (their published versions)."""
    item_ids = []
    for part in (p.strip() for value in ids for p in value.split(",")):
        if not part:
            continue
        try:
            item_ids.append(uuid.UUID(part))
        except ValueError:
            raise UnprocessableError(f"ids: {part!r} is not an item id") from None
    if not item_ids:
        raise UnprocessableError("ids: give at least one item id")
    versions = await items_service.exportable_versions(
        session=session, principal=principal, item_ids=item_ids
    )
    documents, files = await item_assets.package_files(
        session=session, data_dir=settings.DATA_DIR, documents=[v.content for v in versions]
    )
    package = build_package(
        [item_from_dict(d, source="export") for d in documents],
        identifier=f"export-{uuid.uuid4().hex[:12]}",
        files=files,
    )
    return Response(
        export_package(package),
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="items-qti3.zip"'},
    )


@router.post("/items/preview", response_model=ItemPreview)
async def preview_item(data: ItemPreviewRequest, principal: PrincipalDep) -> ItemPreview:
    """The item rendered with its key, for the editor's live preview; problems listed, not
    refused, so the preview follows typing."""
    items_service.require_bank_user(principal)
    try:
        item = item_from_dict(data.item, source="preview")
    except ImportFormatError as error:
        return ItemPreview(html="", problems=[p.strip() for p in error.problem.split(";")])
    return ItemPreview(html=render_item(item, with_key=True).as_html())


@router.get("/items/by-identifier/{identifier}", response_model=ItemDetail)
async def read_item_by_identifier(
    identifier: str, principal: PrincipalDep, session: SessionDep
) -> ItemDetail:
    view = await items_service.get_item_by_identifier(
        session=session, principal=principal, identifier=identifier
    )
    return detail(view)


@router.get("/items/{item_id}", response_model=ItemDetail)
async def read_item(item_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> ItemDetail:
    """An item with the versions you may see and the latest one's reviews."""
    return detail(
        await items_service.get_item(session=session, principal=principal, item_id=item_id)
    )


@router.put("/items/{item_id}", response_model=ItemDetail)
async def update_item(
    item_id: uuid.UUID, data: ItemUpdate, principal: PrincipalDep, session: SessionDep
) -> ItemDetail:
    """Edit: the latest draft changes in place; otherwise a new draft version is made."""
    view = await items_service.update_item(
        session=session,
        principal=principal,
        item_id=item_id,
        document=data.item,
        change_note=data.change_note,
    )
    return detail(view)


@router.post("/items/{item_id}/submit", response_model=ItemDetail)
async def submit_item(
    item_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> ItemDetail:
    """Send the latest draft to review."""
    view = await items_service.submit_item(session=session, principal=principal, item_id=item_id)
    return detail(view)


@router.get("/item-versions/{version_id}", response_model=VersionPublic)
async def read_version(
    version_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> VersionPublic:
    version, reviews = await items_service.get_version(
        session=session, principal=principal, version_id=version_id
    )
    return version_public(version, reviews)


@router.get("/item-versions/{version_id}/qti", response_class=Response)
async def read_version_qti(
    version_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> Response:
    """The version as a QTI 3.0 ``qti-assessment-item`` document."""
    version, _ = await items_service.get_version(
        session=session, principal=principal, version_id=version_id
    )
    return Response(export_item(items_service.item_of(version)), media_type="application/xml")


@router.post(
    "/item-versions/{version_id}/reviews",
    response_model=ReviewPublic,
    status_code=status.HTTP_201_CREATED,
)
async def review_version(
    version_id: uuid.UUID, data: ReviewCreate, principal: PrincipalDep, session: SessionDep
) -> ReviewPublic:
    """Comment on, approve or request changes to a version in review (not its author)."""
    review = await items_service.review_version(
        session=session,
        principal=principal,
        version_id=version_id,
        decision=data.decision,
        comment=data.comment,
    )
    return ReviewPublic.model_validate(review, from_attributes=True)


@router.post("/item-versions/{version_id}/publish", response_model=VersionPublic)
async def publish_version(
    version_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> VersionPublic:
    """Publish an approved version in review; the previously published one is retired."""
    version = await items_service.publish_version(
        session=session, principal=principal, version_id=version_id
    )
    return version_public(version)


@router.post("/item-versions/{version_id}/retire", response_model=VersionPublic)
async def retire_version(
    version_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> VersionPublic:
    version = await items_service.retire_version(
        session=session, principal=principal, version_id=version_id
    )
    return version_public(version)
