"""Background allocation of large admission rounds."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session

from content_service.jobs import JobContext, PermanentJobError, handler
from content_service.services.admissions import allocate_round


@handler("admissions.allocate")
def run(params: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    try:
        round_id = uuid.UUID(str(params["round_id"]))
    except (KeyError, ValueError) as error:
        raise PermanentJobError(f"round_id: {error}") from None
    with Session(ctx.engine) as session:
        summary = allocate_round(session, round_id)
        session.commit()
    return summary
