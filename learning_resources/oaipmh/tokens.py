"""Signed, expiring resumption tokens.

A token carries the whole harvest state (metadata prefix, set, from, until, cursor) plus an
expiry time, so the provider keeps no session state and any worker can answer the next page.
It is ``base64url(JSON) "." base64url(HMAC-SHA256)`` with a key the service passes in; a harvester
cannot forge or alter one, and an altered or expired token gives ``badResumptionToken``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from learning_resources.oaipmh.errors import OaiError, OaiErrorCode

__all__ = ["ResumptionState", "decode_token", "encode_token"]

MIN_KEY_BYTES = 16


@dataclass(frozen=True, slots=True)
class ResumptionState:
    """What the next page of a list request needs.

    Attributes
    ----------
    metadata_prefix : str or None
        None for ListSets.
    set_spec : str or None
    from_, until : datetime or None
        Inclusive UTC bounds; ``until`` is frozen at the first request so later changes do not
        shift the pages.
    cursor : int
        Index (0-based) of the first record of the next page.
    expires : datetime
        Time after which the token is refused.
    """

    metadata_prefix: str | None
    set_spec: str | None
    from_: datetime | None
    until: datetime | None
    cursor: int
    expires: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _stamp(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())


def _moment(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def _signature(key: bytes, payload: str) -> str:
    return _b64(hmac.new(key, payload.encode("ascii"), hashlib.sha256).digest())


def encode_token(state: ResumptionState, *, key: bytes) -> str:
    """Serialise and sign a resumption state.

    Raises
    ------
    ValueError
        If ``key`` is shorter than 16 bytes (a guessable key makes tokens forgeable).
    """
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"token key must be at least {MIN_KEY_BYTES} bytes")
    body = {
        "p": state.metadata_prefix,
        "s": state.set_spec,
        "f": _stamp(state.from_),
        "u": _stamp(state.until),
        "c": state.cursor,
        "e": _stamp(state.expires),
    }
    payload = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
    return f"{payload}.{_signature(key, payload)}"


def decode_token(token: str, *, key: bytes, now: datetime) -> ResumptionState:
    """Verify and decode a token.

    Parameters
    ----------
    token : str
    key : bytes
        The same key that signed it.
    now : datetime
        Current aware time (passed in for testability).

    Raises
    ------
    OaiError
        ``badResumptionToken`` when the token is malformed, its signature does not match, or it
        has expired.
    """
    bad = OaiErrorCode.BAD_RESUMPTION_TOKEN
    payload, _, signature = token.partition(".")
    if not payload.isascii() or not hmac.compare_digest(
        signature.encode("ascii", "replace"), _signature(key, payload).encode("ascii")
    ):
        raise OaiError(bad, "the resumption token is invalid")
    try:
        body = json.loads(_unb64(payload))
        state = ResumptionState(
            metadata_prefix=body["p"],
            set_spec=body["s"],
            from_=_moment(body["f"]),
            until=_moment(body["u"]),
            cursor=int(body["c"]),
            expires=datetime.fromtimestamp(body["e"], UTC),
        )
    except (binascii.Error, ValueError, KeyError, TypeError) as error:
        raise OaiError(bad, "the resumption token is invalid") from error
    if state.expires < now:
        raise OaiError(bad, "the resumption token has expired; restart the list request")
    return state
