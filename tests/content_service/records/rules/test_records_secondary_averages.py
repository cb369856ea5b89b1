from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from records_rules_builders import tt22

from content_service.records.rules import (
    CommentRating,
    CommentSemester,
    InvalidScoreError,
    ScoredSemester,
    SubjectResult,
    assess_semester,
    assess_year,
    parse_integer_score,
    parse_score,
    round_half_up,
)

A = CommentRating.ACHIEVED
N = CommentRating.NOT_ACHIEVED


@pytest.mark.parametrize(
    ("periods", "expected"),
    [(1, 2), (35, 2), (36, 3), (70, 3), (71, 4), (140, 4)],
)
def test_regular_assessment_count_follows_periods_per_year(periods: int, expected: int) -> None:
    assert tt22().regular_count(periods) == expected


@pytest.mark.parametrize(
    ("regular", "midterm", "final", "expected"),
    [
        # DOMAIN.md worked example: (24 + 13 + 24) / 8 = 7.625 -> 7.6
        (("8", "9", "7"), "6.5", "8", "7.6"),
        # Half-up trap: 50 / 8 = 6.25 -> 6.3 (round(6.25, 1) gives 6.2)
        (("5", "5", "5"), "5.5", "8", "6.3"),
        # 66 / 8 = 8.25 -> 8.3
        (("8", "8", "8"), "9", "8", "8.3"),
        (("10", "10", "10"), "10", "10", "10.0"),
        (("0", "0", "0"), "0", "0", "0.0"),
    ],
)
def test_semester_average(
    regular: tuple[str, ...], midterm: str, final: str, expected: str
) -> None:
    result = assess_semester(ScoredSemester("Toán", 70, regular, midterm, final), tt22())
    assert result.average == Decimal(expected)
    assert result.complete


def test_more_regular_scores_than_required_all_count() -> None:
    result = assess_semester(ScoredSemester("Tin học", 35, ("6", "7", "8"), "7", "7"), tt22())
    assert result.average == Decimal("7.0")  # (21 + 14 + 21) / 8


def test_python_round_would_get_the_trap_wrong() -> None:
    assert round(6.25, 1) == 6.2
    assert round_half_up(Decimal("6.25")) == Decimal("6.3")
    assert round_half_up(Decimal("8.25")) == Decimal("8.3")


@pytest.mark.parametrize(
    ("hk1", "hk2", "expected"),
    [("7.6", "8.3", "8.1"), ("6.0", "6.5", "6.3"), ("5.0", "5.0", "5.0"), ("9.9", "10.0", "10.0")],
)
def test_year_average(hk1: str, hk2: str, expected: str) -> None:
    first = SubjectResult("Toán", False, Decimal(hk1), None)
    second = SubjectResult("Toán", False, Decimal(hk2), None)
    assert assess_year(first, second, tt22()).average == Decimal(expected)


def test_missing_assessments_give_incomplete_result_listing_them() -> None:
    result = assess_semester(ScoredSemester("Toán", 140, ("8", "9"), None, "7"), tt22())
    assert result.average is None
    assert not result.complete
    assert result.missing == (
        "Toán: regular assessment (ĐĐGtx) 3 of 4",
        "Toán: regular assessment (ĐĐGtx) 4 of 4",
        "Toán: mid-term assessment (ĐĐGgk)",
    )
    year = assess_year(result, SubjectResult("Toán", False, Decimal("8.0"), None), tt22())
    assert year.average is None
    assert year.missing == result.missing


@pytest.mark.parametrize(
    ("regular", "midterm", "final", "expected"),
    [((A, A), A, A, A), ((A, N), A, A, N), ((A, A), A, N, N)],
)
def test_comment_subject_semester(
    regular: tuple[CommentRating, ...],
    midterm: CommentRating,
    final: CommentRating,
    expected: CommentRating,
) -> None:
    subject = CommentSemester("Giáo dục thể chất", 35, regular, midterm, final)
    result = assess_semester(subject, tt22())
    assert result.rating is expected
    assert result.average is None


def test_comment_subject_missing_rating_is_incomplete() -> None:
    subject = CommentSemester("Nghệ thuật", 70, (A,), A, A)
    assert assess_semester(subject, tt22()).missing == (
        "Nghệ thuật: regular assessment (ĐĐGtx) 2 of 3",
        "Nghệ thuật: regular assessment (ĐĐGtx) 3 of 3",
    )


@pytest.mark.parametrize(("hk1", "hk2"), [(A, N), (N, A), (A, A)])
def test_comment_subject_year_is_semester_two(hk1: CommentRating, hk2: CommentRating) -> None:
    first = SubjectResult("Nghệ thuật", True, None, hk1)
    second = SubjectResult("Nghệ thuật", True, None, hk2)
    assert assess_year(first, second, tt22()).rating is hk2


