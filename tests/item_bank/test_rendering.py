"""Safe Markdown + LaTeX rendering, and the student view that never carries the key."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from lxml import html as lxml_html

from item_bank.formats.json_items import load_items
from item_bank.items import Choice, Item, ItemKind, NumericKey
from item_bank.rendering import render_item, render_markdown, sanitize_html

FIXTURE = Path(__file__).parents[1] / "fixtures" / "vi_items" / "items.json"


def test_raw_html_is_escaped_by_default():
    out = render_markdown('Xin chào <script>alert("x")</script> <b>đậm</b>')
    assert "<script>" not in out
    assert "&lt;script&gt;" in out
    assert "<b>" not in out


def test_inline_and_display_maths_become_mathml():
    out = render_markdown(r"Tính $\frac{a}{b}$ rồi $$x^2 + 1$$")
    assert out.count("<math ") == 2
    assert "<mfrac>" in out
    assert 'display="block"' in out
    assert 'display="inline"' in out
    assert "$" not in out


def test_text_inside_latex_is_escaped_and_href_dropped():
    out = render_markdown(r"$\text{<img src=x onerror=alert(1)>} + \href{javascript:alert(1)}{y}$")
    assert "<img" not in out
    assert "javascript" not in out
    assert "&lt;img" in out


def test_broken_latex_shows_its_source_instead_of_failing():
    out = render_markdown(r"Sai: $\frac{1}{$")
    assert 'class="math-error"' in out
    assert r"\frac{1}{" in out


def test_dollar_amounts_are_not_maths():
    out = render_markdown("Giá 5$ và 10$ một quyển.")
    assert "<math" not in out
    assert "5$" in out


def test_allowed_html_is_sanitised():
    source = (
        '<table onclick="x()"><tr><td style="color:red">1</td></tr></table>\n\n'
        "Chữ <script>bad()</script><iframe src=x></iframe> "
        '<a href="javascript:alert(1)">a</a> <a href="https://moet.gov.vn">b</a> '
        '<img src="x.png" onerror="alert(1)"> '
        '<math><mi>x</mi><mtext href="javascript:1">t</mtext></math>'
    )
    out = render_markdown(source, allow_html=True)
    assert "<table>" in out
    assert "onclick" not in out
    assert "style=" not in out
    assert "script" not in out
    assert "iframe" not in out
    assert "javascript" not in out
    assert "onerror" not in out
    assert 'href="https://moet.gov.vn"' in out
    assert '<img src="x.png">' in out
    assert "<mi>x</mi>" in out


def test_sanitize_keeps_text_of_unknown_elements():
    assert sanitize_html("<blink>nháy</blink>") == "nháy"


def test_vietnamese_is_rendered_nfc():
    nfd = unicodedata.normalize("NFD", "Nhận biết đường thẳng")
    out = render_markdown(nfd)
    assert "Nhận biết đường thẳng" in out
    assert unicodedata.is_normalized("NFC", out)


def _choice_item() -> Item:
    return Item(
        identifier="vd1",
        kind=ItemKind.SINGLE_CHOICE,
        stem="Cho $a = {{a}}$. Chọn đáp án đúng.",
        choices=(
            Choice("A", "Đúng", feedback="Chính xác"),
            Choice("B", "Sai", feedback="Xem lại"),
            Choice("C", "Không có đáp án nào", fixed=True),
        ),
        correct=("A",),
        general_feedback="Lời giải chung",
        rationale="Vì **A** đúng",
    )


def test_student_view_has_no_key_feedback_or_rationale():
    rendered = render_item(_choice_item(), variant_values={"a": 7}, choice_order=["B", "A", "C"])
    assert [identifier for identifier, _ in rendered.choices] == ["B", "A", "C"]
    assert rendered.correct == ()
    assert rendered.choice_feedback == ()
    assert rendered.general_feedback_html == ""
    assert rendered.rationale_html == ""
    page = rendered.as_html()
    for secret in ("Chính xác", "Xem lại", "Lời giải chung", "Vì", "item-choice-correct"):
        assert secret not in page
    assert "<mn>7</mn>" in rendered.stem_html


def test_author_view_has_key_and_feedback():
    rendered = render_item(_choice_item(), with_key=True)
    assert rendered.correct == ("A",)
    assert dict(rendered.choice_feedback)["A"] == "<p>Chính xác</p>"
    assert "<strong>A</strong>" in rendered.rationale_html
    page = rendered.as_html()
    assert "item-choice-correct" in page
    assert "Lời giải chung" in page


def test_numeric_key_is_listed_for_the_author():
    item = Item(
        identifier="num",
        kind=ItemKind.NUMERIC,
        stem="Tính $2 \\cdot 3$",
        numeric_keys=(NumericKey(value=6.0, tolerance=0.1, units=("m",)),),
    )
    assert render_item(item).answer_key == ()
    assert render_item(item, with_key=True).answer_key == ("6.0 ± 0.1 m (1)",)


def test_choice_order_must_be_a_permutation():
    with pytest.raises(ValueError, match="choice_order"):
        render_item(_choice_item(), choice_order=["A", "B"])


def test_every_vietnamese_fixture_item_renders_to_well_formed_html():
    items = load_items(FIXTURE)
    assert len(items) == 96
    for item in items:
        page = render_item(item, with_key=True).as_html()
        tree = lxml_html.fragment_fromstring(page, create_parent="div")
        assert tree.text_content().strip()
        assert "$" not in tree.text_content() or "\\" not in tree.text_content(), item.identifier
