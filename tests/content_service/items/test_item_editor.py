"""The item editor covers every item kind and template variables; the live preview parses the
form as saving does."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from starlette.datastructures import FormData

from content_service.models.people import Role
from content_service.web.item_form import editor_context, item_from_form
from item_bank.formats.json_items import item_from_dict
from item_bank.items import ItemKind
from item_bank.scoring import score_response
from tests.factories import PASSWORD, create_school, create_user

COMMON = {"subject": "Toán", "grade": "8", "topic": "Đại số", "cognitive_level": "thong_hieu"}

FORMS: dict[str, dict[str, Any]] = {
    "multiple_response": {
        "stem": "Những số nào là số nguyên tố?",
        "choice_A": "2",
        "choice_B": "3",
        "choice_C": "4",
        "choice_D": "9",
        "correct": ["A", "B"],
        "partial_credit": "1",
        "score_A": "0.5",
        "score_B": "0.5",
        "score_C": "-0.5",
        "max_choices": "4",
        "shuffle": "1",
    },
    "true_false": {
        "stem": "Số 0 là số tự nhiên.",
        "choice_A": "Đúng",
        "choice_B": "Sai",
        "correct": ["A"],
    },
    "numeric": {
        "stem": "Một ô tô đi {{s}} km trong 2 giờ. Vận tốc trung bình là bao nhiêu?",
        "num_value_0": "s/2",
        "num_tolerance_0": "0,5",
        "num_units_0": "km/h, km/giờ",
        "var_name_0": "s",
        "var_min_0": "100",
        "var_max_0": "120",
        "var_step_0": "2",
    },
    "short_text": {
        "stem": "Thủ đô của Việt Nam là thành phố nào?",
        "text_answer_0": "Hà Nội",
        "text_answer_1": "Ha Noi",
        "text_score_1": "0.5",
        "text_feedback_1": "Nhớ viết có dấu.",
    },
    "likert": {
        "stem": "Em thích học môn Toán ở mức nào?",
        "choice_A": "Không thích",
        "choice_B": "Bình thường",
        "choice_C": "Rất thích",
    },
    "open_response": {
        "stem": "Chứng minh rằng tổng ba góc của một tam giác bằng $180^\\circ$.",
        "points": "2",
        "rationale": "Kẻ đường thẳng song song với một cạnh.",
    },
}


def _form(kind: str) -> dict[str, Any]:
    return {"identifier": f"editor-{kind}", "kind": kind, **COMMON, **FORMS[kind]}


def _multi(fields: dict[str, Any]) -> FormData:
    pairs = [
        (key, str(v))
        for key, value in fields.items()
        for v in (value if isinstance(value, list) else [value])
    ]
    return FormData(pairs)


@pytest.mark.parametrize("kind", sorted(FORMS))
def test_every_kind_parses_to_a_valid_item(kind: str) -> None:
    document = item_from_form(_multi(_form(kind)))
    item = item_from_dict(document)
    assert item.kind is ItemKind(kind)
    assert item.metadata.grade == 8
    # the editor page of the stored document posts it back unchanged (the base keeps the rest)
    context = editor_context(document)
    assert context["doc"] is document
    again = item_from_form(_multi({**_form(kind), "base": context["base"]}))
    assert again == document


def test_scores_follow_the_editor_fields() -> None:
    multiple = item_from_dict(item_from_form(_multi(_form("multiple_response"))))
    assert multiple.partial_credit
    assert score_response(multiple, ["A"]).score == pytest.approx(0.5)
    assert score_response(multiple, ["A", "C"]).score == pytest.approx(0.0)
    numeric = item_from_dict(item_from_form(_multi(_form("numeric"))))
    assert numeric.numeric_keys[0].units == ("km/h", "km/giờ")
    assert numeric.numeric_keys[0].tolerance == 0.5
    assert numeric.template_variables[0].minimum == 100
    short = item_from_dict(item_from_form(_multi(_form("short_text"))))
    assert [a.score for a in short.text_answers] == [1.0, 0.5]
    # switching the kind drops the fields of the old kind
    switched = item_from_form(_multi({**_form("multiple_response"), "kind": "open_response"}))
    assert "choices" not in switched
    assert "correct" not in switched


@pytest.fixture
def teacher(client: TestClient, db: Engine) -> None:
    user = create_user(db, role=Role.TEACHER, school=create_school(db))
    response = client.post("/auth/login", json={"username": user.username, "password": PASSWORD})
    assert response.status_code == 200


def test_live_preview_and_saving_every_kind(client: TestClient, teacher) -> None:
    for kind in sorted(FORMS):
        preview = client.post("/pages/items/preview", data=_form(kind))
        assert preview.status_code == 200, preview.text
        assert preview.json()["problems"] == [], kind
        assert preview.json()["html"], kind
        created = client.post("/pages/items/new", data=_form(kind), follow_redirects=False)
        assert created.status_code == 303, (kind, created.text[:500])
        item_id = created.headers["location"].rsplit("/", 1)[1]
        stored = client.get(f"/items/{item_id}").json()["latest"]["content"]
        assert stored == item_from_form(_multi(_form(kind))), kind
        editor = client.get(f"/pages/items/{item_id}/edit")
        assert editor.status_code == 200
        assert 'data-kinds="numeric"' in editor.text
    numeric_page = client.get("/pages/items/new")
    assert "Sai số tương đối" in numeric_page.text
    assert "Biến mẫu" in numeric_page.text
    # a broken form lists the problems instead of refusing, so the preview follows typing
    no_answer = {**_form("short_text"), "text_answer_0": "", "text_answer_1": ""}
    broken = client.post("/pages/items/preview", data=no_answer)
    assert broken.status_code == 200
    assert any("text_answers" in p for p in broken.json()["problems"])


def test_preview_needs_a_bank_user(client: TestClient, db: Engine) -> None:
    assert client.post("/pages/items/preview", data=_form("likert")).status_code == 401
    student = create_user(db, role=Role.STUDENT, school=create_school(db))
    client.post("/auth/login", json={"username": student.username, "password": PASSWORD})
    assert client.post("/pages/items/preview", data=_form("likert")).status_code == 403
