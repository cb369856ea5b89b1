"""Safe rendering of item text (Markdown with LaTeX maths) to HTML with MathML.

Maths (``$...$`` inline, ``$$...$$`` display) becomes MathML, which browsers render natively: no
JavaScript, no CDN, light on slow school networks. Rendering is safe for untrusted text:

* :func:`render_markdown` escapes raw HTML (markdown-it with ``html=False``);
* with ``allow_html=True`` (imported QTI and Moodle content keeps tables, MathML and the like as
  inline HTML) the HTML is parsed and rebuilt from a whitelist of HTML and MathML elements and
  attributes; scripts, styles, event handlers and ``javascript:`` links never survive;
* MathML produced from LaTeX is rebuilt from the same whitelist with every text escaped
  (latex2mathml passes ``\\text{...}`` through unescaped and keeps ``\\href``).

:func:`render_item` gives what a page may show: a student view (:class:`RenderedItem` without
key, feedback or rationale) or, with ``with_key=True``, the author's view.
"""

from __future__ import annotations

import html
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from latex2mathml.converter import convert_to_element
from lxml import etree
from lxml import html as lxml_html
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

from item_bank.items import Item, ItemKind
from item_bank.templates import substitute

__all__ = ["RenderedItem", "render_item", "render_markdown", "sanitize_html"]

MATHML_NS = "http://www.w3.org/1998/Math/MathML"

_MATHML_TAGS = frozenset(
    [
        "math",
        "mrow",
        "mi",
        "mn",
        "mo",
        "ms",
        "mtext",
        "mspace",
        "msup",
        "msub",
        "msubsup",
        "mfrac",
        "msqrt",
        "mroot",
        "mover",
        "munder",
        "munderover",
        "mtable",
        "mtr",
        "mtd",
        "mlabeledtr",
        "mstyle",
        "mpadded",
        "mphantom",
        "menclose",
        "mfenced",
        "merror",
        "semantics",
        "annotation",
        "mmultiscripts",
        "mprescripts",
        "none",
        "maligngroup",
        "malignmark",
    ]
)
_MATHML_ATTRIBUTES = frozenset(
    [
        "display",
        "displaystyle",
        "mathvariant",
        "mathsize",
        "scriptlevel",
        "stretchy",
        "fence",
        "separator",
        "separators",
        "lspace",
        "rspace",
        "accent",
        "accentunder",
        "linethickness",
        "columnalign",
        "rowalign",
        "columnlines",
        "rowlines",
        "columnspacing",
        "rowspacing",
        "columnspan",
        "rowspan",
        "frame",
        "notation",
        "width",
        "height",
        "depth",
        "minsize",
        "maxsize",
        "movablelimits",
        "largeop",
        "symmetric",
        "form",
        "open",
        "close",
        "align",
        "encoding",
        "bevelled",
        "numalign",
        "denomalign",
        "alttext",
    ]
)
_HTML_TAGS = frozenset(
    [
        "p",
        "br",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "em",
        "strong",
        "b",
        "i",
        "u",
        "s",
        "sub",
        "sup",
        "small",
        "mark",
        "code",
        "pre",
        "kbd",
        "samp",
        "var",
        "blockquote",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "th",
        "td",
        "caption",
        "colgroup",
        "col",
        "span",
        "div",
        "a",
        "img",
        "figure",
        "figcaption",
        "abbr",
        "cite",
        "q",
        "del",
        "ins",
        "ruby",
        "rt",
        "rp",
    ]
)
_HTML_ATTRIBUTES = frozenset(
    [
        "href",
        "src",
        "alt",
        "title",
        "width",
        "height",
        "colspan",
        "rowspan",
        "scope",
        "start",
        "reversed",
        "lang",
        "dir",
        "class",
    ]
)
# Dropped with everything inside them; any other unknown element is unwrapped (its text stays).
_DROP_WITH_CONTENT = frozenset(
    [
        "script",
        "style",
        "iframe",
        "object",
        "embed",
        "applet",
        "noscript",
        "template",
        "frame",
        "frameset",
        "base",
        "link",
        "meta",
        "head",
        "title",
        "textarea",
        "select",
        "option",
        "button",
        "form",
        "input",
        "svg",
    ]
)
_SAFE_URL = re.compile(r"^(?:https?:|mailto:|#|/|\.{0,2}/|[^:/?#]*(?:[/?#]|$))", re.IGNORECASE)
_SAFE_IMAGE_DATA = re.compile(r"^data:image/(?:png|jpeg|gif|webp);base64,", re.IGNORECASE)
_ENTITY = re.compile(r"&#(?:x[0-9A-Fa-f]+|[0-9]+);")


@dataclass(frozen=True, slots=True)
class RenderedItem:
    """An item rendered to safe HTML.

    The student view (``with_key=False``) leaves ``correct``, ``choice_feedback``,
    ``general_feedback_html``, ``rationale_html`` and ``answer_key`` empty, so a page built from
    it cannot leak the key.
    """

    identifier: str
    kind: ItemKind
    title: str
    stem_html: str
    choices: tuple[tuple[str, str], ...]  # (choice identifier, html), in display order
    max_choices: int = 1
    min_choices: int = 0
    points: float = 1.0
    with_key: bool = False
    correct: tuple[str, ...] = ()
    choice_feedback: tuple[tuple[str, str], ...] = ()  # (choice identifier, html)
    general_feedback_html: str = ""
    rationale_html: str = ""
    answer_key: tuple[str, ...] = ()  # numeric and text answers, as plain text

    def as_html(self) -> str:
        """A complete fragment for previews: stem, options and, with the key, the key."""
        parts = [f'<div class="item-stem">{self.stem_html}</div>']
        if self.choices:
            rows = []
            for identifier, body in self.choices:
                keyed = " item-choice-correct" if identifier in self.correct else ""
                mark = ' <span class="item-key-mark">✓</span>' if keyed else ""
                rows.append(
                    f'<li class="item-choice{keyed}" data-choice="{html.escape(identifier)}">'
                    f"{body}{mark}</li>"
                )
            parts.append(f'<ol class="item-choices" type="A">{"".join(rows)}</ol>')
        if self.with_key:
            if self.answer_key:
                keys = "".join(f"<li>{html.escape(k)}</li>" for k in self.answer_key)
                parts.append(f'<ul class="item-answer-key">{keys}</ul>')
            for identifier, body in self.choice_feedback:
                parts.append(
                    f'<div class="item-feedback" data-choice="{html.escape(identifier)}">'
                    f"<strong>{html.escape(identifier)}:</strong> {body}</div>"
                )
            if self.general_feedback_html:
                parts.append(f'<div class="item-feedback">{self.general_feedback_html}</div>')
            if self.rationale_html:
                parts.append(f'<div class="item-rationale">{self.rationale_html}</div>')
        return "\n".join(parts)


def _math_renderer(latex: str, options: dict[str, Any]) -> str:
    return _latex_to_mathml(latex, display="block" if options.get("display_mode") else "inline")


@lru_cache(maxsize=4096)
def _latex_to_mathml(latex: str, *, display: str) -> str:
    try:
        element = convert_to_element(latex, display=display)
    except Exception:  # latex2mathml raises many kinds; show the source instead
        css = "math-error"
        return f'<code class="{css}">{html.escape(latex)}</code>'
    out: list[str] = []
    _serialise_mathml(element, out)
    return out[0] if display == "inline" else f'<div class="math-display">{out[0]}</div>'


def _serialise_mathml(element: ET.Element, out: list[str]) -> None:
    parts: list[str] = []
    _write_math_element(element, parts, root=True)
    out.append("".join(parts))


def _math_text(text: str | None) -> str:
    if not text:
        return ""
    # latex2mathml stores symbols as character references ("&#x0002B;") and other text raw
    return html.escape(_ENTITY.sub(lambda m: html.unescape(m.group(0)), text), quote=False)


def _write_math_element(element: ET.Element, parts: list[str], *, root: bool = False) -> None:
    tag = element.tag.rsplit("}", 1)[-1]
    if tag not in _MATHML_TAGS:
        parts.append(_math_text(element.text))
        for child in element:
            _write_math_element(child, parts)
            parts.append(_math_text(child.tail))
        return
    attributes = [
        f'{name}="{html.escape(value)}"'
        for name, value in element.attrib.items()
        if name in _MATHML_ATTRIBUTES
    ]
    if root:
        attributes.insert(0, f'xmlns="{MATHML_NS}"')
    opening = " ".join([tag, *attributes])
    parts.append(f"<{opening}>{_math_text(element.text)}")
    for child in element:
        _write_math_element(child, parts)
        parts.append(_math_text(child.tail))
    parts.append(f"</{tag}>")


def _markdown(allow_html: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": allow_html, "typographer": False})
    md.enable("table")
    md.enable("strikethrough")
    dollarmath_plugin(md, allow_digits=False, double_inline=True, renderer=_math_renderer)
    return md


_MD_ESCAPED = _markdown(False)
_MD_HTML = _markdown(True)


def render_markdown(text: str | None, *, allow_html: bool = False) -> str:
    """Render Markdown with ``$``-delimited LaTeX to safe HTML (text taken NFC).

    ``allow_html=False`` escapes raw HTML; ``allow_html=True`` keeps whitelisted HTML and MathML
    (for imported content) and removes everything else.
    """
    if not text:
        return ""
    source = unicodedata.normalize("NFC", text)
    if not allow_html:
        return _MD_ESCAPED.render(source).strip()
    return sanitize_html(_MD_HTML.render(source))


def sanitize_html(fragment: str) -> str:
    """Rebuild an HTML fragment from the HTML and MathML whitelists."""
    if not fragment.strip():
        return ""
    try:
        wrapper = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return html.escape(fragment)
    parts: list[str] = [_safe_text(wrapper.text)]
    for child in wrapper:
        _write_html(child, parts, in_math=False)
        parts.append(_safe_text(child.tail))
    return "".join(parts).strip()


def _safe_text(text: str | None) -> str:
    return html.escape(text, quote=False) if text else ""


def _write_html(element: Any, parts: list[str], *, in_math: bool) -> None:
    if not isinstance(element.tag, str):  # comments, processing instructions
        return
    tag = element.tag.rsplit("}", 1)[-1].lower()
    if tag in _DROP_WITH_CONTENT:
        return
    math = in_math or tag == "math"
    allowed = tag in _MATHML_TAGS if math else tag in _HTML_TAGS
    if allowed:
        attributes = _safe_attributes(tag, element.attrib, math=math)
        if tag == "math":
            attributes.insert(0, f'xmlns="{MATHML_NS}"')
        parts.append("<" + " ".join([tag, *attributes]) + ">")
    parts.append(_safe_text(element.text))
    for child in element:
        _write_html(child, parts, in_math=math)
        parts.append(_safe_text(child.tail))
    if allowed and tag not in ("br", "hr", "img", "col"):
        parts.append(f"</{tag}>")


def _safe_attributes(tag: str, attrib: Mapping[str, str], *, math: bool) -> list[str]:
    allowed = _MATHML_ATTRIBUTES if math else _HTML_ATTRIBUTES
    kept = []
    for name, value in attrib.items():
        name = name.lower()
        if name not in allowed:
            continue
        if name in ("href", "src") and not _safe_url(value.strip(), image=tag == "img"):
            continue
        kept.append(f'{name}="{html.escape(value)}"')
    if tag == "a" and any(k.startswith("href=") for k in kept):
        kept.append('rel="noopener noreferrer nofollow"')
    return kept


def _safe_url(url: str, *, image: bool) -> bool:
    if image and _SAFE_IMAGE_DATA.match(url):
        return True
    compact = re.sub(r"[\x00-\x20]", "", url)
    return bool(_SAFE_URL.match(compact))


def render_item(
    item: Item,
    *,
    variant_values: Mapping[str, object] | None = None,
    choice_order: Sequence[str] | None = None,
    with_key: bool = False,
) -> RenderedItem:
    """Render ``item`` for a page.

    ``variant_values`` fills ``{{name}}`` template variables (a drawn variant);
    ``choice_order`` gives the display order of the options (a shuffled attempt), every
    identifier once. Without ``with_key`` the result holds no key, feedback or rationale.

    Raises
    ------
    ValueError
        ``choice_order`` is not a permutation of the item's choice identifiers.
    """
    values = variant_values or {}

    def text(value: str | None) -> str:
        if not value:
            return ""
        return render_markdown(substitute(value, values) if values else value, allow_html=True)

    choices = list(item.choices)
    if choice_order is not None:
        by_id = {c.identifier: c for c in item.choices}
        if sorted(choice_order) != sorted(by_id):
            raise ValueError(
                f"choice_order: {list(choice_order)} is not an order of the choices {list(by_id)}"
            )
        choices = [by_id[identifier] for identifier in choice_order]
    rendered_choices = tuple((c.identifier, text(c.text)) for c in choices)
    base: dict[str, Any] = {
        "identifier": item.identifier,
        "kind": item.kind,
        "title": unicodedata.normalize("NFC", item.title),
        "stem_html": text(item.stem),
        "choices": rendered_choices,
        "max_choices": item.max_choices,
        "min_choices": item.min_choices,
        "points": item.points,
    }
    if not with_key:
        return RenderedItem(**base)
    return RenderedItem(
        **base,
        with_key=True,
        correct=tuple(item.correct),
        choice_feedback=tuple((c.identifier, text(c.feedback)) for c in choices if c.feedback),
        general_feedback_html=text(item.general_feedback),
        rationale_html=text(item.rationale),
        answer_key=_answer_key(item, values),
    )


def _answer_key(item: Item, values: Mapping[str, object]) -> tuple[str, ...]:
    keys: list[str] = []
    for numeric in item.numeric_keys:
        value = numeric.value
        shown = substitute(value, values) if isinstance(value, str) and values else str(value)
        tolerance = f" ± {numeric.tolerance:g}" if numeric.tolerance else ""
        if tolerance and numeric.relative:
            tolerance = f" ± {numeric.tolerance * 100:g}%"
        units = f" {', '.join(numeric.units)}" if numeric.units else ""
        keys.append(f"{shown}{tolerance}{units} ({numeric.score:g})")
    for answer in item.text_answers:
        keys.append(f"{unicodedata.normalize('NFC', answer.text)} ({answer.score:g})")
    return tuple(keys)
