"""An assembled form as the service prints and scores it: ordered items, options, key, summary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from item_bank.assembly.blueprint import Blueprint, IrtParameters
from item_bank.items import Item, ItemKind

__all__ = ["AnswerKey", "AssembledForm", "CellSummary", "FormItem", "build_form"]

_LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True, slots=True)
class FormItem:
    """An item at its place on the form, with its options in display order.

    ``choice_order`` lists choice identifiers as printed (shuffled with the form's seed when the
    item allows it; fixed options keep their place). ``points`` is the mark on this form.
    """

    position: int
    item: Item
    cell: int
    points: float
    choice_order: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AnswerKey:
    """The key of one item: choice identifiers and the letters they are printed under, or the
    accepted values (numeric ``value ± tolerance unit``, text answers)."""

    position: int
    choices: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CellSummary:
    """What one blueprint cell contributed to the form."""

    label: str
    count: int
    points: float
    mean_difficulty: float | None


@dataclass(frozen=True, slots=True)
class AssembledForm:
    """One form: items in order, the answer key by item identifier, and per-cell summary.

    ``mean_difficulty`` and ``information`` (at the blueprint's target thetas) are ``None``/empty
    unless parameters were supplied.
    """

    number: int
    items: tuple[FormItem, ...]
    answer_key: Mapping[str, AnswerKey]
    cells: tuple[CellSummary, ...]
    total_points: float
    mean_difficulty: float | None
    information: tuple[tuple[float, float], ...] = ()

    @property
    def identifiers(self) -> tuple[str, ...]:
        return tuple(entry.item.identifier for entry in self.items)


def build_form(
    number: int,
    chosen: Sequence[tuple[int, int]],
    items: Sequence[Item],
    blueprint: Blueprint,
    parameters: Mapping[str, IrtParameters] | None,
    rng: np.random.Generator,
) -> AssembledForm:
    """Order the chosen items cell by cell (matrix order, random within a cell), shuffle options."""
    by_cell: dict[int, list[int]] = {}
    for item_index, cell in chosen:
        by_cell.setdefault(cell, []).append(item_index)
    entries: list[FormItem] = []
    for cell_index, cell in enumerate(blueprint.cells):
        members = sorted(by_cell.get(cell_index, []))
        for item_index in rng.permutation(len(members)):
            item = items[members[item_index]]
            points = cell.points if cell.points is not None else item.points
            entries.append(
                FormItem(len(entries) + 1, item, cell_index, points, _choice_order(item, rng))
            )
    key = {entry.item.identifier: _answer_key(entry) for entry in entries}
    summaries = tuple(
        _summary(blueprint, c, entries, parameters) for c in range(len(blueprint.cells))
    )
    difficulties = [parameters[e.item.identifier].difficulty for e in entries] if parameters else []
    info = ()
    if parameters and blueprint.information_targets:
        info = tuple(
            (
                theta,
                float(
                    sum(
                        parameters[e.item.identifier].information(np.array([theta]))[0]
                        for e in entries
                    )
                ),
            )
            for theta, _ in blueprint.information_targets
        )
    return AssembledForm(
        number=number,
        items=tuple(entries),
        answer_key=key,
        cells=summaries,
        total_points=float(sum(e.points for e in entries)),
        mean_difficulty=float(np.mean(difficulties)) if difficulties else None,
        information=info,
    )


def _choice_order(item: Item, rng: np.random.Generator) -> tuple[str, ...]:
    ids = [c.identifier for c in item.choices]
    if not item.shuffle or len(ids) < 2:
        return tuple(ids)
    movable = [i for i, c in enumerate(item.choices) if not c.fixed]
    shuffled = [ids[movable[j]] for j in rng.permutation(len(movable))]
    order = list(ids)
    for slot, identifier in zip(movable, shuffled, strict=True):
        order[slot] = identifier
    return tuple(order)


def _answer_key(entry: FormItem) -> AnswerKey:
    item = entry.item
    if item.kind in (ItemKind.SINGLE_CHOICE, ItemKind.MULTIPLE_RESPONSE, ItemKind.TRUE_FALSE):
        labels = tuple(sorted(_LABELS[entry.choice_order.index(c)] for c in item.correct))
        return AnswerKey(entry.position, choices=item.correct, labels=labels)
    if item.kind is ItemKind.NUMERIC:
        values = tuple(
            f"{k.value:g}"
            + (f" ± {k.tolerance:g}" if k.tolerance else "")
            + (f" {k.units[0]}" if k.units else "")
            for k in item.numeric_keys
            if k.score >= 1.0
        )
        return AnswerKey(entry.position, values=values)
    values = tuple(a.text for a in item.text_answers if a.score >= 1.0)
    return AnswerKey(entry.position, values=values)


def _summary(
    blueprint: Blueprint,
    cell_index: int,
    entries: Sequence[FormItem],
    parameters: Mapping[str, IrtParameters] | None,
) -> CellSummary:
    members = [e for e in entries if e.cell == cell_index]
    mean = None
    if parameters and members:
        mean = float(np.mean([parameters[e.item.identifier].difficulty for e in members]))
    return CellSummary(
        label=blueprint.cells[cell_index].label,
        count=len(members),
        points=float(sum(e.points for e in members)),
        mean_difficulty=mean,
    )
