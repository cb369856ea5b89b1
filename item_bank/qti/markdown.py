"""XHTML item content ↔ the bank's Markdown.

Simple content (paragraphs, headings, emphasis, code, plain images) becomes Markdown; anything
else (tables, attributes, MathML, QTI inline elements) is kept as inline HTML, which Markdown
allows. The two directions are built so that ``to_markdown(from_markdown(md)) == md`` for every
``md`` that :func:`to_markdown` produces, which is what makes QTI round trips exact.
"""

from __future__ import annotations

import copy as copy_module
import re
from collections.abc import Callable, Iterable

from lxml import etree

from item_bank.qti.xml import MATHML_NS, QTI_NS, local_name, parse_xml, q

__all__ = [
    "content_to_markdown",
    "inline_to_markdown",
    "markdown_to_content",
    "paragraph_markdown",
    "plain_html",
]

_BLOCK_HTML = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "details",
        "dl",
        "div",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "ul",
        "object",
        "audio",
        "video",
    ]
)
_QTI_INLINE = frozenset(
    (
        "qti-text-entry-interaction",
        "qti-inline-choice-interaction",
        "qti-printed-variable",
        "qti-feedback-inline",
        "qti-template-inline",
        "qti-end-attempt-interaction",
        "qti-gap",
        "qti-hottext",
    )
)
_WS = re.compile(r"\s+")
# A "*" between spaces cannot be emphasis (CommonMark), so "2 * 3" needs no escape.
_MD_SPECIAL = re.compile(r"((?<!\s)\*|\*(?!\s)|[\\`<]|!(?=\[)|&(?=#?\w+;))")


def is_block(element: etree._Element) -> bool:
    """Whether ``element`` is block-level content (starts a Markdown block of its own)."""
    name = local_name(element)
    if etree.QName(element).namespace != QTI_NS:
        return False  # MathML and other foreign content is inline
    if name.startswith("qti-"):
        return name not in _QTI_INLINE
    return name in _BLOCK_HTML


def _collapse(text: str | None) -> str:
    return _WS.sub(" ", text) if text else ""


# LaTeX maths ($...$ or $$...$$) is literal: its backslashes are commands, not Markdown escapes.
_MATH_SPAN = re.compile(r"(\$\$.+?\$\$|\$[^$\n]+?\$)", re.DOTALL)


def _maths_xml(span: str) -> str:
    # "<" is escaped; an "&" already starting an entity (text of inline HTML) is kept as one.
    return re.sub(r"&(?!#?\w+;)", "&amp;", span).replace("<", "&lt;").replace(">", "&gt;")


def _outside_maths(text: str, escape: Callable[[str], str]) -> str:
    # A "$" outside a maths span is escaped, so no span can form across elements on re-reading.
    parts = _MATH_SPAN.split(text)
    return "".join(
        part if n % 2 else escape(part).replace("$", "\\$") for n, part in enumerate(parts)
    )


def _escape(text: str) -> str:
    return _outside_maths(text, lambda part: _MD_SPECIAL.sub(r"\\\1", part))


_INLINE_SPECIAL = re.compile(r"((?<!\s)\*|\*(?!\s)|[\\`]|!(?=\[))")


def _escape_inline_html(text: str) -> str:
    # Text inside inline HTML is still Markdown; "<" and "&" are already XML-escaped by lxml.
    return _outside_maths(text, lambda part: _INLINE_SPECIAL.sub(r"\\\1", part))


def plain_html(element: etree._Element, *, with_tail: bool = False, inline: bool = False) -> str:
    """Serialise ``element`` as HTML without the QTI namespace, whitespace collapsed.

    ``inline`` escapes Markdown in the text, as inline HTML inside a paragraph requires.
    """
    copy = _plain_copy(element, _escape_inline_html if inline else _same)
    if not with_tail:
        copy.tail = None
    return etree.tostring(copy, encoding="unicode", with_tail=with_tail)


def _same(text: str) -> str:
    return text


