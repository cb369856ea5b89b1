"""The assignment pages: a teacher creates from a notebooks/course source folder, releases, maps the
gradebook column and follows the submissions; a student downloads, hands in and sees the result.

Real app over httpx (TestClient), real nbgrader, real sandboxed autograding.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from content_service.jobs import run_until_empty
from content_service.models.people import Role
from tests.factories import bearer, create_class, create_school, create_user, enrol

SOURCE = Path(__file__).resolve().parents[3] / "notebooks" / "course" / "source" / "bai1"


def _upload(folder: Path) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [
        ("files", (f"bai1/{p.name}", p.read_bytes(), "application/octet-stream"))
        for p in sorted(folder.iterdir())
        if p.is_file()
    ]


def _alert(html: str) -> str:
    found = re.search(r'<p role="alert"[^>]*>(.*?)</p>', html, re.S)
    assert found, "no error message on the page"
    return found.group(1)


def test_teacher_and_student_pages_run_an_assignment(
    client: TestClient, db: Engine, settings: object
) -> None:
    school = create_school(db)
    klass = create_class(db, school=school, name="10A2")
    teacher_user = create_user(db, role=Role.TEACHER, school=school)
    enrol(db, klass=klass, user=teacher_user, subject="Tin học")
    student_user = create_user(db, role=Role.STUDENT, school=school, full_name="Trần Thị Mai")
    enrol(db, klass=klass, user=student_user)
    teacher = bearer(client, teacher_user)
    student = bearer(client, student_user)
    outsider = bearer(client, create_user(db, role=Role.STUDENT, school=school))

    home = client.get("/", headers=teacher)
    assert 'href="/pages/assignments"' in home.text
    assert "Bài tập Jupyter (nbgrader)" in home.text
    listing = client.get("/pages/assignments", headers=teacher)
    assert listing.status_code == 200
    assert "Lớp 10A2" in listing.text
    assert "Tạo bài tập mới" in listing.text

    # A folder without a notebook is refused with the reason, nothing is created.
    form = {"class_id": str(klass.id), "name": "bai1", "title": "Tổng bình phương"}
    bad = client.post(
        "/pages/assignments",
        headers=teacher,
        data=form,
        files=[("files", ("ghi-chu.txt", b"khong phai notebook", "text/plain"))],
    )
    assert bad.status_code == 422
    assert "files" in _alert(bad.text)
    assert "Lớp chưa có bài tập nào." in bad.text

    created = client.post(
        "/pages/assignments",
        headers=teacher,
        data=form | {"subject": "Tin học"},
        files=_upload(SOURCE),
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    detail_url = created.headers["location"]
    assignment_id = detail_url.rsplit("/", 1)[-1]
    page = client.get(detail_url, headers=teacher)
    assert "Đã tạo (học sinh chưa thấy)" in page.text
    assert "Chưa chọn cột điểm" in page.text
    assert client.get(detail_url, headers=student).status_code == 404  # not released yet

    released = client.post(f"{detail_url}/release", headers=teacher, follow_redirects=False)
    assert released.status_code == 303
    assert '<span id="status">Đã giao</span>' in client.get(detail_url, headers=teacher).text

    # The gradebook column: an unknown column is refused in Vietnamese; tx1 is kept.
    book = client.post(
        "/gradebooks",
        headers=teacher,
        json={"class_id": str(klass.id), "subject": "Tin học", "semester": 1,
              "periods_per_year": 52},
    )  # fmt: skip
    assert book.status_code == 201, book.text
    mapping = {"subject": "Tin học", "semester": "1", "column": "tx9"}
    wrong = client.post(f"{detail_url}/gradebook", headers=teacher, data=mapping)
    assert wrong.status_code == 422
    assert _alert(wrong.text) == "Sổ điểm không có cột này (tx1…, gk, ck)."
    saved = client.post(
        f"{detail_url}/gradebook",
        headers=teacher,
        data=mapping | {"column": "tx1"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    shown = client.get(detail_url, headers=teacher).text
    assert "sổ điểm môn Tin học, học kì 1, cột tx1" in shown

    # The student sees it, downloads the student version and hands in.
    mine = client.get("/pages/assignments", headers=student)
    assert 'data-assignment="bai1"' in mine.text
    assert "Chưa nộp" in mine.text
    student_page = client.get(detail_url, headers=student)
    assert f'href="/assignments/{assignment_id}/download"' in student_page.text
    zipped = client.get(f"/assignments/{assignment_id}/download", headers=student)
    archive = zipfile.ZipFile(io.BytesIO(zipped.content))
    assert archive.namelist() == ["bai1/bai1.ipynb"]
    assert "BEGIN SOLUTION" not in archive.read("bai1/bai1.ipynb").decode()
    assert client.get(detail_url, headers=outsider).status_code == 404

    empty = client.post(
        f"{detail_url}/submit",
        headers=student,
        files=[("files", ("bai1.txt", b"x", "text/plain"))],
    )
    assert empty.status_code == 422
    assert "notebook" in _alert(empty.text)
    handed = client.post(
        f"{detail_url}/submit", headers=student, files=_upload(SOURCE), follow_redirects=False
    )
    assert handed.status_code == 303, handed.text
    waiting = client.get(detail_url, headers=student).text
    assert 'data-status="submitted"' in waiting
    assert "đang được chấm tự động" in waiting

    assert run_until_empty(settings) == 1  # type: ignore[arg-type]
    withheld = client.get(detail_url, headers=student).text
    assert 'data-status="graded"' in withheld
    assert "thầy cô chưa trả kết quả" in withheld
    assert "my-score" not in withheld
    shown = client.post(f"{detail_url}/feedback", headers=teacher, follow_redirects=False)
    assert shown.status_code == 303
    assert "Đã trả kết quả" in client.get(detail_url, headers=teacher).text
    graded = client.get(detail_url, headers=student).text
    assert 'data-status="graded"' in graded
    assert '<p id="my-score">Điểm: 3.0 / 3.0</p>' in graded  # the teacher's solution passes
    assert "dung-gia-tri" in graded
    assert "dau-vao-sai" in graded
    follow = client.get(detail_url, headers=teacher).text
    assert 'data-student="Trần Thị Mai" data-status="graded"' in follow
    assert "Đã ghi 10.0" in follow
    in_list = client.get("/pages/assignments", headers=student).text
    assert "Đã chấm" in in_list
