"""Export of native items as QTI 3.0: exact round trips and the same scores under QTI."""

from __future__ import annotations

import random
import unicodedata

import pytest

from item_bank.items import Choice, Item, ItemKind, NumericKey, TemplateVariable, TextAnswer
from item_bank.qti import export_item, read_item
from item_bank.qti.markdown import content_to_markdown, markdown_to_content
from item_bank.qti.processing import process_responses, process_template, read_qti_item
from item_bank.qti.xml import QTI_NS, parse_xml, q
from item_bank.scoring import score_response
from item_bank.templates import draw_variant, evaluate_expression

TF = (Choice("dung", "Đúng"), Choice("sai", "Sai"))
ABCD = tuple(Choice(x, f"Phương án **{x}**") for x in "ABCD")

NATIVE_ITEMS = [
    Item(
        "sc-1",
        ItemKind.SINGLE_CHOICE,
        "Thủ đô của Việt Nam là *thành phố* nào?",
        choices=ABCD,
        correct=("B",),
    ),
    Item(
        "sc-points",
        ItemKind.SINGLE_CHOICE,
        "Chọn `x = 2`.\n\n![đồ thị](images/graph.png)",
        choices=(*ABCD[:3], Choice("D", "Không có phương án nào", fixed=True)),
        correct=("A",),
        shuffle=True,
        points=2.5,
        general_feedback="Xem lại bài 3.",
        rationale="Vì $x^2 = 4$.",
    ),
    Item(
        "sc-feedback",
        ItemKind.SINGLE_CHOICE,
        "Chọn A.",
        choices=(Choice("A", "a", feedback="Đúng rồi!"), Choice("B", "b", feedback="Chưa đúng.")),
        correct=("A",),
    ),
    Item(
        "sc-partial",
        ItemKind.SINGLE_CHOICE,
        "Chọn phương án tốt nhất.",
        choices=(Choice("A", "a", score=2), Choice("B", "b", score=1), Choice("C", "c")),
        correct=("A",),
        partial_credit=True,
        points=2,
    ),
    Item(
        "tf-1", ItemKind.TRUE_FALSE, "Trái Đất quay quanh Mặt Trời.", choices=TF, correct=("dung",)
    ),
    Item(
        "tf-yes-no",
        ItemKind.TRUE_FALSE,
        "Is it?",
        choices=(Choice("y", "Yes"), Choice("n", "No, never")),
        correct=("n",),
    ),
    Item(
        "mr-1",
        ItemKind.MULTIPLE_RESPONSE,
        "Chọn các số nguyên tố.",
        choices=tuple(Choice(f"n{v}", str(v)) for v in (2, 3, 4, 5)),
        correct=("n2", "n3", "n5"),
        max_choices=0,
    ),
    Item(
        "mr-partial",
        ItemKind.MULTIPLE_RESPONSE,
        "Chọn các số chẵn.",
        choices=(Choice("a", "2", score=1), Choice("b", "3", score=-1), Choice("c", "4", score=1)),
        correct=("a", "c"),
        max_choices=0,
        partial_credit=True,
        points=2,
        min_choices=1,
    ),
    Item("num-1", ItemKind.NUMERIC, "2 + 2 = ?", numeric_keys=(NumericKey(4.0),)),
    Item(
        "num-tolerance",
        ItemKind.NUMERIC,
        "Gia tốc trọng trường (m/s²)?",
        numeric_keys=(
            NumericKey(9.8, tolerance=0.05, units=("m/s2",)),
            NumericKey(10.0, score=0.5, units=("m/s2",)),
        ),
        points=2,
    ),
    Item(
        "num-relative",
        ItemKind.NUMERIC,
        "Số pi?",
        numeric_keys=(NumericKey(3.14159, tolerance=0.01, relative=True),),
    ),
    Item(
        "text-1",
        ItemKind.SHORT_TEXT,
        "Ai viết *Truyện Kiều*?",
        text_answers=(TextAnswer("Nguyễn Du"), TextAnswer("Nguyen Du", 0.5, case_sensitive=True)),
    ),
    Item(
        "text-wild",
        ItemKind.SHORT_TEXT,
        "Tên một loài *chim*.",
        text_answers=(TextAnswer("chim *"), TextAnswer("s*o", 0.5)),
    ),
    Item(
        "likert-1",
        ItemKind.LIKERT,
        "Em thích môn Toán.",
        choices=tuple(
            Choice(f"L{v}", label, score=v)
            for v, label in enumerate(("Không", "Bình thường", "Rất thích"))
        ),
        points=2,
    ),
    Item("open-1", ItemKind.OPEN_RESPONSE, "Viết đoạn văn *ngắn* về quê hương.", points=10),
]