def _plain_copy(element: etree._Element, fix: Callable[[str], str]) -> etree._Element:
    qname = etree.QName(element)
    if qname.namespace == QTI_NS:
        new = etree.Element(qname.localname)
    else:
        new = etree.Element(element.tag, nsmap={None: qname.namespace})
    for key, value in element.attrib.items():
        new.set(key, value)
    preformatted = qname.localname == "pre"
    new.text = fix(element.text or "" if preformatted else _collapse(element.text)) or None
    for child in element:
        if not isinstance(child.tag, str):
            if new.__len__():
                new[-1].tail = (new[-1].tail or "") + fix(_collapse(child.tail))
            else:
                new.text = (new.text or "") + fix(_collapse(child.tail))
            continue
        copied = _plain_copy(child, fix)
        copied.tail = fix(child.tail or "" if preformatted else _collapse(child.tail)) or None
        new.append(copied)
    return new


def _elements(children: Iterable[etree._Element]) -> list[etree._Element]:
    return [c for c in children if isinstance(c.tag, str)]


def inline_to_markdown(element: etree._Element) -> str:
    """Return the inline content of ``element`` (its text and children) as Markdown."""
    parts = [_escape(_collapse(element.text))]
    for child in element:
        if isinstance(child.tag, str):
            piece = _inline_element(child)
            if piece.startswith("*") and "".join(parts).endswith("*"):
                piece = plain_html(child, inline=True)  # "*a**b*" would read as strong
            parts.append(piece)
        parts.append(_escape(_collapse(child.tail)))
    return "".join(parts)


def paragraph_markdown(element: etree._Element) -> str:
    """Inline Markdown of a whole paragraph: trimmed, with an edge "*" escaped (a "*" that had
    a space on its outer side inside the text is at the paragraph's edge once trimmed)."""
    text = inline_to_markdown(element).strip()
    if text.startswith("*") and (len(text) == 1 or text[1].isspace()):
        text = "\\" + text
    if len(text) > 2 and text.endswith("*") and text[-2].isspace():
        text = text[:-1] + "\\*"
    return text


def _inline_element(element: etree._Element) -> str:
    name = local_name(element)
    simple = etree.QName(element).namespace == QTI_NS and not element.attrib
    if simple and name in ("em", "i", "strong", "b"):
        inner = inline_to_markdown(element)
        mark = "*" if name in ("em", "i") else "**"
        if inner.strip() == inner and inner and not inner.startswith("*"):
            return f"{mark}{inner}{mark}"
    if name == "qti-printed-variable" and set(element.attrib) == {"identifier"}:
        return "{{" + element.get("identifier", "") + "}}"  # template variables print as {{name}}
    if simple and name == "code" and len(element) == 0:
        text = element.text or ""
        if text and "`" not in text and text.strip() == text:
            return f"`{text}`"
    if name == "img" and etree.QName(element).namespace == QTI_NS:
        src, alt = element.get("src", ""), element.get("alt", "")
        plain = set(element.attrib) <= {"src", "alt"} and src
        if plain and re.fullmatch(r"[^\s()<>]+", src) and re.fullmatch(r"[^\]\\<*`&\[]*", alt):
            return f"![{alt}]({src})"
    return plain_html(element, inline=True)


def content_to_markdown(element: etree._Element, *, skip: Iterable[etree._Element] = ()) -> str:
    """Return the content of ``element`` as Markdown blocks separated by blank lines.

    ``skip`` lists children to leave out (an interaction that the item models natively).
    """
    skipped = set(skip)
    blocks: list[str] = []
    run = etree.Element(q("p"))
    run.text = element.text

    def flush() -> None:
        text = paragraph_markdown(run)
        if text:
            blocks.append(text)

    for child in element:
        if child in skipped or (isinstance(child.tag, str) and is_block(child)):
            flush()
            run = etree.Element(q("p"))
            run.text = child.tail
            if child not in skipped:
                blocks.append(_block_to_markdown(child))
            continue
        if isinstance(child.tag, str):
            copy = copy_module.deepcopy(child)
            copy.tail = child.tail
            run.append(copy)
        elif len(run):
            run[-1].tail = (run[-1].tail or "") + (child.tail or "")
        else:
            run.text = (run.text or "") + (child.tail or "")
    flush()
    return "\n\n".join(b for b in blocks if b)


def _block_to_markdown(element: etree._Element) -> str:
    name = local_name(element)
    if not element.attrib and not _has_block_child(element):
        if name == "p":
            text = paragraph_markdown(element)
            return "\\" + text if text.startswith("#") else text  # an empty p carries nothing
        if re.fullmatch(r"h[1-6]", name):
            text = paragraph_markdown(element)
            if text:
                return "#" * int(name[1]) + " " + text
    return plain_html(element)


def _has_block_child(element: etree._Element) -> bool:
    return any(is_block(c) for c in _elements(element))


