"""QTI 3.0 usage data (``imsqti_usagedata_v3p0``): item statistics in and out.

IRT parameters travel as ``A-Parm`` (discrimination), ``B-Parm`` (difficulty) and ``C-Parm``
(guessing); classical statistics as ``P-value`` (facility) and ``PTbis`` (point-biserial).
The numbers are passed in plainly so this module does not depend on the psychometrics code.

Polytomous items (QTI has no standard names for them; usage data allows any name within a
``context``, and each statistic points into :data:`POLYTOMOUS_GLOSSARY`) travel as:

================  ======================  ==================================================
name              element                 meaning (logistic metric, no scaling constant D)
================  ======================  ==================================================
``IRT-Model``     ordinaryStatistic       ``GRM`` (Samejima graded response) or ``GPCM``
                                          (Muraki generalised partial credit), as text
``A-Parm``        ordinaryStatistic       slope ``a``, as for dichotomous items
``GRM-B``         categorizedStatistic    GRM boundary locations ``b_k = -d_k / a``: the
                                          theta where ``P(X >= k) = 0.5``; map key ``k``
``GPCM-B``        categorizedStatistic    GPCM step locations ``b_k = -(d_k - d_{k-1}) / a``:
                                          where categories ``k-1`` and ``k`` are equally
                                          likely; map key ``k``
``D-Parm``        categorizedStatistic    slope-intercept form ``d_k``, ``k = 1..K-1``
                                          (``a theta + d_k``; GPCM ``d_k`` cumulative,
                                          ``d_0 = 0``), so the item is rebuilt exactly
================  ======================  ==================================================

Map keys are category numbers ``"1"`` .. ``"K-1"``; ``caseCount`` is the number of responses,
``stdError`` of ``A-Parm`` the standard error of ``a``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree

from item_bank.errors import ImportFormatError
from item_bank.qti.values import format_value
from item_bank.qti.xml import XSI_NS, local_name, parse_xml

__all__ = [
    "USAGE_NS",
    "ItemStatistic",
    "classical_statistics",
    "export_usage_data",
    "irt_statistics",
    "polytomous_statistics",
    "read_usage_data",
]

USAGE_NS = "http://www.imsglobal.org/xsd/imsqti_usagedata_v3p0"
_USAGE_NAMESPACES = (
    USAGE_NS,
    "http://www.imsglobal.org/xsd/imsqti_usagedata_v2p2",
    "http://www.imsglobal.org/xsd/imsqti_usagedata_v2p1",
)
_SCHEMA = (
    f"{USAGE_NS} https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_usagedatav3p0_v1p0.xsd"
)
DEFAULT_CONTEXT = "urn:item-bank:statistics"
POLYTOMOUS_GLOSSARY = "urn:item-bank:glossary:polytomous-irt"
"""Glossary URI of the polytomous statistic names (defined in this module's docstring)."""
_LOCATION_NAMES = {"grm": "GRM-B", "gpcm": "GPCM-B"}


@dataclass(frozen=True, slots=True)
class ItemStatistic:
    """One ``ordinaryStatistic`` (``value``) or ``categorizedStatistic`` (``categories``)."""

    item: str
    name: str
    value: float | str | None
    context: str = DEFAULT_CONTEXT
    case_count: int | None = None
    std_error: float | None = None
    last_updated: str | None = None
    part: str | None = None
    glossary: str | None = None
    categories: tuple[tuple[str, float], ...] = ()


def irt_statistics(
    item: str,
    *,
    discrimination: float,
    difficulty: float,
    guessing: float | None = None,
    case_count: int | None = None,
    std_errors: Mapping[str, float] | None = None,
    context: str = DEFAULT_CONTEXT,
    last_updated: str | None = None,
) -> tuple[ItemStatistic, ...]:
    """Return A-/B-/C-Parm statistics of one item; ``std_errors`` is keyed by
    ``"discrimination"``, ``"difficulty"``, ``"guessing"``."""
    errors = std_errors or {}
    values = {"A-Parm": ("discrimination", discrimination), "B-Parm": ("difficulty", difficulty)}
    if guessing is not None:
        values["C-Parm"] = ("guessing", guessing)
    return tuple(
        ItemStatistic(item, name, float(value), context, case_count, errors.get(key), last_updated)
        for name, (key, value) in values.items()
    )


def polytomous_statistics(
    item: str,
    *,
    model: str,
    discrimination: float,
    intercepts: Sequence[float],
    thresholds: Sequence[float],
    case_count: int | None = None,
    discrimination_error: float | None = None,
    context: str = DEFAULT_CONTEXT,
    last_updated: str | None = None,
) -> tuple[ItemStatistic, ...]:
    """Return the statistics of one GRM or GPCM item (names in the module docstring).

    Raises
    ------
    ValueError
        If ``model`` is not ``"grm"`` or ``"gpcm"``, or ``intercepts`` and ``thresholds``
        do not both hold ``K - 1`` values.
    """
    key = model.lower()
    if key not in _LOCATION_NAMES:
        raise ValueError(f"polytomous statistics need model 'grm' or 'gpcm', got {model!r}")
    if len(intercepts) != len(thresholds) or not intercepts:
        raise ValueError("intercepts and thresholds need one value per category above 0")

    def stat(name: str, value: float | str | None = None, **extra: Any) -> ItemStatistic:
        error = extra.pop("std_error", None)
        glossary = f"{POLYTOMOUS_GLOSSARY}#{name}"
        return ItemStatistic(
            item, name, value, context, case_count, error, last_updated, glossary=glossary, **extra
        )

    def by_category(values: Sequence[float]) -> tuple[tuple[str, float], ...]:
        return tuple((str(k), float(v)) for k, v in enumerate(values, start=1))

    return (
        stat("IRT-Model", key.upper()),
        stat("A-Parm", float(discrimination), std_error=discrimination_error),
        stat(_LOCATION_NAMES[key], categories=by_category(thresholds)),
        stat("D-Parm", categories=by_category(intercepts)),
    )


def classical_statistics(
    item: str,
    *,
    p_value: float,
    point_biserial: float | None = None,
    case_count: int | None = None,
    std_errors: Mapping[str, float] | None = None,
    context: str = DEFAULT_CONTEXT,
    last_updated: str | None = None,
) -> tuple[ItemStatistic, ...]:
    """Return P-value and PTbis statistics; ``std_errors`` keyed ``"p_value"``,
    ``"point_biserial"``."""
    errors = std_errors or {}
    result = [
        ItemStatistic(
            item,
            "P-value",
            float(p_value),
            context,
            case_count,
            errors.get("p_value"),
            last_updated,
        )
    ]
    if point_biserial is not None:
        result.append(
            ItemStatistic(
                item,
                "PTbis",
                float(point_biserial),
                context,
                case_count,
                errors.get("point_biserial"),
                last_updated,
            )
        )
    return tuple(result)


def export_usage_data(statistics: Iterable[ItemStatistic]) -> str:
    """Return a QTI 3.0 ``usageData`` document holding ``statistics``."""
    root = etree.Element(f"{{{USAGE_NS}}}usageData", nsmap={None: USAGE_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", _SCHEMA)
    for statistic in statistics:
        root.append(_statistic_element(statistic))
    body: str = etree.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _u(name: str) -> str:
    return f"{{{USAGE_NS}}}{name}"


def _statistic_element(statistic: ItemStatistic) -> etree._Element:
    categorized = bool(statistic.categories)
    element = etree.Element(_u("categorizedStatistic" if categorized else "ordinaryStatistic"))
    element.set("name", statistic.name)
    if statistic.glossary:
        element.set("glossary", statistic.glossary)
    element.set("context", statistic.context)
    if statistic.case_count is not None:
        element.set("caseCount", str(statistic.case_count))
    if statistic.std_error is not None:
        element.set("stdError", format_value(statistic.std_error))
    if statistic.last_updated:
        element.set("lastUpdated", statistic.last_updated)
    target = etree.SubElement(element, _u("targetObject"), identifier=statistic.item)
    if statistic.part:
        target.set("partIdentifier", statistic.part)
    if categorized:
        mapping = etree.SubElement(element, _u("mapping"), defaultValue="0")
        for key, value in statistic.categories:
            etree.SubElement(mapping, _u("mapEntry"), mapKey=key, mappedValue=format_value(value))
    else:
        etree.SubElement(element, _u("value")).text = format_value(statistic.value)
    return element


def read_usage_data(data: bytes | str, *, source: str) -> tuple[ItemStatistic, ...]:
    """Read a QTI 2.x/3.0 ``usageData`` document.

    Raises
    ------
    ImportFormatError
        If the document is malformed, is not usage data, or a statistic lacks its target.
    """
    root = parse_xml(data, source=source)
    namespace = etree.QName(root).namespace
    if local_name(root) != "usageData" or namespace not in (*_USAGE_NAMESPACES, None):
        raise ImportFormatError(source, f"not QTI usage data: root element is <{local_name(root)}>")
    statistics = []
    for element in root:
        if not isinstance(element.tag, str):
            continue
        statistics.append(_read_statistic(element, namespace, source))
    return tuple(statistics)


def _child(element: etree._Element, namespace: str | None, name: str) -> etree._Element | None:
    return element.find(f"{{{namespace}}}{name}" if namespace else name)


def _read_statistic(element: etree._Element, namespace: str | None, source: str) -> ItemStatistic:
    name = element.get("name", "")
    target = _child(element, namespace, "targetObject")
    if target is None or not target.get("identifier"):
        raise ImportFormatError(
            source, f"statistic {name!r} (line {element.sourceline}) has no targetObject"
        )
    categories: tuple[tuple[str, float], ...] = ()
    value: float | str | None = None
    if local_name(element) == "categorizedStatistic":
        mapping = _child(element, namespace, "mapping")
        entries = mapping if mapping is not None else []
        categories = tuple(
            (e.get("mapKey", ""), float(e.get("mappedValue", "0")))
            for e in entries
            if isinstance(e.tag, str)
        )
    else:
        node = _child(element, namespace, "value")
        value = _number_or_text((node.text or "").strip() if node is not None else "")
    case_count, std_error = element.get("caseCount"), element.get("stdError")
    return ItemStatistic(
        item=target.get("identifier", ""),
        name=name,
        value=value,
        context=element.get("context", DEFAULT_CONTEXT),
        case_count=int(case_count) if case_count else None,
        std_error=float(std_error) if std_error else None,
        last_updated=element.get("lastUpdated"),
        part=target.get("partIdentifier"),
        glossary=element.get("glossary"),
        categories=categories,
    )


def _number_or_text(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text
