"""Single QTI expressions evaluated by the interpreter."""

from __future__ import annotations

import random

import pytest

from item_bank.qti.operators import Context, QtiProcessingError, evaluate
from item_bank.qti.values import Container, Declaration, read_declaration
from item_bank.qti.xml import QTI_NS, parse_xml


def run(
    expression: str,
    values: dict[str, object] | None = None,
    declarations: dict[str, Declaration] | None = None,
) -> object:
    element = parse_xml(f'<qti-wrap xmlns="{QTI_NS}">{expression}</qti-wrap>', source="expr")[0]
    ctx = Context("expr", declarations or {}, dict(values or {}), rng=random.Random(1))
    for name in values or {}:
        ctx.declarations.setdefault(name, Declaration(name, "outcome", "single", "float"))
    return evaluate(element, ctx)


def bv(value: object, base_type: str = "float") -> str:
    return f'<qti-base-value base-type="{base_type}">{value}</qti-base-value>'


@pytest.mark.parametrize(
    ("mode", "tolerance", "response", "expected"),
    [
        ("exact", "", 10.0, True),
        ("absolute", 'tolerance="0.5"', 10.5, True),
        ("absolute", 'tolerance="0.5"', 10.6, False),
        ("relative", 'tolerance="10"', 10.9, True),
        ("relative", 'tolerance="10"', 11.1, False),
    ],
)
def test_equal_with_tolerance(mode: str, tolerance: str, response: float, expected: bool) -> None:
    assert (
        run(f'<qti-equal tolerance-mode="{mode}" {tolerance}>{bv(10)}{bv(response)}</qti-equal>')
        is expected
    )


def test_relative_tolerance_of_a_negative_key() -> None:
    assert (
        run(f'<qti-equal tolerance-mode="relative" tolerance="10">{bv(-10)}{bv(-10.5)}</qti-equal>')
        is True
    )


def test_arithmetic() -> None:
    assert run(f"<qti-sum>{bv(1, 'integer')}{bv(2, 'integer')}</qti-sum>") == 3
    assert (
        run(f"<qti-integer-divide>{bv(-7, 'integer')}{bv(2, 'integer')}</qti-integer-divide>") == -4
    )
    assert (
        run(f"<qti-integer-modulus>{bv(7, 'integer')}{bv(3, 'integer')}</qti-integer-modulus>") == 1
    )
    assert run(f"<qti-divide>{bv(1)}{bv(0)}</qti-divide>") is None  # QTI: NULL, not a crash
    assert run(f"<qti-round>{bv(2.5)}</qti-round>") == 3
    assert run(f"<qti-round>{bv(-2.5)}</qti-round>") == -2
    assert (
        run(f'<qti-round-to figures="2" rounding-mode="decimalPlaces">{bv(3.14159)}</qti-round-to>')
        == 3.14
    )
    assert run(f"<qti-power>{bv(2)}{bv(10)}</qti-power>") == 1024
    assert run(f'<qti-math-operator name="abs">{bv(-3)}</qti-math-operator>') == 3


def test_statistics_and_containers() -> None:
    numbers = (
        "<qti-ordered>"
        + "".join(bv(v, "integer") for v in (2, 4, 4, 4, 5, 5, 7, 9))
        + "</qti-ordered>"
    )
    assert run(f'<qti-stats-operator name="mean">{numbers}</qti-stats-operator>') == 5
    assert run(f'<qti-stats-operator name="popSD">{numbers}</qti-stats-operator>') == 2
    assert run(f"<qti-container-size>{numbers}</qti-container-size>") == 8
    assert run(f'<qti-index n="3">{numbers}</qti-index>') == 4
    assert run(f"<qti-max>{numbers}</qti-max>") == 9


def test_logic_with_null() -> None:
    true, false, null = bv("true", "boolean"), bv("false", "boolean"), "<qti-null/>"
    assert run(f"<qti-and>{true}{null}</qti-and>") is None
    assert run(f"<qti-and>{false}{null}</qti-and>") is False
    assert run(f"<qti-or>{true}{null}</qti-or>") is True
    assert run(f"<qti-not>{null}</qti-not>") is None
    assert run(f'<qti-any-n min="1" max="2">{true}{false}{true}</qti-any-n>') is True


