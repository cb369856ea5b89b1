"""QTI template processing for native parameterised items.

Template variables become ``qti-template-declaration`` + ``qti-set-template-value`` with
``qti-random-integer`` / ``qti-random-float`` / ``qti-random``; key expressions (``"a*b"``) are
translated from their Python AST into QTI operators; ``{{name}}`` in the content becomes
``qti-printed-variable``. A QTI 3.0 player can then draw and score the variants itself.
"""

from __future__ import annotations

import ast
import re

from lxml import etree

from item_bank.items import Item, TemplateVariable
from item_bank.qti.values import format_value
from item_bank.qti.xml import q

__all__ = [
    "is_integer_range",
    "key_variable",
    "print_variables",
    "template_declarations",
    "template_processing",
]

_BINARY = {
    ast.Add: "qti-sum",
    ast.Sub: "qti-subtract",
    ast.Mult: "qti-product",
    ast.Div: "qti-divide",
    ast.Pow: "qti-power",
    ast.FloorDiv: "qti-integer-divide",
    ast.Mod: "qti-integer-modulus",
}
_MATH = {
    "sin": "sin", "cos": "cos", "tan": "tan", "asin": "asin", "acos": "acos", "atan": "atan",
    "exp": "exp", "ln": "ln", "log": "ln", "log10": "log", "abs": "abs", "floor": "floor",
    "ceil": "ceil",
}  # fmt: skip
_CONSTANTS = {"pi", "e"}


def key_variable(index: int) -> str:
    """The template variable holding the value of numeric key ``index``."""
    return f"KEY_{index}"


def is_integer_range(variable: TemplateVariable) -> bool:
    """A range draws integers when minimum, maximum and any step are Python ints."""
    bounds = (variable.minimum, variable.maximum, variable.step)
    ints = all(isinstance(v, int) and not isinstance(v, bool) for v in bounds if v is not None)
    return not variable.values and variable.minimum is not None and ints


def _base_type(variable: TemplateVariable) -> str:
    if variable.values:
        numeric = all(isinstance(v, int | float) for v in variable.values)
        return "float" if numeric else "string"
    return "integer" if is_integer_range(variable) else "float"


def template_declarations(item: Item) -> list[etree._Element]:
    """Declarations of the item's variables and of its expression keys."""
    declarations = [
        _declaration(v.name, _base_type(v), math_variable=True) for v in item.template_variables
    ]
    for index, key in enumerate(item.numeric_keys):
        if isinstance(key.value, str):
            declarations.append(_declaration(key_variable(index), "float", math_variable=False))
    return declarations


def _declaration(identifier: str, base_type: str, *, math_variable: bool) -> etree._Element:
    return etree.Element(
        q("qti-template-declaration"),
        {
            "identifier": identifier,
            "cardinality": "single",
            "base-type": base_type,
            "math-variable": "true" if math_variable else "false",
            "param-variable": "false",
        },
    )


def template_processing(item: Item, correct_key: int | None) -> etree._Element:
    """Draw every variable, compute expression keys and set RESPONSE's correct value."""
    processing = etree.Element(q("qti-template-processing"))
    for variable in item.template_variables:
        setter = etree.SubElement(processing, q("qti-set-template-value"))
        setter.set("identifier", variable.name)
        # A computed variable is an expression over those set before it, in declaration order.
        setter.append(
            expression_to_qti(variable.expression) if variable.expression else _draw(variable)
        )
    for index, key in enumerate(item.numeric_keys):
        if isinstance(key.value, str):
            setter = etree.SubElement(processing, q("qti-set-template-value"))
            setter.set("identifier", key_variable(index))
            setter.append(expression_to_qti(key.value))
    if correct_key is not None:
        setter = etree.SubElement(processing, q("qti-set-correct-response"), identifier="RESPONSE")
        setter.append(_variable(key_variable(correct_key)))
    return processing


def _value(text: object, base_type: str) -> etree._Element:
    element = etree.Element(q("qti-base-value"), {"base-type": base_type})
    element.text = format_value(text)
    return element


def _variable(identifier: str) -> etree._Element:
    return etree.Element(q("qti-variable"), identifier=identifier)


