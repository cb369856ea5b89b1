"""Student-proposing deferred acceptance (Gale-Shapley) for what-if simulations.

Strategy-proof for applicants and stable: the student-optimal stable matching. With one
common score ranking at every school it coincides with serial dictatorship by score.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence


def deferred_acceptance(
    preferences: Mapping[str, Sequence[str]],
    priorities: Mapping[str, Mapping[str, int]],
    capacities: Mapping[str, int],
) -> dict[str, str | None]:
    """Compute the applicant-optimal stable matching.

    Parameters
    ----------
    preferences : Mapping[str, Sequence[str]]
        Each applicant's programs, most wanted first.
    priorities : Mapping[str, Mapping[str, int]]
        ``priorities[program][applicant]`` is the applicant's rank at the program (lower is
        better, ranks must be distinct within a program). An applicant missing from a
        program's mapping is not acceptable there.
    capacities : Mapping[str, int]
        Seats per program.

    Returns
    -------
    dict
        ``applicant -> program`` or ``None`` when unmatched.

    Raises
    ------
    KeyError
        If a preference names a program without a capacity.
    """
    held: dict[str, list[tuple[int, str]]] = {p: [] for p in capacities}
    next_choice = dict.fromkeys(preferences, 0)
    free = list(preferences)
    while free:
        applicant = free.pop()
        wishes = preferences[applicant]
        while next_choice[applicant] < len(wishes):
            program = wishes[next_choice[applicant]]
            next_choice[applicant] += 1
            rank = priorities.get(program, {}).get(applicant)
            if rank is None or capacities[program] <= 0:
                continue
            # Max-heap on rank: the worst applicant held sits on top.
            heap = held[program]
            if len(heap) < capacities[program]:
                heapq.heappush(heap, (-rank, applicant))
                break
            if -heap[0][0] > rank:
                _, displaced = heapq.heapreplace(heap, (-rank, applicant))
                free.append(displaced)
                break
    matching: dict[str, str | None] = dict.fromkeys(preferences)
    for program, heap in held.items():
        for _, applicant in heap:
            matching[applicant] = program
    return matching
