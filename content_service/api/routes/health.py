"""/health (the process answers) and /ready (the database and Meilisearch answer too)."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

router = APIRouter(tags=["health"])


@router.get("/health")
async def health() -> dict[str, str]:
    """Liveness: the process is up."""
    return {"status": "ok"}


@router.get("/ready", responses={503: {"description": "a dependency does not answer"}})
async def ready(request: Request) -> JSONResponse:
    """Readiness: 200 only when the database and Meilisearch both answer."""
    checks: dict[str, Any] = {}
    try:
        async with request.app.state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}"
    settings = request.app.state.settings
    try:
        async with httpx.AsyncClient(
            timeout=2.0, headers={"Accept-Encoding": "identity"}
        ) as client:
            answer = await client.get(f"{settings.MEILI_URL}/health")
        checks["search"] = (
            "ok" if answer.status_code == 200 else f"error: HTTP {answer.status_code}"
        )
    except httpx.HTTPError as exc:
        checks["search"] = f"error: {type(exc).__name__}"
    ok = all(v == "ok" for v in checks.values())
    body = {"status": "ready" if ok else "not_ready", "checks": checks}
    if not ok:
        body = {"detail": body, "code": "not_ready"}
    return JSONResponse(body, status_code=200 if ok else 503)
