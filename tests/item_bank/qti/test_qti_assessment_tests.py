"""QTI 3.0 assessment tests read into the plain structure the quiz engine uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from item_bank.errors import ImportFormatError
from item_bank.qti.assessment_tests import ItemRef, Section, read_assessment_test


def read(material: Path, name: str):
    path = material / "qti" / "qti3" / "tests" / name
    return read_assessment_test(path.read_bytes(), source=name)


def test_every_sample_test_reads(test_material: Path) -> None:
    for path in sorted((test_material / "qti" / "qti3" / "tests").glob("*.xml")):
        test = read_assessment_test(path.read_bytes(), source=path.name)
        assert test.parts, path.name
        assert test.item_refs(), path.name


def test_selection_and_ordering(test_material: Path) -> None:
    section = read(test_material, "rtest01.xml").parts[0].sections[0]
    assert section.selection is not None
    assert section.selection.select == 2
    assert [c.identifier for c in section.children] == ["set01", "set02", "set03"]
    shuffled = [s for s in read(test_material, "rtest12.xml").parts[0].sections if s.shuffle]
    assert shuffled


def test_time_limits_and_session_control(test_material: Path) -> None:
    test = read(test_material, "complete.xml")
    assert test.time_limits is not None
    assert (
        test.time_limits.min_time,
        test.time_limits.max_time,
    ) == (600, 3600)
    part = test.parts[0]
    assert part.session_control is not None
    assert part.session_control.max_attempts == 1
    assert part.session_control.allow_review is False
    assert part.session_control.show_feedback is True
    assert test.parts[0].navigation_mode == "linear"
    assert part.submission_mode == "individual"


def test_branch_rules_and_pre_conditions(test_material: Path) -> None:
    test = read(test_material, "rtest13.xml")
    section_a, section_b = test.parts[0].sections
    gated = section_a.children[1]
    assert isinstance(gated, ItemRef)
    assert "item034.RESPONSE" in gated.pre_conditions[0]
    branching = section_b.children[0]
    assert isinstance(branching, ItemRef)
    assert [r.target for r in branching.branch_rules] == ["item656", "EXIT_SECTION"]
    assert branching.branch_rules[1].condition.startswith("<qti-not")
    assert section_b.session_control is not None
    assert section_b.session_control.max_attempts == 2
    assert section_a.rubrics == ("Instructions for Section A",)


def test_weights_and_nested_sections(test_material: Path) -> None:
    weights = [r.weights for r in read(test_material, "rtest02.xml").item_refs() if r.weights]
    assert ("WEIGHT", 0.5) in [w for ws in weights for w in ws]
    nested = read(test_material, "complete.xml").parts[0].sections[0].children[1]
    assert isinstance(nested, Section)
    assert nested.pre_conditions


def test_feedback_package_test_has_outcome_processing(test_material: Path) -> None:
    path = test_material / "qti" / "qti3" / "packages" / "basicFeedbackTest" / "assessment.xml"
    test = read_assessment_test(path.read_bytes(), source=path.name)
    assert test.outcome_processing is not None
    assert "qti-test-variables" in test.outcome_processing
    assert next(r.href for r in test.item_refs()) == "id-53a79b001624/Example01-modalFeedback.xml"


def test_broken_tests() -> None:
    with pytest.raises(ImportFormatError, match="not a QTI test"):
        read_assessment_test(
            '<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0"/>',
            source="t.xml",
        )
    empty = (
        '<qti-assessment-test xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="T"/>'
    )
    with pytest.raises(ImportFormatError, match=r"t\.xml: item 'T': the test has no qti-test-part"):
        read_assessment_test(empty, source="t.xml")
    no_expression = empty.replace(
        "/>",
        '><qti-test-part identifier="P"><qti-pre-condition/></qti-test-part></qti-assessment-test>',
    )
    with pytest.raises(ImportFormatError, match="has no expression"):
        read_assessment_test(no_expression, source="t.xml")


def test_qti22_cat_test_with_adaptive_selection(test_material: Path) -> None:
    path = test_material / "qti" / "qti22" / "cat" / "CAT_Test01_Adaptive_EchoAdapt-test.xml"
    test = read_assessment_test(path.read_bytes(), source=path.name)
    adaptive = [s for s in test.parts[0].sections if s.selection and s.selection.adaptive_engine]
    (section,) = adaptive
    assert section.selection.adaptive_engine == "https://echo-ims-cat-elb.echoadapt.com/cat/api/"
    assert "adaptiveSettingsRef" in section.selection.extension
    assert section.selection.select == 1
    assert len(section.children) == 9
