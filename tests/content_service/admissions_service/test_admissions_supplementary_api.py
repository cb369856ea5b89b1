"""The supplementary round through the API: opened after the regular allocation with the
under-filled schools and their minimum scores, wishes checked (Department in bulk, a student
for themself), phase 2 allocated, and results, cut-offs and explanations that include it."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from content_service.models.people import Role
from tests.factories import bearer, create_school, create_user, link_parent

SCHOOLS = {
    "schools": [
        {"code": "X", "name": "THPT X", "regular_quota": 2},
        {"code": "Y", "name": "THPT Y", "regular_quota": 3},
        {"code": "Z", "name": "THPT Z", "regular_quota": 1},
    ]
}


def _row(
    code: str, scores: tuple[str, str, str], wishes: list[str], **extra: Any
) -> dict[str, Any]:
    literature, mathematics, language = scores
    return {
        "applicant_code": code,
        "literature": literature,
        "mathematics": mathematics,
        "foreign_language": language,
        "regular_wishes": wishes,
        **extra,
    }


def _allocated_round(client: TestClient, admin: dict[str, str], student_id: str) -> str:
    body = {"name": "Tuyển sinh lớp 10", "rule_date": "2025-06-01", "admission_year": 2025}
    round_id = client.post("/admissions/rounds", json=body, headers=admin).json()["id"]
    assert client.put(
        f"/admissions/rounds/{round_id}/schools", json=SCHOOLS, headers=admin
    ).is_success
    rows = [
        _row("A", ("9", "9", "9"), ["X"]),
        _row("B", ("9", "9", "8"), ["X"]),
        _row("C", ("8", "9", "8"), ["X", "Y"]),  # X full; Y's NV2 admits 25.00
        _row("D", ("7", "7", "6"), ["Y"]),  # Y's NV1 cut-off 20.00
        _row("E", ("6", "6", "6"), ["X"]),  # 18.00, left out
        _row("F", ("5", "5", "4"), ["X", "Y"], user_id=student_id),  # 14.00, left out
    ]
    added = client.post(
        f"/admissions/rounds/{round_id}/applicants", json={"applicants": rows}, headers=admin
    )
    assert added.status_code == 201, added.text
    assert client.post(f"/admissions/rounds/{round_id}/allocation", headers=admin).is_success
    return str(round_id)


def _results(client: TestClient, round_id: str, admin: dict[str, str]) -> dict[str, Any]:
    listed = client.get(f"/admissions/rounds/{round_id}/applicants", headers=admin).json()
    return {a["applicant_code"]: a for a in listed["items"]}


def test_supplementary_round_end_to_end(client: TestClient, db: Engine) -> None:
    school = create_school(db)
    student = create_user(db, role=Role.STUDENT, school=school)
    parent = create_user(db, role=Role.PARENT, school=school)
    link_parent(db, parent=parent, student=student)
    admin = bearer(client, create_user(db, role=Role.SYSTEM_ADMIN, school=None))
    round_id = _allocated_round(client, admin, str(student.id))
    base = f"/admissions/rounds/{round_id}/supplementary"
    assert client.get(base, headers=admin).json()["status"] == "closed"
    early = client.put(
        f"{base}/wishes",
        json={"wishes": [{"applicant_code": "E", "wishes": ["Z"]}]},
        headers=admin,
    )
    assert (early.status_code, early.json()["code"]) == (409, "supplementary_closed")

    opened = client.post(base, headers=admin)
    assert opened.status_code == 200, opened.text
    offer = opened.json()
    assert offer["status"] == "open"
    assert offer["max_wishes"] == 3
    assert offer["schools"] == [
        {"school": "Y", "name": "THPT Y", "seats": 1, "min_score": "25.00"},
        {"school": "Z", "name": "THPT Z", "seats": 1, "min_score": None},
    ]
    assert client.post(base, headers=admin).json()["code"] == "supplementary_started"
    rerun = client.post(f"/admissions/rounds/{round_id}/allocation", headers=admin)
    assert (rerun.status_code, rerun.json()["code"]) == (409, "supplementary_started")

    bad = [
        {"applicant_code": "A", "wishes": ["Z"]},
        {"applicant_code": "E", "wishes": ["X"]},
        {"applicant_code": "E", "wishes": ["Y"]},
        {"applicant_code": "NOBODY", "wishes": ["Z"]},
        {"applicant_code": "F", "wishes": ["Z", "Z"]},
    ]
    refused = client.put(f"{base}/wishes", json={"wishes": bad}, headers=admin)
    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid_supplementary_wishes"
    detail = refused.json()["detail"]
    assert "row 1: A: already admitted" in detail
    assert "row 2: E: NV1 bổ sung 'X' has no seats in the supplementary round" in detail
    assert "row 3: applicant_code: 'E' is listed twice" in detail
    assert "row 4: applicant_code: unknown applicant 'NOBODY'" in detail
    assert "row 5: F.supplementary_wishes: duplicated wish 'Z'" in detail
    below = client.put(
        f"{base}/wishes", json={"wishes": [{"applicant_code": "E", "wishes": ["Y"]}]}, headers=admin
    )
    assert "E: NV1 bổ sung 'Y' needs at least 25.00, your score is 18.00" in below.json()["detail"]
    assert _results(client, round_id, admin)["E"]["details"].get("supplementary_wishes") in (
        None,
        [],
    )

    # The student sees the offer and sends their own wish; never someone else's.
    student_headers = bearer(client, student)
    mine = client.get("/admissions/me/supplementary", headers=student_headers).json()
    assert [(o["round_id"], [s["school"] for s in o["schools"]]) for o in mine] == [
        (round_id, ["Y", "Z"])
    ]
    own = client.put(
        f"{base}/wishes",
        json={"wishes": [{"applicant_code": "F", "wishes": ["Z"]}]},
        headers=student_headers,
    )
    assert own.status_code == 200, own.text
    other = client.put(
        f"{base}/wishes",
        json={"wishes": [{"applicant_code": "E", "wishes": ["Z"]}]},
        headers=student_headers,
    )
    assert "unknown applicant 'E'" in other.json()["detail"]
    assert client.get(base, headers=student_headers).status_code == 403
    assert client.post(f"{base}/allocation", headers=student_headers).status_code == 403

    # The Department uploads E's wish as CSV; E (18.00) outranks F (14.00) for Z's one seat.
    csv_text = "applicant_code,nv1,nv2,nv3\nE,Z,,\n"
    uploaded = client.put(
        f"{base}/wishes.csv",
        files={"file": ("bo-sung.csv", csv_text.encode("utf-8"), "text/csv")},
        headers=admin,
    )
    assert uploaded.status_code == 200, uploaded.text
    allocated = client.post(f"{base}/allocation", headers=admin)
    assert allocated.status_code == 200, allocated.text
    round_ = allocated.json()["round"]
    assert round_["summary"]["supplementary"]["status"] == "allocated"
    assert round_["summary"]["supplementary"]["placed"] == 1
    cutoffs = {(c["wish"], c["school"]): c["cutoff"] for c in round_["cutoffs"]}
    assert cutoffs[("NV1", "X")] == "26.00"  # the regular results are unchanged
    assert cutoffs[("NV1 bổ sung", "Z")] == "18.00"
    results = _results(client, round_id, admin)
    assert (results["E"]["placed_school"], results["E"]["placed_label"]) == ("Z", "NV1 bổ sung")
    assert results["F"]["placed_school"] is None
    why = "NV1 bổ sung THPT Z: not admitted, your score 14.00 < NV1 bổ sung cut-off 18.00"
    assert why in results["F"]["explanation"]
    for viewer in (student_headers, bearer(client, parent)):
        own_result = client.get("/admissions/me", headers=viewer).json()
        assert [r["applicant_code"] for r in own_result] == ["F"]
        assert why in own_result[0]["explanation"]
    late = client.put(
        f"{base}/wishes",
        json={"wishes": [{"applicant_code": "F", "wishes": ["Y"]}]},
        headers=student_headers,
    )
    assert late.json()["code"] == "supplementary_closed"
    assert client.get(f"/admissions/rounds/{round_id}/comparison", headers=admin).is_success


def test_supplementary_needs_an_allocated_grade10_round(client: TestClient, db: Engine) -> None:
    admin = bearer(client, create_user(db, role=Role.SYSTEM_ADMIN, school=None))
    body = {"name": "Tuyển sinh lớp 10", "rule_date": "2025-06-01", "admission_year": 2025}
    round_id = client.post("/admissions/rounds", json=body, headers=admin).json()["id"]
    opened = client.post(f"/admissions/rounds/{round_id}/supplementary", headers=admin)
    assert (opened.status_code, opened.json()["code"]) == (409, "not_allocated")
    school = create_school(db)
    school_admin = bearer(client, create_user(db, role=Role.SCHOOL_ADMIN, school=school))
    entry = {**body, "kind": "entry", "grade": 1}
    entry_id = client.post("/admissions/rounds", json=entry, headers=school_admin).json()["id"]
    refused = client.post(f"/admissions/rounds/{entry_id}/supplementary", headers=school_admin)
    assert (refused.status_code, refused.json()["code"]) == (422, "not_grade10")
