"""Review policy: what a student may see of an attempt, and when.

Practice quizzes show the key and explanations as soon as a question is answered; tests show
them after the attempt is submitted, after the test closes, or never, as the teacher chose. The
score follows its own switch (a teacher may show the score but not the key).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ReviewPolicy(StrEnum):
    IMMEDIATELY = "immediately"  # practice: feedback on each answer
    AFTER_SUBMIT = "after_submit"
    AFTER_CLOSE = "after_close"
    NEVER = "never"


@dataclass(frozen=True, slots=True)
class Visibility:
    """What the student may see now."""

    score: bool
    key: bool  # correct answers, feedback, explanations

    @property
    def anything(self) -> bool:
        return self.score or self.key


def _released(
    policy: ReviewPolicy, *, submitted: bool, now: datetime, closes_at: datetime | None
) -> bool:
    if policy is ReviewPolicy.IMMEDIATELY:
        return True
    if policy is ReviewPolicy.AFTER_SUBMIT:
        return submitted
    if policy is ReviewPolicy.AFTER_CLOSE:
        # A test with no closing time releases on submission, like AFTER_SUBMIT.
        return submitted and (closes_at is None or now >= closes_at)
    return False


def review_visibility(
    *,
    review: ReviewPolicy,
    score_review: ReviewPolicy,
    submitted: bool,
    now: datetime,
    closes_at: datetime | None,
) -> Visibility:
    """What of an attempt the student may see at ``now``.

    ``review`` governs the key, feedback and explanations; ``score_review`` the score. Nothing
    of the key is released while the attempt is open unless the policy is ``IMMEDIATELY``.
    """
    return Visibility(
        score=_released(score_review, submitted=submitted, now=now, closes_at=closes_at),
        key=_released(review, submitted=submitted, now=now, closes_at=closes_at),
    )
