from decimal import Decimal

import pytest
from records_rules_builders import COMMENT, SCORED, results, tt22

from content_service.records.rules import (
    Award,
    CommentRating,
    CommentSemester,
    LearningResult,
    Level,
    PromotionStatus,
    ScoredSemester,
    StudentYear,
    SubjectResult,
    compute_year_end,
    decide_award,
    decide_promotion,
    retest_subjects,
)

T, K, D, C = Level.GOOD, Level.FAIR, Level.ACHIEVED, Level.NOT_ACHIEVED


@pytest.mark.parametrize(
    ("hk1", "hk2", "year"),
    [
        (T, T, T), (K, T, T), (D, T, K), (C, T, K),
        (T, K, K), (K, K, K), (D, K, K), (C, K, D),
        (T, D, K), (K, D, D), (D, D, D), (C, D, D),
        (T, C, C), (K, C, C), (D, C, C), (C, C, C),
    ],
)  # fmt: skip
def test_conduct_year_table(hk1: Level, hk2: Level, year: Level) -> None:
    assert tt22().conduct_year(hk1, hk2) is year


def level(value: Level) -> LearningResult:
    return LearningResult(value, value)


@pytest.mark.parametrize(
    ("conduct", "learning", "absent", "status"),
    [
        (T, T, 0, PromotionStatus.PROMOTED),
        (D, D, 45, PromotionStatus.PROMOTED),
        (T, T, 46, PromotionStatus.REPEAT),
        (D, C, 3, PromotionStatus.RETEST),
        (C, K, 3, PromotionStatus.CONDUCT_TRAINING),
        (C, C, 3, PromotionStatus.REPEAT),
    ],
)
def test_promotion(conduct: Level, learning: Level, absent: int, status: PromotionStatus) -> None:
    year = results(["5.0"] * 6 + ["4.9", "3.0"], failed_comments=1)
    decision = decide_promotion(
        conduct=conduct,
        learning=level(learning),
        absent_days=absent,
        year_results=year,
        rules=tt22(),
    )
    assert decision.status is status
    assert decision.reasons
    if status is PromotionStatus.RETEST:
        assert decision.retest_subjects == (f"{SCORED[6]} 6", f"{SCORED[7]} 7", COMMENT[0])
    else:
        assert decision.retest_subjects == ()


def test_promotion_refuses_negative_absences() -> None:
    with pytest.raises(ValueError, match="absent_days: expected a non-negative integer, got -1"):
        decide_promotion(
            conduct=T, learning=level(T), absent_days=-1, year_results=[], rules=tt22()
        )


def test_promotion_with_incomplete_learning_says_what_is_missing() -> None:
    learning = LearningResult(None, None, missing=("Toán: mid-term assessment (ĐĐGgk)",))
    decision = decide_promotion(
        conduct=T, learning=learning, absent_days=0, year_results=[], rules=tt22()
    )
    assert decision.status is PromotionStatus.INCOMPLETE
    assert decision.reasons == ("Toán: mid-term assessment (ĐĐGgk)",)


def test_retest_subjects_threshold_is_strictly_below_five() -> None:
    year = [
        SubjectResult("Toán", False, Decimal("5.0"), None),
        SubjectResult("Ngữ văn", False, Decimal("4.9"), None),
        SubjectResult("Âm nhạc", True, None, CommentRating.NOT_ACHIEVED),
        SubjectResult("Mĩ thuật", True, None, CommentRating.ACHIEVED),
    ]
    assert retest_subjects(year, tt22()) == ("Ngữ văn", "Âm nhạc")


@pytest.mark.parametrize(
    ("conduct", "learning", "scores", "award"),
    [
        (T, T, ["9.0"] * 6 + ["8.0", "7.0"], Award.EXCELLENT),
        (T, T, ["9.0"] * 5 + ["8.9", "8.0", "7.0"], Award.GOOD),
        (K, T, ["9.5"] * 8, None),
        (T, K, ["9.5"] * 8, None),
    ],
)
def test_awards(conduct: Level, learning: Level, scores: list[str], award: Award | None) -> None:
    result = decide_award(
        conduct=conduct, learning=level(learning), year_results=results(scores), rules=tt22()
    )
    assert result is award


def scored(name: str, hk: str) -> ScoredSemester:
    return ScoredSemester(name, 105, (hk,) * 4, hk, hk)


def student(hk1: str, hk2: str, conduct: tuple[Level, Level] = (T, T)) -> StudentYear:
    rating = CommentRating.ACHIEVED
    comment = CommentSemester("Giáo dục thể chất", 70, (rating,) * 3, rating, rating)
    return StudentYear(
        student_id="HS001",
        semester_1=(*(scored(n, hk1) for n in SCORED), comment),
        semester_2=(comment, *(scored(n, hk2) for n in reversed(SCORED))),
        conduct_1=conduct[0],
        conduct_2=conduct[1],
        absent_days=2,
    )


def test_compute_year_end_end_to_end() -> None:
    result = compute_year_end(student("8.5", "9.5"), tt22())
    assert [s.average for s in result.year if s.average] == [Decimal("9.2")] * 8
    assert result.learning_1.level is T
    assert result.learning_year.level is T
    assert result.conduct_year is T
    assert result.promotion.status is PromotionStatus.PROMOTED
    assert result.award is Award.EXCELLENT


def test_compute_year_end_repeat_and_retest() -> None:
    result = compute_year_end(student("3.0", "3.0", conduct=(K, D)), tt22())
    assert result.learning_year.level is C
    assert result.conduct_year is D
    assert result.promotion.status is PromotionStatus.RETEST
    assert len(result.promotion.retest_subjects) == len(SCORED)
    assert result.award is None


def test_compute_year_end_with_missing_test_is_incomplete() -> None:
    data = student("8.0", "8.0")
    broken = ScoredSemester("Toán", 105, ("8",) * 4, "8", None)
    semester_2 = tuple(broken if s.subject == "Toán" else s for s in data.semester_2)
    data = StudentYear("HS002", data.semester_1, semester_2, T, T, 0)
    result = compute_year_end(data, tt22())
    assert result.learning_1.level is T
    assert result.learning_2.level is None
    assert result.promotion.status is PromotionStatus.INCOMPLETE
    assert result.promotion.reasons == ("Toán: end-of-term assessment (ĐĐGck)",)


def test_student_year_refuses_mismatched_subjects() -> None:
    data = student("8.0", "8.0")
    with pytest.raises(ValueError, match="HS003: semesters must list the same subjects"):
        StudentYear("HS003", data.semester_1, data.semester_2[1:], T, T, 0)