def test_strings() -> None:
    s = lambda v: bv(v, "string")  # noqa: E731
    assert (
        run(
            f'<qti-string-match case-sensitive="false">{s("Hà Nội")}{s("hà nội")}'
            "</qti-string-match>"
        )
        is True
    )
    assert run(f'<qti-pattern-match pattern="[0-9]+ ?km">{s("12 km")}</qti-pattern-match>') is True
    assert (
        run(f'<qti-substring case-sensitive="true">{s("King")}{s("the king")}</qti-substring>')
        is False
    )


def test_member_contains_delete() -> None:
    ids = "<qti-multiple>" + "".join(bv(v, "identifier") for v in "ABC") + "</qti-multiple>"
    assert run(f"<qti-member>{bv('B', 'identifier')}{ids}</qti-member>") is True
    sub = "<qti-multiple>" + bv("C", "identifier") + bv("A", "identifier") + "</qti-multiple>"
    assert run(f"<qti-contains>{ids}{sub}</qti-contains>") is True
    assert run(f"<qti-delete>{bv('B', 'identifier')}{ids}</qti-delete>") == Container(
        "multiple", ("A", "C")
    )


def test_random_needs_template_processing_generator() -> None:
    element = parse_xml(f'<qti-random-integer xmlns="{QTI_NS}" min="1" max="3"/>', source="expr")
    with pytest.raises(QtiProcessingError, match="need a seeded generator"):
        evaluate(element, Context("expr", {}))


def test_map_response_point() -> None:
    declaration = read_declaration(
        parse_xml(
            f"""<qti-response-declaration xmlns="{QTI_NS}" identifier="RESPONSE"
                cardinality="multiple" base-type="point">
              <qti-area-mapping default-value="0" upper-bound="2">
                <qti-area-map-entry shape="circle" coords="10,10,5" mapped-value="1"/>
                <qti-area-map-entry shape="rect" coords="20,20,30,30" mapped-value="1.5"/>
                <qti-area-map-entry shape="poly" coords="0,40,10,40,5,50" mapped-value="0.5"/>
              </qti-area-mapping></qti-response-declaration>""",
            source="decl",
        )
    )
    points = Container("multiple", ((10, 12), (11, 11), (25, 25), (5, 45)))
    # circle counts once although two points hit it; 1 + 1.5 + 0.5 = 3, capped at 2
    assert (
        run(
            '<qti-map-response-point identifier="RESPONSE"/>',
            declarations={"RESPONSE": declaration},
        )
        == 0
    )
    ctx = Context("expr", {"RESPONSE": declaration}, {"RESPONSE": points})
    element = parse_xml(
        f'<qti-map-response-point xmlns="{QTI_NS}" identifier="RESPONSE"/>', source="e"
    )
    assert evaluate(element, ctx) == 2


def test_comparisons_and_rounding_operators() -> None:
    one, two = bv(1), bv(2)
    assert run(f"<qti-lt>{one}{two}</qti-lt>") is True
    assert run(f"<qti-gt>{one}{two}</qti-gt>") is False
    assert run(f"<qti-lte>{two}{two}</qti-lte>") is True
    assert run(f"<qti-gte>{one}{two}</qti-gte>") is False
    assert run(f"<qti-lt><qti-null/>{two}</qti-lt>") is None
    rounded = (
        '<qti-equal-rounded rounding-mode="significantFigures" figures="3">{}{}</qti-equal-rounded>'
    )
    assert run(rounded.format(bv(3.14159), bv(3.1415))) is True
    assert run(rounded.format(bv(0), bv(0.0001))) is False
    assert run(f"<qti-truncate>{bv(-2.7)}</qti-truncate>") == -2
    assert run(f"<qti-integer-to-float>{bv(3, 'integer')}</qti-integer-to-float>") == 3.0
    assert run(f"<qti-gcd>{bv(12, 'integer')}{bv(18, 'integer')}</qti-gcd>") == 6
    assert run(f"<qti-lcm>{bv(4, 'integer')}{bv(6, 'integer')}</qti-lcm>") == 12
    assert run('<qti-math-constant name="pi"/>') == pytest.approx(3.14159265)
    assert run(f'<qti-math-operator name="ln">{bv(-1)}</qti-math-operator>') is None


