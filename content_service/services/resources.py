"""The shared repository: resources, immutable versions, review workflow, files, collections.

Who does what: staff of a school (teachers, librarians, school admins) write and submit their
school's resources; the school's librarians review, publish and withdraw them (system admins
everywhere). Anyone, logged in or not, reads published public resources; ``school`` resources
are read by the school's members. Every publication and withdrawal enqueues the search outbox
job in the same transaction, so a committed change always reaches the index.
"""

from __future__ import annotations

import hashlib
import subprocess
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    UnprocessableError,
)
from content_service.models.base import as_utc, utcnow
from content_service.models.people import Role, SchoolRecord
from content_service.models.resources import (
    CollectionMemberRecord,
    ResourceCollectionRecord,
    ResourceRecord,
    ResourceVersionRecord,
    resource_from_json,
    resource_to_json,
)
from content_service.schemas.common import PageParams
from content_service.schemas.resources import ResourceCreate, ResourceMetadataIn, ResourceUpdate
from content_service.services.access import Principal, require_role
from content_service.services.audit import record_audit
from content_service.services.search.outbox import enqueue_resource_index
from content_service.settings import Settings
from learning_resources import (
    Alignment,
    Collection,
    Content,
    ContentKind,
    DublinCore,
    Educational,
    IllegalTransitionError,
    ImmutableVersionError,
    LearningResource,
    MetadataValidationError,
    PackageError,
    ResourceFile,
    ResourceState,
    Visibility,
    build_package,
    get_licence,
    nfc,
    workflow,
)
from learning_resources.identifiers import collection_identifier, resource_identifier

AUTHOR_ROLES = (Role.TEACHER, Role.LIBRARIAN, Role.SCHOOL_ADMIN)
REVIEW_EVENTS = frozenset({"start_review", "reject", "publish", "withdraw"})
AUTHOR_EVENTS = frozenset({"submit", "retract"})


def _invalid(error: MetadataValidationError) -> UnprocessableError:
    return UnprocessableError(f"{error.field}: {error.message}", code="metadata_invalid")


async def school_code(session: AsyncSession, school_id: uuid.UUID | None) -> str | None:
    if school_id is None:
        return None
    school = await session.get(SchoolRecord, school_id)
    return school.code if school else None


def _same_school(principal: Principal, record: ResourceRecord) -> bool:
    return principal.is_system_admin or (
        record.school_id is not None and record.school_id == principal.school_id
    )


def can_edit(principal: Principal, record: ResourceRecord) -> bool:
    return _same_school(principal, record) and (
        principal.is_system_admin or principal.role in AUTHOR_ROLES
    )


def can_review(principal: Principal, record: ResourceRecord) -> bool:
    return principal.is_system_admin or (
        principal.role is Role.LIBRARIAN and _same_school(principal, record)
    )


def can_read_published(
    principal: Principal | None, record: ResourceRecord, visibility: str
) -> bool:
    if visibility == Visibility.PUBLIC:
        return True
    if principal is None:
        return False
    if visibility == Visibility.SCHOOL:
        return _same_school(principal, record)
    return can_edit(principal, record)  # private: the school's authors


def _metadata(data: ResourceMetadataIn) -> tuple[DublinCore, Educational]:
    dc = DublinCore(
        title=data.title,
        description=data.description,
        creators=tuple(data.creators),
        contributors=tuple(data.contributors),
        publisher=data.publisher,
        keywords=tuple(data.keywords),
        language=data.language,
        created=data.created,
    )
    education = Educational(
        grades=tuple(data.grades),
        subjects=tuple(data.subjects),
        alignments=tuple(Alignment(**a.model_dump()) for a in data.alignments),
        resource_types=tuple(data.resource_types),
        typical_age_range=data.typical_age_range,
        time_required=data.time_required,
        educational_uses=tuple(data.educational_uses),
        interactivity_type=data.interactivity_type,
    )
    return dc, education


def _check_licence(code: str) -> None:
    try:
        get_licence(code)
    except MetadataValidationError as error:
        raise _invalid(error) from None


async def get_record(session: AsyncSession, identifier: str) -> ResourceRecord:
    record = (
        await session.exec(select(ResourceRecord).where(ResourceRecord.identifier == identifier))
    ).first()
    if record is None:
        raise NotFoundError(f"resource {identifier!r} does not exist", code="resource_not_found")
    return record