@pytest.mark.parametrize("item", NATIVE_ITEMS, ids=lambda i: i.identifier)
def test_native_items_round_trip(item: Item) -> None:
    item = item.normalised()
    again = read_item(export_item(item), source=item.identifier)
    assert again == item


RESPONSES = {
    ItemKind.SINGLE_CHOICE: ["A", "B", "C", None],
    ItemKind.TRUE_FALSE: ["dung", "sai", "y", "n", None],
    ItemKind.MULTIPLE_RESPONSE: [
        ["n2", "n3", "n5"],
        ["n2", "n3"],
        ["a", "c"],
        ["a", "b", "c"],
        ["a", "b"],
        [],
        None,
    ],
    ItemKind.NUMERIC: [4.0, 9.8, 9.84, 9.9, 10.0, 3.14, 3.2, None],
    ItemKind.SHORT_TEXT: [
        "Nguyễn Du",
        "nguyễn du",
        "Nguyen Du",
        "nguyen du",
        "chim sẻ",
        "CHIM SẺ",
        "sáo",
        "Sáo",
        "",
    ],
}


@pytest.mark.parametrize(
    "item", [i for i in NATIVE_ITEMS if i.kind in RESPONSES], ids=lambda i: i.identifier
)
def test_exported_qti_scores_as_the_native_item(item: Item) -> None:
    item = item.normalised()
    qti = read_qti_item(parse_xml(export_item(item), source=item.identifier))
    known = {c.identifier for c in item.choices}
    for response in RESPONSES[item.kind]:
        values = response if isinstance(response, list) else [response]
        if item.choices and not all(v in known for v in values if v is not None):
            continue
        if isinstance(response, str):
            response = unicodedata.normalize("NFC", response)
        native = score_response(item, response)
        qti_score = process_responses(qti, {"RESPONSE": response}).outcomes["SCORE"]
        assert qti_score == pytest.approx(native.score), (item.identifier, response)


def test_exported_document_shape() -> None:
    item = NATIVE_ITEMS[1].normalised()
    root = parse_xml(export_item(item), source="x")
    assert root.tag == q("qti-assessment-item")
    assert root.nsmap[None] == QTI_NS
    assert root.find(q("qti-response-processing")).get("template") is None  # 2.5 points: custom
    assert root.find(f".//{q('qti-rubric-block')}").get("view") == "scorer"
    assert root.find(q("qti-modal-feedback")) is not None
    simple = parse_xml(export_item(NATIVE_ITEMS[0].normalised()), source="x")
    template = simple.find(q("qti-response-processing")).get("template")
    assert template == "https://www.imsglobal.org/question/qti_v3p0/rptemplates/match_correct.xml"


@pytest.mark.parametrize(
    "markdown",
    [
        "Một đoạn *nghiêng* và **đậm** với `mã`.",
        "# Tiêu đề\n\nĐoạn văn.",
        "Ký tự đặc biệt: 2 * 3 \\< 5 & a > b, a\\*b",
        "![hình](images/a.png) chú thích",
        '<table><tr><td>1</td></tr></table>\n\nSau bảng <span class="x">đỏ</span>.',
        "Dòng 1<br/>dòng 2",
        "Tính $\\sqrt{x^2}$ với $x \\in \\mathbb{R}$, *rồi* so sánh",
        "$$\\frac{a}{b} \\le 1$$",
    ],
)
def test_markdown_round_trips(markdown: str) -> None:
    wrapper = parse_xml(f'<qti-item-body xmlns="{QTI_NS}"/>', source="md")
    wrapper.extend(markdown_to_content(markdown))
    assert content_to_markdown(wrapper) == markdown


def test_latex_commands_keep_their_backslashes_in_qti() -> None:
    item = Item("latex-1", ItemKind.SINGLE_CHOICE, "Rút gọn $\\sqrt{x^2}$", choices=ABCD,
                correct=("A",))  # fmt: skip
    document = export_item(item)
    assert "$\\sqrt{x^2}$" in document
    assert read_item(document, source=item.identifier).stem == item.stem