def _draw(variable: TemplateVariable) -> etree._Element:
    if variable.values:
        base_type = _base_type(variable)
        choose = etree.Element(q("qti-random"))
        multiple = etree.SubElement(choose, q("qti-multiple"))
        multiple.extend(_value(v, base_type) for v in variable.values)
        return choose
    low, high, step = variable.minimum or 0, variable.maximum or 0, variable.step
    if is_integer_range(variable):
        attributes = {"min": format_value(low), "max": format_value(high)}
        if step is not None:
            attributes["step"] = format_value(step)
        return etree.Element(q("qti-random-integer"), attributes)
    if not step:
        return etree.Element(q("qti-random-float"), min=format_value(low), max=format_value(high))
    # low + step * k, k drawn from 0..count: QTI's random float has no step
    count = int((high - low) / step + 1e-9)
    total = etree.Element(q("qti-sum"))
    product = etree.Element(q("qti-product"))
    product.append(_value(float(step), "float"))
    product.append(etree.Element(q("qti-random-integer"), min="0", max=str(count)))
    total.extend([_value(float(low), "float"), product])
    return total


def expression_to_qti(expression: str) -> etree._Element:
    """Translate a key expression (already checked by the safe evaluator) into QTI operators.

    Raises
    ------
    ValueError
        For constructs QTI cannot express.
    """
    return _translate(ast.parse(expression.strip(), mode="eval").body, expression)


def _translate(node: ast.AST, source: str) -> etree._Element:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        element = etree.Element(q("qti-base-value"), {"base-type": "float"})
        element.text = repr(node.value)  # "4" and "4.0" stay apart so expressions round-trip
        return element
    if isinstance(node, ast.Name):
        if node.id in _CONSTANTS:
            return etree.Element(q("qti-math-constant"), name=node.id)
        return _variable(node.id)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        element = etree.Element(q(_BINARY[type(node.op)]))
        element.extend([_translate(node.left, source), _translate(node.right, source)])
        return element
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        if isinstance(node.op, ast.UAdd):
            return _translate(node.operand, source)
        element = etree.Element(q("qti-product"))
        element.extend([_value(-1.0, "float"), _translate(node.operand, source)])
        return element
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return _call(node.func.id, [_translate(a, source) for a in node.args], source)
    raise ValueError(f"{source!r}: {type(node).__name__} cannot be written as QTI")


def _call(name: str, arguments: list[etree._Element], source: str) -> etree._Element:
    if name not in ("min", "max") and len(arguments) != 1:
        raise ValueError(f"{source!r}: {name}() takes one argument, got {len(arguments)}")
    if name == "sqrt":
        element = etree.Element(q("qti-power"))
        element.extend([*arguments, _value(0.5, "float")])
        return element
    tags = {"round": "qti-round", "min": "qti-min", "max": "qti-max"}
    if name in tags:
        element = etree.Element(q(tags[name]))
    elif name in _MATH:
        element = etree.Element(q("qti-math-operator"), name=_MATH[name])
    else:
        raise ValueError(f"{source!r}: function {name!r} cannot be written as QTI")
    element.extend(arguments)
    return element


_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]\w*)\s*\}\}")


def print_variables(root: etree._Element, names: set[str]) -> None:
    """Replace ``{{name}}`` in text by ``qti-printed-variable`` for the template variables."""
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        if element.text and _PLACEHOLDER.search(element.text):
            element.text = _split(element.text, names, element, 0)
        if element.tail and _PLACEHOLDER.search(element.tail):
            parent = element.getparent()
            if parent is not None:
                element.tail = _split(element.tail, names, parent, parent.index(element) + 1)


def _split(text: str, names: set[str], parent: etree._Element, position: int) -> str:
    """Insert printed variables into ``parent`` at ``position``; return the leading text."""
    parts = _PLACEHOLDER.split(text)
    leading = parts[0]
    pending = ""
    inserted: list[etree._Element] = []
    for index in range(1, len(parts), 2):
        name, after = parts[index], parts[index + 1]
        if name not in names:
            piece = "{{" + name + "}}" + after
            if inserted:
                inserted[-1].tail = (inserted[-1].tail or "") + piece
            else:
                pending += piece
            continue
        printed = etree.Element(q("qti-printed-variable"), identifier=name)
        printed.tail = after
        inserted.append(printed)
    for offset, element in enumerate(inserted):
        parent.insert(position + offset, element)
    return leading + pending