async def get_version(
    session: AsyncSession, record: ResourceRecord, number: int
) -> ResourceVersionRecord:
    version = (
        await session.exec(
            select(ResourceVersionRecord).where(
                ResourceVersionRecord.resource_id == record.id,
                ResourceVersionRecord.number == number,
            )
        )
    ).first()
    if version is None:
        raise NotFoundError(
            f"resource {record.identifier!r} has no version {number}", code="version_not_found"
        )
    return version


async def collections_of(session: AsyncSession, record: ResourceRecord) -> tuple[str, ...]:
    rows = await session.exec(
        select(ResourceCollectionRecord.identifier)
        .join(
            CollectionMemberRecord,
            col(CollectionMemberRecord.collection_id) == ResourceCollectionRecord.id,
        )
        .where(CollectionMemberRecord.resource_id == record.id)
    )
    return tuple(rows.all())


async def domain_version(session: AsyncSession, version: ResourceVersionRecord) -> LearningResource:
    record = await session.get(ResourceRecord, version.resource_id)
    assert record is not None
    return resource_from_json(version.document, collections=await collections_of(session, record))


def _store(version: ResourceVersionRecord, resource: LearningResource) -> None:
    version.document = resource_to_json(resource)
    version.state = str(resource.state)
    version.title = resource.dc.title[:500]
    version.visibility = str(resource.visibility)
    version.modified_at = resource.modified


async def create_resource(
    *, session: AsyncSession, principal: Principal, data: ResourceCreate
) -> tuple[ResourceRecord, ResourceVersionRecord]:
    """A new resource with its first draft version."""
    require_role(principal, *AUTHOR_ROLES)
    _check_licence(data.licence)
    if (ContentKind(data.kind) is ContentKind.LINK) != bool(data.url):
        raise UnprocessableError("url: a link needs a url, and only a link has one")
    now = utcnow()
    record = ResourceRecord(
        identifier=resource_identifier(uuid.uuid4()),
        school_id=principal.school_id,
        created_by=principal.user_id,
    )
    dc, education = _metadata(data)
    resource = LearningResource(
        identifier=record.identifier,
        version=1,
        dc=dc,
        education=education,
        content=Content(ContentKind(data.kind), url=data.url),
        licence=data.licence,
        modified=now,
        school=await school_code(session, principal.school_id),
        visibility=Visibility(data.visibility),
    )
    version = ResourceVersionRecord(
        resource_id=record.id, number=1, document={}, created_by=principal.user_id
    )
    _store(version, workflow.revise(resource, at=now))
    session.add(record)
    await session.flush()
    session.add(version)
    record_audit(
        session=session,
        actor=principal,
        action="resource.create",
        entity="resource",
        entity_id=record.identifier,
        details={"title": data.title},
    )
    await session.flush()
    return record, version


async def _latest(session: AsyncSession, record: ResourceRecord) -> ResourceVersionRecord:
    return await get_version(session, record, record.latest_number)


async def update_draft(
    *, session: AsyncSession, principal: Principal, identifier: str, data: ResourceUpdate
) -> tuple[ResourceRecord, ResourceVersionRecord]:
    """Replace the metadata of the latest version, which must be a draft."""
    record = await get_record(session, identifier)
    if not can_edit(principal, record):
        raise PermissionDeniedError(f"you may not edit resource {identifier!r}")
    _check_licence(data.licence)
    version = await _latest(session, record)
    current = await domain_version(session, version)
    dc, education = _metadata(data)
    content = current.content
    if data.url is not None or data.entry_point is not None:
        content = Content(
            content.kind,
            content.files,
            data.url if data.url is not None else content.url,
            data.entry_point if data.entry_point is not None else content.entry_point,
        )
    try:
        revised = workflow.revise(
            current,
            at=utcnow(),
            dc=dc,
            education=education,
            content=content,
            licence=data.licence,
            visibility=Visibility(data.visibility),
        )
    except (ImmutableVersionError, IllegalTransitionError) as error:
        raise ConflictError(
            f"{error}; start a new version to change it", code="not_a_draft"
        ) from None
    _store(version, revised)
    session.add(version)
    record_audit(
        session=session,
        actor=principal,
        action="resource.update",
        entity="resource",
        entity_id=identifier,
        details={"version": version.number},
    )
    return record, version


