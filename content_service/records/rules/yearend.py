"""Year-end decisions of TT22/2021: conduct, promotion, summer re-test and training, awards."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from content_service.records.rules.learning import LearningResult, assess_learning
from content_service.records.rules.ratings import CommentRating, Level
from content_service.records.rules.rulesets import SecondaryRuleSet
from content_service.records.rules.scores import name_key, normalise_name
from content_service.records.rules.secondary import (
    SubjectResult,
    SubjectSemester,
    assess_semester,
    assess_year,
)


class PromotionStatus(StrEnum):
    """Outcome of the year (TT22 Điều 12-14)."""

    PROMOTED = "Được lên lớp"
    RETEST = "Kiểm tra lại trong kì nghỉ hè"
    CONDUCT_TRAINING = "Rèn luyện trong kì nghỉ hè"
    REPEAT = "Không được lên lớp"
    INCOMPLETE = "Chưa đủ dữ liệu"


class Award(StrEnum):
    """Year awards (TT22 Điều 15)."""

    EXCELLENT = "Học sinh Xuất sắc"
    GOOD = "Học sinh Giỏi"


@dataclass(frozen=True, slots=True)
class PromotionDecision:
    """The year outcome, the subjects to re-test and the reasons, in the order they apply."""

    status: PromotionStatus
    retest_subjects: tuple[str, ...]
    reasons: tuple[str, ...]


def retest_subjects(
    year_results: Sequence[SubjectResult], rules: SecondaryRuleSet
) -> tuple[str, ...]:
    """Subjects a student may re-test (Điều 14): ĐTBmcn below 5.0 or comment year Chưa đạt."""
    return tuple(
        s.subject
        for s in year_results
        if (s.average is not None and s.average < rules.retest_below)
        or s.rating is CommentRating.NOT_ACHIEVED
    )


def decide_promotion(
    *,
    conduct: Level,
    learning: LearningResult,
    absent_days: int,
    year_results: Sequence[SubjectResult],
    rules: SecondaryRuleSet,
) -> PromotionDecision:
    """Decide promotion (Điều 12), summer re-test (Điều 14) or summer conduct training (Điều 13).

    Parameters
    ----------
    conduct : Level
        Year conduct.
    learning : LearningResult
        Year learning result (after adjustment).
    absent_days : int
        Days absent in the year, one session per day (excused or not).
    year_results : sequence of SubjectResult
        Year subject results, used to list re-test subjects.
    rules : SecondaryRuleSet
        Absence limit and re-test threshold.

    Returns
    -------
    PromotionDecision
        ``INCOMPLETE`` (with what is missing) when the learning result is incomplete;
        ``REPEAT`` when absences exceed the limit or both conduct and learning are Chưa đạt;
        ``RETEST`` when conduct ≥ Đạt but learning is Chưa đạt; ``CONDUCT_TRAINING`` when
        learning ≥ Đạt but conduct is Chưa đạt; ``PROMOTED`` otherwise.
    """
    if isinstance(absent_days, bool) or not isinstance(absent_days, int) or absent_days < 0:
        raise ValueError(f"absent_days: expected a non-negative integer, got {absent_days!r}")
    if learning.level is None:
        return PromotionDecision(PromotionStatus.INCOMPLETE, (), learning.missing)
    if absent_days > rules.max_absent_days:
        reason = f"absent {absent_days} days > {rules.max_absent_days} (Điều 12)"
        return PromotionDecision(PromotionStatus.REPEAT, (), (reason,))
    conduct_ok = conduct is not Level.NOT_ACHIEVED
    learning_ok = learning.level is not Level.NOT_ACHIEVED
    if conduct_ok and learning_ok:
        reason = f"conduct {conduct}, learning {learning.level}, absences {absent_days}"
        return PromotionDecision(PromotionStatus.PROMOTED, (), (reason,))
    if not conduct_ok and not learning_ok:
        reason = "conduct and learning both Chưa đạt (Điều 12 khoản 2)"
        return PromotionDecision(PromotionStatus.REPEAT, (), (reason,))
    if conduct_ok:
        subjects = retest_subjects(year_results, rules)
        reason = (
            f"learning Chưa đạt with conduct {conduct}: re-test {', '.join(subjects)} (Điều 14)"
        )
        return PromotionDecision(PromotionStatus.RETEST, subjects, (reason,))
    reason = f"conduct Chưa đạt with learning {learning.level}: summer training (Điều 13)"
    return PromotionDecision(PromotionStatus.CONDUCT_TRAINING, (), (reason,))


def decide_award(
    *,
    conduct: Level,
    learning: LearningResult,
    year_results: Sequence[SubjectResult],
    rules: SecondaryRuleSet,
) -> Award | None:
    """Học sinh Xuất sắc / Học sinh Giỏi (Điều 15), or ``None``.

    Xuất sắc: conduct Tốt, learning Tốt and at least ``excellent_min_subjects`` subjects with
    ĐTBmcn ≥ ``excellent_min_average``; Giỏi: conduct Tốt and learning Tốt.
    """
    if conduct is not Level.GOOD or learning.level is not Level.GOOD:
        return None
    high = sum(
        s.average is not None and s.average >= rules.excellent_min_average for s in year_results
    )
    return Award.EXCELLENT if high >= rules.excellent_min_subjects else Award.GOOD


@dataclass(frozen=True, slots=True)
class StudentYear:
    """One student's assessments of a school year (all subjects, both semesters)."""

    student_id: str
    semester_1: tuple[SubjectSemester, ...]
    semester_2: tuple[SubjectSemester, ...]
    conduct_1: Level
    conduct_2: Level
    absent_days: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "student_id", normalise_name(self.student_id, field="student_id"))
        object.__setattr__(self, "conduct_1", Level.parse(self.conduct_1, field="conduct_1"))
        object.__setattr__(self, "conduct_2", Level.parse(self.conduct_2, field="conduct_2"))
        subjects_1 = [name_key(s.subject) for s in self.semester_1]
        subjects_2 = [name_key(s.subject) for s in self.semester_2]
        if len(set(subjects_1)) != len(subjects_1) or sorted(subjects_1) != sorted(subjects_2):
            raise ValueError(f"{self.student_id}: semesters must list the same subjects, each once")


