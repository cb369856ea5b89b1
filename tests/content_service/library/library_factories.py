"""Builders for library tests: titles with copies, written through the service's tables."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from content_service.models.library import LibraryCopyRecord, LibraryTitleRecord
from content_service.models.people import SchoolRecord
from content_service.services.library import search_text


def create_title(
    engine: Engine,
    *,
    school: SchoolRecord,
    barcodes: tuple[str, ...] = (),
    item_type: str = "book",
    **overrides: Any,
) -> tuple[LibraryTitleRecord, list[LibraryCopyRecord]]:
    fields: dict[str, Any] = {
        "school_id": school.id,
        "title": "Dế Mèn phiêu lưu ký",
        "authors": ["Tô Hoài"],
        "isbn": "9786042000000",
        "publisher": "Nhà xuất bản Kim Đồng",
        "year": "2020",
        "subjects": ["Văn học thiếu nhi"],
    }
    title = LibraryTitleRecord(**(fields | overrides))
    title.search_text = search_text(title.title, title.authors, title.subjects, title.isbn)
    copies = [
        LibraryCopyRecord(
            title_id=title.id,
            school_id=school.id,
            barcode=barcode,
            location="Kho mở",
            item_type=item_type,
        )
        for barcode in barcodes
    ]
    with Session(engine, expire_on_commit=False) as session:
        session.add(title)
        session.flush()
        session.add_all(copies)
        session.commit()
    return title, copies


def barcode() -> str:
    return f"TV{uuid.uuid4().hex[:10].upper()}"
