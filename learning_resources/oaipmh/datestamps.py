"""OAI-PMH UTC datestamps: ``YYYY-MM-DD`` and ``YYYY-MM-DDThh:mm:ssZ`` (protocol §3.3)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from learning_resources.oaipmh.errors import OaiError, OaiErrorCode

__all__ = ["DAY", "GRANULARITY", "SECOND", "format_datestamp", "parse_datestamp"]

GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
DAY = "day"
SECOND = "second"
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def parse_datestamp(value: str, *, argument: str, end_of_day: bool = False) -> tuple[datetime, str]:
    """Parse a ``from``/``until`` argument.

    Parameters
    ----------
    value : str
        ``YYYY-MM-DD`` or ``YYYY-MM-DDThh:mm:ssZ``.
    argument : str
        ``"from"`` or ``"until"``, for the error message.
    end_of_day : bool
        For ``until`` with day granularity, return the day's last second (the bound is inclusive).

    Returns
    -------
    (datetime, str)
        The aware UTC datetime and its granularity, :data:`DAY` or :data:`SECOND`.

    Raises
    ------
    OaiError
        ``badArgument`` for any other syntax or an impossible date.
    """
    try:
        if _SECOND.match(value):
            parsed = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            return parsed, SECOND
        if _DAY.match(value):
            parsed = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
            if end_of_day:
                parsed += timedelta(days=1, seconds=-1)
            return parsed, DAY
    except ValueError:
        pass
    raise OaiError(
        OaiErrorCode.BAD_ARGUMENT,
        f"{argument}={value!r} is not YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ",
    )


def format_datestamp(moment: datetime) -> str:
    """Format an aware datetime in UTC with seconds granularity."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
