"""Admission rounds through the API: input checked row by row, allocation, cut-offs,
explanations, the deferred-acceptance what-if, grade-1 residence rounds, and who sees what."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from content_service.db import make_async_engine, make_sessionmaker, session_scope
from content_service.jobs import run_until_empty
from content_service.models.people import Role
from content_service.services import admissions as admissions_service
from content_service.services.access import Principal
from content_service.settings import Settings
from tests.factories import bearer, create_school, create_user, link_parent

SCHOOLS = {
    "schools": [
        {"code": "LQD", "name": "THPT Lê Quý Đôn", "regular_quota": 2},
        {"code": "NTMK", "name": "THPT Nguyễn Thị Minh Khai", "regular_quota": 2},
    ]
}


def applicant(
    code: str, scores: tuple[str, str, str], wishes: list[str], **extra: Any
) -> dict[str, Any]:
    literature, mathematics, language = scores
    return {
        "applicant_code": code,
        "full_name": f"Học sinh {code}",
        "literature": literature,
        "mathematics": mathematics,
        "foreign_language": language,
        "regular_wishes": wishes,
        **extra,
    }


def department_round(client: TestClient, headers: dict[str, str]) -> str:
    body = {"name": "Tuyển sinh lớp 10 năm 2025", "rule_date": "2025-06-01", "admission_year": 2025}
    created = client.post("/admissions/rounds", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["rule_id"] == "HCM-TS10-2025"
    round_id = created.json()["id"]
    assert (
        client.put(
            f"/admissions/rounds/{round_id}/schools", json=SCHOOLS, headers=headers
        ).status_code
        == 200
    )
    return str(round_id)


def test_bad_rows_are_refused_naming_row_and_field(client: TestClient, db: Engine) -> None:
    admin = bearer(client, create_user(db, role=Role.SYSTEM_ADMIN, school=None))
    round_id = department_round(client, admin)
    rows = [
        applicant("A1", ("8", "7.5", "9"), ["LQD"]),
        applicant("A2", ("7.3", "8", "8"), ["LQD"]),
        applicant("A3", ("8", "8", "8"), ["XYZ"]),
        applicant("A4", ("8", "8", "8"), ["LQD", "LQD"]),
        applicant("A1", ("8", "8", "8"), ["NTMK"]),
    ]
    response = client.post(
        f"/admissions/rounds/{round_id}/applicants", json={"applicants": rows}, headers=admin
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_applicants"
    detail = response.json()["detail"]
    assert "row 2: A2.literature: score 7.3 is not in steps of 0.25" in detail
    assert "row 3: A3: unknown school 'XYZ'" in detail
    assert "row 4: A4.regular_wishes: duplicated wish 'LQD'" in detail
    assert "row 5: applicant_code: 'A1' is listed twice" in detail
    assert "row 1" not in detail
    # Nothing was stored: the upload is all or nothing.
    listed = client.get(f"/admissions/rounds/{round_id}/applicants", headers=admin)
    assert listed.json()["total"] == 0


def test_allocation_cutoffs_explanations_and_what_if(client: TestClient, db: Engine) -> None:
    school = create_school(db)
    student = create_user(db, role=Role.STUDENT, school=school)
    parent = create_user(db, role=Role.PARENT, school=school)
    link_parent(db, parent=parent, student=student)
    other = create_user(db, role=Role.STUDENT, school=school)
    admin = bearer(client, create_user(db, role=Role.SYSTEM_ADMIN, school=None))
    round_id = department_round(client, admin)
    # Two seats at LQD: A (27) and B (26) take them as NV1. C (25) ranked LQD second and
    # would displace D (20) there under deferred acceptance; the city rule keeps D's NV1 seat.
    rows = [
        applicant("A", ("9", "9", "9"), ["LQD"]),
        applicant("B", ("9", "8.5", "8.5"), ["LQD"]),
        applicant("C", ("8.5", "8.5", "8"), ["NTMK", "LQD"], user_id=str(student.id)),
        applicant("D", ("7", "7", "6"), ["NTMK"]),
        applicant("E", ("9", "9", "8.75"), ["NTMK"]),
        applicant("F", ("6", "6", "6"), ["LQD"]),
    ]
    added = client.post(
        f"/admissions/rounds/{round_id}/applicants", json={"applicants": rows}, headers=admin
    )
    assert added.status_code == 201, added.text
    result = client.post(f"/admissions/rounds/{round_id}/allocation", headers=admin)
    assert result.status_code == 200, result.text
    round_ = result.json()["round"]
    assert round_["status"] == "allocated"
    cutoffs = {(c["wish"], c["school"]): c["cutoff"] for c in round_["cutoffs"]}
    assert cutoffs[("NV1", "LQD")] == "26.00"
    assert cutoffs[("NV1", "NTMK")] == "25.00"
    placed = {
        a["applicant_code"]: a["placed_school"]
        for a in client.get(f"/admissions/rounds/{round_id}/applicants", headers=admin).json()[
            "items"
        ]
    }
    assert placed == {"A": "LQD", "B": "LQD", "C": "NTMK", "D": None, "E": "NTMK", "F": None}
    mine = client.get("/admissions/me", headers=bearer(client, student)).json()
    assert [r["applicant_code"] for r in mine] == ["C"]
    assert "admitted" in mine[0]["explanation"]
    children = client.get("/admissions/me", headers=bearer(client, parent)).json()
    assert [r["applicant_code"] for r in children] == ["C"]
    assert client.get("/admissions/me", headers=bearer(client, other)).json() == []
    assert (
        client.get(
            f"/admissions/rounds/{round_id}/applicants", headers=bearer(client, student)
        ).status_code
        == 403
    )
    d = next(
        a
        for a in client.get(f"/admissions/rounds/{round_id}/applicants", headers=admin).json()[
            "items"
        ]
        if a["applicant_code"] == "D"
    )
    assert (
        "NV1 THPT Nguyễn Thị Minh Khai: not admitted, your score 20.00 < NV1 cut-off 25.00"
        in d["explanation"]
    )
    what_if = client.get(f"/admissions/rounds/{round_id}/comparison", headers=admin).json()
    assert what_if["compared"] == 6
    assert what_if["same"] == 6  # a common score order: here DA and the city rule agree


def test_da_places_someone_the_city_rule_does_not(client: TestClient, db: Engine) -> None:
    admin = bearer(client, create_user(db, role=Role.SYSTEM_ADMIN, school=None))
    round_id = department_round(client, admin)
    schools = {
        "schools": [
            {"code": "X", "name": "X", "regular_quota": 1},
            {"code": "Y", "name": "Y", "regular_quota": 1},
        ]
    }
    client.put(f"/admissions/rounds/{round_id}/schools", json=schools, headers=admin)
    rows = [
        applicant("HIGH", ("9", "9", "9"), ["Y"]),
        applicant("MID", ("8", "8", "8"), ["Y", "X"]),  # loses Y, then X is already full
        applicant("LOW", ("5", "5", "5"), ["X"]),
    ]
    client.post(
        f"/admissions/rounds/{round_id}/applicants", json={"applicants": rows}, headers=admin
    )
    client.post(f"/admissions/rounds/{round_id}/allocation", headers=admin)
    what_if = client.get(f"/admissions/rounds/{round_id}/comparison", headers=admin).json()
    differences = {d["applicant_code"]: d for d in what_if["differences"]}
    assert differences["MID"]["city_school"] is None
    assert differences["MID"]["da_school"] == "X"
    assert differences["LOW"]["da_school"] is None
    assert what_if["better_under_da"] == 1


def test_csv_upload_with_row_errors(client: TestClient, db: Engine) -> None:
    admin = bearer(client, create_user(db, role=Role.SYSTEM_ADMIN, school=None))
    round_id = department_round(client, admin)
    header = (
        "applicant_code,full_name,literature,mathematics,foreign_language,"
        "priority_group,nv1,nv2,nv3,supplementary\n"
    )
    good = header + "S1,Nguyễn An,8,8.25,9,,LQD,NTMK,,\nS2,Trần Bình,7,7,7,3,NTMK,,,LQD\n"
    ok = client.post(
        f"/admissions/rounds/{round_id}/applicants.csv",
        files={"file": ("ts10.csv", good.encode("utf-8"), "text/csv")},
        headers=admin,
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["applicants"] == 2
    bad = header + "S3,Lê Chi,8,8.1,9,,LQD,,,\n"
    refused = client.post(
        f"/admissions/rounds/{round_id}/applicants.csv",
        files={"file": ("ts10.csv", bad.encode("utf-8"), "text/csv")},
        headers=admin,
    )
    assert refused.status_code == 422
    assert refused.json()["detail"] == "row 1: S3.mathematics: score 8.1 is not in steps of 0.25"


def test_only_the_department_opens_grade10_rounds(client: TestClient, db: Engine) -> None:
    school = create_school(db)
    admin = bearer(client, create_user(db, role=Role.SCHOOL_ADMIN, school=school))
    body = {"name": "x", "rule_date": "2025-06-01", "admission_year": 2025}
    assert client.post("/admissions/rounds", json=body, headers=admin).status_code == 403


def test_grade1_round_by_residence(client: TestClient, db: Engine) -> None:
    school = create_school(db)
    admin = bearer(client, create_user(db, role=Role.SCHOOL_ADMIN, school=school))
    body = {
        "name": "Tuyển sinh lớp 1",
        "kind": "entry",
        "grade": 1,
        "rule_date": "2025-06-01",
        "admission_year": 2025,
    }
    created = client.post("/admissions/rounds", json=body, headers=admin)
    assert created.status_code == 201, created.text
    round_id = created.json()["id"]
    schools = {
        "schools": [
            {"code": "TH1", "name": "Tiểu học 1", "regular_quota": 1},
            {"code": "TH2", "name": "Tiểu học 2", "regular_quota": 2},
        ]
    }
    client.put(f"/admissions/rounds/{round_id}/schools", json=schools, headers=admin)
    children = [
        {
            "applicant_code": "K1",
            "birth_date": "2019-03-01",
            "area_schools": ["TH1"],
            "distances_km": {"TH1": 0.5, "TH2": 2},
        },
        {
            "applicant_code": "K2",
            "birth_date": "2019-05-01",
            "area_schools": ["TH2"],
            "requested_schools": ["TH1"],
            "distances_km": {"TH1": 1, "TH2": 0.7},
        },
        {
            "applicant_code": "K3",
            "birth_date": "2019-05-01",
            "area_schools": ["TH9"],
            "distances_km": {"TH1": 1},
        },
    ]
    refused = client.post(
        f"/admissions/rounds/{round_id}/applicants", json={"applicants": children}, headers=admin
    )
    assert refused.status_code == 422
    assert "row 3: K3.area_schools: unknown school 'TH9'" in refused.json()["detail"]
    added = client.post(
        f"/admissions/rounds/{round_id}/applicants",
        json={"applicants": children[:2]},
        headers=admin,
    )
    assert added.status_code == 201, added.text
    client.post(f"/admissions/rounds/{round_id}/allocation", headers=admin)
    placed = {
        a["applicant_code"]: (a["placed_school"], a["placed_label"])
        for a in client.get(f"/admissions/rounds/{round_id}/applicants", headers=admin).json()[
            "items"
        ]
    }
    # K1 lives in TH1's area (group 1) and keeps its one seat; K2 falls back to its own area.
    assert placed == {"K1": ("TH1", "group 1"), "K2": ("TH2", "group 1")}


def test_large_rounds_run_as_a_job(client: TestClient, db: Engine, settings: Settings) -> None:
    admin_user = create_user(db, role=Role.SYSTEM_ADMIN, school=None)
    admin = bearer(client, admin_user)
    round_id = department_round(client, admin)
    rows = [applicant(f"J{i}", ("8", "8", "8"), ["LQD"]) for i in range(3)]
    client.post(
        f"/admissions/rounds/{round_id}/applicants", json={"applicants": rows}, headers=admin
    )
    principal = Principal(admin_user.id, admin_user.username, Role.SYSTEM_ADMIN, None)

    async def allocate(session: Any) -> tuple[str, uuid.UUID | None]:
        round_, job = await admissions_service.allocate(
            session=session, principal=principal, round_id=uuid.UUID(round_id), job_threshold=2
        )
        return round_.status, job.id if job else None

    async def main() -> tuple[str, uuid.UUID | None]:
        engine = make_async_engine(settings)
        try:
            async with session_scope(make_sessionmaker(engine)) as session:
                return await allocate(session)
        finally:
            await engine.dispose()

    status, job_id = asyncio.run(main())
    assert status == "allocating"
    assert job_id is not None
    run_until_empty(settings)
    assert client.get(f"/jobs/{job_id}", headers=admin).json()["status"] == "succeeded"
    round_ = client.get(f"/admissions/rounds/{round_id}", headers=admin).json()
    assert round_["status"] == "allocated"
    assert round_["summary"] == {"applicants": 3, "placed": 3}  # all tied at the cut-off: admit all
