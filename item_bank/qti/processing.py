"""The QTI interpreter: template processing, response processing and modal feedback.

Standard response-processing templates are resolved locally from their URI (QTI 2.x and 3.0
forms alike) and are never fetched.
"""

from __future__ import annotations

import contextlib
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from lxml import etree

from item_bank.qti.markdown import content_to_markdown
from item_bank.qti.operators import Context, QtiProcessingError, evaluate
from item_bank.qti.values import Container, Declaration, coerce_value, read_declaration
from item_bank.qti.xml import QTI_NS, local_name, parse_xml, q

__all__ = [
    "QtiItem",
    "ResponseOutcome",
    "TemplateState",
    "process_responses",
    "process_template",
    "read_qti_item",
    "template_name",
]

_TEMPLATE_URI = re.compile(
    r"rptemplates/(match_correct|map_response_point|map_response)(?:\.xml)?$"
)
_SET_SCORE = '<qti-set-outcome-value identifier="SCORE">{}</qti-set-outcome-value>'
_FLOAT = '<qti-base-value base-type="float">{}</qti-base-value>'
_RESPONSE = '<qti-variable identifier="RESPONSE"/>'


def _if_else(condition: str, then: str, otherwise: str) -> str:
    return (
        f"<qti-response-condition><qti-response-if>{condition}{_SET_SCORE.format(then)}"
        f"</qti-response-if><qti-response-else>{_SET_SCORE.format(otherwise)}"
        "</qti-response-else></qti-response-condition>"
    )


# The three standard templates of QTI 3.0 (identical in 2.x), written out here so that they
# are never fetched from imsglobal.org.
_TEMPLATES = {
    "match_correct": _if_else(
        f'<qti-match>{_RESPONSE}<qti-correct identifier="RESPONSE"/></qti-match>',
        _FLOAT.format(1),
        _FLOAT.format(0),
    ),
    "map_response": _if_else(
        f"<qti-is-null>{_RESPONSE}</qti-is-null>",
        _FLOAT.format(0),
        '<qti-map-response identifier="RESPONSE"/>',
    ),
    "map_response_point": _if_else(
        f"<qti-is-null>{_RESPONSE}</qti-is-null>",
        _FLOAT.format(0),
        '<qti-map-response-point identifier="RESPONSE"/>',
    ),
}


def template_name(uri: str | None) -> str | None:
    """Return ``match_correct``/``map_response``/``map_response_point`` for a standard template
    URI of any QTI version, else ``None``."""
    match = _TEMPLATE_URI.search(uri or "")
    return match.group(1) if match else None


@cache
def _template_rules(name: str) -> etree._Element:
    return parse_xml(
        f'<qti-response-processing xmlns="{QTI_NS}">{_TEMPLATES[name]}</qti-response-processing>',
        source=f"template {name}",
    )


@dataclass(frozen=True)
class QtiItem:
    """A parsed QTI 3.0 item: what the interpreter needs, read once."""

    identifier: str
    root: etree._Element
    declarations: dict[str, Declaration]
    response_processing: etree._Element | None
    template_processing: etree._Element | None
    template: str | None  # standard template name when response processing uses one


def read_qti_item(root: etree._Element) -> QtiItem:
    """Collect declarations and processing of a ``qti-assessment-item`` (QTI 3.0) element.

    Raises
    ------
    QtiProcessingError
        If response processing names an unknown template URI.
    """
    identifier = root.get("identifier", "")
    declarations: dict[str, Declaration] = {}
    for name in ("qti-response-declaration", "qti-outcome-declaration", "qti-template-declaration"):
        for element in root.findall(q(name)):
            declaration = read_declaration(element)
            declarations[declaration.identifier] = declaration
    processing = root.find(q("qti-response-processing"))
    template = None
    if processing is not None and len(processing) == 0 and processing.get("template"):
        template = template_name(processing.get("template"))
        if template is None:
            uri = processing.get("template")
            raise QtiProcessingError(
                f"item {identifier!r}: unknown response-processing template {uri!r}"
            )
        processing = _template_rules(template)
    return QtiItem(
        identifier,
        root,
        declarations,
        processing,
        root.find(q("qti-template-processing")),
        template,
    )