def test_tolerance_bounds_and_variables() -> None:
    exclusive = (
        '<qti-equal tolerance-mode="absolute" tolerance="0.5 1" include-upper-bound="false">'
        '{}<qti-variable identifier="x"/></qti-equal>'
    )
    assert run(exclusive.format(bv(10)), {"x": 11.0}) is False
    assert run(exclusive.format(bv(10)), {"x": 10.99}) is True
    assert run(exclusive.format(bv(10)), {"x": 9.4}) is False
    by_variable = '<qti-equal tolerance-mode="absolute" tolerance="tol">{}{}</qti-equal>'
    assert run(by_variable.format(bv(1), bv(1.2)), {"tol": 0.25}) is True


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ('<qti-stats-operator name="median"><qti-null/></qti-stats-operator>', "unknown statistic"),
        ('<qti-math-operator name="cbrt"><qti-null/></qti-math-operator>', "unknown math function"),
        ('<qti-math-constant name="tau"/>', "unknown constant 'tau'"),
        ('<qti-equal tolerance-mode="absolute" tolerance="nope"><qti-base-value base-type="float">1'
         '</qti-base-value><qti-base-value base-type="float">1</qti-base-value></qti-equal>',
         "'nope' is neither a number nor a variable"),
        (f"<qti-sum>{bv('a', 'string')}</qti-sum>", "expects numbers"),
        ("<qti-not/>", "bad operands"),
        ('<qti-index n="k"><qti-null/></qti-index>', "n='k' is neither a number nor a"),
        ('<qti-base-value base-type="integer">x</qti-base-value>', "'x' is not a valid integer"),
    ],
)  # fmt: skip
def test_operator_errors(expression: str, problem: str) -> None:
    with pytest.raises(QtiProcessingError, match=problem):
        run(expression)


def test_sample_statistics_need_two_values() -> None:
    single = f"<qti-ordered>{bv(4)}</qti-ordered>"
    assert run(f'<qti-stats-operator name="sampleSD">{single}</qti-stats-operator>') is None
    assert run(f'<qti-stats-operator name="popVariance">{single}</qti-stats-operator>') == 0


def test_ordered_contains_and_random_operators() -> None:
    ordered = "<qti-ordered>" + "".join(bv(v, "identifier") for v in "ABCD") + "</qti-ordered>"
    run_bc = "<qti-ordered>" + bv("B", "identifier") + bv("C", "identifier") + "</qti-ordered>"
    run_ca = "<qti-ordered>" + bv("C", "identifier") + bv("A", "identifier") + "</qti-ordered>"
    assert run(f"<qti-contains>{ordered}{run_bc}</qti-contains>") is True
    assert run(f"<qti-contains>{ordered}{run_ca}</qti-contains>") is False
    assert run(f"<qti-random>{ordered}</qti-random>") in "ABCD"
    assert 0.5 <= run('<qti-random-float min="0.5" max="0.75"/>') <= 0.75
    assert run('<qti-random-integer min="2" max="10" step="4"/>') in (2, 6, 10)
    assert run(f'<qti-repeat number-repeats="2">{bv(1, "integer")}</qti-repeat>') == Container(
        "ordered", (1, 1)
    )


def test_area_shapes() -> None:
    from item_bank.qti.areas import inside

    assert inside("rect", (0, 0, 10, 5), (10, 5))
    assert not inside("rect", (0, 0, 10, 5), (11, 5))
    assert inside("ellipse", (10, 10, 4, 2), (13, 10))
    assert not inside("ellipse", (10, 10, 4, 2), (10, 13))
    assert inside("default", (), (999, 999))
    assert not inside("circle", (1, 2), (1, 2))  # malformed coordinates never match


