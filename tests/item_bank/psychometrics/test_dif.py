"""Tests of DIF detection (item_bank.psychometrics.dif)."""

from __future__ import annotations

import numpy as np
import pytest

from item_bank.psychometrics.dif import dif
from item_bank.psychometrics.errors import ResponseDataError

# (stratum, group, correct, count): a 2x2x2 table worked by hand below.
TABLE = [
    (0, "R", 1, 20), (0, "R", 0, 10), (0, "F", 1, 15), (0, "F", 0, 15),
    (1, "R", 1, 30), (1, "R", 0, 5), (1, "F", 1, 25), (1, "F", 0, 10),
]  # fmt: skip


def table_data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows = [(s, g, c) for s, g, c, n in TABLE for _ in range(n)]
    stratum = np.array([r[0] for r in rows], dtype=float)
    group = np.array([r[1] for r in rows])
    correct = np.array([r[2] for r in rows], dtype=float)
    other = np.zeros_like(correct)
    return np.column_stack([correct, other]), group, stratum


def test_mantel_haenszel_matches_hand_computation() -> None:
    # Stratum 1: A=20 B=10 C=15 D=15 T=60; stratum 2: A=30 B=5 C=25 D=10 T=70.
    # alpha_MH = (20*15/60 + 30*10/70) / (10*15/60 + 5*25/70) = 9.285714 / 4.285714 = 2.166667
    # E(A) = 30*35/60 + 35*55/70 = 17.5 + 27.5 = 45; sum A = 50
    # Var(A) = 30*30*35*25/(60^2*59) + 35*35*55*15/(70^2*69) = 3.707627 + 2.989130
    # chi2 = (|50 - 45| - 0.5)^2 / 6.696757 = 3.023851
    responses, group, stratum = table_data()
    result = dif(responses, group, focal="F", matching=stratum)
    assert result.odds_ratio[0] == pytest.approx(65 / 30, rel=1e-6)
    assert result.statistic[0] == pytest.approx(20.25 / (787500 / 212400 + 1010625 / 338100))
    assert result.p_value[0] == pytest.approx(0.0820, abs=1e-3)  # chi2(1) sf of 3.0239
    assert result.delta[0] == pytest.approx(-2.35 * np.log(65 / 30))
    # Not significant at 5 %, so category A although |delta| = 1.82.
    assert result.classification[0] == "A"
    assert result.delta_se[0] > 0


def test_rbg_standard_error_by_hand() -> None:
    responses, group, stratum = table_data()
    result = dif(responses, group, focal="F", matching=stratum)
    A, B, C, D = (np.array(v, float) for v in ([20, 30], [10, 5], [15, 25], [15, 10]))
    T = A + B + C + D
    R, S, P, Q = A * D / T, B * C / T, (A + D) / T, (B + C) / T
    var = (
        (P * R).sum() / (2 * R.sum() ** 2)
        + (P * S + Q * R).sum() / (2 * R.sum() * S.sum())
        + (Q * S).sum() / (2 * S.sum() ** 2)
    )
    assert result.delta_se[0] == pytest.approx(2.35 * np.sqrt(var))


