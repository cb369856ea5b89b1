"""Builders for the item bank tests: items as JSON documents, and items walked to published."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

FIXTURE = Path(__file__).parents[2] / "fixtures" / "vi_items" / "items.json"


def vi_items() -> list[dict[str, Any]]:
    """The 96 Vietnamese fixture items (6 subjects x 4 cognitive levels)."""
    return json.loads(FIXTURE.read_text(encoding="utf-8"))["items"]


def choice_item(identifier: str = "toan10-hs-001", **overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "identifier": identifier,
        "kind": "single_choice",
        "stem": "Tập xác định của hàm số $y = \\sqrt{x - 1}$ là gì?",
        "choices": [
            {"identifier": "A", "text": "$[1; +\\infty)$", "feedback": "Đúng: cần $x - 1 \\ge 0$."},
            {"identifier": "B", "text": "$(1; +\\infty)$"},
            {"identifier": "C", "text": "$\\mathbb{R}$"},
            {"identifier": "D", "text": "Không có đáp án nào đúng", "fixed": True},
        ],
        "correct": ["A"],
        "shuffle": True,
        "rationale": "Biểu thức dưới căn không âm.",
        "metadata": {
            "subject": "Toán",
            "grade": 10,
            "topic": "Hàm số",
            "cognitive_level": "nhan_biet",
        },
    }
    item.update(overrides)
    return item


def edited(item: dict[str, Any], stem: str) -> dict[str, Any]:
    changed = copy.deepcopy(item)
    changed["stem"] = stem
    return changed


def publish(
    client: TestClient,
    author: dict[str, str],
    reviewer: dict[str, str],
    item: dict[str, Any],
) -> dict[str, Any]:
    """Create, submit, approve (by ``reviewer``) and publish ``item``; the published version."""
    created = client.post("/items", json={"item": item}, headers=author)
    assert created.status_code == 201, created.text
    item_id = created.json()["id"]
    return publish_existing(client, author, reviewer, item_id)


def publish_existing(
    client: TestClient, author: dict[str, str], reviewer: dict[str, str], item_id: str
) -> dict[str, Any]:
    submitted = client.post(f"/items/{item_id}/submit", headers=author)
    assert submitted.status_code == 200, submitted.text
    version_id = submitted.json()["latest"]["id"]
    review = client.post(
        f"/item-versions/{version_id}/reviews",
        json={"decision": "approve", "comment": "Tốt"},
        headers=reviewer,
    )
    assert review.status_code == 201, review.text
    published = client.post(f"/item-versions/{version_id}/publish", headers=author)
    assert published.status_code == 200, published.text
    return published.json()
