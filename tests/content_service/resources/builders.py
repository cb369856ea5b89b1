"""Request bodies and API steps for the repository tests."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from content_service.models.people import Role, SchoolRecord
from tests.factories import bearer, create_user


def body(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": "Phương trình bậc hai một ẩn",
        "description": "Bài giảng công thức nghiệm và hệ thức Vi-ét.",
        "creators": ["Nguyễn Thị Hồng"],
        "keywords": ["phương trình", "Vi-ét"],
        "grades": [9],
        "subjects": ["toan"],
        "resource_types": ["presentation"],
        "licence": "CC-BY-SA-4.0",
        "kind": "link",
        "url": "https://hoclieu.example.edu.vn/pt-bac-hai",
    }
    return fields | overrides


def staff(
    client: TestClient, db: Any, school: SchoolRecord
) -> tuple[dict[str, str], dict[str, str]]:
    """Headers of a teacher (author) and a librarian (reviewer) of ``school``."""
    teacher = create_user(db, role=Role.TEACHER, school=school)
    librarian = create_user(db, role=Role.LIBRARIAN, school=school)
    return bearer(client, teacher), bearer(client, librarian)


def publish(
    client: TestClient, author: dict[str, str], reviewer: dict[str, str], **overrides: Any
) -> str:
    """Create, submit, review and publish a resource; returns its identifier."""
    response = client.post("/resources", json=body(**overrides), headers=author)
    assert response.status_code == 201, response.text
    identifier: str = response.json()["identifier"]
    for event, headers in (("submit", author), ("start-review", reviewer), ("publish", reviewer)):
        step = client.post(f"/resources/{identifier}/{event}", headers=headers)
        assert step.status_code == 200, step.text
    return identifier
