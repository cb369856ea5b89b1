"""Builders for quiz tests: published item versions, a class with students, a quiz via the API."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from content_service.models.items import ItemRecord, ItemVersionRecord, VersionStatus
from content_service.models.people import Role, SchoolClassRecord, SchoolRecord, UserRecord
from item_bank.formats.json_items import item_to_dict
from item_bank.items import Choice, CognitiveLevel, Item, ItemKind, ItemMetadata, NumericKey
from tests.factories import bearer, create_class, create_school, create_user, enrol

# Distinctive texts that exist only in keys, feedback and explanations: a student response
# containing any of them before the review is released is a leak.
SECRET_RATIONALE = "GIAI-THICH-BI-MAT"
SECRET_FEEDBACK = "PHAN-HOI-BI-MAT"
SECRET_NUMBER = "4217.25"


def choice_item(identifier: str, *, topic: str = "Hàm số", tags: tuple[str, ...] = ()) -> Item:
    return Item(
        identifier=identifier,
        kind=ItemKind.SINGLE_CHOICE,
        title=f"Câu {identifier}",
        stem=f"Câu hỏi {identifier}: $x^2 = 4$ thì $x$ dương bằng?",
        choices=(
            Choice("A", "1"),
            Choice("B", "2", feedback=f"{SECRET_FEEDBACK} đúng"),
            Choice("C", "3"),
            Choice("D", "Không có đáp án nào", fixed=True),
        ),
        correct=("B",),
        shuffle=True,
        rationale=f"{SECRET_RATIONALE}: căn bậc hai của 4 là 2",
        metadata=ItemMetadata(
            subject="toan",
            grade=10,
            topic=topic,
            cognitive_level=CognitiveLevel.NHAN_BIET,
            tags=tags,
        ),
    )


def multiple_item(identifier: str) -> Item:
    return Item(
        identifier=identifier,
        kind=ItemKind.MULTIPLE_RESPONSE,
        stem="Chọn các số nguyên tố",
        choices=(
            Choice("A", "2", score=1.0),
            Choice("B", "3", score=1.0),
            Choice("C", "4", score=-1.0),
        ),
        correct=("A", "B"),
        max_choices=3,
        partial_credit=True,
        points=2.0,
        rationale=SECRET_RATIONALE,
        metadata=ItemMetadata(subject="toan", grade=10, topic="Số học"),
    )


def numeric_item(identifier: str) -> Item:
    return Item(
        identifier=identifier,
        kind=ItemKind.NUMERIC,
        stem="Nhập số bí mật",
        numeric_keys=(NumericKey(value=float(SECRET_NUMBER)),),
        rationale=SECRET_RATIONALE,
        metadata=ItemMetadata(subject="toan", grade=10, topic="Số học"),
    )


def publish_item(engine: Engine, item: Item) -> ItemVersionRecord:
    content = item_to_dict(item)
    with Session(engine, expire_on_commit=False) as session:
        record = ItemRecord(identifier=f"{item.identifier}-{uuid.uuid4().hex[:6]}")
        session.add(record)
        session.flush()
        version = ItemVersionRecord(
            item_id=record.id,
            number=1,
            status=VersionStatus.PUBLISHED,
            content=content,
            content_hash=hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest(),
            kind=item.kind.value,
            title=item.title,
            subject=item.metadata.subject or "",
            grade=item.metadata.grade,
            topic=item.metadata.topic or "",
            cognitive_level=item.metadata.cognitive_level.value
            if item.metadata.cognitive_level
            else "",
        )
        session.add(version)
        session.commit()
    return version


@dataclass
class Classroom:
    school: SchoolRecord
    klass: SchoolClassRecord
    teacher: UserRecord
    students: list[UserRecord]
    versions: list[ItemVersionRecord] = field(default_factory=list)


def classroom(engine: Engine, *, students: int = 2) -> Classroom:
    school = create_school(engine)
    klass = create_class(engine, school=school)
    teacher = create_user(engine, role=Role.TEACHER, school=school, full_name="Cô Lan")
    members = []
    for index in range(students):
        student = create_user(
            engine, role=Role.STUDENT, school=school, full_name=f"Học sinh {index + 1:02d}"
        )
        enrol(engine, klass=klass, user=student)
        members.append(student)
    versions = [
        publish_item(engine, choice_item("q-a")),
        publish_item(engine, multiple_item("q-b")),
        publish_item(engine, numeric_item("q-c")),
    ]
    return Classroom(school, klass, teacher, members, versions)


def make_quiz(
    client: Any, room: Classroom, headers: dict[str, str], **overrides: Any
) -> dict[str, Any]:
    """Create, assign and publish a quiz through the API; returns its JSON."""
    body: dict[str, Any] = {
        "title": "Kiểm tra 15 phút",
        "mode": "test",
        "version_ids": [str(v.id) for v in room.versions],
        "time_limit_seconds": 900,
    } | overrides
    created = client.post("/quizzes", json=body, headers=headers)
    assert created.status_code == 201, created.text
    quiz = created.json()
    assigned = client.post(
        f"/quizzes/{quiz['id']}/assignments", json={"class_id": str(room.klass.id)}, headers=headers
    )
    assert assigned.status_code == 201, assigned.text
    published = client.post(f"/quizzes/{quiz['id']}/publish", headers=headers)
    assert published.status_code == 200, published.text
    return published.json()


def headers_for(client: Any, user: UserRecord) -> dict[str, str]:
    return bearer(client, user)
