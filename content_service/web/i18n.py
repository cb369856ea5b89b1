"""Interface messages in Vietnamese (default) and English.

The catalogue is data: each key maps to its Vietnamese and English text. The shell's keys are
here; each feature keeps its own in a module of ``content_service.web.messages`` (a ``MESSAGES``
dict with keys prefixed by the feature), merged in at import.
The language comes from ``?lang=``, then the ``lang`` cookie, then the user's setting.
"""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import Request

import content_service.web.messages as feature_catalogues

LANGUAGES = ("vi", "en")

MESSAGES: dict[str, dict[str, str]] = {
    "app.name": {"vi": "Kho học liệu và khảo thí", "en": "Learning content and assessment"},
    "app.city": {
        "vi": "TP. Hồ Chí Minh và các tỉnh lân cận",
        "en": "Ho Chi Minh City and neighbouring provinces",
    },
    "nav.home": {"vi": "Trang chủ", "en": "Home"},
    "nav.login": {"vi": "Đăng nhập", "en": "Log in"},
    "nav.logout": {"vi": "Đăng xuất", "en": "Log out"},
    "nav.api_docs": {"vi": "Tài liệu API", "en": "API docs"},
    "nav.language": {"vi": "English", "en": "Tiếng Việt"},
    "login.title": {"vi": "Đăng nhập", "en": "Log in"},
    "login.username": {"vi": "Tên đăng nhập", "en": "Username"},
    "login.password": {"vi": "Mật khẩu", "en": "Password"},
    "login.submit": {"vi": "Đăng nhập", "en": "Log in"},
    "login.failed": {"vi": "Sai tên đăng nhập hoặc mật khẩu.", "en": "Wrong username or password."},
    "home.welcome": {"vi": "Xin chào, {name}", "en": "Hello, {name}"},
    "home.school": {"vi": "Trường", "en": "School"},
    "home.role": {"vi": "Vai trò", "en": "Role"},
    "home.tasks": {"vi": "Việc của bạn", "en": "Your work"},
    "role.student": {"vi": "Học sinh", "en": "Student"},
    "role.teacher": {"vi": "Giáo viên", "en": "Teacher"},
    "role.researcher": {"vi": "Nghiên cứu viên", "en": "Researcher"},
    "role.librarian": {"vi": "Cán bộ thư viện", "en": "Librarian"},
    "role.school_admin": {"vi": "Quản trị nhà trường", "en": "School administrator"},
    "role.parent": {"vi": "Phụ huynh", "en": "Parent"},
    "role.system_admin": {"vi": "Quản trị hệ thống", "en": "System administrator"},
    "task.student.profile": {"vi": "Hồ sơ và lớp học của em", "en": "Your profile and classes"},
    "task.parent.children": {"vi": "Con của bạn", "en": "Your children"},
    "task.teacher.classes": {"vi": "Lớp học của trường", "en": "The school's classes"},
    "task.teacher.tokens": {
        "vi": "Mã truy cập cá nhân (cho Jupyter)",
        "en": "Personal access tokens (for Jupyter)",
    },
    "task.items": {"vi": "Ngân hàng câu hỏi", "en": "Item bank"},
    "task.items.new": {"vi": "Soạn câu hỏi mới", "en": "Write a new item"},
    "task.quizzes": {"vi": "Bài kiểm tra và luyện tập", "en": "Quizzes and tests"},
    "task.records": {"vi": "Sổ điểm và học bạ", "en": "Gradebook and transcripts"},
    "task.library": {"vi": "Thư viện trường", "en": "School library"},
    "task.search": {"vi": "Tìm học liệu", "en": "Find learning resources"},
    "task.calibration": {"vi": "Hiệu chuẩn câu hỏi (IRT)", "en": "Item calibration (IRT)"},
    "task.admissions": {"vi": "Kết quả tuyển sinh", "en": "Admission results"},
    "task.admissions.api": {"vi": "Tuyển sinh (API)", "en": "Admissions (API)"},
    "task.review_queue": {"vi": "Học liệu chờ duyệt", "en": "Resources awaiting review"},
    "task.library.stats": {"vi": "Thống kê thư viện (CSV)", "en": "Library statistics (CSV)"},
    "task.admin.users": {"vi": "Tài khoản của trường", "en": "The school's accounts"},
    "task.admin.audit": {"vi": "Nhật ký thay đổi", "en": "Audit log"},
    "task.researcher.api": {
        "vi": "Dữ liệu hiệu chỉnh qua API",
        "en": "Calibration data through the API",
    },
    "task.librarian.api": {
        "vi": "Học liệu dùng chung qua API",
        "en": "Shared resources through the API",
    },
}


def _merge_feature_catalogues() -> None:
    for info in sorted(pkgutil.iter_modules(feature_catalogues.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{feature_catalogues.__name__}.{info.name}")
        for key, entry in module.MESSAGES.items():
            if key in MESSAGES:
                raise ValueError(f"message key {key!r} of {module.__name__} is already defined")
            if "vi" not in entry:
                raise ValueError(f"message key {key!r} of {module.__name__} has no Vietnamese")
            MESSAGES[key] = entry


_merge_feature_catalogues()


def choose_language(request: Request, user_language: str | None = None) -> str:
    asked = request.query_params.get("lang") or request.cookies.get("lang") or user_language
    return asked if asked in LANGUAGES else "vi"


def translate(key: str, language: str, **values: object) -> str:
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    text = entry.get(language) or entry["vi"]
    return text.format(**values) if values else text
