"""The demo library loads once into the librarian's school."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, select

from content_service.demo_library import load_library_demo
from content_service.models.library import LibraryCopyRecord, LibraryLoanRecord
from content_service.models.people import Role
from tests.factories import create_school, create_user


def test_demo_library_is_idempotent(db: Engine) -> None:
    school = create_school(db)
    create_user(db, role=Role.LIBRARIAN, school=school, username="thuvien")
    create_user(db, role=Role.STUDENT, school=school)
    with Session(db) as session:
        assert load_library_demo(session) == 6
    with Session(db) as session:
        assert load_library_demo(session) == 0
        copies = session.exec(select(LibraryCopyRecord)).all()
        loans = session.exec(select(LibraryLoanRecord)).all()
    assert len(copies) == 16
    assert len(loans) == 2
    assert sum(1 for c in copies if c.status == "on_loan") == 2


def test_no_librarian_no_demo(db: Engine) -> None:
    with Session(db) as session:
        assert load_library_demo(session) == 0
