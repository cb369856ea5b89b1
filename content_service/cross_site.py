"""Refuse cross-site writes that ride on the session cookie (CSRF defence in depth).

The session cookie is ``SameSite=Lax`` already, so a modern browser does not send it with a
cross-site POST. Older browsers and same-site-but-cross-origin pages (another service on a
sibling sub-domain of the school's domain) are not covered by that, so a state-changing request
that carries the cookie must also come from our own origin: the browser's ``Origin`` header
(or, when a browser omits it, ``Sec-Fetch-Site``) has to match the host the request was sent to.
Requests authenticated by a bearer token carry no ambient credentials and are not checked, so
notebooks, scripts and the CLI are unaffected.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from content_service.middleware import send_error

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class RefuseCrossSiteWrites:
    """Answer 403 ``cross_site_request`` to a cookie-authenticated write from another origin."""

    def __init__(self, app: ASGIApp, *, cookie_name: str) -> None:
        self.app = app
        self.cookie_name = cookie_name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in _SAFE_METHODS:
            headers = Headers(scope=scope)
            if self._uses_cookie(headers) and not _same_origin(headers):
                detail = "cross-site request refused: the Origin does not match this service"
                await send_error(send, 403, detail, "cross_site_request")
                return
        await self.app(scope, receive, send)

    def _uses_cookie(self, headers: Headers) -> bool:
        if headers.get("authorization", "").lower().startswith("bearer "):
            return False  # the bearer token decides; the cookie is not used
        cookies = headers.get("cookie", "")
        return any(part.strip().startswith(self.cookie_name + "=") for part in cookies.split(";"))


def _same_origin(headers: Headers) -> bool:
    origin = headers.get("origin")
    if origin == "null":  # a sandboxed or otherwise opaque origin: never ours
        return False
    if origin is None:
        # An old browser's same-origin navigation, or a non-browser client: fall back to Fetch
        # Metadata when the browser sends it.
        return headers.get("sec-fetch-site", "same-origin") in {"same-origin", "none"}
    host = headers.get("x-forwarded-host") or headers.get("host", "")
    return urlsplit(origin).netloc.lower() == host.split(",")[0].strip().lower()
