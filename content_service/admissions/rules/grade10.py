"""The HCMC grade-10 allocation procedure (DOMAIN.md §2), phase by phase.

Order implemented (``phase_order`` of the rule set; HCMC: specialised, integrated, regular):

1. Specialised classes, wishes NV1-NV2 chuyên, score Văn + NN + Toán + 2 * môn chuyên.
2. Integrated classes, wishes NV1-NV3 tích hợp.
3. Regular classes, wishes NV1-NV3, score Văn + Toán + NN + điểm ưu tiên.
4. Supplementary round for schools left under-filled, over ``supplementary_wishes``.

Each phase is run wish by wish with final admissions and monotone cut-offs
(:mod:`.rounds`); an applicant admitted in a phase is removed from every later phase.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from content_service.admissions.rules.applicants import Grade10Applicant, School, validate_grade10
from content_service.admissions.rules.results import (
    ApplicantReport,
    Grade10Result,
    Phase,
    Placement,
    ReportView,
    RoundCutoff,
    WishOutcome,
)
from content_service.admissions.rules.rounds import (
    RoundCandidate,
    RoundEntry,
    RoundsOutcome,
    WishEvent,
    WishStatus,
    run_wish_rounds,
)
from content_service.admissions.rules.rulesets import Grade10RuleSet, Track
from content_service.admissions.rules.scores import from_quarters
from content_service.admissions.rules.scoring import admission_key, ineligibility

_WISH_FIELDS = {
    Phase.SPECIALISED: "specialised_wishes",
    Phase.INTEGRATED: "integrated_wishes",
    Phase.REGULAR: "regular_wishes",
    Phase.SUPPLEMENTARY: "supplementary_wishes",
}

# program id -> (school code, class name, the track's own score or None)
Wish = tuple[str, str, str, Decimal | None]


class _Allocation:
    """Working state of one allocation run; frozen into a :class:`Grade10Result` at the end."""

    def __init__(
        self,
        applicants: Sequence[Grade10Applicant],
        schools: Mapping[str, School],
        rules: Grade10RuleSet,
    ) -> None:
        self.applicants, self.schools, self.rules = applicants, schools, rules
        self.placements: dict[str, Placement] = {}
        self.ineligible: dict[str, list[WishOutcome]] = {}
        self.phases: list[tuple[Phase, RoundsOutcome]] = []
        self.cutoffs: list[RoundCutoff] = []
        self.names: dict[str, tuple[str, str]] = {}
        self.regular_wish: dict[str, Wish] = {c: (c, c, s.name, None) for c, s in schools.items()}
        for code, school in schools.items():
            self.names[code] = (code, school.name)
            self.names[f"{code}|tích hợp"] = (code, f"{school.name} (tích hợp)")
            for subject in school.specialised_quotas:
                self.names[f"{code}|chuyên {subject}"] = (code, f"{school.name} (chuyên {subject})")
        self.tie_text = ", ".join(rules.tie_break_order) or "none published"

    def wishes(self, applicant: Grade10Applicant, phase: Phase) -> list[Wish]:
        if phase is Phase.SPECIALISED:
            return [
                (
                    f"{w.school}|chuyên {w.subject}",
                    w.school,
                    f"{self.schools[w.school].name} (chuyên {w.subject})",
                    applicant.specialised_scores.get(w.subject),
                )
                for w in applicant.specialised_wishes
            ]
        if phase is Phase.INTEGRATED:
            return [
                (
                    f"{c}|tích hợp",
                    c,
                    f"{self.schools[c].name} (tích hợp)",
                    applicant.integrated_score,
                )
                for c in applicant.integrated_wishes
            ]
        codes = (
            applicant.regular_wishes if phase is Phase.REGULAR else applicant.supplementary_wishes
        )
        return [self.regular_wish[c] for c in codes]

    def quotas(self, phase: Phase) -> dict[str, int]:
        quotas: dict[str, int] = {}
        for code, school in self.schools.items():
            quotas[code] = school.regular_quota
            quotas[f"{code}|tích hợp"] = school.integrated_quota
            for subject, quota in school.specialised_quotas.items():
                quotas[f"{code}|chuyên {subject}"] = quota
        return quotas

    def run_phase(
        self,
        phase: Phase,
        track: Track,
        pool: Sequence[Grade10Applicant],
        *,
        quotas: Mapping[str, int] | None = None,
        floors: Mapping[str, int] | None = None,
    ) -> RoundsOutcome:
        candidates = []
        wish_field = _WISH_FIELDS[phase]
        for applicant in pool:
            if not getattr(applicant, wish_field):
                continue
            aid = applicant.applicant_id
            wishes = self.wishes(applicant, phase)
            if not wishes or aid in self.placements:
                continue
            entries = []
            # Regular and integrated wishes share one score; specialised ones differ by subject.
            verdicts: dict[Decimal | None, tuple[str, tuple[int, ...]]] = {}
            for number, (program, school, name, own) in enumerate(wishes, 1):
                if own not in verdicts:
                    reason = ineligibility(applicant, track, own, self.rules)
                    key = () if reason else admission_key(applicant, track, own, self.rules)
                    verdicts[own] = (reason, key)
                reason, key = verdicts[own]
                if reason:
                    status = WishStatus.NOT_ELIGIBLE
                    outcome = WishOutcome(phase, number, school, name, status, None, reason=reason)
                    self.ineligible.setdefault(aid, []).append(outcome)
                entries.append(None if reason else RoundEntry(program, key))
            candidates.append(RoundCandidate(aid, tuple(entries)))
        rounds = run_wish_rounds(
            candidates,
            self.quotas(phase) if quotas is None else quotas,
            monotone=self.rules.monotone_cutoffs,
            floors=floors,
        )
        self._record(phase, rounds)
        return rounds

    def _record(self, phase: Phase, rounds: RoundsOutcome) -> None:
        self.phases.append((phase, rounds))
        for row in rounds.rounds:
            school, name = self.names[row.program]
            cutoff = None if row.cutoff is None else from_quarters(row.cutoff)
            self.cutoffs.append(
                RoundCutoff(
                    phase, row.round_number, school, name, cutoff,
                    row.applicants, row.admitted, row.seats_before,
                )
            )  # fmt: skip
        for aid, (round_number, program) in rounds.placements.items():
            school, name = self.names[program]
            score = from_quarters(rounds.events[aid][-1].score)
            self.placements[aid] = Placement(aid, phase, round_number, school, name, score)

    def report(self, applicant: Grade10Applicant) -> ApplicantReport:
        """Build one applicant's report from the recorded rounds (on demand: a city-wide
        run would otherwise build hundreds of thousands of outcomes nobody reads)."""
        aid = applicant.applicant_id
        placement = self.placements.get(aid)
        order = {phase: index for index, (phase, _) in enumerate(self.phases)}
        outcomes = []
        for phase, rounds in self.phases:
            wishes = self.wishes(applicant, phase)
            if not wishes:
                continue
            earlier = placement is not None and order[placement.phase] < order[phase]
            phase_outcomes = [o for o in self.ineligible.get(aid, []) if o.phase is phase]
            if not earlier:
                phase_outcomes += [self._outcome(phase, e) for e in rounds.events.get(aid, [])]
            after = 0 if earlier else (rounds.placements.get(aid, (len(wishes), ""))[0])
            if placement is not None:
                reason = f"already admitted to {placement.class_name} ({placement.label})"
                seen = {o.wish_number for o in phase_outcomes}
                phase_outcomes += [
                    WishOutcome(
                        phase, n, w[1], w[2], WishStatus.NOT_CONSIDERED, None, reason=reason
                    )
                    for n, w in enumerate(wishes, 1)
                    if n > after and n not in seen
                ]
            outcomes += sorted(phase_outcomes, key=lambda o: o.wish_number)
        return ApplicantReport(aid, placement, tuple(outcomes))

    def _outcome(self, phase: Phase, event: WishEvent) -> WishOutcome:
        school, name = self.names[event.program]
        return WishOutcome(
            phase,
            event.round_number,
            school,
            name,
            event.status,
            from_quarters(event.score),
            None if event.cutoff is None else from_quarters(event.cutoff),
            None if event.earlier_cutoff is None else from_quarters(event.earlier_cutoff),
            self.tie_text if event.status is WishStatus.LOST_TIE_BREAK else "",
        )

    def result(self) -> Grade10Result:
        by_id = {a.applicant_id: a for a in self.applicants}
        reports = ReportView(tuple(by_id), lambda aid: self.report(by_id[aid]))
        placements = tuple(self.placements.values())
        return Grade10Result(self.rules.meta.rule_id, tuple(self.cutoffs), placements, reports)


def allocate_grade10(
    applicants: Sequence[Grade10Applicant],
    schools: Sequence[School],
    rules: Grade10RuleSet,
    *,
    supplementary: bool = True,
) -> Grade10Result:
    """Run the city's grade-10 allocation.

    Parameters
    ----------
    applicants : sequence of Grade10Applicant
    schools : sequence of School
    rules : Grade10RuleSet
        Weights, priority points, wish limits, phase order, tie rule, supplementary round.
    supplementary : bool
        Run phase 2 over the applicants' ``supplementary_wishes`` when the rule set has one.
        ``False`` stops after the regular rounds, which is what the Department publishes
        before it opens the supplementary round (:mod:`.supplementary`).

    Returns
    -------
    Grade10Result
        Cut-offs per class and wish round, the admitted list, and for every applicant the
        outcome of each wish with an explanation.

    Raises
    ------
    AdmissionInputError
        For an unknown school, too many wishes, a duplicated applicant or school, or an
        unknown priority group (bad scores and duplicated wishes are refused earlier, when
        the applicant is built).
    """
    allocation = _Allocation(applicants, validate_grade10(applicants, schools, rules), rules)
    regular: RoundsOutcome | None = None
    for track in rules.phase_order:
        outcome = allocation.run_phase(Phase(track.value), track, applicants)
        regular = outcome if track is Track.REGULAR else regular
    if supplementary and rules.supplementary_enabled and regular is not None:
        _supplementary(allocation, regular)
    return allocation.result()


def _supplementary(allocation: _Allocation, regular: RoundsOutcome) -> None:
    """Phase 2: remaining regular seats, filled from the unplaced applicants' new wishes."""
    rules = allocation.rules
    remaining = {
        code: max(school.regular_quota - regular.filled.get(code, 0), 0)
        for code, school in allocation.schools.items()
    }
    pool = [a for a in allocation.applicants if a.applicant_id not in allocation.placements]
    floors = regular.floors if rules.supplementary_respects_cutoffs else None
    allocation.run_phase(Phase.SUPPLEMENTARY, Track.REGULAR, pool, quotas=remaining, floors=floors)
