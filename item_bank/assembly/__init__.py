"""Test assembly from a specification matrix ("ma trận đề"), one form or parallel forms.

>>> result = assemble_forms(published, blueprint, rng=np.random.default_rng(2024))  # doctest: +SKIP
>>> result.forms[0].answer_key["TO10-HSB-NB-1"].labels  # doctest: +SKIP
('C',)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from item_bank.assembly.blueprint import (
    Blueprint,
    BlueprintCell,
    CellShortage,
    InfeasibleBlueprintError,
    IrtParameters,
    check_blueprint,
    eligible_items,
)
from item_bank.assembly.forms import AnswerKey, AssembledForm, CellSummary, FormItem, build_form
from item_bank.assembly.solver import select_greedy, select_milp
from item_bank.items import Item

__all__ = [
    "AnswerKey",
    "AssembledForm",
    "AssemblyResult",
    "Blueprint",
    "BlueprintCell",
    "CellShortage",
    "CellSummary",
    "FormItem",
    "InfeasibleBlueprintError",
    "IrtParameters",
    "assemble_forms",
    "check_blueprint",
]


@dataclass(frozen=True, slots=True)
class AssemblyResult:
    """The assembled forms and the method that chose their items (``greedy`` or ``milp``)."""

    forms: tuple[AssembledForm, ...]
    method: str


def assemble_forms(
    items: Sequence[Item],
    blueprint: Blueprint,
    *,
    rng: np.random.Generator,
    parameters: Mapping[str, IrtParameters] | None = None,
    time_limit: float = 20.0,
    pool_limit: int = 100,
) -> AssemblyResult:
    """Assemble ``blueprint.forms`` forms from published items.

    Parameters
    ----------
    items : sequence of Item
        The published items to choose from (the caller filters on status).
    blueprint : Blueprint
        Cells (level x topic or requirement, counts, points, difficulty targets), the number of
        forms, overlap rule, exclusions and test-information targets.
    rng : numpy.random.Generator
        Drives every random choice: which items, their order, their option order.
    parameters : mapping of identifier to IrtParameters, optional
        Calibrated parameters. When given, only calibrated items are used and the program
        approaches the difficulty and information targets and balances parallel forms.
    time_limit : float
        Seconds the integer program may run (HiGHS); the best assignment found is used.
    pool_limit : int
        Candidates per cell kept for the integer program (a seeded random sample, at least
        eight times what the cell needs over all forms).

    Returns
    -------
    AssemblyResult
        Forms with ordered items, shuffled option orders, answer keys and per-cell summaries.

    Raises
    ------
    InfeasibleBlueprintError
        The bank cannot fill the blueprint; ``shortages`` lists each short cell ("Toán / Hàm số
        bậc hai / Vận dụng cao: need 3 forms x 2 = 6, bank has 4 published items"), or the detail
        explains that cells compete for the same items.
    """
    shortages = check_blueprint(items, blueprint, parameters)
    if shortages:
        raise InfeasibleBlueprintError(shortages)
    pools = eligible_items(items, blueprint, parameters)
    selection = None
    if parameters is None:
        selection = select_greedy(blueprint, pools, rng)
    if selection is None:
        selection = select_milp(
            items,
            blueprint,
            pools,
            parameters=parameters,
            rng=rng,
            time_limit=time_limit,
            pool_limit=pool_limit,
        )
    forms = tuple(
        build_form(number, chosen, items, blueprint, parameters, rng)
        for number, chosen in enumerate(selection.forms, start=1)
    )
    return AssemblyResult(forms=forms, method=selection.method)
