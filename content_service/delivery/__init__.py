"""Pure rules of quiz delivery: the attempt clock, answer merging, review policy, pool draws and
rate limits. No web, database or ORM imports: the services feed these functions plain values
(and the current time) and persist what they decide.
"""

from content_service.delivery.answers import AnswerWrite, merge_answers, should_replace
from content_service.delivery.clock import (
    AttemptWindow,
    TimingRules,
    WindowError,
    attempt_window,
    check_can_start,
)
from content_service.delivery.draws import Candidate, PoolRule, PoolShortageError, draw_from_pools
from content_service.delivery.ratelimit import RateLimiter
from content_service.delivery.review import ReviewPolicy, Visibility, review_visibility

__all__ = [
    "AnswerWrite",
    "AttemptWindow",
    "Candidate",
    "PoolRule",
    "PoolShortageError",
    "RateLimiter",
    "ReviewPolicy",
    "TimingRules",
    "Visibility",
    "WindowError",
    "attempt_window",
    "check_can_start",
    "draw_from_pools",
    "merge_answers",
    "review_visibility",
    "should_replace",
]
