"""Items in Jupyter notebooks: one Markdown cell per item, readable in any Jupyter.

A cell is an item when its metadata has an ``item_bank`` object (schema ``SCHEMA_VERSION``)::

    {"item_bank": {"schema_version": 1, "identifier": "toan10.ham-so.01",
                   "kind": "single_choice", "points": 1, "metadata": {"subject": "Toán", ...}}}

and its Markdown source holds the stem and, for choice items, a task list whose ticked boxes are
the key::

    **Câu 1.** Hàm số nào sau đây đồng biến trên R?

    - [ ] A. $y = -x + 1$
    - [x] B. $y = 2x + 3$

Any other field of :class:`~item_bank.items.Item` (numeric keys, feedback, template variables,
...) goes in the metadata object by its name, in the bank's item JSON form
(:mod:`item_bank.formats.json_items`). Notebooks are plain JSON (nbformat 4) dictionaries here;
this module needs neither nbformat nor Jupyter.

Computed variables. A parameterised item may follow its Markdown cell with a Python code cell
whose metadata is ``{"item_bank": {"schema_version": 1, "computes": "<identifier>"}}`` and whose
source assigns variables from the drawn ones, one ``name = expression`` per line::

    dien_tich = a * b
    chu_vi = 2 * (a + b)

The cell is real Python: the teacher runs it in the kernel on sample values to check it. The
bank never executes it: each right-hand side becomes a computed
:class:`~item_bank.items.TemplateVariable` (``expression``) evaluated at delivery, for each drawn
variant, by the AST-walking arithmetic evaluator of :mod:`item_bank.templates` (numbers, the
variables declared before, ``+ - * / // % **`` and a whitelist of maths functions). Anything else
(imports, calls of other functions, attributes, loops) is a per-cell error.

Versioning: ``schema_version`` is bumped when the meaning of a key changes, and
``_UPGRADES[n]`` rewrites version-``n`` metadata to ``n + 1``, so old notebooks keep loading.
Version 0 (the first pilot notebooks) named the kind ``type`` and the key ``answer``. The
``computes`` code cell is an addition, not a change of meaning: readers before it skip code cells.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from item_bank.errors import ImportFormatError
from item_bank.formats.json_items import item_from_dict, item_to_dict
from item_bank.items import Choice, Item, ItemKind, TemplateVariable
from item_bank.templates import computed_variable_problems

__all__ = [
    "SCHEMA_VERSION",
    "CellError",
    "CellItem",
    "computed_variables_cell",
    "item_to_cell",
    "item_to_cells",
    "items_to_notebook",
    "notebook_items",
    "upgrade_cell_metadata",
]

SCHEMA_VERSION = 1
METADATA_KEY = "item_bank"
_CHOICE_KINDS = frozenset({ItemKind.SINGLE_CHOICE, ItemKind.MULTIPLE_RESPONSE, ItemKind.TRUE_FALSE})
# "- [x] B. text" (one letter or digit, then "." or ")") or "- [x] `long_id` text"; a choice
# with neither gets the next letter. "TP. Hồ Chí Minh" is text, not an identifier "TP".
_CHOICE_LINE = re.compile(
    r"^\s*[-*]\s+\[( |x|X)\]\s+(?:([A-Za-z0-9])[.)]\s+|`([A-Za-z0-9_.\-]+)`\s+)?(.*)$"
)


def _upgrade_0(meta: dict[str, Any]) -> dict[str, Any]:
    meta = dict(meta)
    if "type" in meta:
        meta["kind"] = meta.pop("type")
    if "answer" in meta:
        answer = meta.pop("answer")
        meta["correct"] = [answer] if isinstance(answer, str) else list(answer)
    return meta


_UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {0: _upgrade_0}


@dataclass(frozen=True, slots=True)
class CellItem:
    """An item read from cell ``cell_index`` of a notebook."""

    cell_index: int
    item: Item


@dataclass(frozen=True, slots=True)
class CellError:
    """Why cell ``cell_index`` (item ``identifier``) is not a valid item."""

    cell_index: int
    identifier: str
    message: str


def upgrade_cell_metadata(meta: Mapping[str, Any]) -> dict[str, Any]:
    """Bring ``item_bank`` cell metadata of any known version to ``SCHEMA_VERSION``.

    Raises
    ------
    ValueError
        The metadata is newer than this library, or not an object.
    """
    if not isinstance(meta, Mapping):
        raise ValueError("item_bank metadata must be an object")
    version = meta.get("schema_version", 0)
    if not isinstance(version, int) or version > SCHEMA_VERSION or version < 0:
        raise ValueError(
            f"schema_version {version!r} is not supported (this library reads 0..{SCHEMA_VERSION})"
        )
    upgraded = dict(meta)
    while version < SCHEMA_VERSION:
        upgraded = _UPGRADES[version](upgraded)
        version += 1
    upgraded["schema_version"] = SCHEMA_VERSION
    return upgraded


def _source(cell: Mapping[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _parse_markdown(text: str, kind: ItemKind) -> tuple[str, list[dict[str, Any]], list[str]]:
    """Split the stem from the task list of choices; return (stem, choices, correct)."""
    if kind not in _CHOICE_KINDS:
        return text.strip(), [], []
    stem_lines: list[str] = []
    choices: list[dict[str, Any]] = []
    correct: list[str] = []
    for line in text.splitlines():
        match = _CHOICE_LINE.match(line)
        if match is None:
            if choices and line.strip():
                choices[-1]["text"] += "\n" + line.strip()  # a choice continued on a new line
            elif not choices:
                stem_lines.append(line)
            continue
        ticked, short, long, body = match.groups()
        identifier = short or long or chr(ord("A") + len(choices))
        choices.append({"identifier": identifier, "text": body.strip()})
        if ticked.lower() == "x":
            correct.append(identifier)
    return "\n".join(stem_lines).strip(), choices, correct


def _cell_item(cell: Mapping[str, Any], index: int) -> Item:
    meta = upgrade_cell_metadata(cell.get("metadata", {}).get(METADATA_KEY, {}))
    data = {k: v for k, v in meta.items() if k != "schema_version"}
    kind = ItemKind(data.get("kind", ""))
    stem, choices, correct = _parse_markdown(_source(cell), kind)
    data.setdefault("stem", stem)
    if choices:
        # Per-choice extras (feedback, fixed, score) may sit in the metadata by identifier.
        extras = {c["identifier"]: c for c in data.get("choices", [])}
        data["choices"] = [extras.get(c["identifier"], {}) | c for c in choices]
        data.setdefault("correct", correct)
    return item_from_dict(data, source=f"cell {index + 1}")


def parse_computed_variables(source: str, *, cell_index: int = 0) -> tuple[TemplateVariable, ...]:
    """The ``name = expression`` lines of a computed-variables code cell, in order.

    The source is parsed, never executed. Each statement must assign one plain name; the
    expressions are checked later against the item's variables.

    Raises
    ------
    ValueError
        A syntax error or a statement that is not ``name = expression``, naming cell and line.
    """
    where = f"cell {cell_index + 1}"
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise ValueError(f"{where}, line {error.lineno}: {error.msg}") from None
    variables = []
    for statement in tree.body:
        target = statement.targets[0] if isinstance(statement, ast.Assign) else None
        if not isinstance(target, ast.Name) or len(statement.targets) != 1:  # type: ignore[attr-defined]
            raise ValueError(
                f"{where}, line {statement.lineno}: only 'name = expression' lines are allowed"
            )
        expression = ast.get_source_segment(source, statement.value)  # type: ignore[attr-defined]
        variables.append(TemplateVariable(target.id, expression=" ".join(str(expression).split())))
    return tuple(variables)


def _attach_computed(
    cell: Mapping[str, Any], index: int, meta: Mapping[str, Any], items: list[CellItem]
) -> None:
    """Add a ``computes`` code cell's variables to the item it names (an earlier cell)."""
    identifier = str(meta.get("computes", ""))
    position = next((i for i, c in enumerate(items) if c.item.identifier == identifier), None)
    if position is None:
        raise ValueError(
            f"cell {index + 1}: computes {identifier!r}, but no item cell before it has that "
            "identifier"
        )
    computed = parse_computed_variables(_source(cell), cell_index=index)
    owner = items[position]
    item = replace(owner.item, template_variables=owner.item.template_variables + computed)
    problems = computed_variable_problems(item)
    if problems:
        raise ValueError(f"cell {index + 1}: " + "; ".join(problems))
    items[position] = CellItem(owner.cell_index, item)


