"""Messages of the shared repository's pages (search, resource, collection)."""

MESSAGES = {
    "resources.search.title": {"vi": "Tìm học liệu", "en": "Find learning resources"},
    "resources.search.query": {"vi": "Từ khóa", "en": "Keywords"},
    "resources.search.submit": {"vi": "Tìm", "en": "Search"},
    "resources.search.results": {"vi": "{total} kết quả", "en": "{total} results"},
    "resources.search.none": {"vi": "Không tìm thấy kết quả.", "en": "Nothing found."},
    "resources.search.unavailable": {
        "vi": "Tìm kiếm tạm thời không hoạt động, vui lòng thử lại sau.",
        "en": "Search is unavailable for now; please try again later.",
    },
    "resources.facet.subject": {"vi": "Môn học", "en": "Subject"},
    "resources.facet.grade": {"vi": "Lớp", "en": "Grade"},
    "resources.facet.type": {"vi": "Loại học liệu", "en": "Resource type"},
    "resources.facet.licence": {"vi": "Giấy phép", "en": "Licence"},
    "resources.facet.doc_type": {"vi": "Nguồn", "en": "Kind"},
    "resources.facet.language": {"vi": "Ngôn ngữ", "en": "Language"},
    "resources.facet.school": {"vi": "Trường", "en": "School"},
    "resources.facet.kind": {"vi": "Định dạng", "en": "Format"},
    "resources.doc_type.resource": {"vi": "Học liệu", "en": "Resource"},
    "resources.doc_type.item": {"vi": "Câu hỏi", "en": "Question"},
    "resources.detail.version": {"vi": "Phiên bản {version}", "en": "Version {version}"},
    "resources.detail.licence": {"vi": "Giấy phép", "en": "Licence"},
    "resources.detail.files": {"vi": "Tệp", "en": "Files"},
    "resources.detail.link": {"vi": "Mở liên kết", "en": "Open the link"},
    "resources.detail.preview": {"vi": "Xem trước", "en": "Preview"},
    "resources.detail.views": {
        "vi": "{views} lượt xem, {downloads} lượt tải",
        "en": "{views} views, {downloads} downloads",
    },
    "resources.detail.grades": {"vi": "Lớp", "en": "Grades"},
    "resources.detail.subjects": {"vi": "Môn", "en": "Subjects"},
    "resources.collection.package": {
        "vi": "Tải cả bộ sưu tập (gói ngoại tuyến .zip)",
        "en": "Download the whole collection (offline .zip package)",
    },
    "resources.collections.title": {"vi": "Bộ sưu tập", "en": "Collections"},
}
