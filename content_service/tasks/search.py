"""Search-index jobs: apply outbox entries, rebuild with a swap, periodic catch-up."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from content_service.jobs import JobContext, handler
from content_service.models.base import utcnow
from content_service.services.search import outbox


@handler(outbox.INDEX_JOB)
def run_index(params: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    return outbox.apply_index_job(params, settings=ctx.settings, engine=ctx.engine)


@handler(outbox.REINDEX_JOB)
def run_reindex(_params: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    return outbox.rebuild_index(settings=ctx.settings, engine=ctx.engine)


@handler(outbox.CATCH_UP_JOB)
def run_catch_up(params: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    result = outbox.catch_up(params, settings=ctx.settings, engine=ctx.engine)
    repeat = int(params.get("repeat_seconds") or 0)
    if repeat > 0:
        outbox.schedule_catch_up(
            ctx.engine, since=result["next_since"], run_after=utcnow() + timedelta(seconds=repeat)
        )
    return result
