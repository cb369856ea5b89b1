"""Demo content of the shared repository: a collection of published Vietnamese resources."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlmodel import Session, select

from content_service.models.base import utcnow
from content_service.models.jobs import JobRecord
from content_service.models.people import SchoolRecord
from content_service.models.resources import (
    CollectionMemberRecord,
    ResourceCollectionRecord,
    ResourceRecord,
    ResourceVersionRecord,
    resource_to_json,
)
from content_service.services.search.outbox import INDEX_JOB, MAX_ATTEMPTS
from learning_resources import (
    Content,
    ContentKind,
    DublinCore,
    Educational,
    LearningResource,
    ResourceState,
    StateChange,
    Visibility,
    validate_resource,
)
from learning_resources.identifiers import collection_identifier, resource_identifier

DEMO_COLLECTION = "Toán và Khoa học — THPT"
_RESOURCES = [
    ("Hàm số bậc hai và đồ thị", "Vẽ parabol, xác định đỉnh và trục đối xứng.", (10,), "toan"),
    ("Phương trình đường tròn", "Lập phương trình đường tròn biết tâm và bán kính.", (10,), "toan"),
    ("Dao động điều hòa", "Li độ, vận tốc, gia tốc của con lắc lò xo.", (11,), "vat_li"),
    ("Chiến thắng Điện Biên Phủ 1954", "Diễn biến và ý nghĩa lịch sử.", (12,), "lich_su"),
    ("Lập trình Python: vòng lặp", "Vòng lặp for và while qua ví dụ.", (10,), "tin_hoc"),
]


def load_resources_demo(session: Session, *, school_code: str | None = None) -> int:
    """Publish the demo resources in one collection and queue their indexing. Idempotent:
    returns how many resources were created (0 when the demo collection exists)."""
    exists = session.exec(
        select(ResourceCollectionRecord).where(ResourceCollectionRecord.title == DEMO_COLLECTION)
    ).first()
    if exists is not None:
        return 0
    school = (
        session.exec(select(SchoolRecord).where(SchoolRecord.code == school_code)).first()
        if school_code
        else None
    )
    now = utcnow() - timedelta(minutes=1)
    collection = ResourceCollectionRecord(
        identifier=collection_identifier(uuid.uuid4()),
        title=DEMO_COLLECTION,
        description="Học liệu mẫu dùng chung cho các trường.",
        school_id=school.id if school else None,
    )
    session.add(collection)
    session.flush()
    identifiers = []
    for position, (title, description, grades, subject) in enumerate(_RESOURCES):
        identifier = resource_identifier(uuid.uuid4())
        resource = validate_resource(
            LearningResource(
                identifier=identifier,
                version=1,
                dc=DublinCore(title=title, description=description, creators=("Tổ chuyên môn",)),
                education=Educational(grades=grades, subjects=(subject,)),
                content=Content(ContentKind.LINK, url=f"https://hoclieu.edu.vn/demo/{position}"),
                licence="CC-BY-SA-4.0",
                modified=now,
                state=ResourceState.PUBLISHED,
                school=school.code if school else None,
                visibility=Visibility.PUBLIC,
                published_at=now,
                history=(
                    StateChange(
                        "publish", ResourceState.IN_REVIEW, ResourceState.PUBLISHED, now, "demo"
                    ),
                ),
            )
        )
        record = ResourceRecord(
            identifier=identifier,
            school_id=school.id if school else None,
            status="published",
            published_number=1,
            datestamp=now,
        )
        session.add(record)
        session.flush()
        session.add(
            ResourceVersionRecord(
                resource_id=record.id,
                number=1,
                state="published",
                title=title,
                visibility="public",
                document=resource_to_json(resource),
                modified_at=now,
            )
        )
        session.add(
            CollectionMemberRecord(
                collection_id=collection.id, resource_id=record.id, position=position
            )
        )
        identifiers.append(identifier)
    session.add(
        JobRecord(kind=INDEX_JOB, params={"resources": identifiers}, max_attempts=MAX_ATTEMPTS)
    )
    session.commit()
    return len(identifiers)
