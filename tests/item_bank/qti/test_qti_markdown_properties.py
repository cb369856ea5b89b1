"""Property tests: any text survives XHTML → Markdown → XHTML, and Markdown is a fixed point."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from item_bank.qti.markdown import content_to_markdown, markdown_to_content
from item_bank.qti.xml import QTI_NS, parse_xml, q

ALPHABET = "ab xyz*_\\`<>&![]()#{}$-.ăâđêôơưÀẠẢẤỆ\u00a0"
text = st.text(alphabet=ALPHABET, max_size=40)


def body_with(parts: list[tuple[str, str]]) -> etree._Element:
    body = parse_xml(f'<qti-item-body xmlns="{QTI_NS}"/>', source="property")
    paragraph = etree.SubElement(body, q("p"))
    paragraph.text = ""
    for tag, content in parts:
        if tag == "text":
            if len(paragraph):
                paragraph[-1].tail = (paragraph[-1].tail or "") + content
            else:
                paragraph.text += content
        else:
            etree.SubElement(paragraph, q(tag)).text = content
    return body


def rebuilt(markdown: str) -> etree._Element:
    body = parse_xml(f'<qti-item-body xmlns="{QTI_NS}"/>', source="property")
    body.extend(markdown_to_content(markdown))
    return body


parts = st.lists(
    st.tuples(st.sampled_from(["text", "text", "em", "strong", "code", "sub"]), text), max_size=5
)


@settings(max_examples=300, deadline=None)
@given(parts)
def test_markdown_is_a_fixed_point(content: list[tuple[str, str]]) -> None:
    markdown = content_to_markdown(body_with(content))
    assert content_to_markdown(rebuilt(markdown)) == markdown


@settings(max_examples=300, deadline=None)
@given(text)
def test_plain_text_survives(value: str) -> None:
    markdown = content_to_markdown(body_with([("text", value)]))
    expected = re.sub(r"\s+", " ", value).strip()
    if not expected:
        assert markdown == ""
        return
    paragraph = rebuilt(markdown)[0]
    assert paragraph.tag == q("p")
    assert len(paragraph) == 0
    assert re.sub(r"\s+", " ", paragraph.text).strip() == expected
