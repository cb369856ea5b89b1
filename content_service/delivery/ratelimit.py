"""A small token-bucket rate limiter, per key (a user and an endpoint), time passed in.

It lives in the process: with several workers each keeps its own buckets, which is enough to
stop a runaway script or a stuck retry loop (the point here), not a distributed quota.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


@dataclass(slots=True)
class RateLimiter:
    """Allow ``burst`` requests at once and ``rate`` per second after that, per key."""

    rate: float
    burst: int
    max_keys: int = 100_000
    _buckets: dict[object, _Bucket] = field(default_factory=dict)

    def allow(self, key: object, now: float) -> bool:
        """Take one token for ``key`` at monotonic time ``now``; ``False`` when none is left."""
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.max_keys:
                self._buckets.clear()  # crude bound on memory; a reset only loosens the limit
            bucket = self._buckets[key] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens < 1.0:
            return False
        bucket.tokens -= 1.0
        return True