def test_comment_ratings_accept_labels_and_nfd_text() -> None:
    nfd = "Chu\u031ba đa\u0323t"
    subject = CommentSemester("Giáo dục thể chất", 70, ("Đạt", "đạt", "Đạt"), "Đạt", nfd)
    assert assess_semester(subject, tt22()).rating is N


def test_subject_names_are_nfc() -> None:
    nfd_name = "To\u0061\u0301n"
    subject = ScoredSemester(nfd_name, 140, ("8", "8", "8", "8"), "8", "8")
    assert subject.subject == "Toán"


def test_scores_on_comment_only_subject_are_refused() -> None:
    with pytest.raises(ValueError, match="Âm nhạc: is a comment-only subject"):
        assess_semester(ScoredSemester("Âm nhạc", 35, ("8", "8"), "8", "8"), tt22())
    with pytest.raises(ValueError, match="Toán: is a scored subject"):
        assess_semester(CommentSemester("Toán", 35, (A, A), A, A), tt22())


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("10.5", r"Toán.final: score 10.5 is outside 0-10"),
        ("-1", r"Toán.final: score -1 is outside 0-10"),
        ("7.25", r"Toán.final: score 7.25 has more than one decimal place"),
        ("abc", r"Toán.final: 'abc' is not a number"),
        ("NaN", r"Toán.final: 'NaN' is not a finite number"),
        (7.5, r"Toán.final: expected Decimal, int or str, got float 7.5"),
    ],
)
def test_bad_scores_are_refused_naming_field_and_value(value: object, message: str) -> None:
    with pytest.raises(InvalidScoreError, match=message):
        ScoredSemester("Toán", 140, ("8", "8", "8", "8"), "8", value)  # type: ignore[arg-type]


def test_bad_regular_score_names_its_position() -> None:
    with pytest.raises(InvalidScoreError, match=r"Toán.regular\[1\]: score 11"):
        ScoredSemester("Toán", 140, ("8", "11"), "8", "8")


def test_bad_rating_is_refused() -> None:
    with pytest.raises(InvalidScoreError, match=r"Nghệ thuật.midterm: 'Tốt' is not one of Đạt"):
        CommentSemester("Nghệ thuật", 70, (A, A, A), "Tốt", A)  # type: ignore[arg-type]


@pytest.mark.parametrize("periods", [0, -3, True])
def test_bad_periods_are_refused(periods: int) -> None:
    with pytest.raises(ValueError, match=r"Toán.periods_per_year"):
        ScoredSemester("Toán", periods, (), None, None)


def test_score_parsers() -> None:
    assert parse_score(8, field="x") == Decimal("8.0")
    assert parse_score(Decimal("7.50"), field="x") == Decimal("7.5")
    assert parse_integer_score("9", field="x") == 9
    with pytest.raises(InvalidScoreError, match=r"x: test score 8.5 must be a whole number"):
        parse_integer_score("8.5", field="x")
    with pytest.raises(InvalidScoreError, match="x: test score 11 is outside 0-10"):
        parse_integer_score(11, field="x")


def half_up_tenths(value: Fraction) -> Decimal:
    """Independent reference: exact rational arithmetic, halves rounded up (scores are >= 0)."""
    tenths = value * 10
    whole = tenths.numerator // tenths.denominator
    if tenths - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(whole) / 10


tenth_scores = st.integers(0, 100).map(lambda n: Decimal(n) / 10)


@settings(max_examples=200, deadline=None)
@given(
    regular=st.lists(tenth_scores, min_size=4, max_size=6),
    midterm=tenth_scores,
    final=tenth_scores,
    other_semester=tenth_scores,
)
def test_averages_match_exact_reference_and_stay_in_range(
    regular: list[Decimal], midterm: Decimal, final: Decimal, other_semester: Decimal
) -> None:
    rules = tt22()
    result = assess_semester(ScoredSemester("Toán", 140, tuple(regular), midterm, final), rules)
    exact = (sum(map(Fraction, regular)) + 2 * Fraction(midterm) + 3 * Fraction(final)) / (
        len(regular) + 5
    )
    assert result.average == half_up_tenths(exact)
    scores = [*regular, midterm, final]
    assert result.average is not None
    assert min(scores) <= result.average <= max(scores)
    first = SubjectResult("Toán", False, other_semester, None)
    year = assess_year(first, result, rules).average
    assert year == half_up_tenths((Fraction(other_semester) + 2 * Fraction(result.average)) / 3)
