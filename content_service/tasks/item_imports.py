"""Job "item.import": import an uploaded item file too large for the request.

The upload waits under ``DATA_DIR/imports``; the import runs in one transaction (all or
nothing, as in the request) and the job's result is the per-item report. A refused file fails
the job for good with the refusal as its error, and the upload is removed either way.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from content_service.db import make_async_engine, make_sessionmaker, session_scope
from content_service.errors import ServiceError
from content_service.jobs import JobContext, PermanentJobError, handler
from content_service.models.people import UserRecord
from content_service.services import item_imports
from content_service.services.auth import principal_for


async def _import(params: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    path = item_imports.upload_path(ctx.settings.DATA_DIR, str(params.get("path", "")))
    if not path.is_file():
        raise PermanentJobError(f"{params.get('filename')}: the uploaded file is gone")
    data = path.read_bytes()
    engine = make_async_engine(ctx.settings)
    try:
        async with session_scope(make_sessionmaker(engine)) as session:
            user = await session.get(UserRecord, uuid.UUID(str(params.get("user_id"))))
            if user is None or not user.is_active:
                raise PermanentJobError("the person who started the import no longer exists")
            principal = await principal_for(session=session, user=user)
            outcome = await item_imports.import_file(
                session=session,
                principal=principal,
                filename=str(params.get("filename", "upload")),
                data=data,
                data_dir=ctx.settings.DATA_DIR,
                format=item_imports.ImportFormat(str(params.get("format", "auto"))),
                max_bytes=ctx.settings.MAX_IMPORT_BYTES,
            )
        return outcome.as_json()
    finally:
        await engine.dispose()


@handler(item_imports.JOB_KIND)
def import_items(params: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """Import the kept upload; the result is the report shown on the import page."""
    try:
        result = asyncio.run(_import(params, ctx))
    except ServiceError as error:
        item_imports.discard_upload(ctx.settings.DATA_DIR, str(params.get("path", "")))
        raise PermanentJobError(error.detail) from error
    except PermanentJobError:
        item_imports.discard_upload(ctx.settings.DATA_DIR, str(params.get("path", "")))
        raise
    item_imports.discard_upload(ctx.settings.DATA_DIR, str(params.get("path", "")))
    return result