@dataclass(frozen=True)
class TemplateState:
    """Template variable values and the correct/default values template processing set."""

    values: Mapping[str, object] = field(default_factory=dict)
    correct: Mapping[str, object] = field(default_factory=dict)
    defaults: Mapping[str, object] = field(default_factory=dict)


class _Exit(Exception):  # noqa: N818  (control flow, not an error)
    """qti-exit-response / qti-exit-template."""


class _ConstraintFailed(Exception):  # noqa: N818  (control flow: draw again)
    """qti-template-constraint was false: draw the template values again."""


def _initial(declaration: Declaration) -> object:
    if declaration.default is not None:
        return declaration.default
    if declaration.cardinality == "single" and declaration.base_type in ("integer", "float"):
        return 0 if declaration.base_type == "integer" else 0.0
    return None


def process_template(item: QtiItem, rng: random.Random) -> TemplateState:
    """Run template processing with ``rng``; the same seed always gives the same variant.

    Raises
    ------
    QtiProcessingError
        If processing uses an unsupported element or ``qti-template-constraint`` cannot be met
        in 100 draws.
    """
    for _ in range(100):
        ctx = _context(item, {}, rng=rng)
        for declaration in item.declarations.values():
            if declaration.kind == "template":
                ctx.values[declaration.identifier] = declaration.default
        if item.template_processing is None:
            return _state(item, ctx)
        try:
            _run(item.template_processing, ctx, _TEMPLATE_RULES)
        except _Exit:
            pass
        except _ConstraintFailed:
            continue
        return _state(item, ctx)
    raise QtiProcessingError(f"item {item.identifier!r}: template constraint never satisfied")


def _state(item: QtiItem, ctx: Context) -> TemplateState:
    values = {k: v for k, v in ctx.values.items() if item.declarations[k].kind == "template"}
    return TemplateState(values, dict(ctx.correct), dict(ctx.defaults))


def _context(
    item: QtiItem, values: dict[str, object], *, rng: random.Random | None = None
) -> Context:
    correct = {k: d.correct for k, d in item.declarations.items() if d.correct is not None}
    defaults = {k: d.default for k, d in item.declarations.items() if d.default is not None}
    return Context(item.identifier, item.declarations, values, correct, defaults, rng)


@dataclass(frozen=True)
class ResponseOutcome:
    """Outcome variables after response processing and the modal feedback they show."""

    outcomes: Mapping[str, object]
    feedback: tuple[str, ...]


def process_responses(
    item: QtiItem,
    responses: Mapping[str, object],
    *,
    template: TemplateState | None = None,
) -> ResponseOutcome:
    """Score ``responses`` (response identifier → Python value) by the item's processing.

    Raises
    ------
    QtiProcessingError
        For an unknown response identifier, a value of the wrong type, a missing correct
        response where processing needs one, or an unsupported element.
    """
    state = template or TemplateState()
    ctx = _context(item, dict(state.values))
    ctx.correct.update(state.correct)
    ctx.defaults.update(state.defaults)
    for identifier, raw in responses.items():
        declaration = item.declarations.get(identifier)
        if declaration is None or declaration.kind != "response":
            raise QtiProcessingError(
                f"item {item.identifier!r}: unknown response identifier {identifier!r}"
            )
        try:
            ctx.values[identifier] = coerce_value(raw, declaration)
        except ValueError as error:
            raise QtiProcessingError(f"item {item.identifier!r}: {error}") from None
    for declaration in item.declarations.values():
        if declaration.kind == "outcome":
            ctx.values[declaration.identifier] = ctx.defaults.get(
                declaration.identifier, _initial(declaration)
            )
        elif declaration.kind == "response":
            ctx.values.setdefault(declaration.identifier, None)
    ctx.values.setdefault("numAttempts", 1)
    if item.template == "match_correct" and ctx.correct.get("RESPONSE") is None:
        raise QtiProcessingError(
            f"item {item.identifier!r}: match_correct needs a correct response for RESPONSE"
        )
    if item.response_processing is not None:
        with contextlib.suppress(_Exit):
            _run(item.response_processing, ctx, _RESPONSE_RULES)
    outcomes = {k: ctx.values[k] for k, d in item.declarations.items() if d.kind == "outcome"}
    return ResponseOutcome(outcomes, _modal_feedback(item, outcomes))


