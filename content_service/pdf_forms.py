"""Printable test forms: one PDF per assembled form set, each form followed by its answer key.

fpdf2 with the DejaVu fonts (full Vietnamese coverage). Maths is printed as readable text: the
common LaTeX commands become their Unicode symbols (``\\frac{a}{b}`` → ``(a)/(b)``, ``x^2`` →
``x²``); Markdown emphasis and HTML tags are dropped.

Images of stems and options (``![alt](/item-assets/<sha>)`` or ``<img src=…>``) print where the
text puts them, scaled to the text width and at most :data:`MAX_IMAGE_HEIGHT` high: PNG, JPEG,
GIF and WebP as raster images, SVG through fpdf2's SVG support. The caller resolves the
addresses to files (:class:`AssetFile`, keyed by SHA-256); this module never touches the
database or the network. What cannot be printed becomes a placeholder line: ``[hình: alt]`` for
an image that is missing, unreadable or not stored here, ``[âm thanh/video: alt]`` for audio and
video.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.image_parsing import preload_image

from item_bank.items import Item, ItemKind

log = logging.getLogger(__name__)

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
MAX_IMAGE_HEIGHT = 70.0  # mm
_PRINTABLE_IMAGES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"}
)
_ASSET_URL = re.compile(r"/item-assets/([0-9a-f]{64})(?![0-9a-f])")
# a Markdown image, or an HTML element that shows a file
_MEDIA_REF = re.compile(
    r"!\[(?P<alt>[^\]]*)\]\(\s*<?(?P<url>[^)\s>]*)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)"
    r"|<(?P<tag>img|audio|video|source|object)\b(?P<attrs>[^>]*)>",
    re.IGNORECASE,
)
_ATTR = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
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
class AssetFile:
    """A stored item file as the caller found it: where it lies and what it is."""

    path: Path
    media_type: str
    filename: str = ""


@dataclass(frozen=True, slots=True)
class MediaRef:
    """A file the item text shows: its address, alternative text, and the element naming it."""

    url: str
    alt: str
    element: str  # "image" (Markdown), or the HTML tag: img, audio, video, source, object


def split_media(markdown: str | None) -> list[str | MediaRef]:
    """Item Markdown cut into text pieces and the files it shows, in reading order.

    ``<audio>``/``<video>`` without a ``src`` of their own yield nothing (their ``<source>``
    children do), so a clip prints once.
    """
    if not markdown:
        return []
    text = unicodedata.normalize("NFC", markdown)
    parts: list[str | MediaRef] = []
    start = 0
    for match in _MEDIA_REF.finditer(text):
        if match.start() > start:
            parts.append(text[start : match.start()])
        start = match.end()
        if match.group("tag") is None:
            parts.append(MediaRef(match.group("url"), match.group("alt").strip(), "image"))
            continue
        tag = match.group("tag").lower()
        attrs = {
            m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or ""
            for m in _ATTR.finditer(match.group("attrs"))
        }
        url = attrs.get("data" if tag == "object" else "src", "")
        if url:
            alt = attrs.get("alt") or attrs.get("title") or attrs.get("aria-label") or ""
            parts.append(MediaRef(url, alt.strip(), tag))
    if start < len(text):
        parts.append(text[start:])
    return parts


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


def _is_audio_video(media: MediaRef, asset: AssetFile | None) -> bool:
    if media.element in ("audio", "video"):
        return True
    if asset is not None:
        return asset.media_type.startswith(("audio/", "video/"))
    return media.element == "source"


def _placeholder(media: MediaRef, asset: AssetFile | None, *, indent: str) -> str:
    label = media.alt or (asset.filename if asset is not None else "")
    kind = "âm thanh/video" if _is_audio_video(media, asset) else "hình"
    return f"{indent}[{kind}: {label}]" if label else f"{indent}[{kind}]"


def _draw_image(pdf: FPDF, data: bytes, *, indent_mm: float) -> None:
    """An image at its natural size (72 dpi), shrunk to the text width and the height cap.

    Given as bytes: fpdf2 recognises SVG by its content then, not by a file name ending. fpdf2's
    notes on SVG features it simplifies are logged, not raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _, _, info = preload_image(
            pdf.image_cache, data, None, pdf.resource_access_policy, pdf.svg_limits
        )
        size = info["w"], info["h"]
        if not all(isinstance(v, int | float) and v > 0 for v in size):
            raise ValueError("the image has no size")
        width = float(cast(float, size[0])) / pdf.k
        height = float(cast(float, size[1])) / pdf.k
        scale = min(1.0, (pdf.epw - indent_mm) / width, MAX_IMAGE_HEIGHT / height)
        pdf.image(data, x=pdf.l_margin + indent_mm, w=width * scale, h=height * scale)
    for note in caught:
        log.info("printing an item image: %s", note.message)
    pdf.ln(1)


def _media(
    pdf: FPDF, media: MediaRef, assets: Mapping[str, AssetFile], *, indent: str, indent_mm: float
) -> None:
    found = _ASSET_URL.fullmatch(media.url.strip())
    asset = assets.get(found.group(1)) if found else None
    if asset is not None and not _is_audio_video(media, asset):
        if asset.media_type not in _PRINTABLE_IMAGES:
            log.warning("item file %s (%s) cannot be printed", media.url, asset.media_type)
        elif not asset.path.is_file():
            log.warning("item file %s is missing on disk at %s", media.url, asset.path)
        else:
            try:
                _draw_image(pdf, asset.path.read_bytes(), indent_mm=indent_mm)
                return
            except Exception as error:  # an unreadable or unsupported file prints its alt
                log.warning("item file %s could not be printed: %s", media.url, error)
    elif asset is None and not _is_audio_video(media, asset):
        log.warning("item file %s is not a stored item file; printed as its text", media.url)
    _line(pdf, _placeholder(media, asset, indent=indent))


def _rich(
    pdf: FPDF,
    prefix: str,
    markdown: str | None,
    assets: Mapping[str, AssetFile],
    *,
    indent: str = "",
    indent_mm: float = 0.0,
) -> None:
    """``prefix`` and the item text, its images drawn where the text puts them."""
    pending = prefix
    for part in split_media(markdown):
        if isinstance(part, str):
            text = plain_text(part)
            if text:
                pending = f"{pending}{text}" if pending else f"{indent}{text}"
            continue
        if pending.strip():
            _line(pdf, pending)
        pending = ""
        _media(pdf, part, assets, indent=indent, indent_mm=indent_mm)
    if pending.strip() or not markdown:
        _line(pdf, pending)


def render_forms_pdf(
    *,
    title: str,
    subtitle: str,
    forms: Sequence[PrintedForm],
    minutes: int | None = None,
    assets: Mapping[str, AssetFile] | None = None,
) -> bytes:
    """Each form (header, numbered questions with lettered options, answer space for open
    kinds) followed by its answer key page ("ĐÁP ÁN").

    ``assets`` maps the SHA-256 of the item files the texts show to where they are stored;
    a file not in it, or missing on disk, prints as a placeholder line."""
    files: Mapping[str, AssetFile] = assets or {}
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
            _rich(pdf, f"Câu {entry.position} ({entry.points:g} điểm). ", item.stem, files)
            if item.choices:
                for index, identifier in enumerate(entry.choice_order):
                    choice = item.choice(identifier)
                    label = f"    {_LABELS[index]}. "
                    _rich(pdf, label, choice.text, files, indent="        ", indent_mm=8.0)
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
