"""Import QTI 3.0 and QTI 2.1/2.2 item documents into :class:`~item_bank.items.Item`.

Simple items become native kinds (see :mod:`item_bank.qti.native`); everything else becomes
``ItemKind.QTI`` carrying the canonical QTI 3.0 document, so nothing is dropped. A batch import
returns every item or raises: nothing is half-imported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

from item_bank.errors import ImportFormatError, ItemValidationError
from item_bank.items import Item, ItemKind, QtiContent, require_valid, validate_item
from item_bank.qti.native import decode_native
from item_bank.qti.operators import QtiProcessingError
from item_bank.qti.processing import QtiItem, read_qti_item
from item_bank.qti.values import QtiValueError
from item_bank.qti.xml import canonical_xml, local_name, parse_xml, q, to_qti3

__all__ = ["ImportResult", "ItemReport", "import_items", "qti_max_score", "read_item"]


@dataclass(frozen=True, slots=True)
class ItemReport:
    """What happened to one document of an import."""

    source: str
    identifier: str | None
    status: str  # "imported" or "skipped"
    kind: ItemKind | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ImportResult:
    """The imported items, in input order, and one report row per input document."""

    items: tuple[Item, ...]
    reports: tuple[ItemReport, ...]


def read_item(data: bytes | str, *, source: str) -> Item:
    """Read one QTI item document (3.0, 2.2 or 2.1).

    Raises
    ------
    ImportFormatError
        If the document is malformed, is not an item, or its declarations or processing are
        broken (undeclared response identifier, bad values, unknown template).
    """
    root = parse_xml(data, source=source)
    return item_from_element(root, source=source)


def item_from_element(root: etree._Element, *, source: str) -> Item:
    """Convert a parsed ``qti-assessment-item`` / ``assessmentItem`` element."""
    root = to_qti3(root)
    if root.tag != q("qti-assessment-item"):
        raise ImportFormatError(source, f"not a QTI item: root element is <{local_name(root)}>")
    identifier = root.get("identifier")
    if not identifier:
        raise ImportFormatError(source, "the item has no identifier")
    try:
        qti = read_qti_item(root)
        _check_references(qti)
        native = decode_native(qti)
        if native is not None and not validate_item(native.normalised()):
            return native.normalised()
        # not expressible natively, or natively incomplete (a choice item without a stem)
        return require_valid(_qti_item(qti, root), source=source)
    except (QtiProcessingError, QtiValueError, ItemValidationError) as error:
        raise ImportFormatError(source, str(error), item=identifier) from None


def _check_references(qti: QtiItem) -> None:
    responses = {k for k, d in qti.declarations.items() if d.kind == "response"}
    for element in qti.root.iter():
        if not isinstance(element.tag, str):
            continue
        target = element.get("response-identifier")
        if target is not None and target not in responses:
            line = element.sourceline
            raise QtiProcessingError(
                f"<{local_name(element)}> (line {line}) refers to undeclared response {target!r}"
            )


def _qti_item(qti: QtiItem, root: etree._Element) -> Item:
    body = root.find(q("qti-item-body"))
    text = " ".join("".join(body.itertext()).split()) if body is not None else ""
    interactions: list[str] = []
    for element in root.iter():
        name = local_name(element)
        if name.endswith("-interaction") and name not in interactions:
            interactions.append(name)
    return Item(
        identifier=qti.identifier,
        kind=ItemKind.QTI,
        stem=text,
        title=root.get("title", ""),
        points=qti_max_score(qti),
        qti=QtiContent(xml=canonical_xml(root), interactions=tuple(interactions)),
    )


def qti_max_score(qti: QtiItem) -> float:
    """The item's maximum SCORE: MAXSCORE's default, else the largest value response
    processing can assign (template items and sums of part scores included), else 1."""
    maxscore = qti.declarations.get("MAXSCORE")
    if maxscore is not None and isinstance(maxscore.default, int | float):
        return float(maxscore.default)
    score = qti.declarations.get("SCORE")
    if score is not None and score.attributes.get("normal-maximum"):
        return float(score.attributes["normal-maximum"])
    best = _outcome_max(qti, "SCORE", set())
    return best if best is not None and best > 0 else 1.0


def _outcome_max(qti: QtiItem, identifier: str, seen: set[str]) -> float | None:
    if identifier in seen or qti.response_processing is None:
        return None
    seen = seen | {identifier}
    values = []
    for setter in qti.response_processing.iter(q("qti-set-outcome-value")):
        if setter.get("identifier") == identifier:
            expression = next((c for c in setter if isinstance(c.tag, str)), None)
            if expression is not None:
                values.append(_expression_max(qti, expression, seen))
    known = [v for v in values if v is not None]
    return max(known) if known and len(known) == len(values) else None


def _expression_max(qti: QtiItem, expression: etree._Element, seen: set[str]) -> float | None:
    name = local_name(expression)
    if name == "qti-base-value":
        try:
            return float(expression.text or "")
        except ValueError:
            return None
    if name == "qti-variable":
        identifier = expression.get("identifier", "")
        declared = qti.declarations.get(identifier)
        found = _outcome_max(qti, identifier, seen)
        default = declared.default if declared is not None else None
        candidates = [v for v in (found, default) if isinstance(v, int | float)]
        return float(max(candidates)) if candidates else None
    if name == "qti-sum":
        parts = [_expression_max(qti, c, seen) for c in expression if isinstance(c.tag, str)]
        return None if any(p is None for p in parts) else float(sum(parts))  # type: ignore[arg-type]
    if name == "qti-map-response":
        declared = qti.declarations.get(expression.get("identifier", ""))
        if declared is None or declared.mapping is None:
            return None
        mapping = declared.mapping
        if mapping.upper_bound is not None:
            return mapping.upper_bound
        positives = [e.value for e in mapping.entries if e.value > 0]
        multiple = declared.cardinality != "single"
        return float(sum(positives)) if multiple else float(max(positives, default=0.0))
    return None


_ROOTS = {"qti-assessment-item", "assessmentItem"}


def import_items(documents: Iterable[tuple[str, bytes | str]]) -> ImportResult:
    """Import ``(source name, document)`` pairs; all or nothing.

    Documents that are not items (tests, manifests, usage data) and repeated identifiers are
    skipped and reported; a broken item document raises.

    Raises
    ------
    ImportFormatError
        For the first broken document, naming it, the item and the problem.
    """
    items: list[Item] = []
    reports: list[ItemReport] = []
    seen: dict[str, str] = {}
    for source, data in documents:
        root = parse_xml(data, source=source)
        if local_name(root) not in _ROOTS:
            reason = f"not an item: root element is <{local_name(root)}>"
            reports.append(ItemReport(source, root.get("identifier"), "skipped", reason=reason))
            continue
        item = item_from_element(root, source=source)
        if item.identifier in seen:
            reason = f"identifier {item.identifier!r} already imported from {seen[item.identifier]}"
            reports.append(ItemReport(source, item.identifier, "skipped", item.kind, reason))
            continue
        seen[item.identifier] = source
        items.append(item)
        reports.append(ItemReport(source, item.identifier, "imported", item.kind))
    return ImportResult(tuple(items), tuple(reports))
