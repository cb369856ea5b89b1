"""The transcript (học bạ) page: a year's record laid out like the official form, in Vietnamese.

Input is the structured record built by ``services.transcripts`` (the same JSON stored beside the
PDF), so what is printed and what is kept can never disagree. Fonts are DejaVu (full Vietnamese
coverage); only the glyphs used are embedded.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

from fontTools import subset
from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT = "DejaVu"
# Two faces only: every embedded font costs ~30 ms to subset at output time.
_FACES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
# Latin, Vietnamese letters and tones, common punctuation: ~600 of DejaVu's ~6,000 glyphs.
_UNICODES = [
    *range(0x20, 0x7F),
    *range(0xA0, 0x250),
    *range(0x300, 0x324),
    *range(0x1EA0, 0x1EFA),
    *range(0x2010, 0x2027),
    0x20AB,  # ₫
]


@functools.cache
def _font_files() -> dict[str, Path]:
    """DejaVu cut down to the glyphs a transcript can use, made once per machine.

    Parsing and subsetting the full fonts cost ~0.4 s per document; the cut fonts make
    rendering fit the 300 ms budget.
    """
    key = hashlib.sha256(repr((_FACES, _UNICODES)).encode()).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"content-service-fonts-{key}"
    folder.mkdir(exist_ok=True)
    files: dict[str, Path] = {}
    for style, name in _FACES.items():
        target = folder / name
        if not target.is_file():
            options = subset.Options()
            options.layout_features = []
            options.hinting = False
            options.drop_tables += ["FFTM"]  # FontForge timestamps: unused, not subsettable
            font = subset.load_font(str(FONT_DIR / name), options)
            try:
                subsetter = subset.Subsetter(options)
                subsetter.populate(unicodes=_UNICODES)
                subsetter.subset(font)
                partial = folder / f"{name}.{os.getpid()}.part"
                subset.save_font(font, str(partial), options)
            finally:
                font.close()  # fontTools keeps the file open until closed
            partial.replace(target)  # atomic: a concurrent renderer never sees half a file
        files[style] = target
    return files


def _pdf() -> FPDF:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(15, 12, 15)
    pdf.set_auto_page_break(auto=True, margin=15)
    files = _font_files()
    if not all(path.is_file() for path in files.values()):
        _font_files.cache_clear()  # a temp-folder cleaner removed the cut fonts: cut them again
        files = _font_files()
    for style, path in files.items():
        pdf.add_font(FONT, style, str(path))
    return pdf


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _line(pdf: FPDF, text: str, *, size: float = 10, style: str = "", align: str = "L") -> None:
    pdf.set_font(FONT, style, size)
    pdf.cell(0, 6, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _header(pdf: FPDF, data: dict[str, Any]) -> None:
    school = data["school"]
    pdf.set_font(FONT, "B", 9)
    top = pdf.get_y()
    pdf.multi_cell(85, 5, f"SỞ GIÁO DỤC VÀ ĐÀO TẠO\n{school['name'].upper()}", align="C")
    pdf.set_xy(100, top)
    pdf.multi_cell(
        95, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc", align="C"
    )
    pdf.ln(4)
    primary = data.get("level") == "primary"
    _line(pdf, "HỌC BẠ TIỂU HỌC" if primary else "HỌC BẠ", size=16, style="B", align="C")
    title = "KẾT QUẢ ĐÁNH GIÁ GIÁO DỤC" if primary else "KẾT QUẢ HỌC TẬP VÀ RÈN LUYỆN"
    _line(pdf, title, size=12, style="B", align="C")
    _line(pdf, f"Số: {data['number']}", size=9, style="", align="C")
    pdf.ln(2)
    klass, student = data["class"], data["student"]
    _line(pdf, f"Họ và tên học sinh: {student['full_name']}    Mã học sinh: {student['username']}")
    _line(pdf, f"Lớp: {klass['name']}    Khối: {klass['grade']}    Năm học: {klass['school_year']}")
    _line(pdf, f"Trường: {school['name']}    Mã trường: {school['code']}    {school['province']}")
    pdf.ln(2)


def _subjects(pdf: FPDF, data: dict[str, Any]) -> None:
    pdf.set_font(FONT, "", 9.5)
    widths = (70, 28, 28, 28, 26)
    with pdf.table(
        col_widths=widths,
        text_align=("LEFT", "CENTER", "CENTER", "CENTER", "CENTER"),
        line_height=6,
    ) as table:
        header = table.row()
        for title in ("Môn học / hoạt động giáo dục", "Học kì I", "Học kì II", "Cả năm", "Ghi chú"):
            header.cell(title)
        for subject in data["subjects"]:
            row = table.row()
            row.cell(subject["subject"])
            row.cell(_text(subject["semester_1"]))
            row.cell(_text(subject["semester_2"]))
            row.cell(_text(subject["year"]))
            row.cell("Thiếu điểm" if subject["missing"] else "")
    pdf.ln(3)


def _summary(pdf: FPDF, data: dict[str, Any]) -> None:
    learning, conduct, promotion = data["learning"], data["conduct"], data["promotion"]
    pdf.set_font(FONT, "", 9.5)
    with pdf.table(
        col_widths=(70, 40, 40, 30),
        line_height=6,
        text_align=("LEFT", "CENTER", "CENTER", "CENTER"),
    ) as table:
        for title, values in (
            ("", ("Học kì I", "Học kì II", "Cả năm")),
            ("Kết quả học tập", (learning["semester_1"], learning["semester_2"], learning["year"])),
            ("Kết quả rèn luyện", (conduct["semester_1"], conduct["semester_2"], conduct["year"])),
        ):
            row = table.row()
            row.cell(title)
            for value in values:
                row.cell(_text(value) or "-")
    pdf.ln(2)
    _line(pdf, f"Tổng số ngày nghỉ: {data['absent_days']}")
    _line(pdf, f"Kết quả cuối năm: {promotion['status']}")
    if promotion["retest_subjects"]:
        _line(pdf, "Kiểm tra lại các môn: " + ", ".join(promotion["retest_subjects"]))
    if learning.get("adjusted_for"):
        _line(pdf, f"Điều chỉnh mức đánh giá (Điều 9 khoản 3) do môn: {learning['adjusted_for']}")
    _line(pdf, f"Danh hiệu: {data['award'] or '-'}")
    _line(pdf, f"Căn cứ: {data['rule_id']}", size=8, style="")


_GROUPS = {
    "quality": "Phẩm chất chủ yếu",
    "general": "Năng lực chung",
    "specific": "Năng lực đặc thù",
}


def _primary_subjects(pdf: FPDF, data: dict[str, Any]) -> None:
    """Subjects and activities at the end of the year: rating, test score, comment (TT27)."""
    pdf.set_font(FONT, "", 9)
    with pdf.table(
        col_widths=(52, 32, 18, 78),
        text_align=("LEFT", "CENTER", "CENTER", "LEFT"),
        line_height=5,
    ) as table:
        header = table.row()
        for title in ("Môn học và hoạt động giáo dục", "Mức đạt được", "Điểm KTĐK", "Nhận xét"):
            header.cell(title)
        for subject in data["subjects"]:
            row = table.row()
            row.cell(subject["subject"])
            row.cell(_text(subject["rating"]))
            row.cell(_text(subject["test_score"]))
            row.cell(_text(subject["comment"]))
    pdf.ln(3)


def _primary_traits(pdf: FPDF, data: dict[str, Any]) -> None:
    """Qualities and competencies at the end of the year, grouped as in the học bạ."""
    pdf.set_font(FONT, "", 9)
    with pdf.table(
        col_widths=(50, 80, 50), text_align=("LEFT", "LEFT", "CENTER"), line_height=5
    ) as table:
        header = table.row()
        for title in ("", "Phẩm chất, năng lực", "Mức đạt được"):
            header.cell(title)
        for trait in data["traits"]:
            row = table.row()
            row.cell(_GROUPS.get(trait["group"], trait["group"]))
            row.cell(trait["name"])
            row.cell(_text(trait["year"]))
    if data.get("traits_comment"):
        pdf.ln(1)
        pdf.multi_cell(0, 5, f"Nhận xét: {data['traits_comment']}")
    pdf.ln(3)


def _primary_summary(pdf: FPDF, data: dict[str, Any]) -> None:
    _line(pdf, f"Đánh giá kết quả giáo dục: {_text(data['result'])}", style="B")
    _line(pdf, f"Khen thưởng: {data['award'] or '-'}")
    _line(pdf, _text(data["completion"]))
    _line(pdf, f"Căn cứ: {data['rule_id']}", size=8, style="")


def _signatures(pdf: FPDF, data: dict[str, Any]) -> None:
    pdf.ln(4)
    _line(pdf, f"Ngày cấp: {data['issued_on']}", size=9, style="", align="R")
    pdf.set_font(FONT, "B", 10)
    top = pdf.get_y()
    pdf.multi_cell(90, 6, "GIÁO VIÊN CHỦ NHIỆM\n(Chữ ký số)", align="C")
    pdf.set_xy(105, top)
    pdf.multi_cell(90, 6, "HIỆU TRƯỞNG\n(Chữ ký số và con dấu số của nhà trường)", align="C")
    pdf.ln(10)
    pdf.set_font(FONT, "", 10)
    top = pdf.get_y()
    pdf.multi_cell(90, 6, data["homeroom_teacher"], align="C")
    pdf.set_xy(105, top)
    pdf.multi_cell(90, 6, data["principal"], align="C")
    pdf.ln(6)
    _line(
        pdf,
        "Bản học bạ số này được ký số theo chuẩn PAdES. Kiểm tra tính xác thực tại trang "
        "/pages/records/verify của nhà trường.",
        size=8,
        style="",
    )


def render_transcript(data: dict[str, Any]) -> bytes:
    """Render the structured year record ``data`` as an A4 PDF (unsigned).

    A record with ``"level": "primary"`` is laid out as the TT27 học bạ (ratings, test scores,
    comments, qualities and competencies); any other as the TT22 one.
    """
    pdf = _pdf()
    pdf.set_title(f"Học bạ {data['student']['full_name']} {data['class']['school_year']}")
    pdf.set_author(data["school"]["name"])
    pdf.add_page()
    _header(pdf, data)
    if data.get("level") == "primary":
        _primary_subjects(pdf, data)
        _primary_traits(pdf, data)
        _primary_summary(pdf, data)
    else:
        _subjects(pdf, data)
        _summary(pdf, data)
    _signatures(pdf, data)
    return bytes(pdf.output())
