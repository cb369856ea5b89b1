"""The test specification matrix ("ma trận đề"): what a form must contain, cell by cell."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from item_bank.errors import ItemBankError
from item_bank.items import CognitiveLevel, Item

__all__ = [
    "Blueprint",
    "BlueprintCell",
    "CellShortage",
    "InfeasibleBlueprintError",
    "IrtParameters",
    "check_blueprint",
    "eligible_items",
]


@dataclass(frozen=True, slots=True)
class IrtParameters:
    """Calibrated 3PL parameters of one item (logistic metric, no 1.7 scaling, as in mirt)."""

    discrimination: float
    difficulty: float
    guessing: float = 0.0

    def information(self, theta: np.ndarray) -> np.ndarray:
        """Fisher information at each ``theta`` (shape ``(n_theta,)``)."""
        logistic = 1.0 / (1.0 + np.exp(-self.discrimination * (theta - self.difficulty)))
        p = self.guessing + (1.0 - self.guessing) * logistic
        c = self.guessing
        return self.discrimination**2 * ((p - c) / (1.0 - c)) ** 2 * (1.0 - p) / p


@dataclass(frozen=True, slots=True)
class BlueprintCell:
    """One cell of the matrix: ``count`` items of ``cognitive_level`` on a topic or requirement.

    ``subject``, ``topic`` and ``requirement_code`` narrow the cell when given (``None`` means
    any). ``points`` is the mark of each item in the cell (``None``: the item's own points).
    ``target_difficulty`` is the wanted mean IRT difficulty of the cell's items, used when
    parameters are supplied.
    """

    cognitive_level: CognitiveLevel
    count: int
    subject: str | None = None
    topic: str | None = None
    requirement_code: str | None = None
    points: float | None = None
    target_difficulty: float | None = None

    def __post_init__(self) -> None:
        if self.count < 0:
            raise ValueError(f"count must not be negative, got {self.count}")
        if self.points is not None and self.points < 0:
            raise ValueError(f"points must not be negative, got {self.points}")

    @property
    def label(self) -> str:
        """``Toán / Hàm số bậc hai / Vận dụng cao``, as teachers name a matrix cell."""
        parts = [self.subject, self.topic, self.requirement_code, self.cognitive_level.label_vi]
        return " / ".join(p for p in parts if p)

    def accepts(self, item: Item) -> bool:
        meta = item.metadata
        return (
            meta.cognitive_level is self.cognitive_level
            and (self.subject is None or meta.subject == self.subject)
            and (self.topic is None or meta.topic == self.topic)
            and (self.requirement_code is None or meta.requirement_code == self.requirement_code)
        )


@dataclass(frozen=True, slots=True)
class Blueprint:
    """A matrix of cells, the number of parallel forms, and what to avoid.

    ``exclude`` holds identifiers of items seen recently. With ``allow_overlap`` an item may sit
    on several forms (never twice on one). ``information_targets`` are ``(theta, information)``
    pairs each form's test information should approach when parameters are supplied.
    """

    cells: tuple[BlueprintCell, ...]
    forms: int = 1
    allow_overlap: bool = False
    exclude: frozenset[str] = field(default_factory=frozenset)
    information_targets: tuple[tuple[float, float], ...] = ()

    def __post_init__(self) -> None:
        if self.forms < 1:
            raise ValueError(f"forms must be at least 1, got {self.forms}")
        if not self.cells:
            raise ValueError("a blueprint needs at least one cell")

    @property
    def items_per_form(self) -> int:
        return sum(cell.count for cell in self.cells)


@dataclass(frozen=True, slots=True)
class CellShortage:
    """A cell the bank cannot fill: how many items it needs and how many the bank has."""

    cell: BlueprintCell
    needed: int
    available: int
    forms: int

    @property
    def message(self) -> str:
        have = f"bank has {self.available} published item{'s' if self.available != 1 else ''}"
        if self.forms == 1:
            return f"{self.cell.label}: need {self.needed}, {have}"
        times = "\u00d7"  # the multiplication sign teachers write in a matrix
        return (
            f"{self.cell.label}: need {self.forms} forms {times} {self.cell.count} = "
            f"{self.needed}, {have}"
        )


class InfeasibleBlueprintError(ItemBankError, ValueError):
    """The bank cannot satisfy the blueprint; ``shortages`` says exactly what is missing."""

    def __init__(self, shortages: Sequence[CellShortage], detail: str = "") -> None:
        self.shortages = tuple(shortages)
        lines = [s.message for s in self.shortages]
        if detail:
            lines.append(detail)
        super().__init__("the bank cannot satisfy the blueprint: " + "; ".join(lines))


def eligible_items(
    items: Sequence[Item],
    blueprint: Blueprint,
    parameters: Mapping[str, IrtParameters] | None = None,
) -> list[list[int]]:
    """Indices into ``items`` of the items each cell accepts, in bank order.

    Excluded items are left out; when ``parameters`` are given only calibrated items count,
    because the calibrated path balances and targets difficulty over every selected item.
    Items are grouped by their metadata first so that a 50,000-item bank is scanned once.
    """
    groups: dict[tuple[object, ...], list[int]] = {}
    for index, item in enumerate(items):
        if item.identifier in blueprint.exclude:
            continue
        if parameters is not None and item.identifier not in parameters:
            continue
        meta = item.metadata
        key = (meta.cognitive_level, meta.subject, meta.topic, meta.requirement_code)
        groups.setdefault(key, []).append(index)
    pools = []
    for cell in blueprint.cells:
        matching = [g for key, g in groups.items() if cell.accepts(items[g[0]])]
        pools.append(sorted(i for group in matching for i in group))
    return pools


def check_blueprint(
    items: Sequence[Item],
    blueprint: Blueprint,
    parameters: Mapping[str, IrtParameters] | None = None,
) -> tuple[CellShortage, ...]:
    """Return the cells the bank cannot fill on its own (empty when each cell can be filled).

    A cell needs ``count`` eligible items, or ``forms x count`` when forms may not share items.
    When ``parameters`` are given only calibrated items are counted.
    """
    shortages = []
    multiplier = 1 if blueprint.allow_overlap else blueprint.forms
    pools = eligible_items(items, blueprint, parameters)
    for cell, pool in zip(blueprint.cells, pools, strict=True):
        needed = cell.count * multiplier
        if len(pool) < needed:
            shortages.append(CellShortage(cell, needed, len(pool), multiplier))
    return tuple(shortages)
