"""Parameterised items: seeded template variables, ``{{name}}`` substitution, safe key expressions,
QTI template processing and shuffling with fixed options.

A variant is fully determined by the item and an integer seed, which the attempt stores; drawing
again with the same seed gives the same variant (the QTI 3.0 "seed per attempt" practice).
"""

from __future__ import annotations

import ast
import math
import operator
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache

from lxml import etree

from item_bank.items import Choice, Item, ItemKind, TemplateVariable
from item_bank.qti.processing import QtiItem, TemplateState, process_template, read_qti_item
from item_bank.qti.template_export import is_integer_range
from item_bank.qti.values import Container, format_value
from item_bank.qti.xml import MATHML_NS, canonical_xml, parse_xml, q

__all__ = [
    "ExpressionError",
    "Variant",
    "check_expression",
    "computed_variable_problems",
    "draw_variant",
    "evaluate_expression",
    "render_template_values",
    "shuffled_choices",
    "substitute",
]


class ExpressionError(ValueError):
    """A key expression uses something other than arithmetic on template variables."""


@dataclass(frozen=True)
class Variant:
    """One drawn variant: the seed, the variable values and the instantiated item.

    For QTI items ``template`` holds the state of template processing (values, and correct
    responses set by ``qti-set-correct-response``), which scoring needs.
    """

    seed: int
    values: Mapping[str, object]
    item: Item
    template: TemplateState | None = field(default=None)


_BINARY: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type, Callable[[float], float]] = {ast.UAdd: operator.pos, ast.USub: operator.neg}
_FUNCTIONS: dict[str, Callable[..., float]] = {
    "sqrt": math.sqrt, "sin": math.sin, "cos": math.cos, "tan": math.tan, "asin": math.asin,
    "acos": math.acos, "atan": math.atan, "exp": math.exp, "ln": math.log, "log": math.log,
    "log10": math.log10, "abs": abs, "round": round, "floor": math.floor, "ceil": math.ceil,
    "min": min, "max": max,
}  # fmt: skip
_CONSTANTS = {"pi": math.pi, "e": math.e}
_MAX_EXPONENT = 1000


def evaluate_expression(expression: str, variables: Mapping[str, object]) -> float:
    """Evaluate an arithmetic key expression (``"a*b + sqrt(c)"``) over template variables.

    Only numbers, variable names, ``+ - * / // % **``, unary signs and a whitelist of maths
    functions are allowed: the AST is walked, never passed to ``eval``.

    Raises
    ------
    ExpressionError
        For syntax errors, unknown names, disallowed constructs or arithmetic errors.
    """
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as error:
        raise ExpressionError(f"{expression!r}: {error.msg}") from None
    try:
        return float(_eval(tree.body, variables, expression))
    except (ArithmeticError, ValueError, TypeError) as error:
        if isinstance(error, ExpressionError):
            raise
        raise ExpressionError(f"{expression!r}: {error}") from None


def _eval(node: ast.AST, variables: Mapping[str, object], source: str) -> float:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value  # type: ignore[no-any-return]
    if isinstance(node, ast.Name):
        value = variables.get(node.id, _CONSTANTS.get(node.id))
        if isinstance(value, str):
            value = float(value)
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ExpressionError(f"{source!r}: unknown variable {node.id!r}")
        return value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _eval(node.left, variables, source), _eval(node.right, variables, source)
        if isinstance(node.op, ast.Pow) and abs(right) > _MAX_EXPONENT:
            raise ExpressionError(f"{source!r}: exponent {right} is too large")
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_eval(node.operand, variables, source))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        function = _FUNCTIONS.get(node.func.id)
        if function is not None:
            return function(*(_eval(a, variables, source) for a in node.args))
    raise ExpressionError(f"{source!r}: {type(node).__name__} is not allowed in a key expression")


def check_expression(expression: str, known: set[str]) -> None:
    """Check, without evaluating, that ``expression`` is safe arithmetic over ``known`` names.

    Raises
    ------
    ExpressionError
        For syntax errors, names that are not in ``known`` (nor ``pi``/``e``), or constructs
        :func:`evaluate_expression` refuses.
    """
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as error:
        raise ExpressionError(f"{expression!r}: {error.msg}") from None
    for node in ast.walk(tree.body):
        if isinstance(node, ast.Name):
            if node.id not in known and node.id not in _CONSTANTS and node.id not in _FUNCTIONS:
                raise ExpressionError(f"{expression!r}: unknown variable {node.id!r}")
        elif isinstance(node, ast.Call):
            if not (isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS) or (
                node.keywords
            ):
                raise ExpressionError(f"{expression!r}: only the maths functions may be called")
        elif isinstance(node, ast.BinOp | ast.UnaryOp):
            if type(node.op) not in _BINARY and type(node.op) not in _UNARY:
                raise ExpressionError(f"{expression!r}: {type(node.op).__name__} is not allowed")
        elif isinstance(node, ast.Constant):
            if type(node.value) not in (int, float):
                raise ExpressionError(f"{expression!r}: only numbers are allowed")
        elif not isinstance(node, ast.operator | ast.unaryop | ast.expr_context):
            raise ExpressionError(
                f"{expression!r}: {type(node).__name__} is not allowed in an expression"
            )


def computed_variable_problems(item: Item) -> list[str]:
    """Problems of the item's computed variables, each naming the variable; empty when valid.

    A computed variable may use only the variables declared before it, so the order of
    ``template_variables`` is the order of computation (no cycles by construction).
    """
    problems: list[str] = []
    known: set[str] = set()
    for variable in item.template_variables:
        if variable.expression is not None:
            drawn = variable.values or variable.minimum is not None or variable.maximum is not None
            if drawn:
                problems.append(
                    f"template_variables: {variable.name!r} has both an expression and a range "
                    "or values"
                )
            try:
                check_expression(variable.expression, known)
            except ExpressionError as error:
                problems.append(f"template_variables: {variable.name!r}: {error}")
        if variable.name in known:
            problems.append(f"template_variables: {variable.name!r} is declared twice")
        known.add(variable.name)
    return problems


