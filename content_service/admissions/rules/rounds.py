"""Wish-by-wish allocation with final admissions and monotone cut-offs (the HCMC procedure).

Round *k* takes every still-unplaced applicant's *k*-th wish. At each class the applicants are
ranked by score and admitted down to the remaining seats; those admissions are final
(immediate acceptance). A class's cut-off in a round is the lowest score it admitted, and with
monotone cut-offs a later round at the same class only considers scores at or above the
highest earlier cut-off, so NV2 ≥ NV1 and NV3 ≥ NV2 hold by construction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

# The engine's per-wish records are named tuples: a city-wide run makes hundreds of thousands
# of them and tuples are several times cheaper to build than frozen dataclasses.


class WishStatus(StrEnum):
    """What happened to one wish."""

    ADMITTED = "admitted"
    BELOW_CUTOFF = "below_cutoff"
    LOST_TIE_BREAK = "lost_tie_break"
    BELOW_EARLIER_CUTOFF = "below_earlier_cutoff"
    NO_SEATS = "no_seats"
    NOT_ELIGIBLE = "not_eligible"
    NOT_CONSIDERED = "not_considered"


class RoundEntry(NamedTuple):
    """One wish as the engine sees it.

    ``key[0]`` is the admission score in quarter-points; further elements are the published
    tie-break values (larger first). Applicants with equal full keys at the last seat are all
    admitted, since no published rule separates them.
    """

    program: str
    key: tuple[int, ...]


class RoundCandidate(NamedTuple):
    """An applicant's wishes in order; ``None`` marks a wish that cannot be considered."""

    applicant_id: str
    entries: tuple[RoundEntry | None, ...]


class WishEvent(NamedTuple):
    """The engine's verdict on one wish (scores in quarter-points)."""

    round_number: int
    program: str
    status: WishStatus
    score: int
    cutoff: int | None
    earlier_cutoff: int | None


@dataclass(frozen=True, slots=True)
class ProgramRound:
    """One class in one round: applicants, admissions and the cut-off (quarter-points)."""

    round_number: int
    program: str
    applicants: int
    admitted: int
    seats_before: int
    cutoff: int | None

    @property
    def filled(self) -> bool:
        """Whether the class had more contenders than seats."""
        return self.admitted >= self.seats_before


@dataclass
class RoundsOutcome:
    """Mutable working state handed back to the caller (who freezes it into results)."""

    placements: dict[str, tuple[int, str]] = field(default_factory=dict)
    events: dict[str, list[WishEvent]] = field(default_factory=lambda: defaultdict(list))
    rounds: list[ProgramRound] = field(default_factory=list)
    filled: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    floors: dict[str, int] = field(default_factory=dict)


def run_wish_rounds(
    candidates: Sequence[RoundCandidate],
    quotas: Mapping[str, int],
    *,
    monotone: bool = True,
    floors: Mapping[str, int] | None = None,
) -> RoundsOutcome:
    """Allocate ``candidates`` to programs round by round.

    Parameters
    ----------
    candidates : sequence of RoundCandidate
        Applicants with their wishes in rank order.
    quotas : Mapping[str, int]
        Seats per program.
    monotone : bool
        Enforce "a later wish's cut-off is not lower than an earlier one" per program.
    floors : Mapping[str, int], optional
        Cut-offs carried in from an earlier phase (used by the supplementary round).

    Returns
    -------
    RoundsOutcome
        Placements ``applicant_id -> (round_number, program)``, per-wish events, per-round
        cut-offs, seats filled and the final floors.
    """
    outcome = RoundsOutcome(floors=dict(floors or {}))
    active = list(candidates)
    n_rounds = max((len(c.entries) for c in candidates), default=0)
    for index in range(n_rounds):
        groups: dict[str, list[tuple[tuple[int, ...], str]]] = defaultdict(list)
        for candidate in active:
            if index < len(candidate.entries) and (entry := candidate.entries[index]) is not None:
                groups[entry.program].append((entry.key, candidate.applicant_id))
        for program, group in groups.items():
            _admit(program, group, index + 1, quotas[program], outcome, monotone=monotone)
        active = [c for c in active if c.applicant_id not in outcome.placements]
    return outcome


def _admit(
    program: str,
    group: list[tuple[tuple[int, ...], str]],
    round_number: int,
    quota: int,
    outcome: RoundsOutcome,
    *,
    monotone: bool,
) -> None:
    seats = quota - outcome.filled[program]
    floor = outcome.floors.get(program) if monotone else None
    events = outcome.events
    contenders = []
    for key, aid in group:
        if floor is not None and key[0] < floor:
            status = WishStatus.BELOW_EARLIER_CUTOFF
            events[aid].append(WishEvent(round_number, program, status, key[0], None, floor))
        else:
            contenders.append((key, aid))
    contenders.sort(reverse=True)
    if seats <= 0:
        admitted_count = 0
    elif len(contenders) <= seats:
        admitted_count = len(contenders)
    else:
        # Everyone whose full key equals the last seat's key is admitted with it.
        boundary = contenders[seats - 1][0]
        admitted_count = seats
        while admitted_count < len(contenders) and contenders[admitted_count][0] == boundary:
            admitted_count += 1
    cutoff = contenders[admitted_count - 1][0][0] if admitted_count else None
    for position, (key, aid) in enumerate(contenders):
        if position < admitted_count:
            status = WishStatus.ADMITTED
            outcome.placements[aid] = (round_number, program)
        elif seats <= 0:
            status = WishStatus.NO_SEATS
        else:
            status = WishStatus.LOST_TIE_BREAK if key[0] == cutoff else WishStatus.BELOW_CUTOFF
        events[aid].append(WishEvent(round_number, program, status, key[0], cutoff, floor))
    outcome.filled[program] += admitted_count
    outcome.rounds.append(
        ProgramRound(round_number, program, len(group), admitted_count, max(seats, 0), cutoff)
    )
    if monotone and cutoff is not None:
        outcome.floors[program] = max(cutoff, floor if floor is not None else cutoff)
