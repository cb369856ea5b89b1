"""The pure delivery rules: clock, answer merge, review policy, pool draws, rate limits."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

import pytest

from content_service.delivery import (
    AnswerWrite,
    Candidate,
    PoolRule,
    PoolShortageError,
    RateLimiter,
    ReviewPolicy,
    TimingRules,
    WindowError,
    attempt_window,
    check_can_start,
    draw_from_pools,
    merge_answers,
    review_visibility,
    should_replace,
)
from content_service.delivery.answers import check_response
from content_service.delivery.results_report import ItemOutcome, results_report

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_the_deadline_is_the_earlier_of_time_limit_and_closing_time() -> None:
    rules = TimingRules(
        closes_at=NOW + timedelta(minutes=30), time_limit_seconds=45 * 60, grace_seconds=20
    )
    window = attempt_window(rules, started_at=NOW)
    assert window.deadline == NOW + timedelta(minutes=30)
    assert window.remaining_seconds(NOW) == 1800
    assert window.accepts_answers(NOW + timedelta(minutes=30, seconds=20))
    assert window.is_over(NOW + timedelta(minutes=30, seconds=21))
    extended = attempt_window(rules, started_at=NOW, extension_seconds=600)
    assert extended.deadline == NOW + timedelta(minutes=40)
    untimed = attempt_window(TimingRules(), started_at=NOW)
    assert untimed.deadline is None
    assert untimed.remaining_seconds(NOW) is None
    assert not untimed.is_over(NOW + timedelta(days=400))


def test_a_test_starts_only_inside_its_window() -> None:
    rules = TimingRules(opens_at=NOW, closes_at=NOW + timedelta(hours=1))
    with pytest.raises(WindowError) as early:
        check_can_start(rules, now=NOW - timedelta(seconds=1))
    assert early.value.code == "not_open"
    with pytest.raises(WindowError) as late:
        check_can_start(rules, now=NOW + timedelta(hours=1))
    assert late.value.code == "closed"
    check_can_start(rules, now=NOW + timedelta(hours=1), extension_seconds=60)


def test_an_older_or_repeated_answer_never_overwrites_a_newer_one() -> None:
    assert should_replace(None, 0)
    assert should_replace(1, 2)
    assert not should_replace(2, 2)
    assert not should_replace(3, 2)
    merged, applied = merge_answers(
        {"q1": AnswerWrite("q1", 5, "B")},
        [
            AnswerWrite("q1", 4, "A"),
            AnswerWrite("q2", 1, "C"),
            AnswerWrite("q2", 1, "D"),
            AnswerWrite("q1", 6, "C"),
        ],
    )
    assert {k: v.response for k, v in merged.items()} == {"q1": "C", "q2": "C"}
    assert [a.sequence for a in applied] == [1, 6]


@pytest.mark.parametrize(
    ("response", "ok"),
    [
        (None, True),
        ("B", True),
        (["A", "B"], True),
        (12.5, True),
        (True, False),
        ({"a": 1}, False),
        ("x" * 5000, False),
        ([1], False),
    ],
)
def test_responses_are_checked_before_storing(response: object, ok: bool) -> None:
    assert (check_response(response) is None) is ok


def test_review_policies_release_the_key_only_when_allowed() -> None:
    closes = NOW + timedelta(hours=1)

    def seen(policy: ReviewPolicy, submitted: bool, now: datetime) -> bool:
        return review_visibility(
            review=policy,
            score_review=ReviewPolicy.NEVER,
            submitted=submitted,
            now=now,
            closes_at=closes,
        ).key

    assert seen(ReviewPolicy.IMMEDIATELY, False, NOW)
    assert not seen(ReviewPolicy.AFTER_SUBMIT, False, NOW)
    assert seen(ReviewPolicy.AFTER_SUBMIT, True, NOW)
    assert not seen(ReviewPolicy.AFTER_CLOSE, True, NOW)
    assert seen(ReviewPolicy.AFTER_CLOSE, True, closes)
    assert not seen(ReviewPolicy.NEVER, True, closes + timedelta(days=9))


def test_pool_draws_respect_filters_and_never_repeat_an_item() -> None:
    candidates = [
        Candidate(
            f"v{i}",
            f"i{i}",
            subject="toan",
            topic="A" if i < 4 else "B",
            cognitive_level="nhan_biet",
            tags=("x",) if i % 2 else (),
        )
        for i in range(8)
    ] + [Candidate("v0-bis", "i0", subject="toan", topic="A")]  # a second version of item i0
    rules = [PoolRule(count=3, topic="A"), PoolRule(count=2, tag="x")]
    for seed in range(20):
        drawn = draw_from_pools(rules, candidates, random.Random(seed))
        items = [next(c.item_id for c in candidates if c.version_id == v) for v in drawn]
        assert len(drawn) == 5
        assert len(set(items)) == 5
    assert draw_from_pools(rules, candidates, random.Random(7)) == draw_from_pools(
        rules, candidates, random.Random(7)
    )
    with pytest.raises(PoolShortageError, match=r"pools\[0\]"):
        draw_from_pools([PoolRule(count=9, topic="A")], candidates, random.Random(0))


def test_the_rate_limiter_allows_a_burst_then_the_rate() -> None:
    limiter = RateLimiter(rate=2.0, burst=3)
    assert [limiter.allow("k", 0.0) for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("k", 0.5)
    assert not limiter.allow("k", 0.5)
    assert limiter.allow("other", 0.5)


def test_a_results_report_is_qti_3_results_xml() -> None:
    xml = results_report(
        candidate_id="hs-01",
        test_identifier="quiz-1",
        submitted_at=NOW,
        score=1.5,
        max_score=3.0,
        items=[
            ItemOutcome("toan-1", 1, "B", 1.0, 1.0),
            ItemOutcome("toan-2", 2, ["A", "C"], 0.5, 2.0),
            ItemOutcome("toan-3", 3, None, None, 1.0),
        ],
    )
    root = ET.fromstring(xml)
    ns = "{http://www.imsglobal.org/xsd/imsqti_result_v3p0}"
    assert root.tag == f"{ns}qti-assessment-result"
    assert root.find(f"{ns}qti-context").get("sourced-id") == "hs-01"
    items = root.findall(f"{ns}qti-item-result")
    values = [v.text for v in items[1].iter(f"{ns}qti-value")]
    assert values[:2] == ["A", "C"]
    assert items[1].find(f"{ns}qti-response-variable").get("cardinality") == "multiple"
    assert items[2].find(f"{ns}qti-outcome-variable[@identifier='SCORE']") is None
