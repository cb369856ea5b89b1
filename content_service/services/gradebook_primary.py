"""Primary gradebooks and year results by Circular 27/2020 (grades 1-5).

A primary class has one book per subject and semester with the periodic ratings at mid and end
of the semester (Hoàn thành tốt / Hoàn thành / Chưa hoàn thành), the periodic test scores
where the rule set prescribes tests (whole numbers 0-10) and the teacher's comment; and one
book per semester, kept by the homeroom teacher, rating every quality and competency
(Tốt / Đạt / Cần cố gắng) at mid and end of the semester. The columns are fixed when a book is
created. The year-end result comes from the end-of-year (semester II) columns through
:func:`content_service.records.rules.assess_primary_year`.
"""

from __future__ import annotations

import unicodedata
import uuid
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.models.gradebook import GradebookKind, GradebookRecord
from content_service.models.people import SchoolClassRecord, UserRecord
from content_service.records.rules import (
    CompetencyRating,
    PrimaryRuleSet,
    PrimaryStudentYear,
    PrimaryYearResult,
    SubjectRating,
    assess_primary_year,
    parse_integer_score,
)
from content_service.records.rules.scores import name_key
from content_service.schemas.gradebook import SubjectResultPublic
from content_service.services.access import Principal
from content_service.services.gradebook_access import (
    FINAL,
    MIDTERM,
    TRAITS_SUBJECT,
    ClassData,
    class_students,
    get_class_record,
    is_traits_book,
    load_class_data,
    primary_rules_for,
    require_staff,
)

MIDTERM_TEST, FINAL_TEST, COMMENT = "ktgk", "ktck", "nx"
MAX_COMMENT = 500
# Quy định kèm TT27/2020, khen thưởng: the title for pupils whose result is HTXS. The other
# title (Học sinh Tiêu biểu, for HTT plus an outstanding achievement) is the class's judgement.
OUTSTANDING_AWARD = "Học sinh Xuất sắc"
COMPLETED_GRADE = "Hoàn thành chương trình lớp học"
COMPLETED_PRIMARY = "Hoàn thành chương trình tiểu học"
NOT_COMPLETED_GRADE = "Chưa hoàn thành chương trình lớp học"


def subject_columns(rules: PrimaryRuleSet, grade: int, subject: str) -> list[str]:
    """Columns of a subject's book: ratings, the tests the grade has, the comment."""
    keys = [MIDTERM, FINAL]
    if rules.has_midterm_test(subject, grade):
        keys.append(MIDTERM_TEST)
    if rules.has_final_test(subject, grade):
        keys.append(FINAL_TEST)
    return [*keys, COMMENT]


def traits_columns(rules: PrimaryRuleSet) -> list[str]:
    """Columns of the qualities-and-competencies book: mid and end rating of each, a comment."""
    return [f"{period}_{t.code}" for period in (MIDTERM, FINAL) for t in rules.traits] + [COMMENT]


def book_layout(klass: SchoolClassRecord, subject: str) -> tuple[GradebookKind, list[str], str]:
    """Kind, columns and rule id of a new primary book for ``subject``."""
    rules = primary_rules_for(klass)
    if is_traits_book(subject):
        return GradebookKind.PRIMARY_TRAITS, traits_columns(rules), rules.meta.rule_id
    columns = subject_columns(rules, klass.grade, subject)
    return GradebookKind.PRIMARY, columns, rules.meta.rule_id


def parse_primary_cell(column: str, value: object, *, field: str) -> str:
    """The stored text of a primary cell; raises ``ValueError`` naming the cell."""
    if column == COMMENT:
        if not isinstance(value, str):
            raise ValueError(f"{field}: a comment must be text")
        text = unicodedata.normalize("NFC", value).strip()
        if len(text) > MAX_COMMENT:
            raise ValueError(f"{field}: the comment is longer than {MAX_COMMENT} characters")
        return text
    if column in (MIDTERM_TEST, FINAL_TEST):
        return str(parse_integer_score(value, field=field))
    if column in (MIDTERM, FINAL):
        return SubjectRating.parse(value, field=field).value
    return CompetencyRating.parse(value, field=field).value  # "gk_yn", "ck_tto", ...


def primary_row_result(gradebook: GradebookRecord, values: dict[str, str]) -> SubjectResultPublic:
    """A row of a primary book: its end-of-period rating and the cells still missing."""
    required = [c for c in gradebook.column_keys if c != COMMENT]
    missing = [f"{gradebook.subject}: {c}" for c in required if c not in values]
    rating = values.get(FINAL) if gradebook.kind == GradebookKind.PRIMARY else None
    return SubjectResultPublic(average=None, rating=rating, missing=missing)


