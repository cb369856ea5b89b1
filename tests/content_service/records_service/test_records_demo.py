"""The records demo fills class 10A1 once, with a PKI the principal can sign with."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from content_service.demo import load_demo
from content_service.demo_records import load_records_demo
from content_service.models.people import SchoolClassRecord, UserRecord
from content_service.settings import Settings
from tests.factories import bearer


def test_demo_loads_once_and_a_transcript_can_be_issued(
    client: TestClient, db: Engine, settings: Settings
) -> None:
    load_demo(db)
    with Session(db, expire_on_commit=False) as session:
        assert load_records_demo(session, data_dir=settings.DATA_DIR) == 6
        assert load_records_demo(session, data_dir=settings.DATA_DIR) == 0
        klass = session.exec(
            select(SchoolClassRecord).where(SchoolClassRecord.name == "10A1")
        ).one()
        student = session.exec(select(UserRecord).where(UserRecord.username == "hs.10a1.01")).one()
        principal = session.exec(
            select(UserRecord).where(UserRecord.username == "hieutruong")
        ).one()
        # log in with the test password (the demo's own password is not a test fixture)
        from tests.factories import _password_hash

        principal.password_hash = _password_hash()
        session.add(principal)
        session.commit()
    response = client.post(
        "/transcripts",
        json={"student_id": str(student.id), "class_id": str(klass.id)},
        headers=bearer(client, principal),
    )
    assert response.status_code == 201, response.text
    assert response.json()["number"].startswith("HB-79-760-0001-2026-2027-")
