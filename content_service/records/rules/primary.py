"""Year-end result of Circular 27/2020 (grades 1-5).

Subjects are rated Hoàn thành tốt / Hoàn thành / Chưa hoàn thành, qualities and competencies
Tốt / Đạt / Cần cố gắng, and the tested subjects carry a whole-number end-of-year test score.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from content_service.records.rules.ratings import (
    CompetencyRating,
    PrimaryYearResult,
    SubjectRating,
)
from content_service.records.rules.rulesets import PrimaryRuleSet
from content_service.records.rules.scores import name_key, normalise_name, parse_integer_score


@dataclass(frozen=True, slots=True)
class PrimaryStudentYear:
    """End-of-year assessments of one primary student.

    Attributes
    ----------
    student_id : str
    grade : int
        1-5.
    subject_ratings : Mapping[str, SubjectRating]
        End-of-year rating of every subject and educational activity.
    competency_ratings : Mapping[str, CompetencyRating]
        End-of-year rating of every quality (phẩm chất) and competency (năng lực).
    test_scores : Mapping[str, int]
        End-of-year periodic test score (whole number 0-10) of each tested subject.
    """

    student_id: str
    grade: int
    subject_ratings: Mapping[str, SubjectRating]
    competency_ratings: Mapping[str, CompetencyRating]
    test_scores: Mapping[str, int]

    def __post_init__(self) -> None:
        sid = normalise_name(self.student_id, field="student_id")
        object.__setattr__(self, "student_id", sid)
        if not self.subject_ratings or not self.competency_ratings:
            raise ValueError(f"{sid}: subject and competency ratings must not be empty")
        subjects = {
            normalise_name(k, field="subject"): SubjectRating.parse(v, field=f"{sid}.{k}")
            for k, v in self.subject_ratings.items()
        }
        competencies = {
            normalise_name(k, field="competency"): CompetencyRating.parse(v, field=f"{sid}.{k}")
            for k, v in self.competency_ratings.items()
        }
        scores = {
            normalise_name(k, field="subject"): parse_integer_score(v, field=f"{sid}.test[{k}]")
            for k, v in self.test_scores.items()
        }
        object.__setattr__(self, "subject_ratings", subjects)
        object.__setattr__(self, "competency_ratings", competencies)
        object.__setattr__(self, "test_scores", scores)


@dataclass(frozen=True, slots=True)
class PrimaryYearOutcome:
    """Year-end result; ``result`` is ``None`` and ``missing`` lists the gaps when incomplete."""

    student_id: str
    result: PrimaryYearResult | None
    completed_grade: bool
    missing: tuple[str, ...] = ()


def assess_primary_year(student: PrimaryStudentYear, rules: PrimaryRuleSet) -> PrimaryYearOutcome:
    """Year-end result HTXS / HTT / HT / Chưa hoàn thành (TT27 Điều 9 khoản 2).

    The first criterion of the rule set (HTXS, then HTT, then HT) whose subject ratings,
    competency ratings and minimum end-of-year test score are all met gives the result;
    otherwise Chưa hoàn thành. HTXS, HTT and HT complete the grade.

    Raises
    ------
    ValueError
        If ``student.grade`` is not a grade of the rule set.
    """
    tested = rules.tested_subjects_for(student.grade)
    scores = {name_key(k): v for k, v in student.test_scores.items()}
    missing = tuple(
        f"{student.student_id}: end-of-year test of {subject}"
        for subject in tested
        if name_key(subject) not in scores
    )
    if missing:
        return PrimaryYearOutcome(student.student_id, None, False, missing)
    test_scores = [scores[name_key(subject)] for subject in tested]
    for criterion in rules.year_criteria:
        if (
            set(student.subject_ratings.values()) <= criterion.subject_ratings
            and set(student.competency_ratings.values()) <= criterion.competency_ratings
            and all(score >= criterion.min_test_score for score in test_scores)
        ):
            return PrimaryYearOutcome(student.student_id, criterion.result, True)
    return PrimaryYearOutcome(student.student_id, PrimaryYearResult.NOT_COMPLETED, False)
