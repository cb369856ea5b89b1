import pytest
from records_rules_builders import SCORED, results, tt22

from content_service.records.rules import Level, assess_learning

T, K, D, C = Level.GOOD, Level.FAIR, Level.ACHIEVED, Level.NOT_ACHIEVED


@pytest.mark.parametrize(
    ("scores", "failed", "level"),
    [
        # Tốt: all >= 6.5 and at least 6 subjects >= 8.0
        (["8.0"] * 6 + ["6.5", "6.5"], 0, T),
        (["8.0"] * 5 + ["7.9", "6.5", "6.5"], 0, K),
        (["8.0"] * 7 + ["6.4"], 0, K),
        # Khá: all >= 5.0 and at least 6 subjects >= 6.5
        (["6.5"] * 6 + ["5.0", "5.0"], 0, K),
        (["6.5"] * 5 + ["6.4", "5.0", "5.0"], 0, D),
        # Đạt: at least 6 subjects >= 5.0, none below 3.5, at most 1 comment Chưa đạt
        (["5.0"] * 6 + ["3.5", "3.5"], 0, D),
        (["5.0"] * 6 + ["3.5", "3.5"], 1, D),
        (["5.0"] * 5 + ["4.9", "3.5", "3.5"], 0, C),
        (["5.0"] * 7 + ["3.4"], 0, C),
        (["9.0"] * 8, 2, C),
    ],
)
def test_level_boundaries(scores: list[str], failed: int, level: Level) -> None:
    result = assess_learning(results(scores, failed), tt22())
    assert result.level is level
    assert result.computed_level is level
    assert result.adjusted_for is None


@pytest.mark.parametrize(
    ("scores", "failed", "computed", "adjusted", "culprit"),
    [
        # Tốt but for one subject at 4.0: Đạt (2 below Tốt) -> Khá
        (["8.0"] * 7 + ["4.0"], 0, D, K, SCORED[7]),
        # Tốt but for one subject at 3.0: Chưa đạt (3 below) -> next level up, Đạt
        (["8.0"] * 6 + ["7.0", "3.0"], 0, C, D, SCORED[7]),
        # Khá but for one subject below 3.5: Chưa đạt -> Đạt
        (["6.5"] * 7 + ["3.0"], 0, C, D, SCORED[7]),
        # Tốt scores but one comment subject Chưa đạt: Đạt -> Khá
        (["9.0"] * 8, 1, D, K, "Giáo dục thể chất"),
    ],
)
def test_one_subject_adjustment_applies(
    scores: list[str], failed: int, computed: Level, adjusted: Level, culprit: str
) -> None:
    result = assess_learning(results(scores, failed), tt22())
    assert result.computed_level is computed
    assert result.level is adjusted
    assert result.adjusted_for is not None
    assert result.adjusted_for.startswith(culprit)


@pytest.mark.parametrize(
    ("scores", "failed", "level"),
    [
        # two subjects pull down from Tốt: no adjustment
        (["8.0"] * 6 + ["4.0", "4.0"], 0, D),
        # one low subject plus one failed comment subject
        (["8.0"] * 7 + ["4.0"], 1, D),
        # two failed comment subjects
        (["9.0"] * 8, 2, C),
        # only one level below Khá: not "2 or more levels"
        (["8.0"] * 5 + ["7.0", "7.0", "4.0"], 0, D),
        # without the 3.4 subject the rest reach neither Tốt nor Khá
        (["5.0"] * 7 + ["3.4"], 0, C),
    ],
)
def test_one_subject_adjustment_does_not_apply(
    scores: list[str], failed: int, level: Level
) -> None:
    result = assess_learning(results(scores, failed), tt22())
    assert result.level is level
    assert result.adjusted_for is None


def test_incomplete_subject_makes_level_incomplete() -> None:
    from content_service.records.rules import SubjectResult

    subjects = [*results(["8.0"] * 8), SubjectResult("Toán", False, None, None, ("Toán: x",))]
    result = assess_learning(subjects, tt22())
    assert result.level is None
    assert not result.complete
    assert result.missing == ("Toán: x",)