def notebook_items(notebook: Mapping[str, Any]) -> tuple[list[CellItem], list[CellError]]:
    """Every item cell of an nbformat-4 notebook (a dict), and the errors of the broken ones.

    Cells without ``item_bank`` metadata (prose, code) are skipped; a code cell whose metadata
    ``computes`` an item adds computed variables to it. A broken cell does not stop the others:
    its error names the cell (1-based in messages, 0-based in ``cell_index``).
    """
    items: list[CellItem] = []
    errors: list[CellError] = []
    for index, cell in enumerate(notebook.get("cells", [])):
        meta = cell.get("metadata", {}).get(METADATA_KEY)
        if meta is None or cell.get("cell_type") not in ("markdown", "code"):
            continue
        identifier = str(meta.get("identifier", "?")) if isinstance(meta, Mapping) else "?"
        try:
            if cell.get("cell_type") == "code":
                if isinstance(meta, Mapping) and "computes" in meta:
                    identifier = str(meta["computes"])
                    upgrade_cell_metadata(meta)
                    _attach_computed(cell, index, meta, items)
                continue
            items.append(CellItem(index, _cell_item(cell, index)))
        except ImportFormatError as error:
            errors.append(CellError(index, identifier, str(error)))
        except (ValueError, TypeError, KeyError) as error:
            message = str(error) if str(error).startswith("cell ") else f"cell {index + 1}: {error}"
            errors.append(CellError(index, identifier, message))
    return items, errors


