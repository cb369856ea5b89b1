"""Read back the template processing that :mod:`item_bank.qti.template_export` writes.

The result is only a candidate: :mod:`item_bank.qti.native` keeps it only when regenerating the
declarations and processing from it gives exactly the document's, so a hand-written QTI template
item is never mistaken for a native one.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from lxml import etree

from item_bank.items import TemplateVariable
from item_bank.qti.processing import QtiItem
from item_bank.qti.xml import local_name, q

__all__ = ["DecodedTemplates", "decode_templates", "qti_to_expression"]

_BINARY = {
    "qti-sum": ast.Add,
    "qti-subtract": ast.Sub,
    "qti-product": ast.Mult,
    "qti-divide": ast.Div,
    "qti-power": ast.Pow,
    "qti-integer-divide": ast.FloorDiv,
    "qti-integer-modulus": ast.Mod,
}
_MATH = {"ln": "ln", "log": "log10"}


@dataclass(frozen=True, slots=True)
class DecodedTemplates:
    variables: tuple[TemplateVariable, ...]
    keys: dict[str, str]  # KEY_i → expression


def _children(element: etree._Element) -> list[etree._Element]:
    return [c for c in element if isinstance(c.tag, str)]


def decode_templates(qti: QtiItem) -> DecodedTemplates | None:
    """Return the variables and key expressions, or ``None`` if the shape is not ours."""
    processing = qti.template_processing
    if processing is None:
        return DecodedTemplates((), {})
    variables: list[TemplateVariable] = []
    keys: dict[str, str] = {}
    try:
        for rule in _children(processing):
            name, identifier = local_name(rule), rule.get("identifier", "")
            (expression,) = _children(rule)
            if name == "qti-set-correct-response":
                continue
            if name != "qti-set-template-value":
                return None
            if identifier.startswith("KEY_"):
                keys[identifier] = qti_to_expression(expression)
            else:
                variables.append(_variable(identifier, expression))
    except (ValueError, TypeError):
        return None
    return DecodedTemplates(tuple(variables), keys)


def _number(text: str | None) -> int | float:
    value = float(text or "")
    return int(value) if value.is_integer() and "." not in (text or "") else value


def _variable(name: str, draw: etree._Element) -> TemplateVariable:
    kind = local_name(draw)
    if kind == "qti-random-integer":
        step = draw.get("step")
        return TemplateVariable(
            name, int(draw.get("min", "")), int(draw.get("max", "")), int(step) if step else None
        )
    if kind == "qti-random-float":
        return TemplateVariable(name, float(draw.get("min", "")), float(draw.get("max", "")))
    if kind == "qti-random":
        (multiple,) = _children(draw)
        values = tuple(
            float(v.text or "") if v.get("base-type") == "float" else (v.text or "")
            for v in _children(multiple)
        )
        return TemplateVariable(name, values=values)
    if kind == "qti-sum":  # low + step * random-integer(0, count)
        low, product = _children(draw)
        step, count = _children(product)
        minimum, size = float(low.text or ""), float(step.text or "")
        maximum = round(minimum + size * int(count.get("max", "")), 10)
        return TemplateVariable(name, minimum, maximum, size)
    raise ValueError(kind)


def qti_to_expression(element: etree._Element) -> str:
    """Return the Python-syntax expression of a QTI arithmetic expression."""
    return ast.unparse(_ast(element))


def _ast(element: etree._Element) -> ast.expr:
    name = local_name(element)
    children = _children(element)
    if name == "qti-base-value":
        return ast.Constant(_number(element.text))
    if name == "qti-variable":
        return ast.Name(element.get("identifier", ""))
    if name == "qti-math-constant":
        return ast.Name(element.get("name", ""))
    if name == "qti-product" and len(children) == 2 and _is_minus_one(children[0]):
        return ast.UnaryOp(ast.USub(), _ast(children[1]))
    if name == "qti-power" and len(children) == 2 and (children[1].text or "").strip() == "0.5":
        return _call("sqrt", [children[0]])
    if name in _BINARY and len(children) == 2:
        return ast.BinOp(_ast(children[0]), _BINARY[name](), _ast(children[1]))
    if name in ("qti-round", "qti-min", "qti-max"):
        return _call(name.removeprefix("qti-"), children)
    if name == "qti-math-operator":
        function = element.get("name", "")
        return _call(_MATH.get(function, function), children)
    raise ValueError(name)


def _is_minus_one(element: etree._Element) -> bool:
    return element.tag == q("qti-base-value") and (element.text or "").strip() == "-1"


def _call(name: str, arguments: list[etree._Element]) -> ast.expr:
    return ast.Call(ast.Name(name), [_ast(a) for a in arguments], [])
