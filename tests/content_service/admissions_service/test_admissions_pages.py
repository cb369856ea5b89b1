"""Admissions pages (server-rendered, Vietnamese first): the Department's round from uploads
to cut-offs, the DA comparison and the supplementary round; a student's results with the
reason for every wish and their supplementary wishes; who may open what."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from content_service.models.people import Role
from tests.factories import bearer, create_school, create_user

SCHOOLS_CSV = "code,name,regular_quota\nX,THPT Xuân Lộc,2\nY,THPT Yên Thế,3\nZ,THPT Zô Ta,1\n"
APPLICANTS_CSV = (
    "applicant_code,full_name,literature,mathematics,foreign_language,priority_group,nv1,nv2,nv3\n"
    "A,Nguyễn An,9,9,9,,X,,\n"
    "B,Trần Bình,9,9,8,,X,,\n"
    "C,Lê Chi,8,9,8,,X,Y,\n"
    "D,Phạm Dũng,7,7,6,,Y,,\n"
    "F,Võ Phương,5,5,4,,X,Y,\n"
)


def _csv(text: str) -> dict[str, tuple[str, bytes, str]]:
    return {"file": ("data.csv", text.encode("utf-8"), "text/csv")}


def test_department_runs_a_round_and_a_student_reads_why(client: TestClient, db: Engine) -> None:
    school = create_school(db)
    student = create_user(db, role=Role.STUDENT, school=school)
    admin = bearer(client, create_user(db, role=Role.SYSTEM_ADMIN, school=None))
    home = client.get("/", headers=admin)
    assert 'href="/pages/admissions"' in home.text
    listing = client.get("/pages/admissions", headers=admin)
    assert "Các kì tuyển sinh" in listing.text
    form = {
        "name": "Tuyển sinh lớp 10 năm 2025",
        "rule_date": "2025-06-01",
        "admission_year": "2025",
    }
    created = client.post(
        "/pages/admissions/rounds", data=form, headers=admin, follow_redirects=False
    )
    assert created.status_code == 303
    page_url = created.headers["location"]
    round_id = page_url.rsplit("/", 1)[1]
    assert "Tuyển sinh lớp 10 năm 2025" in client.get("/pages/admissions", headers=admin).text

    bad_schools = _csv("code,name,regular_quota\nX,THPT X,nhiều\n")
    bad = client.post(f"{page_url}/schools", files=bad_schools, headers=admin)
    assert bad.status_code == 422
    assert "Chưa lưu, vì có lỗi" in bad.text
    assert "row 1: quotas must be whole numbers" in bad.text
    for step, text in (("schools", SCHOOLS_CSV), ("applicants", APPLICANTS_CSV)):
        done = client.post(
            f"{page_url}/{step}", files=_csv(text), headers=admin, follow_redirects=False
        )
        assert done.status_code == 303, done.text
    page = client.get(page_url, headers=admin)
    assert "THPT Xuân Lộc" in page.text
    assert "5 thí sinh" in page.text
    bad_scores = _csv(APPLICANTS_CSV.replace("9,9,9", "9,9.1,9"))
    refused = client.post(f"{page_url}/applicants", files=bad_scores, headers=admin)
    assert refused.status_code == 422
    assert "row 1: A.mathematics: score 9.1 is not in steps of 0.25" in refused.text

    assert (
        client.post(f"{page_url}/allocation", headers=admin, follow_redirects=False).status_code
        == 303
    )
    page = client.get(page_url, headers=admin)
    assert "Điểm chuẩn theo trường" in page.text
    cutoff_row = re.search(
        r"<tr><td>THPT Xuân Lộc</td><td>NV1</td><td>4</td><td>2</td><td>2</td><td>([\d.]+)</td>",
        page.text,
    )
    assert cutoff_row is not None
    assert cutoff_row.group(1) == "26.00"
    comparison = client.get(f"{page_url}/comparison", headers=admin)
    assert "chấp nhận trì hoãn" in comparison.text
    assert "5 thí sinh được so sánh" in comparison.text

    opened = client.post(f"{page_url}/supplementary/open", headers=admin, follow_redirects=False)
    assert opened.status_code == 303
    page = client.get(page_url, headers=admin)
    assert "Đang nhận nguyện vọng bổ sung" in page.text
    assert "THPT Zô Ta (Z)" in page.text

    # The student is F: linked by the Department, reads why, and sends a supplementary wish.
    linked = client.post(
        f"/admissions/rounds/{round_id}/applicants",
        json={"applicants": [{"applicant_code": "G", "literature": "5", "mathematics": "5",
                              "foreign_language": "4", "regular_wishes": ["X"],
                              "user_id": str(student.id)}]},
        headers=admin,
    )  # fmt: skip
    assert linked.status_code == 201, linked.text
    you = bearer(client, student)
    assert 'href="/pages/admissions/me"' in client.get("/", headers=you).text
    assert client.get(page_url, headers=you).status_code == 403
    assert (
        client.get("/pages/admissions", headers=you, follow_redirects=False).headers["location"]
        == "/pages/admissions/me"
    )
    mine = client.get("/pages/admissions/me", headers=you)
    assert mine.status_code == 200
    assert "Chưa có kết quả." in mine.text  # G came after the allocation
    assert "Đăng kí nguyện vọng bổ sung" in mine.text
    wish = {"round_id": round_id, "applicant_code": "G", "nv1": "Y"}
    below = client.post("/pages/admissions/me/supplementary", data=wish, headers=you)
    assert below.status_code == 422
    assert "needs at least 25.00, your score is 14.00" in below.text
    sent = client.post("/pages/admissions/me/supplementary", data={**wish, "nv1": "Z"},
                       headers=you, follow_redirects=False)  # fmt: skip
    assert sent.status_code == 303
    assert client.post(f"{page_url}/supplementary/allocation", headers=admin,
                       follow_redirects=False).status_code == 303  # fmt: skip
    mine = client.get("/pages/admissions/me", headers=you)
    assert "Trúng tuyển THPT Zô Ta (NV1 bổ sung) với 14.00 điểm." in mine.text
    assert (
        "NV1 THPT Xuân Lộc: không trúng tuyển, điểm của em 14.00 &lt; điểm chuẩn 26.00."
        in mine.text
    )
    english = client.get("/pages/admissions/me", params={"lang": "en"}, headers=you)
    assert "Admitted to THPT Zô Ta (NV1 bổ sung) with 14.00." in english.text
    page = client.get(page_url, params={"lang": "vi"}, headers=admin)
    assert "1 thí sinh trúng tuyển bổ sung." in page.text


def test_pages_refuse_people_outside_admissions(client: TestClient, db: Engine) -> None:
    teacher = bearer(client, create_user(db, role=Role.TEACHER, school=create_school(db)))
    assert client.get("/pages/admissions", headers=teacher).status_code == 403
    assert client.get("/pages/admissions/me", headers=teacher).status_code == 403
    assert client.get("/pages/admissions", follow_redirects=False).headers["location"] == "/login"
