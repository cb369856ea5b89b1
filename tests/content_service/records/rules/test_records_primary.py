from datetime import date

import pytest

from content_service.records.rules import (
    CompetencyRating,
    InvalidScoreError,
    PrimaryRuleSet,
    PrimaryStudentYear,
    PrimaryYearResult,
    SubjectRating,
    assess_primary_year,
    select_primary_rule_set,
)

HTT, HT, CHT = SubjectRating.EXCELLENT, SubjectRating.COMPLETED, SubjectRating.NOT_COMPLETED
TOT, DAT, CCG = CompetencyRating.GOOD, CompetencyRating.ACHIEVED, CompetencyRating.NEEDS_EFFORT
SUBJECTS = ("Tiếng Việt", "Toán", "Đạo đức", "Tự nhiên và Xã hội", "Giáo dục thể chất")
QUALITIES = ("Yêu nước", "Nhân ái", "Chăm chỉ", "Trung thực", "Trách nhiệm", "Tự chủ và tự học")


def tt27() -> PrimaryRuleSet:
    return select_primary_rule_set("HCM", date(2025, 5, 20), grade=2)


def pupil(
    subjects: SubjectRating = HTT,
    competency: CompetencyRating = TOT,
    scores: tuple[int, int] = (10, 10),
    weakest: tuple[SubjectRating, CompetencyRating] | None = None,
) -> PrimaryStudentYear:
    ratings = dict.fromkeys(SUBJECTS, subjects)
    qualities = dict.fromkeys(QUALITIES, competency)
    if weakest is not None:
        ratings["Đạo đức"], qualities["Nhân ái"] = weakest
    return PrimaryStudentYear(
        student_id="HS-1",
        grade=2,
        subject_ratings=ratings,
        competency_ratings=qualities,
        test_scores={"Tiếng Việt": scores[0], "Toán": scores[1]},
    )


@pytest.mark.parametrize(
    ("student", "expected"),
    [
        (pupil(scores=(9, 10)), PrimaryYearResult.OUTSTANDING),
        (pupil(scores=(8, 10)), PrimaryYearResult.EXCELLENT),
        (pupil(scores=(7, 7)), PrimaryYearResult.EXCELLENT),
        (pupil(scores=(6, 10)), PrimaryYearResult.COMPLETED),
        (pupil(scores=(10, 10), weakest=(HT, TOT)), PrimaryYearResult.COMPLETED),
        (pupil(scores=(10, 10), weakest=(HTT, DAT)), PrimaryYearResult.COMPLETED),
        (pupil(subjects=HT, competency=DAT, scores=(5, 5)), PrimaryYearResult.COMPLETED),
        (pupil(scores=(4, 10)), PrimaryYearResult.NOT_COMPLETED),
        (pupil(weakest=(CHT, TOT)), PrimaryYearResult.NOT_COMPLETED),
        (pupil(weakest=(HTT, CCG)), PrimaryYearResult.NOT_COMPLETED),
    ],
)
def test_primary_year_end(student: PrimaryStudentYear, expected: PrimaryYearResult) -> None:
    outcome = assess_primary_year(student, tt27())
    assert outcome.result is expected
    assert outcome.completed_grade is (expected is not PrimaryYearResult.NOT_COMPLETED)


def test_missing_test_score_is_incomplete() -> None:
    student = PrimaryStudentYear("HS-2", 2, {"Toán": HTT}, {"Chăm chỉ": TOT}, {"Toán": 9})
    outcome = assess_primary_year(student, tt27())
    assert outcome.result is None
    assert outcome.missing == ("HS-2: end-of-year test of Tiếng Việt",)


@pytest.mark.parametrize(
    ("score", "message"),
    [
        ("8.5", r"HS-3.test\[Toán\]: test score 8.5 must be a whole number"),
        (11, r"HS-3.test\[Toán\]: test score 11 is outside 0-10"),
        (-1, r"HS-3.test\[Toán\]: test score -1 is outside 0-10"),
    ],
)
def test_primary_scores_are_whole_numbers(score: object, message: str) -> None:
    with pytest.raises(InvalidScoreError, match=message):
        PrimaryStudentYear("HS-3", 2, {"Toán": HTT}, {"Chăm chỉ": TOT}, {"Toán": score})  # type: ignore[dict-item]


