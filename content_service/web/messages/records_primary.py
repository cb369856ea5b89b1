"""Messages of the primary (TT27/2020) gradebook pages and year results."""

MESSAGES: dict[str, dict[str, str]] = {
    "records.column.ktgk": {"vi": "KT giữa kì", "en": "Mid-term test"},
    "records.column.ktck": {"vi": "KT cuối kì", "en": "End-of-term test"},
    "records.column.nx": {"vi": "Nhận xét", "en": "Comment"},
    "records.trait.gk": {"vi": "giữa kì", "en": "mid-term"},
    "records.trait.ck": {"vi": "cuối kì", "en": "end of term"},
    "records.primary.rating": {"vi": "Mức đạt được cuối kì", "en": "End-of-term level"},
    "records.primary.rule": {
        "vi": "Đánh giá theo Thông tư 27/2020/TT-BGDĐT: mức Hoàn thành tốt / Hoàn thành / "
        "Chưa hoàn thành; điểm kiểm tra định kì là số nguyên 0-10.",
        "en": "Assessed by Circular 27/2020: Hoàn thành tốt / Hoàn thành / Chưa hoàn thành; "
        "periodic test scores are whole numbers 0-10.",
    },
    "records.primary.traits_rule": {
        "vi": "Phẩm chất và năng lực: Tốt / Đạt / Cần cố gắng (giáo viên chủ nhiệm đánh giá).",
        "en": "Qualities and competencies: Tốt / Đạt / Cần cố gắng (rated by the homeroom "
        "teacher).",
    },
    "records.primary.year_results": {
        "vi": "Kết quả đánh giá cuối năm của lớp",
        "en": "The class's year-end results",
    },
    "records.primary.result": {"vi": "Kết quả giáo dục", "en": "Year-end result"},
    "records.primary.completion": {"vi": "Hoàn thành chương trình", "en": "Programme"},
    "records.primary.award": {"vi": "Khen thưởng", "en": "Award"},
    "records.primary.missing": {"vi": "Còn thiếu", "en": "Still missing"},
}