def _period(cells: dict[str, str] | None) -> dict[str, str | None]:
    cells = cells or {}
    return {
        "mid": cells.get(MIDTERM),
        "end": cells.get(FINAL),
        "mid_test": cells.get(MIDTERM_TEST),
        "end_test": cells.get(FINAL_TEST),
        "comment": cells.get(COMMENT),
    }


def _subjects(
    data: ClassData, student_id: uuid.UUID
) -> tuple[list[dict[str, Any]], dict[str, SubjectRating], dict[str, int], list[str]]:
    subjects: list[dict[str, Any]] = []
    ratings: dict[str, SubjectRating] = {}
    tests: dict[str, int] = {}
    missing: list[str] = []
    for key, name in sorted(data.subjects.items()):
        book = data.books.get((key, 2)) or data.books.get((key, 1))
        if book is None or book.kind != GradebookKind.PRIMARY:
            continue
        year = data.cells(key, 2, student_id)
        if year is None:
            missing.append(f"{name}: no gradebook for semester 2")
        elif FINAL not in year:
            missing.append(f"{name}: end-of-year rating")
        else:
            ratings[name] = SubjectRating.parse(year[FINAL])
        if year and FINAL_TEST in year:
            tests[name] = int(year[FINAL_TEST])
        subjects.append(
            {
                "subject": name,
                "semester_1": _period(data.cells(key, 1, student_id)),
                "semester_2": _period(year),
                "rating": year.get(FINAL) if year else None,
                "test_score": year.get(FINAL_TEST) if year else None,
                "comment": year.get(COMMENT) if year else None,
            }
        )
    return subjects, ratings, tests, missing


def _traits(
    data: ClassData, student_id: uuid.UUID, rules: PrimaryRuleSet
) -> tuple[list[dict[str, Any]], dict[str, CompetencyRating], str | None, list[str]]:
    key = name_key(TRAITS_SUBJECT)
    first, year = data.cells(key, 1, student_id) or {}, data.cells(key, 2, student_id)
    if year is None:
        return [], {}, None, [f"{TRAITS_SUBJECT}: no gradebook for semester 2"]
    traits: list[dict[str, Any]] = []
    ratings: dict[str, CompetencyRating] = {}
    missing: list[str] = []
    for trait in rules.traits:
        rating = year.get(f"{FINAL}_{trait.code}")
        if rating is None:
            missing.append(f"{TRAITS_SUBJECT}: end-of-year rating of {trait.name}")
        else:
            ratings[trait.name] = CompetencyRating.parse(rating)
        traits.append(
            {
                "code": trait.code,
                "name": trait.name,
                "group": trait.group.value,
                "semester_1": first.get(f"{FINAL}_{trait.code}"),
                "year": rating,
            }
        )
    return traits, ratings, year.get(COMMENT), missing


def student_primary_year(
    data: ClassData, student: UserRecord, grade: int, rules: PrimaryRuleSet
) -> dict[str, Any]:
    """One pupil's year record (the JSON kept beside the primary transcript PDF)."""
    subjects, subject_ratings, tests, missing = _subjects(data, student.id)
    traits, trait_ratings, traits_comment, traits_missing = _traits(data, student.id, rules)
    missing += traits_missing
    if not subject_ratings and not missing:
        missing.append("no subject gradebooks")
    if not trait_ratings and not missing:
        missing.append("no qualities or competencies in the rule set")
    result: PrimaryYearResult | None = None
    if not missing:
        outcome = assess_primary_year(
            PrimaryStudentYear(str(student.id), grade, subject_ratings, trait_ratings, tests),
            rules,
        )
        result = outcome.result
        missing += [m.split(": ", 1)[-1] for m in outcome.missing]
    completed = None if result is None else result is not PrimaryYearResult.NOT_COMPLETED
    completion = None
    if completed is not None:
        done = COMPLETED_PRIMARY if grade == max(rules.tested_subjects) else COMPLETED_GRADE
        completion = done if completed else NOT_COMPLETED_GRADE
    return {
        "level": "primary",
        "student_id": str(student.id),
        "full_name": student.full_name,
        "subjects": subjects,
        "traits": traits,
        "traits_comment": traits_comment,
        "result": result.value if result else None,
        "completed_grade": completed,
        "completion": completion,
        "award": OUTSTANDING_AWARD if result is PrimaryYearResult.OUTSTANDING else None,
        "missing": missing,
        "rule_id": rules.meta.rule_id,
    }


async def class_primary_year_results(
    *, session: AsyncSession, principal: Principal, class_id: uuid.UUID
) -> list[dict[str, Any]]:
    """Year results of every pupil of a primary class (the school's teachers and admins)."""
    klass = await get_class_record(session, class_id)
    require_staff(principal, klass.school_id)
    rules = primary_rules_for(klass)
    data = await load_class_data(session, class_id)
    students = await class_students(session, class_id)
    return [student_primary_year(data, s, klass.grade, rules) for s in students]
