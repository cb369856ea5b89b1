"""Numeric QTI operators: arithmetic, comparison with tolerances, rounding, statistics."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable

from lxml import etree

from item_bank.qti.context import OPERATORS, Context, attr_number, int_or_float, numeric_args

__all__: list[str] = []


def _tolerance(element: etree._Element, ctx: Context) -> tuple[float, float]:
    parts = element.get("tolerance", "0").split()
    values = [float(_resolve(p, ctx, element)) for p in parts] or [0.0]
    return values[0], values[-1]


def _resolve(text: str, ctx: Context, element: etree._Element) -> float:
    try:
        return float(text)
    except ValueError:
        value = ctx.values.get(text)
        if isinstance(value, int | float):
            return value
        raise ctx.fail(element, f"{text!r} is neither a number nor a variable") from None


def _equal(element: etree._Element, ctx: Context) -> object:
    numbers = numeric_args(element, ctx)
    if numbers is None:
        return None
    x, y = numbers
    mode = element.get("tolerance-mode", "exact")
    if mode == "exact":
        return x == y
    low_t, high_t = _tolerance(element, ctx)
    if mode == "absolute":
        low, high = x - low_t, x + high_t
    else:  # relative: tolerances are percentages
        low, high = sorted((x * (1 - low_t / 100), x * (1 + high_t / 100)))
    include_low = element.get("include-lower-bound", "true") == "true"
    include_high = element.get("include-upper-bound", "true") == "true"
    above = y >= low if include_low else y > low
    below = y <= high if include_high else y < high
    return above and below


def _equal_rounded(element: etree._Element, ctx: Context) -> object:
    numbers = numeric_args(element, ctx)
    if numbers is None:
        return None
    figures = int(attr_number(element, "figures", ctx))
    mode = element.get("rounding-mode", "significantFigures")
    return _round_to(numbers[0], figures, mode) == _round_to(numbers[1], figures, mode)


def _round_to(x: float, figures: int, mode: str) -> float:
    if mode == "decimalPlaces":
        return _round_half_up(x, figures)
    if x == 0:
        return 0.0
    return _round_half_up(x, figures - 1 - math.floor(math.log10(abs(x))))


def _round_half_up(x: float, places: int) -> float:
    factor = 10.0**places
    return math.floor(x * factor + 0.5) / factor


def _compare(op: Callable[[float, float], bool]) -> Callable[[etree._Element, Context], object]:
    def run(element: etree._Element, ctx: Context) -> object:
        numbers = numeric_args(element, ctx)
        return None if numbers is None else op(numbers[0], numbers[1])

    return run


def _sum(element: etree._Element, ctx: Context) -> object:
    numbers = numeric_args(element, ctx)
    return None if numbers is None else int_or_float(numbers, sum(numbers))


def _product(element: etree._Element, ctx: Context) -> object:
    numbers = numeric_args(element, ctx)
    return None if numbers is None else int_or_float(numbers, math.prod(numbers))


def _binary(
    op: Callable[[float, float], float], *, integer: bool = False
) -> Callable[[etree._Element, Context], object]:
    def run(element: etree._Element, ctx: Context) -> object:
        numbers = numeric_args(element, ctx)
        if numbers is None:
            return None
        try:
            result = op(numbers[0], numbers[1])
        except (ZeroDivisionError, OverflowError, ValueError):
            return None  # QTI: division by zero and the like give NULL
        if integer:
            return int(result)
        if not isinstance(result, int) and math.isnan(result):
            return None
        return result

    return run


def _unary(op: Callable[[float], float]) -> Callable[[etree._Element, Context], object]:
    def run(element: etree._Element, ctx: Context) -> object:
        numbers = numeric_args(element, ctx)
        return None if numbers is None else op(numbers[0])

    return run


def _round_to_op(element: etree._Element, ctx: Context) -> object:
    numbers = numeric_args(element, ctx)
    if numbers is None:
        return None
    figures = int(attr_number(element, "figures", ctx))
    return _round_to(numbers[0], figures, element.get("rounding-mode", "significantFigures"))


def _extreme(pick: Callable[[list[float]], float]) -> Callable[[etree._Element, Context], object]:
    def run(element: etree._Element, ctx: Context) -> object:
        numbers = numeric_args(element, ctx)
        if not numbers:
            return None
        return int_or_float(numbers, pick(numbers))

    return run


def _stats(element: etree._Element, ctx: Context) -> object:
    numbers = numeric_args(element, ctx)
    name = element.get("name", "")
    functions: dict[str, Callable[[list[float]], float]] = {
        "mean": statistics.fmean,
        "sampleVariance": statistics.variance,
        "sampleSD": statistics.stdev,
        "popVariance": statistics.pvariance,
        "popSD": statistics.pstdev,
    }
    if name not in functions:
        raise ctx.fail(element, f"unknown statistic {name!r}")
    if not numbers or (name.startswith("sample") and len(numbers) < 2):
        return None
    return float(functions[name](numbers))


_MATH: dict[str, Callable[..., float]] = {
    "sin": math.sin, "cos": math.cos, "tan": math.tan, "asin": math.asin, "acos": math.acos,
    "atan": math.atan, "atan2": math.atan2, "sinh": math.sinh, "cosh": math.cosh,
    "tanh": math.tanh, "log": math.log10, "ln": math.log, "exp": math.exp, "abs": abs,
    "signum": lambda x: float((x > 0) - (x < 0)), "floor": math.floor, "ceil": math.ceil,
    "toDegrees": math.degrees, "toRadians": math.radians,
}  # fmt: skip


def _math_operator(element: etree._Element, ctx: Context) -> object:
    name = element.get("name", "")
    if name not in _MATH:
        raise ctx.fail(element, f"unknown math function {name!r}")
    numbers = numeric_args(element, ctx)
    if numbers is None:
        return None
    try:
        return _MATH[name](*numbers)
    except (ValueError, OverflowError):
        return None


def _integer_to_float(element: etree._Element, ctx: Context) -> object:
    numbers = numeric_args(element, ctx)
    return None if numbers is None else float(numbers[0])


def _gcd(element: etree._Element, ctx: Context) -> object:
    numbers = numeric_args(element, ctx)
    return None if not numbers else math.gcd(*(int(n) for n in numbers))


def _lcm(element: etree._Element, ctx: Context) -> object:
    numbers = numeric_args(element, ctx)
    return None if not numbers else math.lcm(*(int(n) for n in numbers))


def _math_constant(element: etree._Element, ctx: Context) -> object:
    name = element.get("name", "")
    if name not in ("pi", "e"):
        raise ctx.fail(element, f"unknown constant {name!r}")
    return math.pi if name == "pi" else math.e


OPERATORS.update(
    {
        "qti-equal": _equal,
        "qti-equal-rounded": _equal_rounded,
        "qti-lt": _compare(lambda a, b: a < b),
        "qti-gt": _compare(lambda a, b: a > b),
        "qti-lte": _compare(lambda a, b: a <= b),
        "qti-gte": _compare(lambda a, b: a >= b),
        "qti-sum": _sum,
        "qti-product": _product,
        "qti-subtract": _binary(lambda a, b: a - b),
        "qti-divide": _binary(lambda a, b: a / b),
        "qti-power": _binary(lambda a, b: a**b),
        "qti-integer-divide": _binary(lambda a, b: math.floor(a / b), integer=True),
        "qti-integer-modulus": _binary(lambda a, b: a - b * math.floor(a / b), integer=True),
        "qti-truncate": _unary(lambda a: math.trunc(a)),
        "qti-round": _unary(lambda a: math.floor(a + 0.5)),
        "qti-round-to": _round_to_op,
        "qti-integer-to-float": _integer_to_float,
        "qti-min": _extreme(min),
        "qti-max": _extreme(max),
        "qti-gcd": _gcd,
        "qti-lcm": _lcm,
        "qti-stats-operator": _stats,
        "qti-math-operator": _math_operator,
        "qti-math-constant": _math_constant,
    }
)
