"""Tests of computerised adaptive testing (item_bank.psychometrics.cat)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats

from item_bank.psychometrics.cat import (
    Blueprint,
    CATBank,
    CATRules,
    CATSession,
    simulate_cat,
    sympson_hetter_parameters,
)
from item_bank.psychometrics.parameters import ItemParameters
from item_bank.psychometrics.response_functions import item_information


def make_bank(rng: np.random.Generator, n: int = 200, **kwargs: object) -> CATBank:
    params = ItemParameters.from_difficulty(
        rng.normal(0, 1.2, n), rng.uniform(0.7, 2.0, n), item_ids=[f"q{j}" for j in range(n)]
    )
    return CATBank(params, **kwargs)  # type: ignore[arg-type]


SMALL_BANK = make_bank(np.random.default_rng(0), 40)


def test_cat_beats_a_random_test_of_the_same_length() -> None:
    rng = np.random.default_rng(20240611)
    bank = make_bank(rng)
    theta = rng.normal(0, 1, 300)
    adaptive = simulate_cat(bank, CATRules(max_length=15, se_target=None), theta, rng=rng)
    random = simulate_cat(
        bank, CATRules(max_length=15, se_target=None, selection="random"), theta, rng=rng
    )
    assert np.all(adaptive.length == 15)
    assert adaptive.se.mean() < 0.85 * random.se.mean()
    assert adaptive.rmse < random.rmse
    assert np.corrcoef(adaptive.estimate, theta)[0, 1] > 0.9
    # The posterior SD is an honest error estimate: it matches the actual RMSE.
    assert adaptive.rmse == pytest.approx(np.sqrt(np.mean(adaptive.se**2)), rel=0.2)


def test_se_target_stops_early_but_not_before_min_length() -> None:
    rng = np.random.default_rng(2)
    bank = make_bank(rng)
    rules = CATRules(max_length=40, min_length=6, se_target=0.4)
    result = simulate_cat(bank, rules, rng.normal(0, 1, 100), rng=rng)
    assert np.all(result.length >= 6)
    assert np.all((result.se <= 0.4) | (result.length == 40))
    assert result.length.mean() < 20


def test_selected_item_is_the_most_informative_available_one() -> None:
    rng = np.random.default_rng(3)
    bank = make_bank(rng)
    session = CATSession(bank, CATRules(), excluded=["q5", 7])
    for _ in range(5):
        item = session.next_item(rng)
        assert item is not None
        info = item_information([bank.grid[bank.nearest_node(session.theta)]], bank.parameters)[0]
        info[session.items + session.excluded] = -np.inf
        assert item == int(np.argmax(info))
        session.record(item, 1)


def test_excluded_items_are_never_given() -> None:
    rng = np.random.default_rng(4)
    bank = make_bank(rng, 40)
    excluded = list(range(0, 40, 2))
    session = CATSession(bank, CATRules(max_length=40, se_target=None), excluded=excluded)
    while (item := session.next_item(rng)) is not None:
        session.record(item, int(rng.random() < 0.5))
    assert sorted(session.items) == list(range(1, 40, 2))
    assert session.stop_reason == "pool_exhausted"


def test_state_round_trips_through_json_and_resumes_identically() -> None:
    rng = np.random.default_rng(5)
    areas = ["algebra", "geometry", "statistics"] * 40
    bank = make_bank(rng, 120, content_areas=areas, exposure_parameters=np.full(120, 0.6))
    rules = CATRules(max_length=12, se_target=None, randomesque=3, sympson_hetter=True)
    blueprint = Blueprint({"algebra": 2, "geometry": 1, "statistics": 1})
    session = CATSession(bank, rules, blueprint=blueprint, excluded=["q0"])
    for _ in range(5):
        item = session.next_item(rng)
        assert item is not None
        session.record(item, int(rng.random() < 0.6))
    state = json.loads(json.dumps(session.to_dict()))
    resumed = CATSession.from_dict(bank, state)
    assert resumed.to_dict() == session.to_dict()
    a, b = np.random.default_rng(99), np.random.default_rng(99)
    assert resumed.next_item(a) == session.next_item(b)
    assert resumed.theta == session.theta


def test_resume_rejects_a_reordered_bank() -> None:
    rng = np.random.default_rng(6)
    bank = make_bank(rng, 30)
    session = CATSession(bank)
    item = session.next_item(rng)
    assert item is not None
    session.record(item, 1)
    state = session.to_dict()
    state["items"] = [(item + 1) % 30]
    with pytest.raises(ValueError, match="order"):
        CATSession.from_dict(bank, state)
    other = make_bank(np.random.default_rng(6), 31)
    with pytest.raises(ValueError, match="checksum"):
        CATSession.from_dict(other, session.to_dict())
    with pytest.raises(ValueError, match="version"):
        CATSession.from_dict(bank, {**state, "version": 99})


def test_content_balancing_meets_the_blueprint() -> None:
    rng = np.random.default_rng(7)
    areas = np.array(["A", "B", "C"])[rng.integers(0, 3, 240)].tolist()
    bank = make_bank(rng, 240, content_areas=areas)
    blueprint = Blueprint({"A": 0.5, "B": 0.3, "C": 0.2})
    rules = CATRules(max_length=20, se_target=None)
    result = simulate_cat(bank, rules, rng.normal(0, 1, 60), rng=rng, blueprint=blueprint)
    assert result.area_share == pytest.approx([0.5, 0.3, 0.2], abs=0.01)


def test_polytomous_bank_recovers_ability() -> None:
    rng = np.random.default_rng(8)
    grm = ItemParameters.from_thresholds(
        "grm", rng.uniform(0.8, 2.0, 40), np.sort(rng.normal(0, 1.2, (40, 3)), axis=1)
    )
    gpcm = ItemParameters.from_thresholds(
        "gpcm", rng.uniform(0.8, 2.0, 40), rng.normal(0, 1, (40, 4))
    )
    bank = CATBank(ItemParameters.concatenate([grm, gpcm]))
    theta = rng.normal(0, 1, 120)
    result = simulate_cat(bank, CATRules(max_length=10, se_target=None), theta, rng=rng)
    assert np.corrcoef(result.estimate, theta)[0, 1] > 0.9
    assert result.se.mean() < 0.4


def test_map_estimate_is_the_posterior_mode() -> None:
    rng = np.random.default_rng(9)
    bank = make_bank(rng, 50)
    session = CATSession(bank, CATRules(estimator="map", se_target=None, max_length=50))
    for item, response in [(3, 1), (10, 0), (20, 1), (31, 1)]:
        session.record(item, response)
    a, d = bank.parameters.discrimination, bank.parameters.intercept
    items, x = np.array([3, 10, 20, 31]), np.array([1, 0, 1, 1])

    def negative_log_posterior(t: float) -> float:
        p = 1 / (1 + np.exp(-(a[items] * t + d[items])))
        return -float(np.sum(x * np.log(p) + (1 - x) * np.log1p(-p)) + stats.norm.logpdf(t))

    mode = optimize.minimize_scalar(negative_log_posterior, bounds=(-4, 4), method="bounded").x
    assert session.theta == pytest.approx(mode, abs=0.01)
    curvature = (
        negative_log_posterior(mode + 1e-3)
        - 2 * negative_log_posterior(mode)
        + negative_log_posterior(mode - 1e-3)
    ) / 1e-6
    assert session.se == pytest.approx(1 / np.sqrt(curvature), rel=0.05)


def test_randomesque_spreads_the_first_item_over_the_top_k() -> None:
    rng = np.random.default_rng(10)
    bank = make_bank(rng)
    top5 = set(bank.order[bank.nearest_node(0.0)][:5].tolist())
    firsts = {CATSession(bank, CATRules(randomesque=5)).next_item(rng) for _ in range(200)}
    assert firsts == top5


def test_sympson_hetter_keeps_exposure_under_target() -> None:
    rng = np.random.default_rng(11)
    bank = make_bank(rng, 100)
    rules = CATRules(max_length=8, se_target=None)
    free = simulate_cat(bank, rules, rng.normal(0, 1, 200), rng=rng)
    found = sympson_hetter_parameters(
        bank, rules, target=0.3, theta=rng.normal(0, 1, 300), rng=rng, tolerance=0.04
    )
    assert found.converged
    controlled = simulate_cat(
        bank.with_exposure_parameters(found.exposure_parameters),
        CATRules(max_length=8, se_target=None, sympson_hetter=True),
        rng.normal(0, 1, 300),
        rng=rng,
    )
    assert free.exposure_rate.max() == 1.0  # everyone starts with the same item
    assert controlled.exposure_rate.max() <= 0.3 + 0.07  # target plus simulation noise
    assert np.all(controlled.selection_rate >= controlled.exposure_rate)


def test_sympson_hetter_rejects_a_pool_too_small_for_the_target() -> None:
    rng = np.random.default_rng(12)
    bank = make_bank(rng, 20)
    with pytest.raises(ValueError, match="too small"):
        sympson_hetter_parameters(
            bank, CATRules(max_length=10), target=0.2, theta=np.zeros(5), rng=rng
        )


def test_record_validates_item_and_response() -> None:
    rng = np.random.default_rng(13)
    bank = make_bank(rng, 10)
    session = CATSession(bank, CATRules(max_length=2, se_target=None), excluded=[4])
    with pytest.raises(ValueError, match="category"):
        session.record(0, 2)
    with pytest.raises(ValueError, match="excluded"):
        session.record(4, 1)
    with pytest.raises(KeyError):
        session.record("nope", 1)
    session.record(0, 1)
    with pytest.raises(ValueError, match="already"):
        session.record("q0", 0)
    session.record(1, 0)
    assert session.finished
    assert session.stop_reason == "max_length"
    assert session.next_item(rng) is None
    with pytest.raises(ValueError, match="finished"):
        session.record(2, 1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_length": 5, "max_length": 3}, "min_length"),
        ({"se_target": 0.0}, "se_target"),
        ({"estimator": "mle"}, "estimator"),
        ({"selection": "best"}, "selection"),
        ({"randomesque": 0}, "randomesque"),
    ],
)
def test_invalid_rules_are_rejected(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CATRules(**kwargs)  # type: ignore[arg-type]


def test_blueprint_needs_content_areas_and_positive_targets() -> None:
    rng = np.random.default_rng(14)
    with pytest.raises(ValueError, match="content areas"):
        CATSession(make_bank(rng, 10), blueprint=Blueprint({"A": 1}))
    with pytest.raises(ValueError, match="targets"):
        Blueprint({"A": 0})


@given(answers=st.lists(st.integers(0, 1), min_size=0, max_size=12), seed=st.integers(0, 10**6))
@settings(max_examples=40, deadline=None)
def test_any_session_round_trips_through_its_state(answers: list[int], seed: int) -> None:
    rng = np.random.default_rng(seed)
    session = CATSession(SMALL_BANK, CATRules(max_length=12, se_target=None, randomesque=2))
    for answer in answers:
        item = session.next_item(rng)
        assert item is not None
        session.record(item, answer)
    resumed = CATSession.from_dict(SMALL_BANK, json.loads(json.dumps(session.to_dict())))
    assert resumed.to_dict() == session.to_dict()
    assert resumed.finished == (len(answers) == 12)