def test_coerce_values() -> None:
    from item_bank.qti.values import QtiValueError, coerce_value

    def declared(cardinality: str, base_type: str) -> Declaration:
        return Declaration("R", "response", cardinality, base_type)

    assert coerce_value(["A", "B"], declared("single", "pair")) == frozenset({"A", "B"})
    assert coerce_value(("A", "B"), declared("single", "directedPair")) == ("A", "B")
    assert coerce_value("3 4", declared("single", "point")) == (3, 4)
    assert coerce_value(True, declared("single", "boolean")) is True
    assert coerce_value("true", declared("single", "boolean")) is True
    assert coerce_value(2, declared("single", "integer")) == 2
    assert coerce_value([], declared("single", "identifier")) is None
    assert coerce_value("A", declared("multiple", "identifier")) == Container("multiple", ("A",))
    with pytest.raises(QtiValueError, match="is not a valid float"):
        coerce_value(object(), declared("single", "float"))
    with pytest.raises(QtiValueError, match="'maybe' is not a valid boolean"):
        coerce_value("maybe", declared("single", "boolean"))


NULL = "<qti-null/>"
ONE = '<qti-base-value base-type="identifier">A</qti-base-value>'
BAG = f"<qti-multiple>{ONE}</qti-multiple>"


@pytest.mark.parametrize(
    "expression",
    [
        f"<qti-match>{NULL}{ONE}</qti-match>",
        f"<qti-member>{ONE}{NULL}</qti-member>",
        f"<qti-contains>{NULL}{BAG}</qti-contains>",
        f"<qti-delete>{NULL}{BAG}</qti-delete>",
        f"<qti-substring>{NULL}{ONE}</qti-substring>",
        f"<qti-string-match>{ONE}{NULL}</qti-string-match>",
        f'<qti-pattern-match pattern="A">{NULL}</qti-pattern-match>',
        f"<qti-index n='1'>{NULL}</qti-index>",
        f"<qti-random>{NULL}</qti-random>",
        f"<qti-equal>{NULL}{bv(1)}</qti-equal>",
        f"<qti-equal-rounded figures='2'>{NULL}{bv(1)}</qti-equal-rounded>",
        f"<qti-sum>{bv(1)}{NULL}</qti-sum>",
        f"<qti-product>{NULL}</qti-product>",
        f"<qti-subtract>{NULL}{bv(1)}</qti-subtract>",
        f"<qti-round>{NULL}</qti-round>",
        f"<qti-round-to figures='1'>{NULL}</qti-round-to>",
        f"<qti-integer-to-float>{NULL}</qti-integer-to-float>",
        f"<qti-min>{NULL}</qti-min>",
        f"<qti-gcd>{NULL}</qti-gcd>",
        f"<qti-lcm>{NULL}</qti-lcm>",
        f"<qti-stats-operator name='mean'>{NULL}</qti-stats-operator>",
        f"<qti-math-operator name='sin'>{NULL}</qti-math-operator>",
        f"<qti-power>{bv(0)}{bv(-1)}</qti-power>",
    ],
)
def test_null_operands_give_null(expression: str) -> None:
    assert run(expression) is None


def test_delete_everything_and_empty_containers() -> None:
    assert run(f"<qti-delete>{ONE}{BAG}</qti-delete>") is None
    assert run(f"<qti-multiple>{NULL}</qti-multiple>") is None
    assert run(f"<qti-container-size>{NULL}</qti-container-size>") == 0
    assert run(f"<qti-is-null>{BAG}</qti-is-null>") is False
    assert run(f'<qti-any-n min="2" max="3">{NULL}{bv("true", "boolean")}</qti-any-n>') is None
    assert run(f'<qti-any-n min="2" max="3">{bv("false", "boolean")}</qti-any-n>') is False
    nested = f"<qti-multiple>{BAG}{ONE}</qti-multiple>"
    assert run(nested) == Container("multiple", ("A", "A"))


def test_bad_pattern_and_range() -> None:
    with pytest.raises(QtiProcessingError, match="invalid pattern"):
        run(f'<qti-pattern-match pattern="(">{ONE}</qti-pattern-match>')
    with pytest.raises(QtiProcessingError, match="empty range min=5 max=1"):
        run('<qti-random-integer min="5" max="1"/>')
