"""The supplementary round as a two-step workflow: the published offer, the checked wishes,
and phase 2 placing applicants the regular rounds left out (hand-made cases)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from content_service.admissions.rules import (
    AdmissionInputError,
    Phase,
    School,
    SupplementarySeat,
    WishStatus,
    allocate_grade10,
    check_supplementary_wishes,
    supplementary_offer,
)
from tests.content_service.admissions.rules.admissions_builders import applicant, hcm_grade10

SCHOOLS = [School("X", "THPT X", 2), School("Y", "THPT Y", 3), School("Z", "THPT Z", 1)]


def _regular_then_offer():
    applicants = [
        applicant("a", "27.00", ["X"]),
        applicant("b", "26.00", ["X"]),
        applicant("c", "25.00", ["X", "Y"]),  # X full; Y NV2 admits 25 (Y NV1 cut-off 20)
        applicant("d", "20.00", ["Y"]),
        applicant("e", "18.00", ["X"]),  # out: X full, no other wish
        applicant("f", "14.00", ["X", "Y"]),  # out: Y's NV2 cut-off is 25 > 14
    ]
    rules = hcm_grade10()
    regular = allocate_grade10(applicants, SCHOOLS, rules, supplementary=False)
    return applicants, rules, regular


def test_offer_lists_underfilled_schools_with_their_highest_regular_cutoff() -> None:
    _, rules, regular = _regular_then_offer()
    assert {p.applicant_id for p in regular.placements} == {"a", "b", "c", "d"}
    offer = supplementary_offer(regular, SCHOOLS, rules)
    # X is full; Y has 1 seat left and published 20.00 (NV1) and 25.00 (NV2); Z had nobody.
    assert offer == (
        SupplementarySeat("Y", "THPT Y", 1, Decimal("25.00")),
        SupplementarySeat("Z", "THPT Z", 1, None),
    )
    relaxed = hcm_grade10(supplementary_respects_cutoffs=False)
    assert supplementary_offer(regular, SCHOOLS, relaxed)[0].min_score is None
    with pytest.raises(AdmissionInputError, match="has no supplementary round"):
        supplementary_offer(regular, SCHOOLS, hcm_grade10(supplementary_enabled=False))


def test_wishes_are_checked_against_the_offer_and_the_score_rules() -> None:
    applicants, rules, regular = _regular_then_offer()
    offer = {s.school: s for s in supplementary_offer(regular, SCHOOLS, rules)}
    by_id = {a.applicant_id: a for a in applicants}
    assert check_supplementary_wishes(by_id["e"], ["Z"], offer, rules, admitted=False) == ("Z",)
    cases = {
        "already admitted": (by_id["a"], ["Z"], True),
        "'X' has no seats in the supplementary round": (by_id["e"], ["X"], False),
        "needs at least 25.00, your score is 18.00": (by_id["e"], ["Z", "Y"], False),
        "duplicated wish 'Z'": (by_id["e"], ["Z", "Z"], False),
        "at most 3 allowed": (by_id["e"], ["Z", "Y", "X", "W"], False),
        "at least one wish": (by_id["e"], [], False),
    }
    for message, (who, wishes, admitted) in cases.items():
        with pytest.raises(AdmissionInputError, match=message):
            check_supplementary_wishes(who, wishes, offer, rules, admitted=admitted)
    absent = dataclasses.replace(by_id["f"], literature=None)
    with pytest.raises(AdmissionInputError, match="did not sit Ngữ văn"):
        check_supplementary_wishes(absent, ["Z"], offer, rules, admitted=False)


def test_phase_two_places_the_left_out_and_keeps_the_regular_results() -> None:
    applicants, rules, regular = _regular_then_offer()
    with_wishes = [
        dataclasses.replace(a, supplementary_wishes=w)
        for a, w in zip(applicants, [(), (), (), (), ("Y", "Z"), ("Z",)], strict=True)
    ]
    final = allocate_grade10(with_wishes, SCHOOLS, rules)
    regular_rows = [c for c in final.cutoffs if c.phase is not Phase.SUPPLEMENTARY]
    assert regular_rows == list(regular.cutoffs)
    # Wish by wish, as in the regular rounds: in round 1 e (18.00) is below Y's floor of 25.00
    # and f (14.00) takes Z's only seat on NV1 bổ sung; in round 2 Z has no seat left for e.
    e, f = final.reports["e"], final.reports["f"]
    assert f.placement is not None
    assert (f.placement.school, f.placement.label) == ("Z", "NV1 bổ sung")
    assert e.placement is None
    assert [o.status for o in e.outcomes[-2:]] == [
        WishStatus.BELOW_EARLIER_CUTOFF,
        WishStatus.NO_SEATS,
    ]
    assert "NV1 bổ sung THPT Y: not admitted, your score 18.00 < the earlier cut-off 25.00" in (
        e.explanation()
    )
    assert final.cutoff("Z", Phase.SUPPLEMENTARY, 1) == Decimal("14.00")
