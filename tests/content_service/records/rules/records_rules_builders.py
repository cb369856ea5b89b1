"""Builders for the records rule tests (plain functions, no fixtures of our own code)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from content_service.records.rules import (
    CommentRating,
    SecondaryRuleSet,
    SubjectResult,
    select_secondary_rule_set,
)

SCHOOL_YEAR_END = date(2025, 5, 31)

SCORED = (
    "Toán",
    "Ngữ văn",
    "Ngoại ngữ 1",
    "Giáo dục công dân",
    "Lịch sử và Địa lí",
    "Khoa học tự nhiên",
    "Công nghệ",
    "Tin học",
)
COMMENT = ("Giáo dục thể chất", "Nghệ thuật", "Hoạt động trải nghiệm, hướng nghiệp")


def tt22() -> SecondaryRuleSet:
    return select_secondary_rule_set("VN", SCHOOL_YEAR_END, grade=8)


def results(scores: list[str], failed_comments: int = 0) -> list[SubjectResult]:
    """Subject results with the given scored averages and some failed comment subjects."""
    scored = [
        SubjectResult(SCORED[i % len(SCORED)] + f" {i}", False, Decimal(s), None)
        for i, s in enumerate(scores)
    ]
    comments = [
        SubjectResult(
            name,
            True,
            None,
            CommentRating.NOT_ACHIEVED if i < failed_comments else CommentRating.ACHIEVED,
        )
        for i, name in enumerate(COMMENT)
    ]
    return scored + comments
