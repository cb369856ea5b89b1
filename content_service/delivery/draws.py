"""Random draws from pools of item versions, by subject, grade, topic, cognitive level and tag.

A quiz may say "3 questions on topic Hàm số at level thông hiểu, 2 tagged 'đồ thị'". Each rule
draws without replacement from the candidates it matches, skipping versions an earlier rule
already took, so one attempt never shows the same item twice.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass


class PoolShortageError(ValueError):
    """A pool rule matches fewer items than it asks for."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """An eligible item version with the metadata the rules filter on."""

    version_id: str
    item_id: str
    subject: str = ""
    grade: int | None = None
    topic: str = ""
    cognitive_level: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PoolRule:
    """Draw ``count`` versions matching every criterion given (empty criteria match all)."""

    count: int
    subject: str = ""
    grade: int | None = None
    topic: str = ""
    cognitive_level: str = ""
    tag: str = ""

    def matches(self, candidate: Candidate) -> bool:
        return (
            (not self.subject or candidate.subject == self.subject)
            and (self.grade is None or candidate.grade == self.grade)
            and (not self.topic or candidate.topic == self.topic)
            and (not self.cognitive_level or candidate.cognitive_level == self.cognitive_level)
            and (not self.tag or self.tag in candidate.tags)
        )

    def describe(self) -> str:
        parts = [
            f"{name}={value!r}"
            for name, value in (
                ("subject", self.subject),
                ("grade", self.grade),
                ("topic", self.topic),
                ("cognitive_level", self.cognitive_level),
                ("tag", self.tag),
            )
            if value not in ("", None)
        ]
        return ", ".join(parts) or "any item"


def check_pools(rules: Sequence[PoolRule], candidates: Sequence[Candidate]) -> None:
    """Raise :class:`PoolShortageError` if some rule can never be satisfied."""
    draw_from_pools(rules, candidates, random.Random(0))  # noqa: S311 - a feasibility check


def draw_from_pools(
    rules: Sequence[PoolRule], candidates: Sequence[Candidate], rng: random.Random
) -> list[str]:
    """Draw the version ids for one attempt, rule by rule, in rule order.

    Raises
    ------
    PoolShortageError
        If a rule matches fewer unused items than its ``count``.
    """
    ordered = sorted(candidates, key=lambda c: c.version_id)  # independent of the query's order
    used_items: set[str] = set()
    drawn: list[str] = []
    for index, rule in enumerate(rules):
        # One candidate per item (the first version in order): two versions of one item are
        # the same question and must not both appear.
        by_item: dict[str, Candidate] = {}
        for c in ordered:
            if c.item_id not in used_items and rule.matches(c):
                by_item.setdefault(c.item_id, c)
        pool = list(by_item.values())
        if len(pool) < rule.count:
            raise PoolShortageError(
                f"pools[{index}] ({rule.describe()}) asks for {rule.count} items "
                f"but only {len(pool)} match"
            )
        for chosen in rng.sample(pool, rule.count):
            used_items.add(chosen.item_id)
            drawn.append(chosen.version_id)
    return drawn
