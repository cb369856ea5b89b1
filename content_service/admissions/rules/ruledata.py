"""Load, validate and select admission rule sets (JSON or TOML files).

Errors name the file and the field, e.g. ``hcm.json: tracks.regular.max_wishes: expected an
integer >= 1, got 0``.
"""

from __future__ import annotations

import functools
import json
import tomllib
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path

from content_service.admissions.rules.errors import (
    AdmissionRuleDataError,
    AdmissionRuleSetNotFoundError,
)
from content_service.admissions.rules.rulesets import (
    DISTANCE_KEY,
    TEST_SUBJECTS,
    TIE_BREAK_KEYS,
    AdmissionRuleMeta,
    AdmissionRuleSet,
    EntryGradeRule,
    EntryRuleSet,
    Grade10RuleSet,
    RuleKind,
    TieMode,
    Track,
    TrackRule,
)
from content_service.admissions.rules.scores import normalise_text
from content_service.rule_data import FieldReader

SCHEMA_VERSION = 1
_META_FIELDS = (
    "schema_version", "rule_id", "kind", "title", "region", "source",
    "effective_from", "effective_to", "notes",
)  # fmt: skip
_GRADE10_FIELDS = (
    *_META_FIELDS, "test_weights", "priority_points", "tracks", "phase_order",
    "monotone_cutoffs", "tie_rule", "supplementary_round",
)  # fmt: skip
_ENTRY_FIELDS = (*_META_FIELDS, "grades", "priority_flags", "tie_break")


class _Reader(FieldReader):
    """Rule-file fields of the admission rules."""

    error_class = AdmissionRuleDataError

    def normalise(self, value: str, key: str) -> str:
        return normalise_text(value, field=key)

    def quarter_points(self, key: str) -> Decimal:
        value = self.raw(key)
        # Written as strings ("1.5") so that no float touches a score.
        try:
            number = Decimal(value) if isinstance(value, str) else None
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number < 0 or number % Decimal("0.25"):
            raise self.error(
                key, f"expected a non-negative multiple of 0.25 as a string, got {value!r}"
            )
        return number

    def choices(self, key: str, allowed: Iterable[str]) -> tuple[str, ...]:
        value = self.raw(key)
        allowed = tuple(allowed)
        if not isinstance(value, list) or any(v not in allowed for v in value):
            raise self.error(key, f"expected a list of {', '.join(allowed)}, got {value!r}")
        if len(set(value)) != len(value):
            raise self.error(key, f"lists an entry twice: {value!r}")
        return tuple(value)


def _meta(reader: _Reader) -> AdmissionRuleMeta:
    version = reader.integer("schema_version", minimum=1)
    if version != SCHEMA_VERSION:
        raise reader.error("schema_version", f"unsupported version {version}")
    kind = reader.raw("kind")
    if kind not in tuple(RuleKind):
        raise reader.error("kind", f"expected 'grade10' or 'entry', got {kind!r}")
    start, end = reader.day("effective_from"), reader.day("effective_to", optional=True)
    assert start is not None  # day() raises for a missing start
    if end is not None and end < start:
        raise reader.error("effective_to", "is before effective_from")
    notes = reader.data.get("notes", [])
    return AdmissionRuleMeta(
        rule_id=reader.text("rule_id"),
        title=reader.text("title"),
        region=reader.text("region").upper(),
        kind=RuleKind(kind),
        effective_from=start,
        effective_to=end,
        source=reader.text("source"),
        notes=tuple(normalise_text(n, field="notes") for n in notes),
    )


def _track(reader: _Reader) -> TrackRule:
    return TrackRule(
        max_wishes=reader.integer("max_wishes", minimum=1),
        extra_weight=reader.integer("extra_weight"),
        add_priority=reader.flag("add_priority"),
        min_test_score_exclusive=reader.quarter_points("min_test_score_exclusive"),
    )


def parse_grade10(data: object, source: str) -> Grade10RuleSet:
    """Build a :class:`Grade10RuleSet`; raise :class:`AdmissionRuleDataError` on bad data."""
    reader = _Reader(data, source).only(_GRADE10_FIELDS)
    weights, points = reader.child("test_weights"), reader.child("priority_points")
    tracks, ties = reader.child("tracks"), reader.child("tie_rule")
    supplementary = reader.child("supplementary_round")
    mode = ties.raw("mode")
    if mode not in tuple(TieMode):
        raise ties.error("mode", f"expected 'admit_all' or 'tie_break', got {mode!r}")
    groups = {}
    for key in points.data:
        if not str(key).isdigit():
            raise points.error(str(key), "priority groups are numbered 1, 2, 3, ...")
        groups[int(key)] = points.quarter_points(str(key))
    return Grade10RuleSet(
        meta=_meta(reader),
        test_weights={s: weights.integer(s, minimum=1) for s in TEST_SUBJECTS},
        priority_points=groups,
        tracks={t: _track(tracks.child(t.value)) for t in Track},
        phase_order=tuple(Track(t) for t in reader.choices("phase_order", tuple(Track))),
        monotone_cutoffs=reader.flag("monotone_cutoffs"),
        tie_mode=TieMode(mode),
        tie_break_order=ties.choices("order", TIE_BREAK_KEYS),
        supplementary_enabled=supplementary.flag("enabled"),
        supplementary_respects_cutoffs=supplementary.flag("respect_cutoffs"),
        max_supplementary_wishes=supplementary.integer("max_wishes", minimum=1),
    )


