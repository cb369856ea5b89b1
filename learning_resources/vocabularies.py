"""Controlled vocabularies: subjects of the 2018 programme, LRMI terms and DCMI types.

Facet values must have one canonical form (DOMAIN.md §7: a filter with ``hoa hoc`` matches
nothing when documents say ``Hóa học``). Resources therefore store the ASCII *code* of a subject;
the Vietnamese display name is looked up here.
"""

from __future__ import annotations

from types import MappingProxyType

__all__ = [
    "EDUCATIONAL_FRAMEWORK",
    "EDUCATIONAL_USES",
    "INTERACTIVITY_TYPES",
    "LEARNING_RESOURCE_TYPES",
    "SUBJECTS",
    "subject_name",
]

EDUCATIONAL_FRAMEWORK = "Chương trình GDPT 2018"
"""schema.org ``educationalFramework`` of every alignment: the 2018 general-education programme
(Thông tư 32/2018/TT-BGDĐT)."""

SUBJECTS = MappingProxyType(
    {
        "toan": "Toán",
        "tieng_viet": "Tiếng Việt",
        "ngu_van": "Ngữ văn",
        "tieng_anh": "Tiếng Anh",
        "vat_li": "Vật lí",
        "hoa_hoc": "Hóa học",
        "sinh_hoc": "Sinh học",
        "khoa_hoc_tu_nhien": "Khoa học tự nhiên",
        "khoa_hoc": "Khoa học",
        "tu_nhien_va_xa_hoi": "Tự nhiên và Xã hội",
        "lich_su": "Lịch sử",
        "dia_li": "Địa lí",
        "lich_su_va_dia_li": "Lịch sử và Địa lí",
        "tin_hoc": "Tin học",
        "cong_nghe": "Công nghệ",
        "dao_duc": "Đạo đức",
        "giao_duc_cong_dan": "Giáo dục công dân",
        "giao_duc_kinh_te_va_phap_luat": "Giáo dục kinh tế và pháp luật",
        "giao_duc_quoc_phong_va_an_ninh": "Giáo dục quốc phòng và an ninh",
        "giao_duc_the_chat": "Giáo dục thể chất",
        "am_nhac": "Âm nhạc",
        "mi_thuat": "Mĩ thuật",
        "hoat_dong_trai_nghiem": "Hoạt động trải nghiệm, hướng nghiệp",
        "giao_duc_dia_phuong": "Nội dung giáo dục của địa phương",
    }
)
"""Subject code → Vietnamese name as written in the 2018 programme."""

LEARNING_RESOURCE_TYPES = frozenset(
    {
        "lesson plan",
        "presentation",
        "worksheet",
        "textbook",
        "reading",
        "video lecture",
        "simulation",
        "experiment",
        "exercise",
        "assessment",
        "quiz",
        "notebook",
        "image",
        "audio recording",
        "map",
        "reference",
        "project",
    }
)
"""Allowed ``learningResourceType`` values (English terms, as in LRMI's recommended lists)."""

EDUCATIONAL_USES = frozenset(
    {"instruction", "assignment", "practice", "assessment", "self-study", "group work", "project"}
)
"""Allowed ``educationalUse`` values."""

INTERACTIVITY_TYPES = frozenset({"active", "expositive", "mixed"})
"""schema.org ``interactivityType`` values."""


def subject_name(code: str) -> str:
    """Return the Vietnamese display name of a subject code (``"hoa_hoc"`` → ``"Hóa học"``).

    Raises
    ------
    KeyError
        If the code is not a subject of the 2018 programme.
    """
    return SUBJECTS[code]
