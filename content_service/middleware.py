"""ASGI middleware: a cap on request body size, and one structured log line per request."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import unquote_to_bytes

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from content_service.errors import error_body

log = structlog.get_logger("content_service.http")


class RefuseNulInUrl:
    """Answer 422 to a NUL character in the path or query: PostgreSQL cannot store or compare it.

    Bodies are checked by the request schemas (``schemas.common``); this covers every query
    and path parameter of every route at once.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = unquote_to_bytes(scope.get("query_string", b""))
            if b"\x00" in query or "\x00" in scope.get("path", ""):
                name = _nul_parameter(query) if b"\x00" in query else "path"
                detail = f"{name}: NUL characters are not allowed"
                await send_error(send, 422, detail, "nul_character")
                return
        await self.app(scope, receive, send)


async def send_json(send: Send, status: int, body: bytes) -> None:
    """Answer a request from ASGI middleware with a JSON body."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def send_error(send: Send, status: int, detail: str, code: str) -> None:
    """The service's one error shape (:func:`content_service.errors.error_body`), from ASGI."""
    await send_json(send, status, json.dumps(error_body(detail, code)).encode())


def _nul_parameter(query: bytes) -> str:
    for pair in query.split(b"&"):
        key = pair.partition(b"=")[0]
        if b"\x00" in pair:
            return key.decode("utf-8", "replace").replace("\x00", "") or "query"
    return "query"


class BodySizeLimit:
    """Refuse bodies over ``max_bytes`` with 413, whether or not Content-Length is declared.

    ``path_limits`` raises (or lowers) the limit for POSTs to the listed paths, e.g. file
    imports, whose routes stream the body to disk. A body without Content-Length (chunked) is
    still held in memory up to the limit before the app sees it.
    """

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, path_limits: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.path_limits = dict(path_limits or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        if scope.get("method") == "POST":
            limit = self.path_limits.get(scope.get("path", ""), limit)
        if limit != self.max_bytes:
            await _Limited(self.app, max_bytes=limit)(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        if declared is not None:
            # The server holds the client to its declared length, so the check above suffices.
            await self.app(scope, receive, send)
            return
        # No declared length (chunked upload): read up to the limit first, then replay the body.
        # Raising from inside receive would not work: frameworks turn it into a generic 400.
        messages: list[Message] = []
        received = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                await self._refuse(send)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        detail = f"request body is larger than {self.max_bytes} bytes"
        await send_error(send, 413, detail, "payload_too_large")


class _Limited(BodySizeLimit):
    """The same check with another limit (one request)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        super().__init__(app, max_bytes=max_bytes)


class AccessLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status: dict[str, Any] = {"code": 500}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status["code"],
                ms=round((time.perf_counter() - start) * 1000, 2),
            )
