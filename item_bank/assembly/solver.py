"""Choosing the items of each form: a seeded greedy pass and a mixed-integer program.

The greedy pass fills the scarcest cells first with a random draw; it is exact for the common
case (no calibration, cells that do not share items) and takes milliseconds on a 50,000-item
bank. With calibrated items, or when the greedy pass cannot finish because cells compete for the
same items, the assignment is solved as a 0/1 program with HiGHS (``scipy.optimize.milp``):
binary ``x[item, cell, form]``; each cell gets exactly its count on each form; an item appears
at most once per form, and at most once overall unless overlap is allowed; the objective sums
the absolute deviations, beyond a small tolerance, from each cell's mean-difficulty target, from
the test-information targets, and (for parallel forms) of each form's mean difficulty from their
common mean (van der Linden, *Linear Models for Optimal Test Design*, 2005, ch. 4-6). The
tolerances matter: with continuous difficulties an exact zero deviation almost never exists, so
without them the solver could not prove any selection optimal and would run to its time limit;
within tolerance every selection is equally good and the seeded shuffle of the candidates
decides which one is drawn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from item_bank.assembly.blueprint import Blueprint, InfeasibleBlueprintError, IrtParameters
from item_bank.items import Item

__all__ = ["Selection", "select_greedy", "select_milp"]

DIFFICULTY_TOLERANCE = 0.01  # logits on a mean difficulty: far below its standard error
INFORMATION_TOLERANCE = 0.01  # fraction of a test-information target


@dataclass(frozen=True, slots=True)
class Selection:
    """Per form, the ``(item index, cell index)`` pairs chosen, and how they were chosen."""

    forms: tuple[tuple[tuple[int, int], ...], ...]
    method: str


def select_greedy(
    blueprint: Blueprint, pools: Sequence[Sequence[int]], rng: np.random.Generator
) -> Selection | None:
    """Random draw per cell, scarcest cells first; ``None`` if cells compete and it gets stuck."""
    order = sorted(
        range(len(pools)), key=lambda c: len(pools[c]) / max(blueprint.cells[c].count, 1)
    )
    used_anywhere: set[int] = set()
    forms = []
    for _ in range(blueprint.forms):
        used_here: set[int] = set()
        chosen: list[tuple[int, int]] = []
        for c in order:
            need = blueprint.cells[c].count
            blocked = used_here if blueprint.allow_overlap else used_anywhere
            picks = _draw(pools[c], need, blocked, rng)
            if picks is None:
                return None
            chosen.extend((i, c) for i in picks)
            used_here.update(picks)
            used_anywhere.update(picks)
        forms.append(tuple(chosen))
    return Selection(tuple(forms), "greedy")


def _draw(
    pool: Sequence[int], need: int, blocked: set[int], rng: np.random.Generator
) -> list[int] | None:
    picks: list[int] = []
    candidates = np.asarray(pool)
    for index in rng.permutation(len(candidates)):
        item = int(candidates[index])
        if item not in blocked:
            picks.append(item)
            if len(picks) == need:
                return picks
    return picks if len(picks) == need else None


@dataclass(frozen=True, slots=True)
class _Program:
    pairs: np.ndarray  # (n_pairs, 3): item, cell, form
    n_vars: int
    rows: list[tuple[dict[int, float], float, float]]
    cost: np.ndarray


def select_milp(
    items: Sequence[Item],
    blueprint: Blueprint,
    pools: Sequence[Sequence[int]],
    *,
    parameters: Mapping[str, IrtParameters] | None,
    rng: np.random.Generator,
    time_limit: float,
    pool_limit: int,
) -> Selection:
    """Solve the assignment as a 0/1 program (see the module docstring).

    Large pools are cut first (see :func:`_candidates`): the program stays small and the
    candidates are still many times the selection.
    """
    params = parameters or {}
    candidates = [
        _candidates(
            pool,
            cell.count * blueprint.forms,
            pool_limit,
            rng,
            cell.target_difficulty,
            [params[items[i].identifier].difficulty for i in pool]
            if cell.target_difficulty is not None and params
            else None,
        )
        for cell, pool in zip(blueprint.cells, pools, strict=True)
    ]
    program = _build(items, blueprint, candidates, parameters)
    row_index, col_index, values = [], [], []
    lower, upper = np.empty(len(program.rows)), np.empty(len(program.rows))
    for r, (coefficients, lo, hi) in enumerate(program.rows):
        for column, value in coefficients.items():
            row_index.append(r)
            col_index.append(column if column >= 0 else program.n_vars + column)
            values.append(value)
        lower[r], upper[r] = lo, hi
    matrix = sparse.csr_array(
        (values, (row_index, col_index)), shape=(len(program.rows), program.n_vars)
    )
    n_pairs = len(program.pairs)
    integrality = np.zeros(program.n_vars)
    integrality[:n_pairs] = 1
    upper_bounds = np.full(program.n_vars, np.inf)
    upper_bounds[:n_pairs] = 1
    lower_bounds = np.zeros(program.n_vars)
    lower_bounds[-1] = -np.inf  # the common mean difficulty of parallel forms is free
    result = milp(
        program.cost,
        constraints=LinearConstraint(matrix, lower, upper),
        integrality=integrality,
        bounds=Bounds(lower_bounds, upper_bounds),
        options={"time_limit": time_limit},
    )
    if result.x is None:
        raise InfeasibleBlueprintError((), f"no assignment exists ({result.message.strip()})")
    chosen = program.pairs[np.round(result.x[:n_pairs]) == 1]
    forms = tuple(
        tuple((int(i), int(c)) for i, c, f in chosen if f == form)
        for form in range(blueprint.forms)
    )
    return Selection(forms, "milp")


def _candidates(
    pool: Sequence[int],
    need: int,
    limit: int,
    rng: np.random.Generator,
    target: float | None,
    difficulty: Sequence[float] | None,
) -> list[int]:
    """A cell's candidates for the program, in a seeded random order.

    Without a target: a random sample of ``max(limit, 8 x need)`` items. With a difficulty
    target: the ``8 x need`` items nearest to it (ties, such as every item within tolerance,
    broken at random). Keeping the nearest items is what a matrix author wants anyway (a cell of
    homogeneous difficulty) and keeps HiGHS from searching mixes of far-off items.
    """
    order = rng.permutation(len(pool))
    if target is None or difficulty is None:
        size = max(limit, 8 * need)
        return [int(pool[i]) for i in order[:size]]
    distance = np.maximum(np.abs(np.asarray(difficulty)[order] - target) - DIFFICULTY_TOLERANCE, 0)
    nearest = order[np.argsort(distance, kind="stable")[: max(8 * need, 16)]]
    return [int(pool[i]) for i in nearest]


def _build(
    items: Sequence[Item],
    blueprint: Blueprint,
    candidates: Sequence[Sequence[int]],
    parameters: Mapping[str, IrtParameters] | None,
) -> _Program:
    pairs = np.array(
        [
            (i, c, f)
            for f in range(blueprint.forms)
            for c, pool in enumerate(candidates)
            for i in pool
        ],
        dtype=np.int64,
    ).reshape(-1, 3)
    n_pairs = len(pairs)
    params = [parameters.get(item.identifier) if parameters else None for item in items]
    difficulty = np.array([params[i].difficulty if params[i] else 0.0 for i in pairs[:, 0]])
    rows: list[tuple[dict[int, float], float, float]] = []
    cost: list[float] = [0.0] * n_pairs
    _assignment_rows(blueprint, pairs, rows)
    calibrated = parameters is not None
    for c, cell in enumerate(blueprint.cells):
        if cell.target_difficulty is None or not calibrated or cell.count == 0:
            continue
        for f in range(blueprint.forms):
            mask = np.flatnonzero((pairs[:, 1] == c) & (pairs[:, 2] == f))
            coefficients = {int(p): float(difficulty[p]) for p in mask}
            _absolute_deviation(
                rows,
                cost,
                coefficients,
                cell.count * cell.target_difficulty,
                cell.count * DIFFICULTY_TOLERANCE,
                1.0 / cell.count,
            )
    if calibrated:
        _information_rows(blueprint, pairs, params, rows, cost)
        _balance_rows(blueprint, pairs, difficulty, rows, cost)
    cost.append(0.0)  # the free common-mean variable, always present (maybe unused)
    n_vars = len(cost)
    return _Program(pairs, n_vars, rows, np.array(cost))


def _assignment_rows(blueprint: Blueprint, pairs: np.ndarray, rows: list) -> None:
    for c, cell in enumerate(blueprint.cells):
        for f in range(blueprint.forms):
            mask = np.flatnonzero((pairs[:, 1] == c) & (pairs[:, 2] == f))
            rows.append(({int(p): 1.0 for p in mask}, cell.count, cell.count))
    groups = pairs[:, 0] * blueprint.forms + pairs[:, 2] if blueprint.allow_overlap else pairs[:, 0]
    order = np.argsort(groups, kind="stable")
    boundaries = np.flatnonzero(np.diff(groups[order])) + 1
    for block in np.split(order, boundaries):
        if len(block) > 1:  # an item reachable twice (two cells or two forms): at most once
            rows.append(({int(p): 1.0 for p in block}, 0.0, 1.0))


def _absolute_deviation(
    rows: list,
    cost: list[float],
    coefficients: dict[int, float],
    target: float,
    slack: float,
    weight: float,
) -> None:
    """Add ``d >= |sum(coefficients * x) - target| - slack`` with cost ``weight * d``."""
    column = len(cost)
    cost.append(weight)
    rows.append(({**coefficients, column: -1.0}, -np.inf, target + slack))
    rows.append(
        ({**{k: -v for k, v in coefficients.items()}, column: -1.0}, -np.inf, slack - target)
    )


def _information_rows(blueprint, pairs, params, rows, cost) -> None:
    for theta, target in blueprint.information_targets:
        info = np.array([params[i].information(np.array([theta]))[0] for i in pairs[:, 0]])
        for f in range(blueprint.forms):
            mask = np.flatnonzero(pairs[:, 2] == f)
            coefficients = {int(p): float(info[p]) for p in mask}
            _absolute_deviation(
                rows,
                cost,
                coefficients,
                target,
                INFORMATION_TOLERANCE * target,
                1.0 / max(target, 1e-9),
            )


def _balance_rows(blueprint, pairs, difficulty, rows, cost) -> None:
    """Each form's mean difficulty stays within tolerance of ``M``, a free common mean."""
    if blueprint.forms < 2:
        return
    n = blueprint.items_per_form
    for f in range(blueprint.forms):
        mask = np.flatnonzero(pairs[:, 2] == f)
        column = len(cost)
        cost.append(1.0 / n)
        total = {int(p): float(difficulty[p]) for p in mask}
        # sum(b x) - n M - g <= 0 and -sum(b x) + n M - g <= 0; M is the last variable
        slack = n * DIFFICULTY_TOLERANCE
        rows.append(({**total, column: -1.0, -1: -float(n)}, -np.inf, slack))
        rows.append(
            ({**{k: -v for k, v in total.items()}, column: -1.0, -1: float(n)}, -np.inf, slack)
        )
