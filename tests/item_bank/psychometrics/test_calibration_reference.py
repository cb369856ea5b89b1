"""Calibration against published R mirt / ltm estimates (see tests/reference/mirt_irt.py)."""

from __future__ import annotations

import numpy as np
import pytest
from irt_helpers import load_table

from item_bank.psychometrics import calibrate
from tests.reference import mirt_irt as ref


@pytest.fixture(scope="module")
def lsat7() -> tuple[np.ndarray, np.ndarray]:
    x, freq = load_table("lsat7_patterns.csv")
    assert freq is not None
    return x, freq


@pytest.fixture(scope="module")
def lsat6() -> tuple[np.ndarray, np.ndarray]:
    x, freq = load_table("lsat6_patterns.csv")
    assert freq is not None
    return x, freq


def test_lsat7_2pl_matches_mirt(lsat7: tuple[np.ndarray, np.ndarray]) -> None:
    result = calibrate(lsat7[0], "2pl", weights=lsat7[1])
    assert result.converged
    np.testing.assert_allclose(
        result.parameters.discrimination, ref.LSAT7_2PL_DISCRIMINATION, atol=ref.PARAMETER_TOL
    )
    np.testing.assert_allclose(
        result.parameters.intercept, ref.LSAT7_2PL_INTERCEPT, atol=ref.PARAMETER_TOL
    )
    assert result.loglik == pytest.approx(ref.LSAT7_2PL_LOGLIK, abs=ref.LOGLIK_TOL)
    assert result.n_persons == 1000
    assert result.n_parameters == 10
    assert result.aic == pytest.approx(-2 * result.loglik + 20)
    assert result.bic == pytest.approx(-2 * result.loglik + 10 * np.log(1000))


def test_frequency_weights_equal_expanded_patterns(lsat7: tuple[np.ndarray, np.ndarray]) -> None:
    x, freq = lsat7
    expanded = np.repeat(x, freq.astype(int), axis=0)
    weighted = calibrate(x, "2pl", weights=freq, standard_errors=False)
    plain = calibrate(expanded, "2pl", standard_errors=False)
    assert plain.n_persons == 1000
    np.testing.assert_allclose(
        plain.parameters.intercepts, weighted.parameters.intercepts, atol=1e-6
    )
    assert plain.loglik == pytest.approx(weighted.loglik, abs=1e-6)


def test_lsat7_standard_errors_are_consistent(lsat7: tuple[np.ndarray, np.ndarray]) -> None:
    result = calibrate(lsat7[0], "2pl", weights=lsat7[1])
    se = result.standard_errors
    assert se is not None
    assert result.covariance is not None
    # mirt (SE = TRUE, Oakes) reports slope SEs of 0.13-0.32 for these items
    assert np.all((se.discrimination > 0.1) & (se.discrimination < 0.4))
    assert np.all(np.linalg.eigvalsh(result.covariance) > 0)
    assert result.parameter_names[:2] == ("a[0]", "d[0,0]")
    np.testing.assert_allclose(np.sqrt(np.diag(result.covariance))[0], se.discrimination[0])


def test_lsat6_rasch_with_unit_variance_matches_ltm(lsat6: tuple[np.ndarray, np.ndarray]) -> None:
    result = calibrate(lsat6[0], "rasch", weights=lsat6[1], latent_sd=1.0)
    np.testing.assert_allclose(result.parameters.discrimination, 1.0)
    # ltm prints b with logit P = theta - b, so b = -d: easy items have negative b
    np.testing.assert_allclose(
        result.parameters.difficulty, ref.LSAT6_RASCH_DIFFICULTY, atol=ref.LOGLIK_TOL
    )
    assert result.loglik == pytest.approx(ref.LSAT6_RASCH_LOGLIK, abs=ref.LOGLIK_TOL)


def test_lsat6_common_slope_and_free_variance_rasch_agree(
    lsat6: tuple[np.ndarray, np.ndarray],
) -> None:
    one_pl = calibrate(lsat6[0], "1pl", weights=lsat6[1])
    rasch = calibrate(lsat6[0], "rasch", weights=lsat6[1])
    np.testing.assert_allclose(one_pl.parameters.discrimination, ref.LSAT6_1PL_SLOPE, atol=1e-3)
    assert one_pl.loglik == pytest.approx(ref.LSAT6_1PL_LOGLIK, abs=ref.LOGLIK_TOL)
    # a = 1 with SD sigma is the same model as slope sigma with SD 1 (mirt's Rasch)
    assert rasch.latent_sd == pytest.approx(ref.LSAT6_1PL_SLOPE, abs=2e-3)
    assert rasch.loglik == pytest.approx(ref.LSAT6_1PL_LOGLIK, abs=ref.LOGLIK_TOL)
    assert rasch.standard_errors is not None
    assert np.isfinite(rasch.standard_errors.latent_sd)


def test_lsat6_2pl_loglik_matches_ltm(lsat6: tuple[np.ndarray, np.ndarray]) -> None:
    result = calibrate(lsat6[0], "2pl", weights=lsat6[1])
    assert result.loglik == pytest.approx(ref.LSAT6_2PL_LOGLIK, abs=ref.LOGLIK_TOL)


def test_sat12_item32_difficulty_is_not_capped() -> None:
    x, _ = load_table("sat12_scored.csv")
    result = calibrate(x, "2pl", standard_errors=False)
    item = result.parameters.subset([31])
    assert item.discrimination[0] == pytest.approx(ref.SAT12_ITEM32_SLOPE, abs=0.01)
    assert item.difficulty[0] == pytest.approx(ref.SAT12_ITEM32_DIFFICULTY, rel=0.05)
    assert item.difficulty[0] > 6.0
