"""Harvest jobs: import another OAI-PMH repository, then schedule the next run."""

from __future__ import annotations

import uuid
from typing import Any

from content_service.jobs import JobContext, PermanentJobError, handler
from content_service.services import harvest as harvest_service


@handler(harvest_service.HARVEST_JOB)
def run_harvest(params: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    source_id = uuid.UUID(params["source_id"])
    try:
        result = harvest_service.harvest(ctx.engine, source_id)
    except LookupError as error:
        raise PermanentJobError(str(error)) from error
    except Exception as error:
        # Retried by the worker; the schedule continues from the next successful run.
        harvest_service.record_failure(ctx.engine, source_id, f"{type(error).__name__}: {error}")
        raise
    if params.get("scheduled"):
        harvest_service.schedule_next(ctx.engine, source_id)
    return result