def parse_entry(data: object, source: str) -> EntryRuleSet:
    """Build an :class:`EntryRuleSet`; raise :class:`AdmissionRuleDataError` on bad data."""
    reader = _Reader(data, source).only(_ENTRY_FIELDS)
    grades_reader, flags_reader = reader.child("grades"), reader.child("priority_flags")
    grades = {}
    for key in grades_reader.data:
        if str(key) not in ("1", "6"):
            raise grades_reader.error(str(key), "entry grades are 1 and 6")
        rule = grades_reader.child(str(key))
        age = rule.data.get("age_years")
        if age is not None and (isinstance(age, bool) or not isinstance(age, int) or age < 1):
            raise rule.error("age_years", f"expected a positive integer, got {age!r}")
        grades[int(key)] = EntryGradeRule(int(key), age, rule.flag("requires_completed_primary"))
    flags = {str(k): flags_reader.text(str(k)) for k in flags_reader.data}
    return EntryRuleSet(
        meta=_meta(reader),
        grades=grades,
        priority_flags=flags,
        tie_break=reader.choices("tie_break", (*flags, DISTANCE_KEY)),
    )


def parse_admission_rule_set(data: object, source: str) -> AdmissionRuleSet:
    """Dispatch on ``kind`` and parse a decoded rule-set document."""
    kind = _meta(_Reader(data, source)).kind
    return parse_grade10(data, source) if kind is RuleKind.GRADE10 else parse_entry(data, source)


def read_admission_rule_file(path: Path) -> AdmissionRuleSet:
    """Load one ``.json`` or ``.toml`` rule-set file."""
    text = path.read_text(encoding="utf-8")
    if path.suffix not in (".json", ".toml"):
        raise AdmissionRuleDataError(f"{path.name}: unsupported rule-file type {path.suffix!r}")
    try:
        data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise AdmissionRuleDataError(f"{path.name}: cannot be decoded: {exc}") from None
    return parse_admission_rule_set(data, path.name)


def check_no_overlap(rule_sets: Sequence[AdmissionRuleSet]) -> None:
    """Refuse repeated ids and overlapping date ranges for one region and kind."""
    for index, rule_set in enumerate(rule_sets):
        a = rule_set.meta
        for other in rule_sets[:index]:
            b = other.meta
            if a.rule_id == b.rule_id:
                raise AdmissionRuleDataError(f"rule_id {a.rule_id!r} is defined twice")
            overlap = a.effective_from <= (b.effective_to or date.max) and b.effective_from <= (
                a.effective_to or date.max
            )
            if (a.region, a.kind) == (b.region, b.kind) and overlap:
                raise AdmissionRuleDataError(
                    f"rule sets {b.rule_id!r} and {a.rule_id!r} overlap for {a.region}/{a.kind}"
                )


def load_admission_rule_sets(paths: Iterable[Path]) -> tuple[AdmissionRuleSet, ...]:
    """Load rule-set files and check that none overlap."""
    rule_sets = tuple(read_admission_rule_file(p) for p in sorted(paths))
    check_no_overlap(rule_sets)
    return rule_sets


@functools.cache
def shipped_admission_rule_sets() -> tuple[AdmissionRuleSet, ...]:
    """The rule sets shipped in ``content_service/admissions/rules/data`` (loaded once)."""
    folder = Path(str(resources.files("content_service.admissions.rules") / "data"))
    return load_admission_rule_sets(p for p in folder.iterdir() if p.suffix in (".json", ".toml"))


def select_admission_rule_set(
    region: str,
    kind: RuleKind | str,
    on: date,
    *,
    rule_sets: Sequence[AdmissionRuleSet] | None = None,
) -> AdmissionRuleSet:
    """Return the rule set of ``region`` and ``kind`` in force on ``on``.

    Admission rules are set by each Department, so there is no national fallback.

    Raises
    ------
    AdmissionRuleSetNotFoundError
        If none applies.
    """
    wanted = RuleKind(kind)
    for rule_set in shipped_admission_rule_sets() if rule_sets is None else rule_sets:
        meta = rule_set.meta
        if meta.region == region.upper() and meta.kind is wanted and meta.covers(on):
            return rule_set
    raise AdmissionRuleSetNotFoundError(
        f"no {wanted} admission rule set for region {region!r} in force on {on.isoformat()}"
    )
