"""QTI 3.0 ``qti-assessment-test`` documents read into a plain structure for the quiz engine.

Conditions (pre-conditions, branch rules) and outcome processing keep their QTI expression as
canonical XML, to be evaluated by :mod:`item_bank.qti.operators` when the engine runs a test.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from item_bank.errors import ImportFormatError
from item_bank.qti.markdown import content_to_markdown
from item_bank.qti.xml import canonical_xml, local_name, parse_xml, q, to_qti3

__all__ = [
    "AssessmentTest",
    "BranchRule",
    "ItemRef",
    "ItemSessionControl",
    "Section",
    "Selection",
    "TestPart",
    "TimeLimits",
    "read_assessment_test",
]


@dataclass(frozen=True, slots=True)
class TimeLimits:
    """Seconds; ``None`` when not limited."""

    min_time: float | None = None
    max_time: float | None = None
    allow_late_submission: bool = False


@dataclass(frozen=True, slots=True)
class ItemSessionControl:
    max_attempts: int | None = None  # 0 = unlimited, None = inherited
    show_feedback: bool | None = None
    allow_review: bool | None = None
    show_solution: bool | None = None
    allow_comment: bool | None = None
    allow_skipping: bool | None = None
    validate_responses: bool | None = None


@dataclass(frozen=True, slots=True)
class BranchRule:
    target: str  # an item, section or part identifier, or EXIT_SECTION / EXIT_TESTPART / EXIT_TEST
    condition: str  # canonical QTI expression


@dataclass(frozen=True, slots=True)
class Selection:
    """``qti-selection``; ``adaptive_engine`` is the 1EdTech CAT ``adaptiveEngineRef`` href and
    ``extension`` the whole ``adaptiveItemSelection`` element, when the section is adaptive."""

    select: int
    with_replacement: bool = False
    adaptive_engine: str | None = None
    extension: str | None = None


@dataclass(frozen=True, slots=True)
class ItemRef:
    identifier: str
    href: str
    weights: tuple[tuple[str, float], ...] = ()
    categories: tuple[str, ...] = ()
    required: bool = False
    fixed: bool = False
    time_limits: TimeLimits | None = None
    session_control: ItemSessionControl | None = None
    pre_conditions: tuple[str, ...] = ()
    branch_rules: tuple[BranchRule, ...] = ()


@dataclass(frozen=True, slots=True)
class Section:
    identifier: str
    title: str
    visible: bool
    children: tuple[Section | ItemRef, ...]
    selection: Selection | None = None
    shuffle: bool = False
    required: bool = False
    fixed: bool = False
    keep_together: bool = True
    rubrics: tuple[str, ...] = ()  # Markdown of candidate rubric blocks
    time_limits: TimeLimits | None = None
    session_control: ItemSessionControl | None = None
    pre_conditions: tuple[str, ...] = ()
    branch_rules: tuple[BranchRule, ...] = ()


@dataclass(frozen=True, slots=True)
class TestPart:
    identifier: str
    navigation_mode: str  # linear | nonlinear
    submission_mode: str  # individual | simultaneous
    sections: tuple[Section, ...]
    time_limits: TimeLimits | None = None
    session_control: ItemSessionControl | None = None
    pre_conditions: tuple[str, ...] = ()
    branch_rules: tuple[BranchRule, ...] = ()


@dataclass(frozen=True, slots=True)
class AssessmentTest:
    identifier: str
    title: str
    parts: tuple[TestPart, ...]
    time_limits: TimeLimits | None = None
    outcome_processing: str | None = None  # canonical qti-outcome-processing

    def item_refs(self) -> tuple[ItemRef, ...]:
        """Every item reference, in document order."""
        found: list[ItemRef] = []

        def walk(section: Section) -> None:
            for child in section.children:
                if isinstance(child, Section):
                    walk(child)
                else:
                    found.append(child)

        for part in self.parts:
            for section in part.sections:
                walk(section)
        return tuple(found)


def _bool(element: etree._Element, name: str, default: bool | None = None) -> bool | None:
    value = element.get(name)
    return default if value is None else value == "true"


def _time_limits(parent: etree._Element) -> TimeLimits | None:
    element = parent.find(q("qti-time-limits"))
    if element is None:
        return None
    low, high = element.get("min-time"), element.get("max-time")
    return TimeLimits(
        float(low) if low else None,
        float(high) if high else None,
        bool(_bool(element, "allow-late-submission", False)),
    )


def _session(parent: etree._Element) -> ItemSessionControl | None:
    element = parent.find(q("qti-item-session-control"))
    if element is None:
        return None
    attempts = element.get("max-attempts")
    names = (
        "show-feedback",
        "allow-review",
        "show-solution",
        "allow-comment",
        "allow-skipping",
        "validate-responses",
    )
    flags = [_bool(element, n) for n in names]
    return ItemSessionControl(int(attempts) if attempts is not None else None, *flags)


def _expression(element: etree._Element) -> str:
    child = next((c for c in element if isinstance(c.tag, str)), None)
    if child is None:
        raise ValueError(f"<{local_name(element)}> (line {element.sourceline}) has no expression")
    return canonical_xml(child)


def _conditions(parent: etree._Element) -> tuple[tuple[str, ...], tuple[BranchRule, ...]]:
    pre = tuple(_expression(e) for e in parent.findall(q("qti-pre-condition")))
    rules = tuple(
        BranchRule(e.get("target", ""), _expression(e))
        for e in parent.findall(q("qti-branch-rule"))
    )
    return pre, rules


def _item_ref(element: etree._Element) -> ItemRef:
    pre, rules = _conditions(element)
    weights = tuple(
        (w.get("identifier", ""), float(w.get("value", "1")))
        for w in element.findall(q("qti-weight"))
    )
    return ItemRef(
        identifier=element.get("identifier", ""),
        href=element.get("href", ""),
        weights=weights,
        categories=tuple((element.get("category") or "").split()),
        required=bool(_bool(element, "required", False)),
        fixed=bool(_bool(element, "fixed", False)),
        time_limits=_time_limits(element),
        session_control=_session(element),
        pre_conditions=pre,
        branch_rules=rules,
    )


def _selection(element: etree._Element | None) -> Selection | None:
    if element is None:
        return None
    extension = next((c for c in element if isinstance(c.tag, str)), None)
    engine = None
    if extension is not None:
        engine = next(
            (e.get("href") for e in extension.iter() if local_name(e) == "adaptiveEngineRef"), None
        )
    return Selection(
        int(element.get("select", "0")),
        bool(_bool(element, "with-replacement", False)),
        engine,
        canonical_xml(extension) if extension is not None else None,
    )


def _section(element: etree._Element) -> Section:
    children: list[Section | ItemRef] = []
    for child in element:
        if child.tag == q("qti-assessment-section"):
            children.append(_section(child))
        elif child.tag == q("qti-assessment-item-ref"):
            children.append(_item_ref(child))
    selection = _selection(element.find(q("qti-selection")))
    ordering = element.find(q("qti-ordering"))
    rubrics = []
    for rubric in element.findall(q("qti-rubric-block")):
        body = rubric.find(q("qti-content-body"))
        rubrics.append(content_to_markdown(body if body is not None else rubric))
    pre, rules = _conditions(element)
    return Section(
        identifier=element.get("identifier", ""),
        title=element.get("title", ""),
        visible=bool(_bool(element, "visible", True)),
        children=tuple(children),
        selection=selection,
        shuffle=bool(ordering is not None and _bool(ordering, "shuffle", False)),
        required=bool(_bool(element, "required", False)),
        fixed=bool(_bool(element, "fixed", False)),
        keep_together=bool(_bool(element, "keep-together", True)),
        rubrics=tuple(rubrics),
        time_limits=_time_limits(element),
        session_control=_session(element),
        pre_conditions=pre,
        branch_rules=rules,
    )


def _part(element: etree._Element) -> TestPart:
    pre, rules = _conditions(element)
    return TestPart(
        identifier=element.get("identifier", ""),
        navigation_mode=element.get("navigation-mode", "linear"),
        submission_mode=element.get("submission-mode", "individual"),
        sections=tuple(_section(s) for s in element.findall(q("qti-assessment-section"))),
        time_limits=_time_limits(element),
        session_control=_session(element),
        pre_conditions=pre,
        branch_rules=rules,
    )


def read_assessment_test(data: bytes | str, *, source: str) -> AssessmentTest:
    """Read a QTI 3.0 (or 2.x) assessment test document.

    Raises
    ------
    ImportFormatError
        If the document is malformed, not a test, or has no test part.
    """
    root = to_qti3(parse_xml(data, source=source))
    if root.tag != q("qti-assessment-test"):
        raise ImportFormatError(source, f"not a QTI test: root element is <{local_name(root)}>")
    identifier = root.get("identifier", "")
    try:
        parts = tuple(_part(p) for p in root.findall(q("qti-test-part")))
    except ValueError as error:
        raise ImportFormatError(source, str(error), item=identifier) from None
    if not parts:
        raise ImportFormatError(source, "the test has no qti-test-part", item=identifier)
    for part in parts:
        if part.navigation_mode not in ("linear", "nonlinear"):
            raise ImportFormatError(
                source,
                f"test part {part.identifier!r}: navigation-mode {part.navigation_mode!r}",
                item=identifier,
            )
    processing = root.find(q("qti-outcome-processing"))
    return AssessmentTest(
        identifier=identifier,
        title=root.get("title", ""),
        parts=parts,
        time_limits=_time_limits(root),
        outcome_processing=canonical_xml(processing) if processing is not None else None,
    )
