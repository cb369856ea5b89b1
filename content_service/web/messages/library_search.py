"""Messages of the one catalogue search (library titles, print and digital, and resources)."""

MESSAGES = {
    "library_search.title": {"vi": "Tra cứu mục lục chung", "en": "One catalogue search"},
    "library_search.intro": {
        "vi": "Sách in, tài liệu số của thư viện trường và học liệu mở trong một lần tìm.",
        "en": "The school library's print and digital titles and the open-learning repository.",
    },
    "library_search.query": {"vi": "Từ khóa, tác giả, ISBN", "en": "Keywords, author, ISBN"},
    "library_search.submit": {"vi": "Tìm", "en": "Search"},
    "library_search.all": {"vi": "Tất cả", "en": "Everything"},
    "library_search.results": {"vi": "{total} kết quả", "en": "{total} results"},
    "library_search.none": {"vi": "Không tìm thấy kết quả.", "en": "Nothing found."},
    "library_search.unavailable": {
        "vi": "Tìm kiếm tạm thời không hoạt động, vui lòng thử lại sau.",
        "en": "Search is unavailable for now; please try again later.",
    },
    "library_search.type.print": {"vi": "Sách in", "en": "Print"},
    "library_search.type.digital": {"vi": "Tài liệu số", "en": "Digital"},
    "library_search.doc_type.library": {"vi": "Thư viện", "en": "Library"},
    "library_search.doc_type.resource": {"vi": "Học liệu", "en": "Resource"},
    "library_search.doc_type.item": {"vi": "Câu hỏi", "en": "Question"},
    "library_search.facet.type": {"vi": "Dạng", "en": "Format"},
    "library_search.facet.doc_type": {"vi": "Nguồn", "en": "Source"},
    "library_search.facet.language": {"vi": "Ngôn ngữ", "en": "Language"},
}