@dataclass(frozen=True, slots=True)
class StudentYearResult:
    """Every year-end figure of one student, as written into the học bạ."""

    student_id: str
    semester_1: tuple[SubjectResult, ...]
    semester_2: tuple[SubjectResult, ...]
    year: tuple[SubjectResult, ...]
    learning_1: LearningResult
    learning_2: LearningResult
    learning_year: LearningResult
    conduct_year: Level
    promotion: PromotionDecision
    award: Award | None


def compute_year_end(student: StudentYear, rules: SecondaryRuleSet) -> StudentYearResult:
    """Compute a student's semester and year results, levels, promotion and award.

    Raises
    ------
    ValueError
        If a subject's kind does not match the rule set (see :func:`assess_semester`).
    """
    first = tuple(assess_semester(s, rules) for s in student.semester_1)
    by_key = {name_key(s.subject): s for s in student.semester_2}
    second = tuple(assess_semester(by_key[name_key(r.subject)], rules) for r in first)
    year = tuple(assess_year(a, b, rules) for a, b in zip(first, second, strict=True))
    learning_year = assess_learning(year, rules)
    conduct = rules.conduct_year(student.conduct_1, student.conduct_2)
    return StudentYearResult(
        student_id=student.student_id,
        semester_1=first,
        semester_2=second,
        year=year,
        learning_1=assess_learning(first, rules),
        learning_2=assess_learning(second, rules),
        learning_year=learning_year,
        conduct_year=conduct,
        promotion=decide_promotion(
            conduct=conduct,
            learning=learning_year,
            absent_days=student.absent_days,
            year_results=year,
            rules=rules,
        ),
        award=decide_award(conduct=conduct, learning=learning_year, year_results=year, rules=rules),
    )
