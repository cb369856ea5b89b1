"""The evaluation context of QTI expressions and the operator registry.

Operator modules (:mod:`item_bank.qti.operators`, :mod:`item_bank.qti.arithmetic`) register
their functions in :data:`OPERATORS`; :func:`evaluate` dispatches on the element name.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from item_bank.errors import ItemBankError
from item_bank.qti.values import Container, Declaration, is_null
from item_bank.qti.xml import local_name

__all__ = [
    "OPERATORS",
    "Context",
    "QtiProcessingError",
    "args",
    "attr_number",
    "children",
    "evaluate",
    "int_or_float",
    "numeric_args",
]


class QtiProcessingError(ItemBankError, ValueError):
    """Response or template processing cannot run: names the item and the element at fault."""


@dataclass(slots=True)
class Context:
    """Variables and declarations of one item session."""

    item: str
    declarations: dict[str, Declaration]
    values: dict[str, object] = field(default_factory=dict)
    correct: dict[str, object] = field(default_factory=dict)
    defaults: dict[str, object] = field(default_factory=dict)
    rng: random.Random | None = None

    def fail(self, element: etree._Element, problem: str) -> QtiProcessingError:
        line = f" (line {element.sourceline})" if element.sourceline else ""
        return QtiProcessingError(f"item {self.item!r}: <{local_name(element)}>{line}: {problem}")

    def declaration(self, element: etree._Element, identifier: str) -> Declaration:
        try:
            return self.declarations[identifier]
        except KeyError:
            raise self.fail(element, f"variable {identifier!r} is not declared") from None


def children(element: etree._Element) -> list[etree._Element]:
    return [c for c in element if isinstance(c.tag, str)]


def args(element: etree._Element, ctx: Context) -> list[object]:
    return [evaluate(c, ctx) for c in children(element)]


def numeric_args(element: etree._Element, ctx: Context) -> list[float] | None:
    values: list[float] = []
    for value in args(element, ctx):
        if is_null(value):
            return None
        items = value.items if isinstance(value, Container) else (value,)
        for item in items:
            if not isinstance(item, int | float) or isinstance(item, bool):
                raise ctx.fail(element, f"expects numbers, got {item!r}")
            values.append(item)
    return values


def int_or_float(values: list[float], total: float) -> float:
    return int(total) if all(isinstance(v, int) for v in values) else float(total)


def attr_number(element: etree._Element, name: str, ctx: Context, default: str = "0") -> float:
    """Numeric attributes may name a template variable instead of giving a number."""
    text = element.get(name, default)
    try:
        return float(text) if "." in text or "e" in text.lower() else int(text)
    except ValueError:
        value = ctx.values.get(text)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        raise ctx.fail(element, f"{name}={text!r} is neither a number nor a variable") from None


Operator = Callable[[etree._Element, Context], object]
OPERATORS: dict[str, Operator] = {}


def evaluate(element: etree._Element, ctx: Context) -> object:
    """Evaluate a QTI expression element.

    Raises
    ------
    QtiProcessingError
        For an unknown operator, an undeclared variable or a wrong number of operands.
    """
    name = local_name(element)
    operator = OPERATORS.get(name)
    if operator is None:
        raise ctx.fail(element, "unsupported expression")
    try:
        return operator(element, ctx)
    except ValueError as error:  # wrong operand count from tuple unpacking
        if isinstance(error, QtiProcessingError):
            raise
        raise ctx.fail(element, f"bad operands: {error}") from None