# -- Markdown → XHTML -------------------------------------------------------------------------

_HEADING = re.compile(r"^(#{1,6}) (.*)$", re.S)
_TAG = re.compile(r"<(/?)([A-Za-z][\w:.-]*)((?:\s+[^<>]*?)?)(/?)>")
_IMAGE = re.compile(r"!\[([^\]\\<*`&\[]*)\]\(([^\s()<>]+)\)")
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[A-Za-z]\w*);")


def markdown_to_content(markdown: str, *, source: str = "markdown") -> list[etree._Element]:
    """Return XHTML block elements (QTI namespace) for ``markdown``."""
    elements: list[etree._Element] = []
    for block in re.split(r"\n\s*\n", markdown.strip()):
        block = block.strip()
        if not block:
            continue
        elements.extend(_block_from_markdown(block, source))
    return elements


def markdown_to_inline(markdown: str, *, source: str = "markdown") -> etree._Element:
    """Return a ``p`` element holding the inline XHTML of one Markdown paragraph."""
    return _paragraph(markdown, "p", source)


def _block_from_markdown(block: str, source: str) -> list[etree._Element]:
    if block.startswith("<"):
        raw = _raw_blocks(block, source)
        if raw is not None:
            return raw
    heading = _HEADING.match(block)
    if heading:
        return [_paragraph(heading.group(2), f"h{len(heading.group(1))}", source)]
    return [_paragraph(block, "p", source)]


def _raw_blocks(block: str, source: str) -> list[etree._Element] | None:
    try:
        wrapper = parse_xml(
            f'<div xmlns="{QTI_NS}" xmlns:m="{MATHML_NS}">{block}</div>', source=source
        )
    except ValueError:
        return None
    children = _elements(wrapper)
    if (wrapper.text and wrapper.text.strip()) or not children or not is_block(children[0]):
        return None
    if any((c.tail or "").strip() for c in children) or not all(is_block(c) for c in children):
        return None
    for child in children:
        child.tail = None
    return children


def _paragraph(text: str, tag: str, source: str) -> etree._Element:
    xml = _inline_xml(text)
    if xml is not None:
        try:
            wrapper = parse_xml(f'<{tag} xmlns="{QTI_NS}">{xml}</{tag}>', source=source)
            return wrapper
        except ValueError:
            pass
    element = etree.Element(q(tag))
    element.text = text  # not valid Markdown+HTML: keep the author's text literally
    return element


def _inline_xml(text: str) -> str | None:
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        maths = _MATH_SPAN.match(text, i) if char == "$" else None
        if maths:  # kept verbatim, backslashes and all
            out.append(_maths_xml(maths.group(0)))
            i = maths.end()
            continue
        if char == "\\" and i + 1 < len(text):
            out.append(_xml_escape(text[i + 1]))
            i += 2
            continue
        if char == "*" and _spaced(text, i):
            out.append("*")
            i += 1
            continue
        if text.startswith("**", i):
            _toggle(stack, out, "strong")
            i += 2
            continue
        if char == "*":
            _toggle(stack, out, "em")
            i += 1
            continue
        if char == "`":
            end = text.find("`", i + 1)
            if end < 0:
                return None
            out.append("<code>" + _xml_escape(text[i + 1 : end]) + "</code>")
            i = end + 1
            continue
        image = _IMAGE.match(text, i)
        if image:
            alt, src = (_xml_escape(g).replace('"', "&quot;") for g in image.groups())
            out.append(f'<img src="{src}" alt="{alt}"/>')
            i = image.end()
            continue
        tag = _TAG.match(text, i) if char == "<" else None
        if tag:
            out.append(tag.group(0))
            i = tag.end()
            continue
        entity = _ENTITY.match(text, i) if char == "&" else None
        if entity:
            out.append(entity.group(0))
            i = entity.end()
            continue
        out.append(_xml_escape(char))
        i += 1
    return None if stack else "".join(out)


def _spaced(text: str, index: int) -> bool:
    """A lone "*" with whitespace on both sides is a literal asterisk."""
    return 0 < index < len(text) - 1 and text[index - 1].isspace() and text[index + 1].isspace()


def _toggle(stack: list[str], out: list[str], tag: str) -> None:
    if stack and stack[-1] == tag:
        stack.pop()
        out.append(f"</{tag}>")
    else:
        stack.append(tag)
        out.append(f"<{tag}>")


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