def test_ratings_parse_from_labels() -> None:
    student = PrimaryStudentYear(
        "HS-4", 2, {"Toán": "Hoàn thành tốt"}, {"Chăm chỉ": "Tốt"}, {"Toán": 9, "Tiếng Việt": 9}
    )  # type: ignore[dict-item]
    assert assess_primary_year(student, tt27()).result is PrimaryYearResult.OUTSTANDING
    with pytest.raises(InvalidScoreError, match=r"HS-5.Toán: 'Giỏi' is not one of"):
        PrimaryStudentYear("HS-5", 2, {"Toán": "Giỏi"}, {"Chăm chỉ": "Tốt"}, {})  # type: ignore[dict-item]


def test_grade_outside_rule_set_is_refused() -> None:
    student = PrimaryStudentYear("HS-6", 6, {"Toán": HTT}, {"Chăm chỉ": TOT}, {})
    with pytest.raises(ValueError, match="grade: 6 is not a primary grade of VN-TT27-2020"):
        assess_primary_year(student, tt27())


def test_grade_five_tests_more_subjects() -> None:
    assert "Khoa học" in tt27().tested_subjects_for(5)


def test_unverified_thresholds_are_marked_in_notes() -> None:
    assert any(note.startswith("NOT VERIFIED: the Hoàn thành") for note in tt27().meta.notes)


@pytest.mark.parametrize(
    ("grade", "final", "midterm"),
    [
        # Quy định kèm TT27, Điều 7 khoản 1 điểm b: end-of-HK1 and end-of-year tests in the
        # compulsory subjects a grade has; grades 4-5 add mid-semester tests in TV and Toán.
        (1, ("Tiếng Việt", "Toán"), ()),
        (2, ("Tiếng Việt", "Toán"), ()),
        (3, ("Tiếng Việt", "Toán", "Ngoại ngữ 1", "Tin học và Công nghệ"), ()),
        (
            4,
            (
                "Tiếng Việt",
                "Toán",
                "Ngoại ngữ 1",
                "Lịch sử và Địa lí",
                "Khoa học",
                "Tin học và Công nghệ",
            ),
            ("Tiếng Việt", "Toán"),
        ),
        (
            5,
            (
                "Tiếng Việt",
                "Toán",
                "Ngoại ngữ 1",
                "Lịch sử và Địa lí",
                "Khoa học",
                "Tin học và Công nghệ",
            ),
            ("Tiếng Việt", "Toán"),
        ),
    ],
)
def test_periodic_tests_per_grade(
    grade: int, final: tuple[str, ...], midterm: tuple[str, ...]
) -> None:
    rules = tt27()
    candidates = (*final, "Đạo đức", "Tự nhiên và Xã hội", "Âm nhạc", "Hoạt động trải nghiệm")
    assert tuple(s for s in candidates if rules.has_final_test(s, grade)) == final
    assert tuple(s for s in candidates if rules.has_midterm_test(s, grade)) == midterm
    assert rules.has_midterm_test("toán", grade) is bool(midterm)  # names compare case-folded


def test_traits_are_the_five_qualities_and_ten_competencies() -> None:
    traits = tt27().traits
    groups = [t.group.value for t in traits]
    assert (groups.count("quality"), groups.count("general"), groups.count("specific")) == (5, 3, 7)
    assert [t.name for t in traits[:5]] == [
        "Yêu nước",
        "Nhân ái",
        "Chăm chỉ",
        "Trung thực",
        "Trách nhiệm",
    ]
    assert len({t.code for t in traits}) == 15


def test_grade_four_year_end_needs_every_tested_subject() -> None:
    tested = tt27().tested_subjects_for(4)
    ratings = dict.fromkeys((*tested, "Đạo đức"), HTT)
    qualities = dict.fromkeys(QUALITIES, TOT)
    nines = dict.fromkeys(tested, 9)
    outcome = assess_primary_year(PrimaryStudentYear("HS-7", 4, ratings, qualities, nines), tt27())
    assert outcome.result is PrimaryYearResult.OUTSTANDING
    without_science = {k: v for k, v in nines.items() if k != "Khoa học"}
    partial = PrimaryStudentYear("HS-8", 4, ratings, qualities, without_science)
    assert assess_primary_year(partial, tt27()).missing == ("HS-8: end-of-year test of Khoa học",)
