"""Demo library: a small Vietnamese catalogue with copies and two loans at the demo school."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from content_service.models.base import utcnow
from content_service.models.library import (
    LibraryCopyRecord,
    LibraryLoanRecord,
    LibraryTitleRecord,
)
from content_service.models.people import UserRecord
from content_service.services.library import search_text

_TITLES = [
    ("Dế Mèn phiêu lưu ký", ["Tô Hoài"], "895.9223", ["Văn học thiếu nhi"], "book", 3),
    ("Truyện Kiều", ["Nguyễn Du"], "895.9221", ["Thơ Việt Nam"], "book", 2),
    ("Toán 10", ["Hà Huy Khoái", "Cung Thế Anh"], "510.712", ["Đại số", "Hình học"], "textbook", 4),
    ("Ngữ văn 10", ["Bùi Mạnh Hùng"], "807.12", ["Ngữ văn"], "textbook", 4),
    ("Từ điển tiếng Việt", ["Hoàng Phê"], "495.9223", ["Từ điển"], "reference", 1),
    ("Lược sử thời gian", ["Stephen Hawking"], "523.1", ["Vũ trụ học"], "book", 2),
]


def load_library_demo(session: Session, *, librarian_username: str = "thuvien") -> int:
    """Catalogue the demo titles in the librarian's school; returns titles added (0 if present).

    Two loans are made to the first student found in the school, one of them overdue, so the
    overdue list has something to show.
    """
    librarian = session.exec(
        select(UserRecord).where(UserRecord.username == librarian_username)
    ).first()
    if librarian is None or librarian.school_id is None:
        return 0
    school_id = librarian.school_id
    if session.exec(
        select(LibraryTitleRecord).where(LibraryTitleRecord.school_id == school_id)
    ).first():
        return 0
    copies: list[LibraryCopyRecord] = []
    for number, (title, authors, ddc, subjects, item_type, count) in enumerate(_TITLES, 1):
        record = LibraryTitleRecord(
            school_id=school_id,
            title=title,
            authors=authors,
            ddc=ddc,
            subjects=subjects,
            publisher="Nhà xuất bản Giáo dục Việt Nam",
            place="Hà Nội",
            year="2024",
            search_text=search_text(title, authors, subjects),
        )
        session.add(record)
        session.flush()
        for copy_number in range(1, count + 1):
            copy = LibraryCopyRecord(
                title_id=record.id,
                school_id=school_id,
                barcode=f"TV{number:03d}{copy_number:03d}",
                location="Kho mở" if item_type != "reference" else "Phòng đọc",
                item_type=item_type,
            )
            session.add(copy)
            copies.append(copy)
    session.flush()
    student = session.exec(
        select(UserRecord).where(UserRecord.school_id == school_id, UserRecord.role == "student")
    ).first()
    if student is not None:
        now = utcnow()
        for copy, taken in ((copies[0], now - timedelta(days=20)), (copies[3], now)):
            copy.status = "on_loan"
            session.add(copy)
            session.add(
                LibraryLoanRecord(
                    copy_id=copy.id,
                    patron_id=student.id,
                    school_id=school_id,
                    patron_category="student",
                    item_type=copy.item_type,
                    checked_out_at=taken,
                    due_at=taken + timedelta(days=14),
                )
            )
    session.commit()
    return len(_TITLES)
