"""ISO 8601 durations for LRMI ``timeRequired`` (``PT45M``, ``PT1H30M``, ``P2D``).

Only exact units are accepted: weeks, days, hours, minutes and seconds. Years and months have no
fixed length, and "P1M" is a classic mix-up with "PT1M" (one month vs one minute), so they are
rejected rather than guessed.
"""

from __future__ import annotations

import re
from datetime import timedelta

from learning_resources.errors import MetadataValidationError

__all__ = ["format_duration", "parse_duration"]

_DURATION = re.compile(
    r"^P(?:(?P<weeks>\d+)W|(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?)$"
)


def parse_duration(value: str, *, field: str = "time_required") -> timedelta:
    """Parse an ISO 8601 duration with exact units.

    Parameters
    ----------
    value : str
        E.g. ``"PT45M"``, ``"PT1H30M"``, ``"P1DT2H"``, ``"P2W"``.
    field : str
        Field name reported in errors.

    Returns
    -------
    datetime.timedelta
        A positive duration.

    Raises
    ------
    MetadataValidationError
        If the text is not such a duration, uses years/months, or is zero.
    """
    match = _DURATION.match(value)
    if match is None or value in ("P", "PT") or value.endswith("T"):
        raise MetadataValidationError(
            field, f"{value!r} is not an ISO 8601 duration in W/D/H/M/S (e.g. 'PT45M')"
        )
    parts = {name: int(number) for name, number in match.groupdict().items() if number}
    duration = timedelta(**parts)
    if duration <= timedelta(0):
        raise MetadataValidationError(field, f"{value!r} must be longer than zero")
    return duration


def format_duration(duration: timedelta) -> str:
    """Format a positive duration as ISO 8601 (``timedelta(minutes=90)`` → ``"PT1H30M"``)."""
    total = int(duration.total_seconds())
    if total <= 0 or duration != timedelta(seconds=total):
        raise MetadataValidationError("time_required", "must be a whole number of seconds > 0")
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    date_part = f"{days}D" if days else ""
    time_part = "".join(f"{n}{u}" for n, u in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
    return f"P{date_part}{'T' + time_part if time_part else ''}"