def test_unbalanced_markdown_is_kept_literally() -> None:
    blocks = markdown_to_content("a *b")
    assert blocks[0].text == "a *b"


PARAMETERISED = [
    Item(
        "speed", ItemKind.NUMERIC, "Xe đi {{d}} km trong {{t}} giờ. Vận tốc ({{unit}})?",
        template_variables=(
            TemplateVariable("d", 60, 180, 10),
            TemplateVariable("t", 1.5, 3.0, 0.5),
            TemplateVariable("unit", values=("km/h", "km/giờ")),
            TemplateVariable("noise", 0.0, 1.0),
        ),
        numeric_keys=(
            NumericKey("d / t + sqrt(4) - 2.0", tolerance=0.01),
            NumericKey("-d + pi * 0", score=0.5),
        ),
    ),
    Item(
        "choice-param", ItemKind.SINGLE_CHOICE, "{{a}} + {{a}} = ?",
        template_variables=(TemplateVariable("a", values=(1.0, 2.0, 3.0)),),
        choices=(Choice("A", "2 * {{a}}"), Choice("B", "{{a}} + 1")), correct=("A",),
    ),
]  # fmt: skip


@pytest.mark.parametrize("item", PARAMETERISED, ids=lambda i: i.identifier)
def test_parameterised_items_round_trip(item: Item) -> None:
    item = item.normalised()
    document = export_item(item)
    assert "<qti-template-processing>" in document
    assert '<qti-printed-variable identifier="' in document
    assert read_item(document, source=item.identifier) == item


def test_exported_template_processing_scores_as_the_native_keys() -> None:
    item = PARAMETERISED[0].normalised()
    qti = read_qti_item(parse_xml(export_item(item), source="speed"))
    for seed in range(20):
        state = process_template(qti, random.Random(seed))
        d, t = state.values["d"], state.values["t"]
        assert d in range(60, 181, 10)
        assert t in (1.5, 2.0, 2.5, 3.0)
        assert state.correct["RESPONSE"] == pytest.approx(d / t)
        for response, expected in ((d / t, 1.0), (d / t + 0.005, 1.0), (-d, 0.5), (d, 0.0)):
            outcome = process_responses(qti, {"RESPONSE": response}, template=state)
            assert outcome.outcomes["SCORE"] == expected


def test_hand_written_template_items_stay_qti() -> None:
    item = PARAMETERISED[0].normalised()
    constraint = (
        '<qti-template-constraint><qti-gt><qti-variable identifier="d"/>'
        '<qti-base-value base-type="integer">100</qti-base-value></qti-gt>'
        "</qti-template-constraint>"
        "</qti-template-processing>"
    )
    document = export_item(item).replace("</qti-template-processing>", constraint)
    edited = read_item(document, source="edited")
    assert edited.kind is ItemKind.QTI
    variant = draw_variant(edited, 3)
    assert variant.values["d"] > 100


@pytest.mark.parametrize(
    "expression",
    ["round(a / 3)", "max(a, 2) + min(a, 1)", "ln(a) + log10(a) - exp(1)", "abs(-a) * floor(a)",
     "a % 3 + a // 2", "sin(pi * a) ** 2", "ceil(sqrt(a))"],
)  # fmt: skip
def test_key_expressions_round_trip_and_agree(expression: str) -> None:
    item = Item(
        "expr", ItemKind.NUMERIC, "Tính với a = {{a}}.",
        template_variables=(TemplateVariable("a", 2, 9),),
        numeric_keys=(NumericKey(expression, tolerance=1e-6),),
    ).normalised()  # fmt: skip
    assert read_item(export_item(item), source="expr") == item
    qti = read_qti_item(parse_xml(export_item(item), source="expr"))
    state = process_template(qti, random.Random(4))
    expected = evaluate_expression(expression, state.values)
    assert state.correct["RESPONSE"] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("expression", "problem"),
    [("sqrt(a, 2)", "takes one argument"), ("hypot(a)", "function 'hypot' cannot"),
     ("a if a else 1", "IfExp cannot be written as QTI")],
)  # fmt: skip
def test_untranslatable_expressions(expression: str, problem: str) -> None:
    item = Item(
        "bad", ItemKind.NUMERIC, "?", template_variables=(TemplateVariable("a", 1, 3),),
        numeric_keys=(NumericKey(expression),),
    )  # fmt: skip
    with pytest.raises(ValueError, match=problem):
        export_item(item)
