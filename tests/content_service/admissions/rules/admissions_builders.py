"""Builders for the admissions rule tests."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

from content_service.admissions.rules import (
    EntryRuleSet,
    Grade10Applicant,
    Grade10RuleSet,
    select_admission_rule_set,
)

ON = date(2025, 6, 1)


def hcm_grade10(**changes: Any) -> Grade10RuleSet:
    rules = select_admission_rule_set("HCM", "grade10", ON)
    assert isinstance(rules, Grade10RuleSet)
    return dataclasses.replace(rules, **changes)


def hcm_entry(**changes: Any) -> EntryRuleSet:
    rules = select_admission_rule_set("HCM", "entry", ON)
    assert isinstance(rules, EntryRuleSet)
    return dataclasses.replace(rules, **changes)


def applicant(
    aid: str, total: str, wishes: tuple[str, ...] | list[str], **extra: Any
) -> Grade10Applicant:
    """An applicant whose three tests add up to ``total`` (split as evenly as 0.25 steps allow)."""
    quarters = int(Decimal(total) * 4)
    parts = [quarters // 3 + (1 if i < quarters % 3 else 0) for i in range(3)]
    literature, mathematics, language = (Decimal(p) / 4 for p in parts)
    fields = {"literature": literature, "mathematics": mathematics, "foreign_language": language}
    fields.update(extra.pop("tests", {}))
    return Grade10Applicant(aid, regular_wishes=tuple(wishes), **fields, **extra)