async def start_new_version(
    *, session: AsyncSession, principal: Principal, identifier: str
) -> tuple[ResourceRecord, ResourceVersionRecord]:
    """Open the next draft from the latest published or withdrawn version."""
    record = await get_record(session, identifier)
    if not can_edit(principal, record):
        raise PermissionDeniedError(f"you may not edit resource {identifier!r}")
    latest = await _latest(session, record)
    try:
        draft = workflow.new_version(
            await domain_version(session, latest), at=utcnow(), actor=principal.username
        )
    except IllegalTransitionError as error:
        raise ConflictError(str(error), code="illegal_transition") from None
    version = ResourceVersionRecord(
        resource_id=record.id, number=draft.version, document={}, created_by=principal.user_id
    )
    _store(version, draft)
    record.latest_number = draft.version
    session.add_all([record, version])
    record_audit(
        session=session,
        actor=principal,
        action="resource.new_version",
        entity="resource",
        entity_id=identifier,
        details={"version": draft.version},
    )
    await session.flush()
    return record, version


async def transition(
    *,
    session: AsyncSession,
    principal: Principal,
    identifier: str,
    event: str,
    reason: str | None,
) -> tuple[ResourceRecord, ResourceVersionRecord]:
    """Apply a workflow event to the resource's latest version (or, for ``withdraw``, to the
    published one)."""
    record = await get_record(session, identifier)
    allowed = (
        can_review(principal, record) if event in REVIEW_EVENTS else can_edit(principal, record)
    )
    if not allowed:
        who = "the school's librarians" if event in REVIEW_EVENTS else "the school's authors"
        raise PermissionDeniedError(f"only {who} may {event} resource {identifier!r}")
    number = (
        record.published_number
        if event == "withdraw" and record.published_number
        else record.latest_number
    )
    version = await get_version(session, record, number)
    now = utcnow()
    try:
        changed = workflow.apply_event(
            await domain_version(session, version),
            event,
            at=now,
            actor=principal.username,
            reason=reason,
        )
    except IllegalTransitionError as error:
        raise ConflictError(str(error), code="illegal_transition") from None
    except MetadataValidationError as error:
        raise _invalid(error) from None
    _store(version, changed)
    if event == "publish":
        record.status, record.published_number, record.datestamp = "published", version.number, now
    elif event == "withdraw":
        record.status, record.datestamp = "withdrawn", now
    session.add_all([record, version])
    if event in ("publish", "withdraw"):
        enqueue_resource_index(session, identifier, principal=principal)
    record_audit(
        session=session,
        actor=principal,
        action=f"resource.{event}",
        entity="resource",
        entity_id=identifier,
        school_id=record.school_id,
        details={"version": version.number, "reason": reason or ""},
    )
    return record, version


async def read_resource(
    *,
    session: AsyncSession,
    principal: Principal | None,
    identifier: str,
    version_number: int | None = None,
    count_view: bool = False,
) -> tuple[ResourceRecord, ResourceVersionRecord]:
    """The version a caller may see: authors see every version; readers the published one."""
    record = await get_record(session, identifier)
    if principal is not None and (can_edit(principal, record) or can_review(principal, record)):
        version = await get_version(session, record, version_number or record.latest_number)
    else:
        if record.status != "published" or record.published_number is None:
            raise NotFoundError(
                f"resource {identifier!r} is not published", code="resource_not_found"
            )
        if version_number not in (None, record.published_number):
            raise NotFoundError(f"version {version_number} of {identifier!r} is not published")
        version = await get_version(session, record, record.published_number)
        if not can_read_published(principal, record, version.document.get("visibility", "public")):
            raise PermissionDeniedError(f"resource {identifier!r} is visible to its school only")
    if count_view:
        # One UPDATE, so concurrent readers never lose a count.
        connection = await session.connection()
        await connection.execute(
            update(ResourceRecord)
            .where(col(ResourceRecord.id) == record.id)
            .values(view_count=ResourceRecord.view_count + 1)
        )
        record.view_count += 1
    return record, version


