"""Survey pages: Vietnamese first, English second."""

MESSAGES = {
    "surveys.list.title": {"vi": "Khảo sát", "en": "Surveys"},
    "surveys.list.empty": {"vi": "Hiện chưa có khảo sát nào.", "en": "There are no surveys yet."},
    "surveys.list.answer": {"vi": "Trả lời", "en": "Answer"},
    "surveys.list.done": {"vi": "Em đã trả lời", "en": "You have answered"},
    "surveys.list.report": {"vi": "Xem báo cáo", "en": "See the report"},
    "surveys.status.draft": {"vi": "Bản nháp", "en": "Draft"},
    "surveys.status.open": {"vi": "Đang mở", "en": "Open"},
    "surveys.status.closed": {"vi": "Đã đóng", "en": "Closed"},
    "surveys.anonymous": {
        "vi": "Khảo sát ẩn danh: câu trả lời của em không gắn với tên hay tài khoản của em.",
        "en": "Anonymous survey: your answers are not linked to your name or account.",
    },
    "surveys.named": {
        "vi": "Khảo sát có ghi tên: nhà trường biết em đã trả lời gì.",
        "en": "Named survey: the school knows what you answered.",
    },
    "surveys.required": {"vi": "bắt buộc", "en": "required"},
    "surveys.optional_hint": {"vi": "Có thể chọn nhiều đáp án.", "en": "You may choose several."},
    "surveys.submit": {"vi": "Gửi câu trả lời", "en": "Send my answers"},
    "surveys.error": {"vi": "Chưa gửi được: {detail}", "en": "Not sent: {detail}"},
    "surveys.error.required": {
        "vi": "Câu hỏi này cần được trả lời.",
        "en": "This question needs an answer.",
    },
    "surveys.already": {
        "vi": "Em đã trả lời khảo sát này rồi. Mỗi người chỉ trả lời một lần.",
        "en": "You have already answered this survey. Everyone answers once.",
    },
    "surveys.closed": {
        "vi": "Khảo sát này không còn nhận câu trả lời.",
        "en": "This survey no longer accepts answers.",
    },
    "surveys.thanks.title": {"vi": "Cảm ơn em!", "en": "Thank you!"},
    "surveys.thanks.body": {
        "vi": "Câu trả lời của em đã được ghi nhận.",
        "en": "Your answers have been recorded.",
    },
    "surveys.back": {"vi": "Về danh sách khảo sát", "en": "Back to the surveys"},
    "surveys.report.title": {"vi": "Báo cáo: {title}", "en": "Report: {title}"},
    "surveys.report.school": {"vi": "Toàn trường", "en": "Whole school"},
    "surveys.report.class": {"vi": "Lớp {name}", "en": "Class {name}"},
    "surveys.report.responses": {"vi": "{count} câu trả lời", "en": "{count} responses"},
    "surveys.report.withheld": {
        "vi": "Không hiển thị: nhóm có ít hơn {minimum} câu trả lời, "
        "hoặc có thể suy ra câu trả lời của một nhóm nhỏ.",
        "en": "Withheld: fewer than {minimum} responses, "
        "or a small group's answers could be worked out from it.",
    },
    "surveys.report.csv": {"vi": "Tải về CSV", "en": "Download CSV"},
    "surveys.report.mean": {"vi": "Trung bình: {mean}", "en": "Mean: {mean}"},
    "surveys.report.answer": {"vi": "Lựa chọn", "en": "Answer"},
    "surveys.report.count": {"vi": "Số lượng", "en": "Count"},
    "surveys.report.texts": {"vi": "Ý kiến", "en": "Comments"},
    "surveys.report.minimum": {
        "vi": "Chỉ hiển thị nhóm có ít nhất {minimum} câu trả lời.",
        "en": "Only groups with at least {minimum} responses are shown.",
    },
    "surveys.task": {"vi": "Khảo sát", "en": "Surveys"},
}