def simulate(
    rng: np.random.Generator,
    *,
    n: int = 1500,
    n_items: int = 20,
    shift: dict[int, float] | None = None,
    focal_mean: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    a = rng.uniform(0.8, 2.0, n_items)
    d = rng.normal(0.0, 1.0, n_items)
    theta = np.concatenate([rng.normal(0, 1, n), rng.normal(focal_mean, 1, n)])
    group = np.array(["ref"] * n + ["focal"] * n)
    logits = theta[:, None] * a + d
    for item, delta_d in (shift or {}).items():
        logits[n:, item] += delta_d  # intercept shift in the focal group: uniform DIF
    responses = (rng.random(logits.shape) < 1 / (1 + np.exp(-logits))).astype(float)
    return responses, group


def test_no_dif_under_impact_gives_category_a() -> None:
    # A focal group of lower ability is not DIF: matching on the total absorbs it.
    rng = np.random.default_rng(20240611)
    responses, group = simulate(rng, focal_mean=-0.6)
    result = dif(responses, group, focal="focal")
    assert set(result.classification) == {"A"}
    assert np.mean(result.p_value < 0.05) <= 0.15


def test_planted_dif_is_classified_c_with_correct_sign() -> None:
    rng = np.random.default_rng(7)
    responses, group = simulate(rng, shift={3: -1.2, 11: 1.2})
    result = dif(responses, group, focal="focal")
    assert result.classification[3] == "C"
    assert result.classification[11] == "C"
    assert result.delta[3] < -1.5  # harder for the focal group: favours the reference
    assert result.delta[11] > 1.5
    others = [c for j, c in enumerate(result.classification) if j not in (3, 11)]
    assert others.count("C") == 0


def test_purification_removes_dif_items_from_the_anchor() -> None:
    rng = np.random.default_rng(11)
    shift = {0: -1.0, 1: -1.0, 2: -1.0, 3: -1.0}
    responses, group = simulate(rng, n_items=16, shift=shift)
    plain = dif(responses, group, focal="focal")
    pure = dif(responses, group, focal="focal", purify=True)
    assert pure.n_iterations >= 2
    assert not pure.anchor[:4].any()
    assert pure.flagged[:4].all()
    # Contamination biases the clean items' statistics towards the focal group; purifying
    # the anchor pulls their deltas back towards zero.
    assert np.mean(np.abs(pure.delta[4:])) < np.mean(np.abs(plain.delta[4:]))


def test_missing_response_to_studied_item_drops_the_person() -> None:
    responses, group, stratum = table_data()
    with_missing = np.vstack([responses, [[np.nan, 0.0]]])
    result = dif(with_missing, np.append(group, "F"), focal="F", matching=np.append(stratum, 0))
    assert result.odds_ratio[0] == pytest.approx(65 / 30, rel=1e-6)


def test_reference_label_restricts_the_comparison() -> None:
    responses, group, stratum = table_data()
    extra = np.vstack([responses, np.ones((5, 2))])
    labels = np.append(group, ["other"] * 5)
    result = dif(extra, labels, focal="F", reference="R", matching=np.append(stratum, [1] * 5))
    assert result.odds_ratio[0] == pytest.approx(65 / 30, rel=1e-6)


def test_polytomous_scores_are_rejected() -> None:
    with pytest.raises(ResponseDataError, match="0/1"):
        dif(np.array([[0, 2], [1, 1]], float), ["a", "b"], focal="a")


def test_empty_focal_group_is_rejected() -> None:
    responses, group, _ = table_data()
    with pytest.raises(ValueError, match="focal"):
        dif(responses, group, focal="nobody")


def test_purify_with_external_matching_is_rejected() -> None:
    responses, group, stratum = table_data()
    with pytest.raises(ValueError, match="purification"):
        dif(responses, group, focal="F", matching=stratum, purify=True)


def test_likelihood_ratio_flags_planted_dif_despite_impact() -> None:
    rng = np.random.default_rng(21)
    responses, group = simulate(rng, n_items=12, shift={2: -1.0, 8: 1.0}, focal_mean=-0.5)
    result = dif(responses, group, focal="focal", method="lr", purify=True)
    assert result.method == "lr"
    assert result.p_value[2] < 1e-6
    assert result.p_value[8] < 1e-6
    assert result.df.tolist() == [2.0] * 12
    # delta = -2.35 (d_ref - d_focal); the planted shifts are -1 and +1 in the focal group.
    assert result.delta[2] == pytest.approx(-2.35, abs=0.6)
    assert result.delta[8] == pytest.approx(2.35, abs=0.6)
    clean = [j for j in range(12) if j not in (2, 8)]
    assert result.flagged[clean].sum() <= 2
    assert not result.anchor[[2, 8]].any()


def test_likelihood_ratio_and_mantel_haenszel_agree_on_clean_data() -> None:
    rng = np.random.default_rng(22)
    responses, group = simulate(rng, n=1000, n_items=10)
    lr = dif(responses, group, focal="focal", method="lr")
    mh = dif(responses, group, focal="focal")
    assert lr.flagged.sum() <= 2
    assert set(mh.classification) == {"A"}
    assert np.all(lr.statistic >= 0)


def test_swapping_the_groups_flips_the_sign_of_delta() -> None:
    rng = np.random.default_rng(23)
    responses, group = simulate(rng, n=800, n_items=10, shift={4: -0.8})
    forward = dif(responses, group, focal="focal")
    backward = dif(responses, group, focal="ref")
    assert backward.delta == pytest.approx(-forward.delta)
    assert backward.statistic == pytest.approx(forward.statistic)
    assert backward.classification == forward.classification


def test_constant_item_is_category_a_without_warnings() -> None:
    rng = np.random.default_rng(24)
    responses, group = simulate(rng, n=300, n_items=6)
    responses[:, 2] = 1.0
    result = dif(responses, group, focal="focal")
    assert result.classification[2] == "A"
    assert result.statistic[2] == 0.0
    assert np.isnan(result.odds_ratio[2])
