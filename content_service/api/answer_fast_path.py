"""The hottest request of a test, answered below the framework: a save with an attempt token.

During a test every student saves an answer every few seconds, and a save with a valid attempt
token needs no session, no user and no ORM (see :mod:`content_service.api.routes.attempts`).
FastAPI's routing, dependency solving and middleware layers were then more than half of the
CPU such a save costs (sampled under load, bench/bench_answers.py), so this ASGI middleware
answers exactly those requests itself: ``POST /attempts/{id}/answers`` with a JSON body that
validates and an ``X-Attempt-Token`` valid for that attempt in a test. It runs the route's own
code (:func:`~content_service.api.routes.attempts.token_claims`, the same rate limit,
:func:`~content_service.api.routes.attempts.save_with_token`) and renders errors in the
service's one error shape. Everything else, including a body that does not validate or a
token that does not fit, goes on to the route with its body replayed, and the route answers it
as before, with FastAPI's own validation errors.
"""

from __future__ import annotations

import re
import time
import uuid

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from content_service.api.routes.attempts import ANSWER_LIMIT, save_with_token, token_claims
from content_service.errors import RateLimitedError, ServiceError
from content_service.middleware import send_error, send_json
from content_service.schemas.quizzes import AnswersInput

_PATH = re.compile(r"/attempts/([0-9a-fA-F-]{32,36})/answers")
_TOKEN_MAX = 200  # the route's Header(max_length=200)


class AnswerFastPath:
    """Answer token-authenticated answer saves without the framework; pass the rest on."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        matched = (
            _PATH.fullmatch(scope["path"])
            if scope["type"] == "http" and scope["method"] == "POST"
            else None
        )
        if matched is None:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        token = headers.get(b"x-attempt-token", b"")
        declared = headers.get(b"content-length", b"")
        if (
            not token
            or len(token) > _TOKEN_MAX
            or not declared.isdigit()
            or int(declared) > self.max_bytes
            or not headers.get(b"content-type", b"").startswith(b"application/json")
        ):
            await self.app(scope, receive, send)
            return
        messages = await _read_all(receive)
        state = scope["app"].state
        data, attempt_id, claims = None, None, None
        try:
            attempt_id = uuid.UUID(matched[1])
            claims = token_claims(state.settings.SECRET_KEY, attempt_id, token.decode("ascii"))
            if claims is not None:
                body = b"".join(m.get("body", b"") for m in messages)
                data = AnswersInput.model_validate(orjson.loads(body))
        except ValueError:  # a malformed id, token or body: the route says what is wrong
            data = None
        if data is None or attempt_id is None or claims is None:
            await self.app(scope, _replay(messages, receive), send)
            return
        try:
            if not ANSWER_LIMIT.allow(attempt_id, time.monotonic()):
                raise RateLimitedError("too many answer saves: slow down", code="rate_limited")
            result = await save_with_token(state, attempt_id, data, claims)
        except ServiceError as error:
            await send_error(send, error.status_code, error.detail, error.code)
            return
        await send_json(send, 200, result.model_dump_json().encode())


async def _read_all(receive: Receive) -> list[Message]:
    messages = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            return messages


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay
