"""Printable test forms: one PDF per assembled form set, each form followed by its answer key.

fpdf2 with the DejaVu fonts (full Vietnamese coverage). Maths is printed as readable text: the
common LaTeX commands become their Unicode symbols (``\\frac{a}{b}`` → ``(a)/(b)``, ``x^2`` →
``x²``); Markdown emphasis and HTML tags are dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from item_bank.items import Item, ItemKind

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

_SYMBOLS = {
    r"\cdot": "·", r"\times": "×", r"\div": "÷", r"\pm": "±",  # noqa: RUF001
    r"\mp": "∓", r"\le": "≤", r"\leq": "≤", r"\ge": "≥",
    r"\geq": "≥", r"\ne": "≠", r"\neq": "≠", r"\approx": "≈",
    r"\infty": "∞", r"\pi": "π", r"\alpha": "α", r"\beta": "β",  # noqa: RUF001
    r"\gamma": "γ", r"\delta": "δ", r"\Delta": "Δ", r"\theta": "θ",  # noqa: RUF001
    r"\lambda": "λ", r"\mu": "μ", r"\sigma": "σ", r"\omega": "ω",  # noqa: RUF001
    r"\Omega": "Ω", r"\rho": "ρ", r"\varphi": "φ", r"\phi": "φ",  # noqa: RUF001
    r"\in": "∈", r"\notin": "∉", r"\subset": "⊂", r"\cup": "∪",  # noqa: RUF001
    r"\cap": "∩", r"\emptyset": "∅", r"\varnothing": "∅", r"\forall": "∀",
    r"\exists": "∃", r"\rightarrow": "→", r"\to": "→", r"\Rightarrow": "⇒",
    r"\Leftrightarrow": "⇔", r"\leftarrow": "←", r"\rightleftharpoons": "⇌", r"\circ": "°",
    r"\angle": "∠", r"\perp": "⊥", r"\parallel": "∥", r"\sim": "∼",  # noqa: RUF001
    r"\equiv": "≡", r"\cdots": "⋯", r"\ldots": "…", r"\dots": "…",
    r"\left": "", r"\right": "", r"\,": " ", r"\;": " ",
    r"\quad": "  ", r"\%": "%", r"\{": "{", r"\}": "}",
    r"\mathbb{R}": "ℝ", r"\mathbb{N}": "ℕ", r"\mathbb{Z}": "ℤ", r"\mathbb{Q}": "ℚ",  # noqa: RUF001
}  # fmt: skip
_SUPERSCRIPTS = str.maketrans("0123456789+-n()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻ⁿ⁽⁾")
_SUBSCRIPTS = str.maketrans("0123456789+-()", "₀₁₂₃₄₅₆₇₈₉₊₋₍₎")
_MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.DOTALL)
_GROUP = r"\{([^{}]*)\}"


def latex_to_text(latex: str) -> str:
    """A readable plain-text rendering of simple LaTeX maths."""
    text = latex
    for _ in range(4):  # nested groups, innermost first
        text = re.sub(r"\\[dt]?frac" + _GROUP + _GROUP, r"(\1)/(\2)", text)
        text = re.sub(r"\\sqrt\[([^\]]*)\]" + _GROUP, r"\1√(\2)", text)
        text = re.sub(r"\\sqrt" + _GROUP, r"√(\1)", text)
        text = re.sub(
            r"\\(?:text|mathrm|mathbf|mathit|operatorname|overline|vec)" + _GROUP, r"\1", text
        )
    for command in sorted(_SYMBOLS, key=len, reverse=True):
        text = re.sub(re.escape(command) + r"(?![A-Za-z])", _SYMBOLS[command], text)
    text = re.sub(r"\^\{([0-9+\-n()]+)\}", lambda m: m.group(1).translate(_SUPERSCRIPTS), text)
    text = re.sub(r"\^([0-9n])", lambda m: m.group(1).translate(_SUPERSCRIPTS), text)
    text = re.sub(r"_\{([0-9+\-()]+)\}", lambda m: m.group(1).translate(_SUBSCRIPTS), text)
    text = re.sub(r"_([0-9])", lambda m: m.group(1).translate(_SUBSCRIPTS), text)
    text = re.sub(r"\\(sin|cos|tan|cot|log|ln|lim|max|min|exp)", r"\1", text)
    text = text.replace("{", "").replace("}", "")
    return re.sub(r"\\([A-Za-z]+)", r"\1", text)


def plain_text(markdown: str | None) -> str:
    """Item Markdown as printable text: maths via :func:`latex_to_text`, no tags or emphasis."""
    if not markdown:
        return ""
    text = unicodedata.normalize("NFC", markdown)
    text = _MATH.sub(lambda m: latex_to_text(m.group(1) or m.group(2)), text)
    text = re.sub(r"<br\s*/?>|</p>", "\n", text, flags=re.IGNORECASE)
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"[\1]", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__|(?<![\w*])\*(?!\s)|`)", "", text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return re.sub(r"\n{3,}", "\n\n", text).strip()


@dataclass(frozen=True, slots=True)
class PrintedItem:
    """One item of a form as printed: its position, points, option order and key."""

    position: int
    item: Item
    points: float
    choice_order: tuple[str, ...]
    key: str


@dataclass(frozen=True, slots=True)
class PrintedForm:
    number: int
    items: tuple[PrintedItem, ...]
    total_points: float


class _Pdf(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.doc_title = title
        self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 16, 18)
        self.set_title(title)
        self.set_creator("content-service")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.cell(0, 6, f"{self.doc_title} · Trang {self.page_no()}", align="C")


def _line(pdf: FPDF, text: str, *, height: float = 6.0, bold: bool = False, size: int = 11) -> None:
    pdf.set_font("DejaVu", "B" if bold else "", size)
    pdf.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render_forms_pdf(
    *, title: str, subtitle: str, forms: Sequence[PrintedForm], minutes: int | None = None
) -> bytes:
    """Each form (header, numbered questions with lettered options, answer space for open
    kinds) followed by its answer key page ("ĐÁP ÁN")."""
    pdf = _Pdf(title or "Đề kiểm tra")
    for form in forms:
        pdf.add_page()
        _line(pdf, title or "ĐỀ KIỂM TRA", bold=True, size=14, height=8)
        if subtitle:
            _line(pdf, subtitle, size=10)
        timing = f" · Thời gian làm bài: {minutes} phút" if minutes else ""
        _line(pdf, f"Mã đề: {form.number:03d} · Tổng điểm: {form.total_points:g}{timing}", size=10)
        _line(pdf, "Họ và tên: ....................................  Lớp: ..........", size=10)
        pdf.ln(3)
        for entry in form.items:
            item = entry.item
            _line(pdf, f"Câu {entry.position} ({entry.points:g} điểm). {plain_text(item.stem)}")
            if item.choices:
                for index, identifier in enumerate(entry.choice_order):
                    choice = item.choice(identifier)
                    _line(pdf, f"    {_LABELS[index]}. {plain_text(choice.text)}")
            elif item.kind in (ItemKind.NUMERIC, ItemKind.SHORT_TEXT):
                _line(pdf, "    Trả lời: ..................................................")
            elif item.kind is ItemKind.OPEN_RESPONSE:
                pdf.ln(24)
            pdf.ln(2)
        pdf.add_page()
        _line(pdf, f"ĐÁP ÁN \u2013 Mã đề {form.number:03d}", bold=True, size=14, height=8)
        if subtitle:
            _line(pdf, subtitle, size=10)
        pdf.ln(2)
        for entry in form.items:
            _line(pdf, f"Câu {entry.position}: {entry.key}  ({entry.points:g} điểm)")
    return bytes(pdf.output())