def _compute(variable: TemplateVariable, values: Mapping[str, object]) -> object:
    assert variable.expression is not None
    result = evaluate_expression(variable.expression, values)
    # 3 * 5 is shown as "15" and stays an integer for the expressions that follow.
    return int(result) if result.is_integer() and abs(result) < 1e15 else result


def _draw(variable: TemplateVariable, rng: random.Random) -> object:
    if variable.values:
        return rng.choice(variable.values)
    if variable.minimum is None or variable.maximum is None:
        raise ValueError(f"template variable {variable.name!r} has neither values nor a range")
    low, high, step = variable.minimum, variable.maximum, variable.step
    if is_integer_range(variable):
        return rng.randrange(int(low), int(high) + 1, int(step or 1))
    if step:
        count = math.floor((high - low) / step + 1e-9)
        return round(low + step * rng.randint(0, count), 10)
    return rng.uniform(low, high)


_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]\w*)\s*\}\}")


def substitute(text: str, values: Mapping[str, object]) -> str:
    """Replace ``{{name}}`` by the variable's value; unknown names are left as they are."""

    def replace_one(match: re.Match[str]) -> str:
        name = match.group(1)
        return format_value(values[name]) if name in values else match.group(0)

    return _PLACEHOLDER.sub(replace_one, text)


def draw_variant(item: Item, seed: int) -> Variant:
    """Draw the variant of ``item`` for ``seed`` (``random.Random(seed)``).

    Native items draw their :class:`~item_bank.items.TemplateVariable` values (computed
    variables are evaluated in declaration order from those before them, without touching the
    generator), substitute ``{{name}}`` and evaluate expression keys; QTI items run
    ``qti-template-processing`` and print the template variables into the item body.

    Raises
    ------
    ExpressionError
        If a key expression is not safe arithmetic over the variables.
    item_bank.qti.QtiProcessingError
        If QTI template processing fails.
    """
    rng = random.Random(seed)  # noqa: S311  (reproducible variants, not secrets)
    if item.kind is ItemKind.QTI and item.qti is not None:
        qti = _parsed(item.qti.xml)
        state = process_template(qti, rng)
        rendered = render_template_values(qti, state)
        return Variant(
            seed, dict(state.values), replace(item, qti=replace(item.qti, xml=rendered)), state
        )
    values: dict[str, object] = {}
    for variable in item.template_variables:
        values[variable.name] = (
            _compute(variable, values) if variable.expression is not None else _draw(variable, rng)
        )
    return Variant(seed, values, _instantiate(item, values))


def _instantiate(item: Item, values: Mapping[str, object]) -> Item:
    def text(value: str | None) -> str | None:
        return substitute(value, values) if value is not None else None

    keys = tuple(
        replace(
            key,
            value=evaluate_expression(key.value, values)
            if isinstance(key.value, str)
            else key.value,
            feedback=text(key.feedback),
        )
        for key in item.numeric_keys
    )
    choices = tuple(
        replace(c, text=substitute(c.text, values), feedback=text(c.feedback)) for c in item.choices
    )
    answers = tuple(
        replace(a, text=substitute(a.text, values), feedback=text(a.feedback))
        for a in item.text_answers
    )
    return replace(
        item,
        stem=substitute(item.stem, values),
        choices=choices,
        numeric_keys=keys,
        text_answers=answers,
        general_feedback=text(item.general_feedback),
    )


@lru_cache(maxsize=512)
def _parsed(xml: str) -> QtiItem:
    return read_qti_item(parse_xml(xml, source="qti item"))


def _printable(value: object, element: etree._Element) -> str:
    if isinstance(value, Container):
        delimiter = element.get("delimiter", ";")
        return delimiter.join(_printable(v, element) for v in value.items)
    if value is None:
        return ""
    fmt = element.get("format")
    if fmt and isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return fmt.replace("%i", "%d") % value
        except (TypeError, ValueError):
            pass
    return format_value(value)


def render_template_values(qti: QtiItem, state: TemplateState) -> str:
    """Return the item's QTI text with printed and MathML template variables filled in."""
    root = parse_xml(canonical_xml(qti.root), source=qti.identifier)
    for printed in list(root.iter(q("qti-printed-variable"))):
        text = _printable(state.values.get(printed.get("identifier", "")), printed)
        parent = printed.getparent()
        previous = printed.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + text + (printed.tail or "")
        else:
            parent.text = (parent.text or "") + text + (printed.tail or "")
        parent.remove(printed)
    math_variables = {
        k
        for k, d in qti.declarations.items()
        if d.kind == "template" and d.attributes.get("math-variable") == "true"
    }
    for mi in root.iter(f"{{{MATHML_NS}}}mi"):
        name = (mi.text or "").strip()
        if name in math_variables and name in state.values:
            mi.tag = f"{{{MATHML_NS}}}mn"
            mi.text = _printable(state.values[name], mi)
    return canonical_xml(root)


def shuffled_choices(item: Item, rng: random.Random) -> tuple[Choice, ...]:
    """Return the item's choices shuffled by ``rng``, ``fixed`` choices kept in their places.

    Items without ``shuffle`` keep the authored order.
    """
    if not item.shuffle:
        return item.choices
    movable = [c for c in item.choices if not c.fixed]
    rng.shuffle(movable)
    moved = iter(movable)
    return tuple(c if c.fixed else next(moved) for c in item.choices)
