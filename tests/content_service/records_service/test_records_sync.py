"""The record outbox (versioned, soft deletes, idempotent replay), OneRoster export, quiz scores."""

from __future__ import annotations

import asyncio
import csv
import io
import random
import zipfile
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from content_service.db import make_async_engine, make_sessionmaker
from content_service.errors import ConflictError
from content_service.models.gradebook import GradebookStatus
from content_service.schemas.transcripts import RecordEventPublic
from content_service.services.access import Principal
from content_service.services.gradebook import record_external_score
from content_service.services.record_sync import replay_events
from content_service.settings import Settings
from tests.content_service.records_service.records_factories import add_gradebook, make_class_world
from tests.factories import bearer


def test_outbox_versions_soft_deletes_and_idempotent_replay(client: TestClient, db: Engine) -> None:
    world = make_class_world(db)
    teacher, admin = bearer(client, world.teacher), bearer(client, world.admin)
    book = client.post(
        "/gradebooks",
        json={
            "class_id": str(world.klass.id),
            "subject": "Toán",
            "semester": 1,
            "periods_per_year": 70,
        },
        headers=teacher,
    ).json()
    url = f"/gradebooks/{book['id']}/scores"
    student = str(world.students[0].id)
    for value in ("7", "8", None):  # new, update, cancel
        cell = {"student_id": student, "column": "gk", "value": value}
        client.put(url, json={"entries": [cell]}, headers=teacher).raise_for_status()
    export = client.get("/records-sync/events", params={"since": 0}, headers=admin)
    assert export.status_code == 200, export.text
    events = export.json()["events"]
    assert [(e["sukien"], e["phienban"]) for e in events] == [
        ("NEW", 1),
        ("UPDATE", 2),
        ("CANCEL", 3),
    ]
    assert len({e["idbanghi"] for e in events}) == 1
    assert all(len(e["thoigiancapnhat"]) == 19 for e in events)  # YYYY-MM-DDTHH:mm:ss
    after = client.get(
        "/records-sync/events", params={"since": export.json()["next_since"]}, headers=admin
    ).json()
    assert after["events"] == []
    parsed = [RecordEventPublic.model_validate(e) for e in events]
    once = replay_events({}, parsed)
    twice = replay_events(replay_events({}, parsed), parsed)
    shuffled = parsed[:]
    random.Random(4998).shuffle(shuffled)
    assert once == twice == replay_events({}, shuffled)
    (record,) = once.values()
    assert record["deleted"] is True
    assert record["phienban"] == 3
    assert client.get("/records-sync/events", headers=teacher).status_code == 403


def test_oneroster_export(client: TestClient, db: Engine) -> None:
    world = make_class_world(db)
    values = {world.students[0].id: {"tx1": "8.0", "gk": "6.5"}}
    add_gradebook(db, klass=world.klass, subject="Toán", semester=1, regular_count=3, values=values)
    response = client.get("/records-sync/oneroster.zip", headers=bearer(client, world.admin))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert {"manifest.csv", "orgs.csv", "users.csv", "classes.csv", "enrollments.csv"} <= names
    assert {"academicSessions.csv", "lineItems.csv", "results.csv"} <= names

    def rows(name: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(archive.read(name).decode())))

    manifest = {r["propertyName"]: r["value"] for r in rows("manifest.csv")}
    assert manifest["oneroster.version"] == "1.2"
    assert len(rows("lineItems.csv")) == 5  # tx1-3, gk, ck
    results = rows("results.csv")
    assert sorted(r["score"] for r in results) == ["6.5", "8.0"]
    assert {r["studentSourcedId"] for r in results} == {str(world.students[0].id)}
    users = {r["sourcedId"]: r for r in rows("users.csv")}
    assert users[str(world.teacher.id)]["role"] == "teacher"
    assert users[str(world.teacher.id)]["givenName"] == "Bình"
    assert len(rows("enrollments.csv")) == 3  # the teacher and two students


def test_record_external_score_from_a_quiz(db: Engine, settings: Settings) -> None:
    world = make_class_world(db)
    add_gradebook(db, klass=world.klass, subject="Toán", semester=1, regular_count=3, values={})
    locked = add_gradebook(
        db,
        klass=world.klass,
        subject="Toán",
        semester=2,
        regular_count=3,
        values={},
        status=GradebookStatus.LOCKED,
    )
    teacher = Principal(
        world.teacher.id, world.teacher.username, world.teacher.role, world.school.id
    )
    student = world.students[0].id

    async def run() -> tuple[str, str, str]:
        engine = make_async_engine(settings)
        try:
            async with make_sessionmaker(engine)() as session:
                entry = await record_external_score(
                    session=session,
                    principal=teacher,
                    class_id=world.klass.id,
                    subject="toán",
                    semester=1,
                    column="tx2",
                    student_id=student,
                    score=Decimal("17"),
                    source="quiz",
                    out_of=20,
                )
                nb = await record_external_score(
                    session=session,
                    principal=teacher,
                    class_id=world.klass.id,
                    subject="Toán",
                    semester=1,
                    column="tx3",
                    student_id=student,
                    score=6.25,
                    source="nbgrader",
                )
                with pytest.raises(ConflictError):
                    await record_external_score(
                        session=session,
                        principal=teacher,
                        class_id=world.klass.id,
                        subject="Toán",
                        semester=locked.semester,
                        column="tx1",
                        student_id=student,
                        score=5,
                        source="quiz",
                    )
                await session.commit()
                return entry.value, entry.source, nb.value
        finally:
            await engine.dispose()

    assert asyncio.run(run()) == ("8.5", "quiz", "6.3")  # 17/20 -> 8.5; 6.25 half up -> 6.3