async def list_resources(
    *,
    session: AsyncSession,
    principal: Principal | None,
    page: PageParams,
    status: str | None = None,
    mine: bool = False,
) -> tuple[list[tuple[ResourceRecord, ResourceVersionRecord]], int]:
    """Published resources (public ones, plus the caller's school's); staff also see their
    school's drafts and the review queue (``status=in_review``...)."""
    unpublished = mine or (status is not None and status != "published")
    shown = ResourceRecord.latest_number if unpublished else ResourceRecord.published_number
    query = select(ResourceRecord, ResourceVersionRecord).join(
        ResourceVersionRecord,
        (col(ResourceVersionRecord.resource_id) == ResourceRecord.id)
        & (col(ResourceVersionRecord.number) == shown),
    )
    staff_school = principal is not None and principal.role in (*AUTHOR_ROLES, Role.SYSTEM_ADMIN)
    if unpublished:
        if principal is None or not staff_school:
            raise PermissionDeniedError("only the school's staff list unpublished resources")
        if not principal.is_system_admin:
            query = query.where(ResourceRecord.school_id == principal.school_id)
        if status is not None:
            query = query.where(ResourceVersionRecord.state == status)
    else:
        query = query.where(ResourceRecord.status == "published")
        if principal is None or not principal.is_system_admin:
            school = principal.school_id if principal else None
            query = query.where(
                (col(ResourceVersionRecord.visibility) == "public")
                | (
                    (col(ResourceVersionRecord.visibility) == "school")
                    & (col(ResourceRecord.school_id) == school)
                )
            )
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    rows = await session.exec(
        query.order_by(col(ResourceRecord.created_at).desc()).limit(page.limit).offset(page.offset)
    )
    return [(r, v) for r, v in rows.all()], int(total)


# --- files -----------------------------------------------------------------------------------


def blob_path(settings: Settings, sha256: str) -> Path:
    return settings.DATA_DIR.resolve() / "blobs" / sha256[:2] / sha256


