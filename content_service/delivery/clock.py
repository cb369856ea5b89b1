"""The attempt clock: when a test may be started, when an attempt must end, how long is left.

The server owns the clock. An attempt's deadline is the earlier of "started + time limit" and
"the test closes", both pushed back by the student's extension. Answers are still accepted
during the grace period after the deadline (a request sent at 59:59 may arrive at 60:01); after
that the attempt is submitted with what was saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


class WindowError(ValueError):
    """The test cannot be started now; ``code`` says why (``not_open``, ``closed``)."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class TimingRules:
    """A quiz's timing: an optional window, an optional time limit, a grace period."""

    opens_at: datetime | None = None
    closes_at: datetime | None = None
    time_limit_seconds: int | None = None
    grace_seconds: int = 0


@dataclass(frozen=True, slots=True)
class AttemptWindow:
    """When an attempt's answers stop counting (``deadline``) and stop being accepted."""

    deadline: datetime | None
    grace_seconds: int

    @property
    def accept_until(self) -> datetime | None:
        if self.deadline is None:
            return None
        return self.deadline + timedelta(seconds=self.grace_seconds)

    def accepts_answers(self, now: datetime) -> bool:
        limit = self.accept_until
        return limit is None or now <= limit

    def is_over(self, now: datetime) -> bool:
        """Past the deadline and its grace: the attempt must be submitted as it stands."""
        return not self.accepts_answers(now)

    def remaining_seconds(self, now: datetime) -> float | None:
        """Seconds to the deadline (never negative); ``None`` for an untimed attempt."""
        if self.deadline is None:
            return None
        return max(0.0, (self.deadline - now).total_seconds())


def check_can_start(rules: TimingRules, *, now: datetime, extension_seconds: int = 0) -> None:
    """Raise :class:`WindowError` unless an attempt may start at ``now``.

    An extension also lets a student start after the common closing time (a student who was
    absent and was given an extra day).
    """
    if rules.opens_at is not None and now < rules.opens_at:
        raise WindowError(f"the test opens at {rules.opens_at.isoformat()}", code="not_open")
    if rules.closes_at is not None:
        closes = rules.closes_at + timedelta(seconds=extension_seconds)
        if now >= closes:
            raise WindowError(f"the test closed at {closes.isoformat()}", code="closed")


def attempt_window(
    rules: TimingRules, *, started_at: datetime, extension_seconds: int = 0
) -> AttemptWindow:
    """The window of an attempt started at ``started_at``.

    Parameters
    ----------
    rules
        The quiz's timing.
    started_at
        When the server started the attempt.
    extension_seconds
        The student's extension, added both to the time limit and to the closing time.
    """
    ends: list[datetime] = []
    extra = timedelta(seconds=extension_seconds)
    if rules.time_limit_seconds is not None:
        ends.append(started_at + timedelta(seconds=rules.time_limit_seconds) + extra)
    if rules.closes_at is not None:
        ends.append(rules.closes_at + extra)
    return AttemptWindow(deadline=min(ends) if ends else None, grace_seconds=rules.grace_seconds)
