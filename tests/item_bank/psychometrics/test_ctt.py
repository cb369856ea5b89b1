"""Tests of classical item statistics (item_bank.psychometrics.ctt)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from item_bank.psychometrics.ctt import MISSING, ctt, score_choices

SAT12_KEY = [
    1,
    4,
    5,
    2,
    3,
    1,
    2,
    1,
    3,
    1,
    2,
    4,
    2,
    1,
    5,
    3,
    4,
    4,
    1,
    4,
    3,
    3,
    4,
    1,
    3,
    5,
    1,
    3,
    1,
    5,
    4,
    5,
]


def material(*parts: str) -> Path:
    return Path(__file__).resolve().parents[3] / ".." / "shared" / "test-material" / Path(*parts)


def read_csv(name: str) -> np.ndarray:
    with material("irt", name).open() as f:
        rows = list(csv.reader(f))
    return np.array(rows[1:], dtype=np.float64)


def expand_patterns(name: str) -> np.ndarray:
    table = read_csv(name)
    return np.repeat(table[:, :-1], table[:, -1].astype(int), axis=0)


HAND = np.array([[1, 1, 0], [1, 0, 0], [0, 1, 1], [1, 1, 1], [0, 0, 0]], dtype=float)


def test_hand_example_matches_textbook_formulas() -> None:
    result = ctt(HAND)
    total = HAND.sum(axis=1)
    assert result.facility == pytest.approx([0.6, 0.6, 0.4])
    for j in range(3):
        rest = total - HAND[:, j]
        assert result.item_total_correlation[j] == pytest.approx(
            np.corrcoef(HAND[:, j], total)[0, 1]
        )
        assert result.item_rest_correlation[j] == pytest.approx(np.corrcoef(HAND[:, j], rest)[0, 1])
    p = HAND.mean(axis=0)
    kr20 = 3 / 2 * (1 - np.sum(p * (1 - p)) / total.var())
    assert result.alpha == pytest.approx(kr20)
    assert result.kr20 == pytest.approx(kr20)
    assert result.sem == pytest.approx(total.std(ddof=1) * np.sqrt(1 - kr20))


def test_discriminative_efficiency_by_hand() -> None:
    # Item 2 is x=[0,0,1,1,0] with rest scores [2,1,1,2,0]: cov = 0.12; the sorted pairing
    # x=[0,0,0,1,1], rest=[0,1,1,2,2] gives cov_max = 0.32. Item 0 has cov 0.
    result = ctt(HAND)
    assert result.discriminative_efficiency[2] == pytest.approx(0.12 / 0.32)
    assert result.discriminative_efficiency[0] == pytest.approx(0.0)
    # Upper/lower 27 %: ceil(1.35) = 2 persons each; lowest totals are persons 4 and 1
    # (stable order), highest persons 2 and 3.
    assert result.discrimination_upper_lower[0] == pytest.approx(0.5 - 0.5)
    assert result.discrimination_upper_lower[2] == pytest.approx(1.0 - 0.0)


def test_alpha_if_deleted_equals_alpha_of_reduced_test() -> None:
    X = expand_patterns("lsat7_patterns.csv")
    full = ctt(X)
    for j in range(X.shape[1]):
        assert full.alpha_if_deleted[j] == pytest.approx(ctt(np.delete(X, j, axis=1)).alpha)
    assert 0.0 < full.alpha < 1.0
    assert full.effective_weight.sum() == pytest.approx(100.0)


def test_polytomous_scores_use_max_score_for_facility() -> None:
    X = read_csv("science_raw.csv") - 1  # categories 1-4 scored 0-3
    result = ctt(X, max_scores=[3, 3, 3, 3])
    assert result.facility == pytest.approx(X.mean(axis=0) / 3)
    assert result.kr20 is None
    cov = np.cov(X, rowvar=False)
    alpha = 4 / 3 * (1 - np.trace(cov) / cov.sum())
    assert result.alpha == pytest.approx(alpha)


def test_missing_zero_equals_scoring_nan_as_zero() -> None:
    X = HAND.copy()
    X[0, 1] = MISSING
    assert ctt(X, missing="zero").alpha == pytest.approx(ctt(np.nan_to_num(X)).alpha)


def test_missing_pairwise_uses_persons_who_saw_the_item() -> None:
    rng = np.random.default_rng(20240611)
    X = (rng.random((400, 6)) < 0.6).astype(float)
    X[rng.random(X.shape) < 0.2] = MISSING
    result = ctt(X)
    assert result.n_persons.tolist() == (~np.isnan(X)).sum(axis=0).tolist()
    assert result.facility == pytest.approx(np.nanmean(X, axis=0))
    assert np.all(np.isfinite(result.item_rest_correlation))
    assert np.isfinite(result.alpha)


def test_constant_item_gives_nan_correlation_not_a_warning() -> None:
    X = HAND.copy()
    X[:, 1] = 1.0
    result = ctt(X)
    assert np.isnan(result.item_total_correlation[1])
    assert np.isnan(result.discriminative_efficiency[1])
    assert result.facility[1] == 1.0


@pytest.mark.parametrize(
    "bad",
    [np.zeros(5), np.zeros((1, 4)), np.zeros((4, 1)), -np.ones((3, 3))],
)
def test_bad_input_raises_value_error(bad: np.ndarray) -> None:
    with pytest.raises(ValueError, match=r"responses|need|negative"):
        ctt(bad)


def test_choices_without_keys_is_rejected() -> None:
    with pytest.raises(ValueError, match="together"):
        ctt(HAND, choices=HAND)


def test_sat12_distractor_analysis() -> None:
    raw = read_csv("sat12_raw.csv")
    choices = np.where(raw == 8, np.nan, raw)  # 8 = omitted in the TESTFACT file
    scored = score_choices(choices, SAT12_KEY)
    result = ctt(None, keys=SAT12_KEY, choices=choices, n_groups=4)
    assert result.facility == pytest.approx(np.nanmean(scored, axis=0))
    assert len(result.distractors) == 32
    for table in result.distractors:
        col = choices[:, table.item]
        assert table.key == str(SAT12_KEY[table.item])
        assert table.proportion.sum() == pytest.approx(1.0)
        assert table.omitted == pytest.approx(np.isnan(col).mean())
        assert table.groups.shape == (4, len(table.options))
        key = table.options.index(table.key)
        assert table.proportion[key] == pytest.approx(result.facility[table.item])
    # A good item: the key attracts the top group and correlates positively with the rest
    # score, while every distractor correlates negatively.
    item2 = result.distractors[1]
    key = item2.options.index("4")
    assert item2.upper[key] > item2.lower[key]
    assert item2.rest_correlation[key] > 0
    others = [r for i, r in enumerate(item2.rest_correlation) if i != key]
    assert max(others) < 0
    # SAT12 item 32 is the known misfit (a ~ 0.13): its discrimination is near zero and a
    # distractor (option 3) correlates more with the rest score than the key does, the
    # classic sign of a doubtful key.
    item32 = result.distractors[31]
    assert abs(result.item_rest_correlation[31]) < 0.15
    assert item32.rest_correlation[item32.options.index("3")] > item32.rest_correlation[-1]


def test_score_choices_marks_blank_and_nan_missing() -> None:
    scored = score_choices([["A", None], ["B", "C"], ["", "C"]], ["A", "C"])
    assert np.isnan(scored[0, 1])
    assert np.isnan(scored[2, 0])
    assert scored[0, 0] == 1.0
    assert scored[1, 0] == 0.0


@given(
    arrays(
        np.float64,
        st.tuples(st.integers(3, 30), st.integers(2, 8)),
        elements=st.sampled_from([0.0, 1.0]),
    )
)
@settings(max_examples=60, deadline=None)
def test_statistics_stay_in_range_for_any_binary_matrix(X: np.ndarray) -> None:
    result = ctt(X)
    assert np.all((result.facility >= 0) & (result.facility <= 1))
    finite = result.item_total_correlation[np.isfinite(result.item_total_correlation)]
    assert np.all(np.abs(finite) <= 1 + 1e-12)
    assert np.isnan(result.alpha) or result.alpha <= 1 + 1e-12
    assert result.sem >= 0 or np.isnan(result.sem)


def test_constant_matrix_gives_nan_alpha_without_warning() -> None:
    result = ctt(np.ones((6, 4)))
    assert np.isnan(result.alpha)
    assert np.all(np.isnan(result.item_rest_correlation))