def _choice_markdown(item: Item) -> list[str]:
    lines = []
    for choice in item.choices:
        box = "x" if choice.identifier in item.correct else " "
        name = choice.identifier
        label = f"{name}." if len(name) == 1 and name.isalnum() else f"`{name}`"
        lines.append(f"- [{box}] {label} " + choice.text.replace("\n", "\n  "))
    return lines


def _choice_extras(choice: Choice) -> dict[str, Any] | None:
    extras: dict[str, Any] = {"identifier": choice.identifier}
    if choice.fixed:
        extras["fixed"] = True
    if choice.feedback is not None:
        extras["feedback"] = choice.feedback
    if choice.score:
        extras["score"] = choice.score
    return extras if len(extras) > 1 else None


def item_to_cell(item: Item) -> dict[str, Any]:
    """The Markdown cell for ``item`` (its metadata carries every field but stem and choices)."""
    data = item_to_dict(item)
    lines = [item.stem]
    if item.kind in _CHOICE_KINDS and item.choices:
        data.pop("correct", None)
        extras = [e for e in (_choice_extras(c) for c in item.choices) if e is not None]
        if extras:
            data["choices"] = extras
        else:
            data.pop("choices", None)
        lines += ["", *_choice_markdown(item)]
    data.pop("stem", None)
    meta = {"schema_version": SCHEMA_VERSION, **data}
    return {
        "cell_type": "markdown",
        "metadata": {METADATA_KEY: meta},
        "source": "\n".join(lines),
    }


def _trailing_computed(item: Item) -> int:
    """How many of the last template variables are computed (they can go to a code cell)."""
    count = 0
    for variable in reversed(item.template_variables):
        if variable.expression is None:
            break
        count += 1
    return count


def computed_variables_cell(
    identifier: str, variables: tuple[TemplateVariable, ...]
) -> dict[str, Any]:
    """The Python code cell that computes ``variables`` for item ``identifier``."""
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {METADATA_KEY: {"schema_version": SCHEMA_VERSION, "computes": identifier}},
        "outputs": [],
        "source": "\n".join(f"{v.name} = {v.expression}" for v in variables),
    }


def item_to_cells(item: Item) -> list[dict[str, Any]]:
    """The item's Markdown cell, then a Python cell for its (trailing) computed variables."""
    count = _trailing_computed(item)
    if not count:
        return [item_to_cell(item)]
    drawn = item.template_variables[:-count]
    return [
        item_to_cell(replace(item, template_variables=drawn)),
        computed_variables_cell(item.identifier, item.template_variables[-count:]),
    ]


def items_to_notebook(items: list[Item], *, title: str = "") -> dict[str, Any]:
    """An nbformat-4 notebook with one cell per item (and a title cell if ``title``).

    An item with computed variables gets a Python cell after its Markdown cell.
    """
    cells = [cell for item in items for cell in item_to_cells(item)]
    if title:
        cells.insert(0, {"cell_type": "markdown", "metadata": {}, "source": f"# {title}"})
    return {
        "nbformat": 4,
        "nbformat_minor": 4,  # 4.5 would require cell ids
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
        "cells": cells,
    }
