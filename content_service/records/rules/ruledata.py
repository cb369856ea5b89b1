"""Parse and validate rule-set data files (JSON or TOML) into :mod:`.rulesets` objects.

Every error names the file and the field path, e.g.
``vn-secondary-tt22-2021.json: learning_levels[1].high_score: '6,5' is not a decimal``.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import fields
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from content_service.records.rules.errors import InvalidScoreError, RuleDataError
from content_service.records.rules.ratings import (
    CompetencyRating,
    Level,
    PrimaryYearResult,
    SubjectRating,
)
from content_service.records.rules.rulesets import (
    AverageWeights,
    LevelCriterion,
    PrimaryLevelCriterion,
    PrimaryRuleSet,
    RegularCountBand,
    RuleSet,
    RuleSetMeta,
    SchoolLevel,
    SecondaryRuleSet,
    Trait,
    TraitGroup,
)
from content_service.records.rules.scores import normalise_name
from content_service.rule_data import FieldReader

SCHEMA_VERSION = 1
_META_FIELDS = (
    "schema_version", "rule_id", "title", "region", "school_level", "source",
    "effective_from", "effective_to", "grades", "notes",
)  # fmt: skip
_SECONDARY_FIELDS = (
    *_META_FIELDS, "regular_assessments", "weights", "comment_only_subjects", "learning_levels",
    "one_subject_adjustment", "conduct_year", "promotion", "awards",
)  # fmt: skip
_PRIMARY_FIELDS = (
    *_META_FIELDS, "tested_subjects", "year_levels", "midterm_tested_subjects", "traits",
)  # fmt: skip


class _Reader(FieldReader):
    """Rule-file fields of the grading rules."""

    error_class = RuleDataError

    def normalise(self, value: str, key: str) -> str:
        return normalise_name(value)

    def decimal(self, key: str) -> Decimal:
        value = self.raw(key)
        # Thresholds are written as strings ("6.5") so no float ever touches them.
        if not isinstance(value, str):
            raise self.error(key, f"expected a decimal written as a string, got {value!r}")
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise self.error(key, f"{value!r} is not a decimal") from None
        if not Decimal(0) <= number <= Decimal(10):
            raise self.error(key, f"{value!r} is outside 0-10")
        return number

    def enum(self, key: str, enum: type[Any]) -> Any:
        return self._member(key, self.raw(key), enum)

    def enum_list(self, key: str, enum: type[Any]) -> tuple[Any, ...]:
        return tuple(self._member(key, value, enum) for value in self.items(key))

    def _member(self, key: str, value: object, enum: type[Any]) -> Any:
        try:
            return enum.parse(value, field=key)
        except InvalidScoreError as exc:
            raise self.error(key, str(exc).split(": ", 1)[-1]) from None


def _parse_meta(reader: _Reader) -> RuleSetMeta:
    version = reader.integer("schema_version", minimum=1)
    if version != SCHEMA_VERSION:
        raise reader.error("schema_version", f"unsupported version {version}")
    grades = reader.child("grades")
    starts: dict[int, date] = {}
    for key in grades.data:
        if not str(key).isdigit():
            raise grades.error(str(key), "grade keys must be whole numbers")
        starts[int(key)] = grades.day(str(key))  # type: ignore[assignment]
    meta = RuleSetMeta(
        rule_id=reader.text("rule_id"),
        title=reader.text("title"),
        region=reader.text("region").upper(),
        school_level=reader.enum("school_level", _SchoolLevelParser),
        effective_from=reader.day("effective_from"),  # type: ignore[arg-type]
        effective_to=reader.day("effective_to", optional=True),
        grade_start_dates=starts,
        source=reader.text("source"),
        notes=tuple(normalise_name(n, field="notes") for n in reader.data.get("notes", [])),
    )
    if meta.effective_to is not None and meta.effective_to < meta.effective_from:
        raise reader.error("effective_to", "is before effective_from")
    return meta


class _SchoolLevelParser:
    @staticmethod
    def parse(value: object, *, field: str) -> SchoolLevel:
        try:
            return SchoolLevel(str(value))
        except ValueError:
            raise InvalidScoreError(f"expected 'primary' or 'secondary', got {value!r}") from None


def _parse_bands(reader: _Reader) -> tuple[RegularCountBand, ...]:
    bands = []
    for index in range(len(reader.items("regular_assessments"))):
        band = reader.child("regular_assessments", index)
        # An absent limit means "open" so that TOML files (which have no null) can say it.
        limit = band.data.get("max_periods_per_year")
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
            raise band.error("max_periods_per_year", f"expected an integer or null, got {limit!r}")
        bands.append(RegularCountBand(max_periods=limit, count=band.integer("count", minimum=1)))
    limits = [b.max_periods for b in bands]
    closed = [limit for limit in limits[:-1] if limit is not None]
    if limits[-1] is not None or len(closed) != len(limits) - 1 or closed != sorted(closed):
        raise reader.error(
            "regular_assessments", "bands must ascend and only the last may be open (null)"
        )
    return tuple(bands)


def _parse_learning_levels(reader: _Reader) -> tuple[LevelCriterion, ...]:
    criteria = []
    for index in range(len(reader.items("learning_levels"))):
        item = reader.child("learning_levels", index)
        criteria.append(
            LevelCriterion(
                level=item.enum("level", Level),
                max_comment_failed=item.integer("max_comment_subjects_failed"),
                min_every_scored=item.decimal("min_every_scored"),
                high_score=item.decimal("high_score"),
                min_high_subjects=item.integer("min_high_subjects"),
            )
        )
    expected = [Level.GOOD, Level.FAIR, Level.ACHIEVED]
    if [c.level for c in criteria] != expected:
        raise reader.error("learning_levels", "must list Tốt, Khá, Đạt in that order")
    return tuple(criteria)


def _parse_conduct_table(reader: _Reader) -> dict[tuple[Level, Level], Level]:
    # Keyed by semester II first because the circular reads the table that way.
    outer = reader.child("conduct_year")
    table: dict[tuple[Level, Level], Level] = {}
    for second in Level:
        row = outer.child(second.value)
        for first in Level:
            table[(first, second)] = row.enum(first.value, Level)
    return table


def parse_secondary(data: object, source: str) -> SecondaryRuleSet:
    """Build a :class:`SecondaryRuleSet` from a decoded data file.

    Raises
    ------
    RuleDataError
        Naming ``source`` and the offending field.
    """
    reader = _Reader(data, source).only(_SECONDARY_FIELDS)
    weights = reader.child("weights")
    adjustment = reader.child("one_subject_adjustment")
    promotion = reader.child("promotion")
    excellent = reader.child("awards").child("excellent")
    return SecondaryRuleSet(
        meta=_parse_meta(reader),
        regular_count_bands=_parse_bands(reader),
        weights=AverageWeights(
            **{f.name: weights.integer(f.name, minimum=1) for f in fields(AverageWeights)}
        ),
        comment_only_subjects=tuple(
            normalise_name(s, field="comment_only_subjects")
            for s in reader.items("comment_only_subjects")
        ),
        learning_criteria=_parse_learning_levels(reader),
        adjustment_min_levels_lowered=adjustment.integer("min_levels_lowered", minimum=1),
        adjustment_reference_levels=adjustment.enum_list("reference_levels", Level),
        conduct_year_table=_parse_conduct_table(reader),
        max_absent_days=promotion.integer("max_absent_days"),
        retest_below=promotion.decimal("retest_below"),
        excellent_min_subjects=excellent.integer("min_subjects", minimum=1),
        excellent_min_average=excellent.decimal("min_year_average"),
    )


def _parse_year_levels(reader: _Reader) -> tuple[PrimaryLevelCriterion, ...]:
    criteria = []
    for index in range(len(reader.items("year_levels"))):
        item = reader.child("year_levels", index)
        criteria.append(
            PrimaryLevelCriterion(
                result=item.enum("result", PrimaryYearResult),
                subject_ratings=frozenset(item.enum_list("subject_ratings", SubjectRating)),
                competency_ratings=frozenset(
                    item.enum_list("competency_ratings", CompetencyRating)
                ),
                min_test_score=item.integer("min_test_score"),
            )
        )
    expected = [PrimaryYearResult.OUTSTANDING, PrimaryYearResult.EXCELLENT]
    expected.append(PrimaryYearResult.COMPLETED)
    if [c.result for c in criteria] != expected:
        raise reader.error("year_levels", "must list HTXS, HTT, HT in that order")
    return tuple(criteria)


def parse_primary(data: object, source: str) -> PrimaryRuleSet:
    """Build a :class:`PrimaryRuleSet` from a decoded data file.

    Raises
    ------
    RuleDataError
        Naming ``source`` and the offending field.
    """
    reader = _Reader(data, source).only(_PRIMARY_FIELDS)
    subjects = _subjects_by_grade(reader, "tested_subjects")
    midterm = (
        _subjects_by_grade(reader, "midterm_tested_subjects")
        if "midterm_tested_subjects" in reader.data
        else {}
    )
    for grade in midterm:
        if grade not in subjects:
            raise reader.error("midterm_tested_subjects", f"grade {grade} has no tested_subjects")
    return PrimaryRuleSet(
        meta=_parse_meta(reader),
        tested_subjects=subjects,
        year_criteria=_parse_year_levels(reader),
        midterm_tested_subjects=midterm,
        traits=_parse_traits(reader) if "traits" in reader.data else (),
    )


def _subjects_by_grade(reader: _Reader, key: str) -> dict[int, tuple[str, ...]]:
    table = reader.child(key)
    subjects: dict[int, tuple[str, ...]] = {}
    for grade in table.data:
        if not str(grade).isdigit():
            raise table.error(str(grade), "grade keys must be whole numbers")
        names = table.raw(str(grade))
        if not isinstance(names, list):
            raise table.error(str(grade), "expected a list of subject names")
        subjects[int(grade)] = tuple(normalise_name(n, field=f"{key}.{grade}") for n in names)
    return subjects


def _parse_traits(reader: _Reader) -> tuple[Trait, ...]:
    traits = []
    for index in range(len(reader.items("traits"))):
        item = reader.child("traits", index).only(("code", "name", "group"))
        code = item.text("code")
        if not (code.isascii() and code.isalnum() and code.islower() and len(code) <= 5):
            raise item.error(
                "code", f"expected 1-5 lowercase ASCII letters or digits, got {code!r}"
            )
        group = item.text("group")
        if group not in set(TraitGroup):
            groups = ", ".join(TraitGroup)
            raise item.error("group", f"expected one of {groups}, got {group!r}")
        traits.append(Trait(code, item.text("name"), TraitGroup(group)))
    codes = [t.code for t in traits]
    if len(set(codes)) != len(codes):
        raise reader.error("traits", "codes must be unique")
    return tuple(traits)


def parse_rule_set(data: object, source: str) -> RuleSet:
    """Dispatch on ``school_level`` and parse a decoded rule-set document."""
    level = _Reader(data, source).raw("school_level")
    if level == SchoolLevel.SECONDARY:
        return parse_secondary(data, source)
    if level == SchoolLevel.PRIMARY:
        return parse_primary(data, source)
    raise RuleDataError(f"{source}: school_level: expected 'primary' or 'secondary', got {level!r}")


def read_rule_set_file(path: Path) -> RuleSet:
    """Load one ``.json`` or ``.toml`` rule-set file.

    Raises
    ------
    RuleDataError
        If the file cannot be decoded or fails validation.
    """
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix == ".toml":
            data: object = tomllib.loads(text)
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            raise RuleDataError(f"{path.name}: unsupported rule-file type {path.suffix!r}")
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RuleDataError(f"{path.name}: not valid {path.suffix[1:].upper()}: {exc}") from None
    return parse_rule_set(data, path.name)
