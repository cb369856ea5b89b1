"""The in-house Vietnamese relevance set (tests/fixtures/vi_search) as search documents."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from learning_resources import (
    Content,
    ContentKind,
    DublinCore,
    Educational,
    LearningResource,
    ResourceState,
    Visibility,
    resource_document,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "vi_search"
PUBLISHED = datetime(2026, 9, 5, 8, 0, tzinfo=UTC)


@lru_cache
def records() -> list[dict[str, Any]]:
    return json.loads((FIXTURES / "records.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@lru_cache
def queries() -> list[dict[str, Any]]:
    return json.loads((FIXTURES / "queries.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def to_resource(record: dict[str, Any], **overrides: Any) -> LearningResource:
    fields: dict[str, Any] = {
        "identifier": record["id"],
        "version": 1,
        "dc": DublinCore(
            title=record["title"],
            description=record["description"],
            keywords=tuple(record["keywords"]),
            language=record["language"],
        ),
        "education": Educational(
            grades=(record["grade"],),
            subjects=(record["subject"],),
            resource_types=(record["resource_type"],),
        ),
        "content": Content(ContentKind.LINK, url=f"https://example.edu.vn/{record['id']}"),
        "licence": record["licence"],
        "modified": PUBLISHED,
        "state": ResourceState.PUBLISHED,
        "school": None,
        "visibility": Visibility.PUBLIC,
        "published_at": PUBLISHED,
    }
    return LearningResource(**(fields | overrides))


def documents() -> list[dict[str, Any]]:
    """The 200 records; the key of ``vi-001`` is ``resource-vi-001``."""
    return [resource_document(to_resource(r)) for r in records()]


def record_id(hit_identifier: str) -> str:
    return hit_identifier
