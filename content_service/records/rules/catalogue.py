"""Find the rule set in force for a region, school level and date.

The shipped files live in ``data/``; callers may pass their own list (a regional decision
loaded from disk, a corrected draft) to :func:`select_rule_set`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import date
from importlib import resources
from pathlib import Path

from content_service.records.rules.errors import RuleDataError, RuleSetNotFoundError
from content_service.records.rules.ruledata import read_rule_set_file
from content_service.records.rules.rulesets import (
    PrimaryRuleSet,
    RuleSet,
    SchoolLevel,
    SecondaryRuleSet,
)

NATIONAL_REGION = "VN"


def load_rule_sets(paths: Iterable[Path]) -> tuple[RuleSet, ...]:
    """Load rule-set files and check that no two of them overlap.

    Raises
    ------
    RuleDataError
        If a file is malformed, two files share a ``rule_id``, or two rule sets for the same
        region and school level are in force on the same day.
    """
    rule_sets = tuple(read_rule_set_file(path) for path in sorted(paths))
    check_no_overlap(rule_sets)
    return rule_sets


@functools.cache
def shipped_rule_sets() -> tuple[RuleSet, ...]:
    """The rule sets shipped in ``content_service/records/rules/data`` (loaded once)."""
    folder = resources.files("content_service.records.rules") / "data"
    with resources.as_file(folder) as path:
        files = [p for p in path.iterdir() if p.suffix in (".json", ".toml")]
        return load_rule_sets(files)


def check_no_overlap(rule_sets: Sequence[RuleSet]) -> None:
    """Raise :class:`RuleDataError` if ids repeat or date ranges of one scope overlap."""
    seen: dict[str, RuleSet] = {}
    for rule_set in rule_sets:
        meta = rule_set.meta
        if meta.rule_id in seen:
            raise RuleDataError(f"rule_id {meta.rule_id!r} is defined twice")
        for other in seen.values():
            same_scope = (other.meta.region, other.meta.school_level) == (
                meta.region,
                meta.school_level,
            )
            if same_scope and _overlaps(other, rule_set):
                raise RuleDataError(
                    f"rule sets {other.meta.rule_id!r} and {meta.rule_id!r} are both in force "
                    f"for {meta.region}/{meta.school_level} on overlapping dates"
                )
        seen[meta.rule_id] = rule_set


def _overlaps(first: RuleSet, second: RuleSet) -> bool:
    a, b = first.meta, second.meta
    a_end = a.effective_to or date.max
    b_end = b.effective_to or date.max
    return a.effective_from <= b_end and b.effective_from <= a_end


def select_rule_set(
    region: str,
    school_level: SchoolLevel | str,
    on: date,
    *,
    grade: int | None = None,
    rule_sets: Sequence[RuleSet] | None = None,
) -> RuleSet:
    """Return the rule set in force.

    A regional rule set (e.g. ``"HCM"``) wins over the national one (``"VN"``) when both
    cover the date; otherwise the national one applies.

    Parameters
    ----------
    region : str
        Region code, e.g. ``"HCM"``; case-insensitive.
    school_level : SchoolLevel or str
        ``"primary"`` or ``"secondary"``.
    on : datetime.date
        Date the result is computed for (usually the end of the school year).
    grade : int, optional
        If given, the grade must already be on the rule set's roadmap on ``on``.
    rule_sets : sequence of rule sets, optional
        Defaults to :func:`shipped_rule_sets`.

    Raises
    ------
    RuleSetNotFoundError
        If no rule set applies.
    """
    level = SchoolLevel(school_level)
    candidates = shipped_rule_sets() if rule_sets is None else rule_sets
    for wanted_region in dict.fromkeys((region.upper(), NATIONAL_REGION)):
        for rule_set in candidates:
            meta = rule_set.meta
            in_scope = meta.region == wanted_region and meta.school_level == level
            if in_scope and meta.covers(on, grade):
                return rule_set
    grade_text = f", grade {grade}" if grade is not None else ""
    raise RuleSetNotFoundError(
        f"no {level} rule set for region {region!r}{grade_text} in force on {on.isoformat()}"
    )


def select_secondary_rule_set(
    region: str, on: date, *, grade: int | None = None, rule_sets: Sequence[RuleSet] | None = None
) -> SecondaryRuleSet:
    """:func:`select_rule_set` for secondary schools, typed as :class:`SecondaryRuleSet`."""
    rule_set = select_rule_set(region, SchoolLevel.SECONDARY, on, grade=grade, rule_sets=rule_sets)
    assert isinstance(rule_set, SecondaryRuleSet)  # the parser builds one per school level
    return rule_set


def select_primary_rule_set(
    region: str, on: date, *, grade: int | None = None, rule_sets: Sequence[RuleSet] | None = None
) -> PrimaryRuleSet:
    """:func:`select_rule_set` for primary schools, typed as :class:`PrimaryRuleSet`."""
    rule_set = select_rule_set(region, SchoolLevel.PRIMARY, on, grade=grade, rule_sets=rule_sets)
    assert isinstance(rule_set, PrimaryRuleSet)
    return rule_set
