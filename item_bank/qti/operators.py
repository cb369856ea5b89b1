"""QTI expressions: base values, variables and the operators of response and template processing.

:func:`evaluate` turns an expression element into a QTI value (see :mod:`item_bank.qti.values`)
in a :class:`Context`. Unknown operators raise :class:`QtiProcessingError` naming the element,
so an item is never scored by guesswork.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from lxml import etree

from item_bank.qti import arithmetic  # noqa: F401  (registers the numeric operators)
from item_bank.qti.areas import map_points
from item_bank.qti.context import (
    OPERATORS,
    Context,
    QtiProcessingError,
    args,
    attr_number,
    evaluate,
)
from item_bank.qti.values import (
    Container,
    is_null,
    parse_base_value,
    values_equal,
)

__all__ = ["Context", "QtiProcessingError", "evaluate"]


def _variable(element: etree._Element, ctx: Context) -> object:
    identifier = element.get("identifier", "")
    if identifier not in ctx.values and identifier not in ctx.declarations:
        raise ctx.fail(element, f"variable {identifier!r} is not declared")
    return ctx.values.get(identifier)


def _correct(element: etree._Element, ctx: Context) -> object:
    identifier = element.get("identifier", "")
    ctx.declaration(element, identifier)
    return ctx.correct.get(identifier)


def _default(element: etree._Element, ctx: Context) -> object:
    identifier = element.get("identifier", "")
    ctx.declaration(element, identifier)
    return ctx.defaults.get(identifier)


def _base_value(element: etree._Element, ctx: Context) -> object:
    try:
        return parse_base_value(element.text or "", element.get("base-type", "string"))
    except ValueError as error:
        raise ctx.fail(element, str(error)) from None


def _container(cardinality: str) -> Callable[[etree._Element, Context], object]:
    def build(element: etree._Element, ctx: Context) -> object:
        items: list[object] = []
        for value in args(element, ctx):
            if isinstance(value, Container):
                items.extend(value.items)
            elif not is_null(value):
                items.append(value)
        return Container(cardinality, tuple(items)) if items else None

    return build


def _match(element: etree._Element, ctx: Context) -> object:
    left, right = args(element, ctx)
    if is_null(left) or is_null(right):
        return None
    return values_equal(left, right)


def _logic(all_of: bool) -> Callable[[etree._Element, Context], object]:
    def run(element: etree._Element, ctx: Context) -> object:
        values = args(element, ctx)
        if (all_of and any(v is False for v in values)) or (
            not all_of and any(v is True for v in values)
        ):
            return not all_of
        if any(v is None for v in values):
            return None
        return all_of

    return run


def _not(element: etree._Element, ctx: Context) -> object:
    (value,) = args(element, ctx)
    return None if value is None else not value


def _is_null(element: etree._Element, ctx: Context) -> object:
    (value,) = args(element, ctx)
    return is_null(value)


def _member(element: etree._Element, ctx: Context) -> object:
    value, container = args(element, ctx)
    if is_null(value) or is_null(container):
        return None
    assert isinstance(container, Container)
    return any(values_equal(value, item) for item in container.items)


def _contains(element: etree._Element, ctx: Context) -> object:
    container, sub = args(element, ctx)
    if is_null(container) or is_null(sub):
        return None
    assert isinstance(container, Container)
    assert isinstance(sub, Container)
    if container.cardinality == "ordered":
        n, items = len(sub.items), container.items
        return any(items[i : i + n] == sub.items for i in range(len(items) - n + 1))
    remaining = list(container.items)
    for item in sub.items:
        if item not in remaining:
            return False
        remaining.remove(item)
    return True


def _delete(element: etree._Element, ctx: Context) -> object:
    value, container = args(element, ctx)
    if is_null(value) or is_null(container):
        return None
    assert isinstance(container, Container)
    kept = tuple(i for i in container.items if not values_equal(i, value))
    return Container(container.cardinality, kept) if kept else None


def _substring(element: etree._Element, ctx: Context) -> object:
    sub, whole = args(element, ctx)
    if is_null(sub) or is_null(whole):
        return None
    if element.get("case-sensitive", "true") == "true":
        return str(sub) in str(whole)
    return str(sub).casefold() in str(whole).casefold()


def _string_match(element: etree._Element, ctx: Context) -> object:
    left, right = args(element, ctx)
    if is_null(left) or is_null(right):
        return None
    if element.get("case-sensitive", "true") == "true":
        return left == right
    return str(left).casefold() == str(right).casefold()


def _pattern_match(element: etree._Element, ctx: Context) -> object:
    (value,) = args(element, ctx)
    if is_null(value):
        return None
    pattern = element.get("pattern", "")
    try:
        return re.fullmatch(pattern, str(value)) is not None
    except re.error as error:
        raise ctx.fail(element, f"invalid pattern {pattern!r}: {error}") from None


def _container_size(element: etree._Element, ctx: Context) -> object:
    (value,) = args(element, ctx)
    return len(value.items) if isinstance(value, Container) else 0


def _index(element: etree._Element, ctx: Context) -> object:
    (value,) = args(element, ctx)
    n = int(attr_number(element, "n", ctx, "1"))
    if not isinstance(value, Container) or not 1 <= n <= len(value.items):
        return None
    return value.items[n - 1]


def _random(element: etree._Element, ctx: Context) -> object:
    (value,) = args(element, ctx)
    if not isinstance(value, Container) or not value.items:
        return None
    return _rng(element, ctx).choice(value.items)


def _rng(element: etree._Element, ctx: Context) -> random.Random:
    if ctx.rng is None:
        raise ctx.fail(element, "random values need a seeded generator (template processing)")
    return ctx.rng


def _random_integer(element: etree._Element, ctx: Context) -> object:
    low = int(attr_number(element, "min", ctx))
    high = int(attr_number(element, "max", ctx))
    step = int(attr_number(element, "step", ctx, "1"))
    if step <= 0 or high < low:
        raise ctx.fail(element, f"empty range min={low} max={high} step={step}")
    return _rng(element, ctx).randrange(low, high + 1, step)


def _random_float(element: etree._Element, ctx: Context) -> object:
    low = float(attr_number(element, "min", ctx))
    high = float(attr_number(element, "max", ctx))
    return _rng(element, ctx).uniform(low, high)


def _repeat(element: etree._Element, ctx: Context) -> object:
    count = int(attr_number(element, "number-repeats", ctx))
    items: list[object] = []
    for _ in range(count):
        for value in args(element, ctx):
            if isinstance(value, Container):
                items.extend(value.items)
            elif not is_null(value):
                items.append(value)
    return Container("ordered", tuple(items)) if items else None


def _any_n(element: etree._Element, ctx: Context) -> object:
    values = args(element, ctx)
    low, high = int(attr_number(element, "min", ctx)), int(attr_number(element, "max", ctx))
    trues = sum(v is True for v in values)
    nulls = sum(v is None for v in values)
    if low <= trues <= high and nulls == 0:
        return True
    if trues + nulls < low or trues > high:
        return False
    return None


def _map_response(element: etree._Element, ctx: Context) -> object:
    identifier = element.get("identifier", "")
    declaration = ctx.declaration(element, identifier)
    if declaration.mapping is None:
        raise ctx.fail(element, f"response {identifier!r} has no qti-mapping")
    value = ctx.values.get(identifier)
    mapping = declaration.mapping
    if is_null(value):
        return (
            mapping.bounded(mapping.default)
            if declaration.cardinality == "single"
            else (mapping.bounded(0.0))
        )
    if isinstance(value, Container):
        distinct: list[object] = []
        for item in value.items:  # each distinct value counts once
            if not any(values_equal(item, seen) for seen in distinct):
                distinct.append(item)
        return mapping.bounded(sum(mapping.lookup(v) for v in distinct))
    return mapping.bounded(mapping.lookup(value))


def _map_response_point(element: etree._Element, ctx: Context) -> object:

    identifier = element.get("identifier", "")
    declaration = ctx.declaration(element, identifier)
    if not declaration.area_mapping:
        raise ctx.fail(element, f"response {identifier!r} has no qti-area-mapping")
    value = ctx.values.get(identifier)
    points = value.items if isinstance(value, Container) else () if value is None else (value,)
    return map_points(declaration, points)


def _null(element: etree._Element, ctx: Context) -> object:
    return None


OPERATORS.update(
    {
        "qti-base-value": _base_value,
        "qti-variable": _variable,
        "qti-correct": _correct,
        "qti-default": _default,
        "qti-null": _null,
        "qti-multiple": _container("multiple"),
        "qti-ordered": _container("ordered"),
        "qti-match": _match,
        "qti-and": _logic(True),
        "qti-or": _logic(False),
        "qti-not": _not,
        "qti-any-n": _any_n,
        "qti-is-null": _is_null,
        "qti-member": _member,
        "qti-contains": _contains,
        "qti-delete": _delete,
        "qti-substring": _substring,
        "qti-string-match": _string_match,
        "qti-pattern-match": _pattern_match,
        "qti-container-size": _container_size,
        "qti-index": _index,
        "qti-random": _random,
        "qti-random-integer": _random_integer,
        "qti-random-float": _random_float,
        "qti-repeat": _repeat,
        "qti-map-response": _map_response,
        "qti-map-response-point": _map_response_point,
    }
)
