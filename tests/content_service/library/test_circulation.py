"""Circulation at the desk: checkout, check-in, renewals, the holds queue, overdues, and two
desks scanning the same copy at once (real SQLite and PostgreSQL, real threads)."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from content_service.db import make_async_engine, make_sessionmaker, session_scope
from content_service.errors import ConflictError
from content_service.models.library import LibraryCopyRecord, LibraryLoanRecord
from content_service.models.people import Role, UserRecord
from content_service.services import library as library_service
from content_service.services.access import Principal
from content_service.settings import Settings
from tests.content_service.library.library_factories import barcode, create_title
from tests.factories import bearer, create_school, create_user

T = TypeVar("T")
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def principal_of(user: UserRecord) -> Principal:
    return Principal(user.id, user.username, Role(user.role), user.school_id)


def run(settings: Settings, action: Callable[[Any], Awaitable[T]]) -> T:
    """Run one service call in its own transaction on a fresh async engine."""

    async def main() -> T:
        engine = make_async_engine(settings)
        try:
            async with session_scope(make_sessionmaker(engine)) as session:
                return await action(session)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def desk(db: Engine) -> dict[str, Any]:
    school = create_school(db)
    return {
        "school": school,
        "librarian": create_user(db, role=Role.LIBRARIAN, school=school),
        "student": create_user(db, role=Role.STUDENT, school=school, full_name="Lê Thị Hoa"),
        "student2": create_user(db, role=Role.STUDENT, school=school, full_name="Phạm Văn Nam"),
        "teacher": create_user(db, role=Role.TEACHER, school=school),
    }


def test_checkout_and_checkin_through_the_desk(client: TestClient, db: Engine) -> None:
    d = desk(db)
    code = barcode()
    create_title(db, school=d["school"], barcodes=(code,))
    staff = bearer(client, d["librarian"])
    body = {"barcode": code, "patron_id": str(d["student"].id)}
    loan = client.post("/library/checkouts", json=body, headers=staff)
    assert loan.status_code == 201, loan.text
    due = datetime.fromisoformat(loan.json()["due_at"])
    taken = datetime.fromisoformat(loan.json()["checked_out_at"])
    assert (due - taken).days == 14  # student, book
    again = client.post(
        "/library/checkouts", json=body | {"patron_id": str(d["teacher"].id)}, headers=staff
    )
    assert again.status_code == 409
    assert again.json()["code"] == "copy_unavailable"
    mine = client.get("/library/me/loans", headers=bearer(client, d["student"]))
    assert [x["id"] for x in mine.json()["items"]] == [loan.json()["id"]]
    back = client.post("/library/checkins", json={"barcode": code}, headers=staff)
    assert back.status_code == 200
    assert back.json()["loan"]["returned_at"] is not None
    assert back.json()["fine"] == 0
    assert back.json()["hold_id"] is None
    assert (
        client.post("/library/checkins", json={"barcode": code}, headers=staff).json()["code"]
        == "not_on_loan"
    )


def test_students_cannot_work_the_desk(client: TestClient, db: Engine) -> None:
    d = desk(db)
    code = barcode()
    create_title(db, school=d["school"], barcodes=(code,))
    body = {"barcode": code, "patron_id": str(d["student"].id)}
    response = client.post("/library/checkouts", json=body, headers=bearer(client, d["student"]))
    assert response.status_code == 403


def test_reference_books_stay_in_the_library_for_students(client: TestClient, db: Engine) -> None:
    d = desk(db)
    code = barcode()
    create_title(db, school=d["school"], barcodes=(code,), item_type="reference")
    staff = bearer(client, d["librarian"])
    refused = client.post(
        "/library/checkouts",
        json={"barcode": code, "patron_id": str(d["student"].id)},
        headers=staff,
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "not_for_loan"
    lent = client.post(
        "/library/checkouts",
        json={"barcode": code, "patron_id": str(d["teacher"].id)},
        headers=staff,
    )
    assert lent.status_code == 201  # staff may borrow reference items for 7 days


def test_renewal_limit_and_new_due_date(settings: Settings, db: Engine) -> None:
    d = desk(db)
    code = barcode()
    create_title(db, school=d["school"], barcodes=(code,))
    staff, student = principal_of(d["librarian"]), principal_of(d["student"])
    loan = run(
        settings,
        lambda s: library_service.checkout(
            session=s, principal=staff, barcode=code, patron_id=d["student"].id, now=NOW
        ),
    )
    for renewal in (1, 2):
        later = NOW + timedelta(days=10 * renewal)
        renewed = run(
            settings,
            lambda s, at=later: library_service.renew(
                session=s, principal=student, loan_id=loan.id, now=at
            ),
        )
        assert renewed.renewals == renewal
        assert renewed.due_at.replace(tzinfo=UTC) == later + timedelta(days=14)
    with pytest.raises(ConflictError) as refused:
        run(
            settings,
            lambda s: library_service.renew(
                session=s, principal=student, loan_id=loan.id, now=NOW + timedelta(days=40)
            ),
        )
    assert refused.value.code == "renewal_limit"
    assert "2 renewals" in refused.value.detail


def test_holds_queue_serves_patrons_in_order(client: TestClient, db: Engine) -> None:
    d = desk(db)
    code = barcode()
    title, _ = create_title(db, school=d["school"], barcodes=(code,))
    staff = bearer(client, d["librarian"])
    client.post(
        "/library/checkouts",
        json={"barcode": code, "patron_id": str(d["teacher"].id)},
        headers=staff,
    )
    first = client.post(
        "/library/holds", json={"title_id": str(title.id)}, headers=bearer(client, d["student"])
    )
    second = client.post(
        "/library/holds", json={"title_id": str(title.id)}, headers=bearer(client, d["student2"])
    )
    assert (first.status_code, second.status_code) == (201, 201)
    assert (first.json()["position"], second.json()["position"]) == (1, 2)
    queue = client.get(f"/library/titles/{title.id}/holds", headers=staff).json()["items"]
    assert [h["patron_id"] for h in queue] == [str(d["student"].id), str(d["student2"].id)]
    # The teacher cannot renew: someone is waiting.
    loans = client.get("/library/me/loans", headers=bearer(client, d["teacher"])).json()["items"]
    refused = client.post(
        f"/library/loans/{loans[0]['id']}/renewal", headers=bearer(client, d["teacher"])
    )
    assert refused.json()["code"] == "on_hold"
    back = client.post("/library/checkins", json={"barcode": code}, headers=staff).json()
    assert back["hold_id"] == first.json()["id"]
    # On the hold shelf for the first patron only.
    body = {"barcode": code, "patron_id": str(d["student2"].id)}
    taken = client.post("/library/checkouts", json=body, headers=staff)
    assert taken.json()["code"] == "held_for_another"
    # The first patron gives up: the copy passes to the second.
    client.delete(f"/library/holds/{first.json()['id']}", headers=bearer(client, d["student"]))
    lent = client.post("/library/checkouts", json=body, headers=staff)
    assert lent.status_code == 201, lent.text
    queue = client.get(f"/library/titles/{title.id}/holds", headers=staff).json()
    assert queue["total"] == 0


def test_no_hold_while_a_copy_is_on_the_shelf(client: TestClient, db: Engine) -> None:
    d = desk(db)
    title, _ = create_title(db, school=d["school"], barcodes=(barcode(),))
    response = client.post(
        "/library/holds", json={"title_id": str(title.id)}, headers=bearer(client, d["student"])
    )
    assert response.status_code == 409
    assert response.json()["code"] == "copy_available"


def test_overdue_list_and_overdue_patrons_cannot_borrow(settings: Settings, db: Engine) -> None:
    d = desk(db)
    old, new = barcode(), barcode()
    create_title(db, school=d["school"], barcodes=(old, new))
    staff = principal_of(d["librarian"])
    run(
        settings,
        lambda s: library_service.checkout(
            session=s, principal=staff, barcode=old, patron_id=d["student"].id, now=NOW
        ),
    )
    later = NOW + timedelta(days=20)
    page = library_service.PageParams(limit=50, offset=0)
    rows, total = run(
        settings,
        lambda s: library_service.list_loans(
            session=s, principal=staff, page=page, overdue=True, now=later
        ),
    )
    assert total == 1
    assert rows[0].patron_id == d["student"].id
    with pytest.raises(ConflictError) as refused:
        run(
            settings,
            lambda s: library_service.checkout(
                session=s, principal=staff, barcode=new, patron_id=d["student"].id, now=later
            ),
        )
    assert refused.value.code == "has_overdue"


def test_loan_limit(settings: Settings, db: Engine) -> None:
    d = desk(db)
    codes = [barcode() for _ in range(6)]
    create_title(db, school=d["school"], barcodes=tuple(codes))
    staff = principal_of(d["librarian"])
    for code in codes[:5]:
        run(
            settings,
            lambda s, c=code: library_service.checkout(
                session=s, principal=staff, barcode=c, patron_id=d["student"].id, now=NOW
            ),
        )
    with pytest.raises(ConflictError) as refused:
        run(
            settings,
            lambda s: library_service.checkout(
                session=s, principal=staff, barcode=codes[5], patron_id=d["student"].id, now=NOW
            ),
        )
    assert refused.value.code == "loan_limit"


def test_concurrent_checkouts_of_one_copy_only_one_wins(settings: Settings, db: Engine) -> None:
    d = desk(db)
    code = barcode()
    create_title(db, school=d["school"], barcodes=(code,))
    patrons = [create_user(db, role=Role.STUDENT, school=d["school"]) for _ in range(6)]
    staff = principal_of(d["librarian"])
    start = threading.Barrier(len(patrons))
    outcomes: list[str] = []
    lock = threading.Lock()

    def desk_thread(patron: UserRecord) -> None:
        async def attempt(session: Any) -> Any:
            start.wait()
            return await library_service.checkout(
                session=session, principal=staff, barcode=code, patron_id=patron.id
            )

        try:
            run(settings, attempt)
            result = "won"
        except ConflictError as error:
            result = error.code
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=desk_thread, args=(p,)) for p in patrons]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["copy_unavailable"] * 5 + ["won"]
    with Session(db) as session:
        loans = session.exec(select(LibraryLoanRecord)).all()
        copy = session.exec(select(LibraryCopyRecord)).one()
    assert len(loans) == 1
    assert copy.status == "on_loan"


def test_the_database_refuses_a_second_open_loan(db: Engine) -> None:
    d = desk(db)
    code = barcode()
    _title, copies = create_title(db, school=d["school"], barcodes=(code,))
    insert = text(
        "INSERT INTO library_loan (id, copy_id, patron_id, school_id, patron_category, item_type,"
        " checked_out_at, due_at, renewals) VALUES (:id, :copy, :patron, :school, 'student',"
        " 'book', :now, :now, 0)"
    )
    values = {
        "copy": copies[0].id.hex if db.dialect.name == "sqlite" else copies[0].id,
        "patron": d["student"].id.hex if db.dialect.name == "sqlite" else d["student"].id,
        "school": d["school"].id.hex if db.dialect.name == "sqlite" else d["school"].id,
        "now": NOW,
    }
    with db.begin() as conn:
        conn.execute(insert, values | {"id": uuid.uuid4().hex})
    with pytest.raises(IntegrityError) as refused, db.begin() as conn:
        conn.execute(insert, values | {"id": uuid.uuid4().hex})
    assert "unique" in str(refused.value).lower() or "duplicate" in str(refused.value).lower()