def store_blob(settings: Settings, data: bytes) -> str:
    """Write bytes content-addressed (idempotent) and return their SHA-256."""
    digest = hashlib.sha256(data).hexdigest()
    path = blob_path(settings, digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{uuid.uuid4().hex}.part")
        temporary.write_bytes(data)
        temporary.replace(path)
    return digest


async def add_file(
    *,
    session: AsyncSession,
    principal: Principal,
    settings: Settings,
    identifier: str,
    path: str,
    media_type: str,
    data: bytes,
) -> tuple[ResourceRecord, ResourceVersionRecord]:
    """Attach (or replace) one file of the draft version."""
    record = await get_record(session, identifier)
    if not can_edit(principal, record):
        raise PermissionDeniedError(f"you may not edit resource {identifier!r}")
    version = await _latest(session, record)
    current = await domain_version(session, version)
    if current.content.kind is ContentKind.LINK:
        raise UnprocessableError("file: a link resource has no files", code="link_has_no_files")
    digest = store_blob(settings, data)
    files = [f for f in current.content.files if f.path != path]
    files.append(ResourceFile(path=path, media_type=media_type, size=len(data), sha256=digest))
    content = Content(current.content.kind, tuple(files), None, current.content.entry_point)
    try:
        revised = workflow.revise(current, at=utcnow(), content=content)
    except (ImmutableVersionError, IllegalTransitionError) as error:
        raise ConflictError(
            f"{error}; start a new version to change it", code="not_a_draft"
        ) from None
    except MetadataValidationError as error:
        raise _invalid(error) from None
    _store(version, revised)
    session.add(version)
    record_audit(
        session=session,
        actor=principal,
        action="resource.file",
        entity="resource",
        entity_id=identifier,
        details={"path": path, "sha256": digest},
    )
    return record, version


def find_file(document: dict[str, Any], path: str) -> ResourceFile:
    for entry in document["content"].get("files", ()):
        if entry["path"] == path:
            return ResourceFile(**entry)
    raise NotFoundError(f"file {path!r} is not part of this version", code="file_not_found")


async def count_download(session: AsyncSession, record: ResourceRecord) -> None:
    connection = await session.connection()
    await connection.execute(
        update(ResourceRecord)
        .where(col(ResourceRecord.id) == record.id)
        .values(download_count=ResourceRecord.download_count + 1)
    )


def resource_public(record: ResourceRecord, version: ResourceVersionRecord) -> dict[str, Any]:
    return {
        "identifier": record.identifier,
        "version": version.number,
        "state": version.state,
        "status": record.status,
        "title": version.title,
        "school": version.document.get("school"),
        "view_count": record.view_count,
        "download_count": record.download_count,
        "published_version": record.published_number,
        "origin": record.origin,
        "metadata": version.document,
    }


def resource_summary(record: ResourceRecord, version: ResourceVersionRecord) -> dict[str, Any]:
    return {
        "identifier": record.identifier,
        "title": version.title,
        "status": record.status,
        "latest_version": record.latest_number,
        "latest_state": version.state,
        "published_version": record.published_number,
        "view_count": record.view_count,
        "download_count": record.download_count,
        "origin": record.origin,
    }


def published_states() -> tuple[str, str]:
    return (str(ResourceState.PUBLISHED), str(ResourceState.WITHDRAWN))


def aware(moment: datetime | None) -> datetime | None:
    return as_utc(moment) if moment else None


# --- collections and offline packages --------------------------------------------------------


async def get_collection(session: AsyncSession, identifier: str) -> ResourceCollectionRecord:
    record = (
        await session.exec(
            select(ResourceCollectionRecord).where(
                ResourceCollectionRecord.identifier == identifier
            )
        )
    ).first()
    if record is None:
        raise NotFoundError(
            f"collection {identifier!r} does not exist", code="collection_not_found"
        )
    return record


async def create_collection(
    *, session: AsyncSession, principal: Principal, title: str, description: str, parent: str | None
) -> ResourceCollectionRecord:
    require_role(principal, *AUTHOR_ROLES)
    parent_id = None
    if parent is not None:
        parent_record = await get_collection(session, parent)
        if not principal.is_system_admin and parent_record.school_id != principal.school_id:
            raise PermissionDeniedError(f"collection {parent!r} belongs to another school")
        parent_id = parent_record.id
    record = ResourceCollectionRecord(
        identifier=collection_identifier(uuid.uuid4()),
        title=nfc(title),
        description=nfc(description),
        parent_id=parent_id,
        school_id=principal.school_id,
        created_by=principal.user_id,
    )
    session.add(record)
    record_audit(
        session=session,
        actor=principal,
        action="collection.create",
        entity="collection",
        entity_id=record.identifier,
        details={"title": title},
    )
    await session.flush()
    return record


async def add_to_collection(
    *, session: AsyncSession, principal: Principal, collection: str, resource: str
) -> ResourceCollectionRecord:
    record = await get_collection(session, collection)
    if not principal.is_system_admin and (
        principal.role not in AUTHOR_ROLES or record.school_id != principal.school_id
    ):
        raise PermissionDeniedError(f"you may not change collection {collection!r}")
    member = await get_record(session, resource)
    existing = (
        await session.exec(
            select(CollectionMemberRecord).where(
                CollectionMemberRecord.collection_id == record.id,
                CollectionMemberRecord.resource_id == member.id,
            )
        )
    ).first()
    if existing is None:
        count = (
            await session.exec(
                select(func.count()).where(CollectionMemberRecord.collection_id == record.id)
            )
        ).one()
        session.add(
            CollectionMemberRecord(collection_id=record.id, resource_id=member.id, position=count)
        )
        if member.status == "published":  # the document lists its collections
            enqueue_resource_index(session, member.identifier, principal=principal)
        record_audit(
            session=session,
            actor=principal,
            action="collection.add",
            entity="collection",
            entity_id=collection,
            details={"resource": resource},
        )
    return record


async def collection_view(
    session: AsyncSession, record: ResourceCollectionRecord
) -> dict[str, Any]:
    members = await session.exec(
        select(ResourceRecord.identifier)
        .join(CollectionMemberRecord, col(CollectionMemberRecord.resource_id) == ResourceRecord.id)
        .where(
            CollectionMemberRecord.collection_id == record.id, ResourceRecord.status == "published"
        )
        .order_by(col(CollectionMemberRecord.position))
    )
    children = await session.exec(
        select(ResourceCollectionRecord.identifier).where(
            ResourceCollectionRecord.parent_id == record.id
        )
    )
    parent = (
        await session.get(ResourceCollectionRecord, record.parent_id) if record.parent_id else None
    )
    return {
        "identifier": record.identifier,
        "title": record.title,
        "description": record.description,
        "parent": parent.identifier if parent else None,
        "resources": list(members.all()),
        "children": list(children.all()),
    }


async def list_collections(
    *, session: AsyncSession, page: PageParams
) -> tuple[list[dict[str, Any]], int]:
    query = select(ResourceCollectionRecord)
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    rows = await session.exec(
        query.order_by(col(ResourceCollectionRecord.created_at))
        .limit(page.limit)
        .offset(page.offset)
    )
    return [await collection_view(session, r) for r in rows.all()], int(total)


async def domain_collections(session: AsyncSession) -> list[Collection]:
    """Every collection as a domain object, listing its published public members only."""
    records = (await session.exec(select(ResourceCollectionRecord))).all()
    by_id = {r.id: r for r in records}
    members = await session.exec(
        select(CollectionMemberRecord.collection_id, ResourceRecord.identifier)
        .join(ResourceRecord, col(ResourceRecord.id) == CollectionMemberRecord.resource_id)
        .join(
            ResourceVersionRecord,
            (col(ResourceVersionRecord.resource_id) == ResourceRecord.id)
            & (col(ResourceVersionRecord.number) == ResourceRecord.published_number),
        )
        .where(ResourceRecord.status == "published", ResourceVersionRecord.visibility == "public")
        .order_by(col(CollectionMemberRecord.position))
    )
    listed: dict[uuid.UUID, list[str]] = {}
    for collection_id, identifier in members.all():
        listed.setdefault(collection_id, []).append(identifier)
    return [
        Collection(
            identifier=r.identifier,
            title=r.title,
            resource_ids=tuple(listed.get(r.id, ())),
            parent=by_id[r.parent_id].identifier if r.parent_id in by_id else None,
            description=r.description,
        )
        for r in records
    ]


async def collection_package(
    *, session: AsyncSession, settings: Settings, identifier: str, base_url: str
) -> bytes:
    """The offline ZIP (IMS manifest, metadata.json, LRMI JSON-LD, files) of a collection."""
    await get_collection(session, identifier)
    collections = await domain_collections(session)
    wanted = {rid for c in collections for rid in c.resource_ids}
    resources, blobs = [], {}
    for rid in sorted(wanted):
        record = await get_record(session, rid)
        assert record.published_number is not None
        version = await get_version(session, record, record.published_number)
        resource = await domain_version(session, version)
        resources.append(resource)
        for file in resource.content.files:
            path = blob_path(settings, file.sha256)
            if path.exists():
                blobs[file.sha256] = path.read_bytes()
    try:
        return build_package(identifier, collections, resources, blobs, base_url=base_url)
    except (PackageError, MetadataValidationError) as error:
        raise ConflictError(f"collection {identifier!r} cannot be packaged: {error}") from None


# --- previews ----------------------------------------------------------------------------------

PREVIEW_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox"


def render_preview(settings: Settings, file: ResourceFile) -> tuple[Path, str]:
    """A cached preview: PDF first page as PNG, notebooks as static HTML, images as themselves.

    Runs in a worker thread (``pdftoppm`` and nbconvert block). Raises UnprocessableError for
    kinds without a preview.
    """
    source = blob_path(settings, file.sha256)
    if not source.exists():
        raise NotFoundError(f"the bytes of {file.path!r} are missing", code="file_missing")
    cache = settings.DATA_DIR.resolve() / "previews"
    cache.mkdir(parents=True, exist_ok=True)
    if file.media_type.startswith("image/"):
        return source, file.media_type
    if file.media_type == "application/pdf":
        target = cache / f"{file.sha256}.png"
        if not target.exists():
            prefix = cache / f"{file.sha256}.{uuid.uuid4().hex}"
            subprocess.run(  # noqa: S603 - our own file paths; pdftoppm from poppler-utils on PATH
                [  # noqa: S607
                    "pdftoppm",
                    "-png",
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-scale-to",
                    "900",
                    "-singlefile",
                    str(source),
                    str(prefix),
                ],
                check=True,
                capture_output=True,
                timeout=60,
            )
            prefix.with_suffix(prefix.suffix + ".png").replace(target)
        return target, "image/png"
    if file.media_type == "application/x-ipynb+json" or file.path.endswith(".ipynb"):
        target = cache / f"{file.sha256}.html"
        if not target.exists():
            import nbformat
            from nbconvert import HTMLExporter

            text = source.read_text(encoding="utf-8")
            notebook = nbformat.reads(text, as_version=4)  # type: ignore[no-untyped-call]
            exporter = HTMLExporter(template_name="basic")  # type: ignore[no-untyped-call]
            body, _ = exporter.from_notebook_node(notebook)
            page = (
                f'<!doctype html><html lang="vi"><meta charset="utf-8"><body>{body}</body></html>'
            )
            target.write_text(page, encoding="utf-8")
        return target, "text/html; charset=utf-8"
    raise UnprocessableError(f"no preview for {file.path!r} ({file.media_type})", code="no_preview")