def _modal_feedback(item: QtiItem, outcomes: Mapping[str, object]) -> tuple[str, ...]:

    shown: list[str] = []
    for element in item.root.iter(q("qti-modal-feedback")):
        value = outcomes.get(element.get("outcome-identifier", ""))
        identifier = element.get("identifier")
        matched = identifier in value.items if isinstance(value, Container) else value == identifier
        if matched == (element.get("show-hide", "show") == "show"):
            body = element.find(q("qti-content-body"))
            shown.append(content_to_markdown(body if body is not None else element))
    return tuple(shown)


# -- rules ---------------------------------------------------------------------------------


def _run(parent: etree._Element, ctx: Context, rules: Mapping[str, object]) -> None:
    for rule in parent:
        if not isinstance(rule.tag, str):
            continue
        handler = rules.get(local_name(rule))
        if handler is None:
            raise ctx.fail(rule, "unsupported rule")
        handler(rule, ctx, rules)  # type: ignore[operator]


def _condition(rule: etree._Element, ctx: Context, rules: Mapping[str, object]) -> None:
    for branch in rule:
        if not isinstance(branch.tag, str):
            continue
        children = [c for c in branch if isinstance(c.tag, str)]
        if local_name(branch).endswith("-else"):
            _run_list(children, ctx, rules)
            return
        if not children:
            raise ctx.fail(branch, "has no condition")
        if evaluate(children[0], ctx) is True:
            _run_list(children[1:], ctx, rules)
            return


def _run_list(rules_list: list[etree._Element], ctx: Context, rules: Mapping[str, object]) -> None:
    for rule in rules_list:
        handler = rules.get(local_name(rule))
        if handler is None:
            raise ctx.fail(rule, "unsupported rule")
        handler(rule, ctx, rules)  # type: ignore[operator]


def _single_expression(rule: etree._Element, ctx: Context) -> object:
    children = [c for c in rule if isinstance(c.tag, str)]
    if len(children) != 1:
        raise ctx.fail(rule, f"needs exactly one expression, has {len(children)}")
    return evaluate(children[0], ctx)


def _fit(value: object, declaration: Declaration) -> object:
    if value is None:
        return None
    if declaration.cardinality != "single" and not isinstance(value, Container):
        return Container(declaration.cardinality, (value,))
    if declaration.base_type == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if declaration.base_type == "integer" and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _set_value(rule: etree._Element, ctx: Context, rules: Mapping[str, object]) -> None:
    identifier = rule.get("identifier", "")
    declaration = ctx.declaration(rule, identifier)
    value = _fit(_single_expression(rule, ctx), declaration)
    name = local_name(rule)
    if name == "qti-set-correct-response":
        ctx.correct[identifier] = value
    elif name == "qti-set-default-value":
        ctx.defaults[identifier] = value
    else:
        ctx.values[identifier] = value


def _exit(rule: etree._Element, ctx: Context, rules: Mapping[str, object]) -> None:
    raise _Exit


def _constraint(rule: etree._Element, ctx: Context, rules: Mapping[str, object]) -> None:
    if _single_expression(rule, ctx) is not True:
        raise _ConstraintFailed


def _fragment(rule: etree._Element, ctx: Context, rules: Mapping[str, object]) -> None:
    _run(rule, ctx, rules)


_RESPONSE_RULES: dict[str, object] = {
    "qti-response-condition": _condition,
    "qti-set-outcome-value": _set_value,
    "qti-exit-response": _exit,
    "qti-response-processing-fragment": _fragment,
}
_TEMPLATE_RULES: dict[str, object] = {
    "qti-template-condition": _condition,
    "qti-set-template-value": _set_value,
    "qti-set-correct-response": _set_value,
    "qti-set-default-value": _set_value,
    "qti-exit-template": _exit,
    "qti-template-constraint": _constraint,
}
