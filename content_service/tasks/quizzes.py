"""Jobs of quiz delivery: submit an attempt at its deadline with what was saved."""

from __future__ import annotations

import asyncio
from typing import Any

from content_service.db import make_async_engine, make_sessionmaker, session_scope
from content_service.jobs import JobContext, handler
from content_service.services import attempts as attempts_service


async def _finish_overdue(ctx: JobContext) -> int:
    engine = make_async_engine(ctx.settings)
    try:
        async with session_scope(make_sessionmaker(engine)) as session:
            return await attempts_service.finish_overdue(session=session)
    finally:
        await engine.dispose()


@handler(attempts_service.FINISH_JOB)
def finish_attempt(params: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """Runs at an attempt's deadline plus grace; also sweeps any other overdue attempt."""
    finished = asyncio.run(_finish_overdue(ctx))
    return {"attempt_id": params.get("attempt_id"), "finished": finished}
