"""nbgrader's user-guide course through the service: generate, release, download, submit, grade.

The scores must be nbgrader's own: the gradebook export shipped with the course
(``user_guide/grades.csv``, raw_score 1.5 for bitdiddle and 3.0 for hacker) and the pass/fail of
each test cell in nbgrader's autograded notebooks. The school gradebook gets the same totals on the
10-point scale, rounded half-up to one decimal (TT22): computed here from nbgrader's export with
``decimal``, not with our own code.
"""

from __future__ import annotations

import base64
import csv
import io
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import nbformat
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from content_service.grading.autograde import read_scores
from content_service.jobs import run_until_empty
from content_service.models.people import Role
from content_service.services.assignments import course_folder
from content_service.settings import Settings
from tests.content_service.assignments.builders import b64_files
from tests.factories import bearer, create_class, create_school, create_user, enrol


def _course(db: Engine, client: TestClient) -> dict[str, object]:
    school = create_school(db)
    klass = create_class(db, school=school)
    teacher = create_user(db, role=Role.TEACHER, school=school)
    enrol(db, klass=klass, user=teacher, subject="Tin học")
    students = {
        name: create_user(db, role=Role.STUDENT, school=school, username=name)
        for name in ("bitdiddle", "hacker")
    }
    for student in students.values():
        enrol(db, klass=klass, user=student)
    outsider = create_user(db, role=Role.STUDENT, school=school)
    return {
        "class": klass,
        "teacher": bearer(client, teacher),
        "students": {name: bearer(client, user) for name, user in students.items()},
        "student_ids": {name: str(user.id) for name, user in students.items()},
        "outsider": bearer(client, outsider),
    }


def _expected_from_nbgrader(user_guide: Path, student: str) -> dict[str, float]:
    """Per test cell: full points unless nbgrader's autograded notebook shows an error."""
    expected = {}
    for path in sorted((user_guide / "autograded" / student / "ps1").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
                failed = any(o.output_type == "error" for o in cell.outputs)
                expected[meta["grade_id"]] = 0.0 if failed else float(meta["points"])
    return expected


def _ten_point(raw: float, out_of: float) -> str:
    mark = Decimal(str(raw)) * 10 / Decimal(str(out_of))
    return str(mark.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def test_user_guide_course_runs_through_the_service(
    client: TestClient, db: Engine, settings: Settings, test_material: Path
) -> None:
    user_guide = test_material / "nbgrader" / "user_guide"
    course = _course(db, client)
    klass = course["class"]
    teacher = course["teacher"]
    students = course["students"]
    created = client.post(
        "/assignments",
        headers=teacher,
        json={
            "class_id": str(klass.id),  # type: ignore[attr-defined]
            "name": "ps1",
            "title": "Bài tập 1: bình phương",
            "subject": "Tin học",
            "files": b64_files(user_guide / "source" / "ps1"),
        },
    )
    assert created.status_code == 201, created.text
    assignment = created.json()
    assert assignment["status"] == "generated"
    assert assignment["max_score"] == 13.0  # problem1 10 points + problem2 3 points

    # Not visible to students before release; submissions refused.
    url = f"/assignments/{assignment['id']}"
    assert client.get(url, headers=students["hacker"]).status_code == 404
    released = client.post(f"{url}/release", headers=teacher)
    assert released.json()["status"] == "released"
    listed = client.get(
        "/assignments", params={"class_id": str(klass.id)}, headers=students["hacker"]
    )  # type: ignore[attr-defined]
    assert [a["name"] for a in listed.json()["items"]] == ["ps1"]
    assert client.get(url, headers=course["outsider"]).status_code == 404

    # The download is nbgrader's student version: solutions stripped, same cells as upstream.
    download = client.get(f"{url}/download", headers=students["hacker"])
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    assert sorted(archive.namelist()) == [
        "ps1/jupyter.png",
        "ps1/problem1.ipynb",
        "ps1/problem2.ipynb",
    ]
    ours = nbformat.reads(archive.read("ps1/problem1.ipynb").decode(), as_version=4)
    upstream = nbformat.read(user_guide / "release" / "ps1" / "problem1.ipynb", as_version=4)
    # Upstream's release starts with the course header notebook (source/header.ipynb).
    header = nbformat.read(user_guide / "source" / "header.ipynb", as_version=4)
    upstream_cells = upstream.cells[len(header.cells) :]
    assert [c.source for c in ours.cells] == [c.source for c in upstream_cells]
    assert "### BEGIN SOLUTION" not in archive.read("ps1/problem1.ipynb").decode()

    # The teacher sends the totals to the tx1 column of the class's Tin học gradebook.
    book = client.post(
        "/gradebooks",
        headers=teacher,
        json={"class_id": str(klass.id), "subject": "Tin học", "semester": 1,
              "periods_per_year": 52},  # type: ignore[attr-defined]
    )  # fmt: skip
    assert book.status_code == 201, book.text
    mapping = {"subject": "Tin học", "semester": 1, "column": "tx1"}
    unknown = client.put(f"{url}/gradebook", headers=teacher, json=mapping | {"column": "tx9"})
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "unknown_column"
    assert "column" in unknown.json()["detail"]
    missing = client.put(f"{url}/gradebook", headers=teacher, json=mapping | {"semester": 2})
    assert missing.status_code == 404
    assert missing.json()["code"] == "gradebook_not_found"
    assert (
        client.put(f"{url}/gradebook", headers=students["hacker"], json=mapping).status_code == 403
    )
    mapped = client.put(f"{url}/gradebook", headers=teacher, json=mapping)
    assert mapped.status_code == 200, mapped.text
    assert mapped.json()["gradebook_column"] == "tx1"

    for name, headers in students.items():
        files = b64_files(user_guide / "submitted" / name / "ps1")
        sent = client.post(f"{url}/submissions", headers=headers, json={"files": files})
        assert sent.status_code == 202, sent.text
        assert sent.json()["status"] == "submitted"
    assert run_until_empty(settings) == 2

    with (user_guide / "grades.csv").open(encoding="utf-8") as export:
        raw_scores = {row["student_id"]: float(row["raw_score"]) for row in csv.DictReader(export)}
    page = client.get(f"{url}/submissions", headers=teacher).json()
    assert page["total"] == 2
    by_student = {s["student_id"]: s for s in page["items"]}
    root = course_folder(settings, klass.id)  # type: ignore[attr-defined]
    for name, student_id in course["student_ids"].items():  # type: ignore[attr-defined]
        submission = by_student[student_id]
        assert submission["status"] == "graded", submission["message"]
        assert submission["score"] == raw_scores[name]
        assert submission["max_score"] == 13.0
        cells = {c["grade_id"]: c["score"] for c in submission["cells"] if c["auto"]}
        expected = _expected_from_nbgrader(user_guide, name)
        assert {k: cells[k] for k in expected} == expected
        # nbgrader's own gradebook holds the same totals.
        assert read_scores(root, "ps1", name).score == submission["score"]
        assert submission["gradebook_status"] == "written", submission["gradebook_note"]
        assert submission["gradebook_value"] == _ten_point(raw_scores[name], 13.0)

    # A student reads only their own submission; the score once the teacher releases it.
    hacker_sub = by_student[course["student_ids"]["hacker"]]  # type: ignore[index]
    hidden = client.get(f"/submissions/{hacker_sub['id']}", headers=students["hacker"]).json()
    assert hidden["status"] == "graded"
    assert (hidden["score"], hidden["cells"], hidden["gradebook_value"]) == (None, [], "")
    assert client.post(f"{url}/feedback", headers=students["hacker"]).status_code == 403
    feedback = client.post(f"{url}/feedback", headers=teacher)
    assert feedback.status_code == 200, feedback.text
    assert feedback.json()["feedback_released_at"] is not None
    own = client.get(f"/submissions/{hacker_sub['id']}", headers=students["hacker"])
    assert own.json()["score"] == 3.0
    assert own.json()["gradebook_value"] == "2.3"
    other = client.get(f"/submissions/{hacker_sub['id']}", headers=students["bitdiddle"])
    assert other.status_code == 404
    mine = client.get(f"{url}/submissions", headers=students["bitdiddle"]).json()
    assert [s["student_id"] for s in mine["items"]] == [course["student_ids"]["bitdiddle"]]  # type: ignore[index]

    def marks() -> dict[str, str]:
        sheet = client.get(f"/gradebooks/{book.json()['id']}", headers=teacher).json()
        ids = course["student_ids"]  # type: ignore[attr-defined]
        by_id = {row["student_id"]: row["values"] for row in sheet["rows"]}
        return {name: by_id[student_id].get("tx1") for name, student_id in ids.items()}

    assert marks() == {"bitdiddle": "1.2", "hacker": "2.3"}  # 1.5/13 and 3/13 of 10 points
    assert marks() == {name: _ten_point(raw, 13.0) for name, raw in raw_scores.items()}

    # Re-grading updates the gradebook: bitdiddle hands in hacker's better notebooks.
    better = b64_files(user_guide / "submitted" / "hacker" / "ps1")
    again = client.post(f"{url}/submissions", headers=students["bitdiddle"], json={"files": better})
    assert again.status_code == 202, again.text
    assert run_until_empty(settings) == 1
    assert marks()["bitdiddle"] == "2.3"

    # A locked gradebook refuses the write: the submission stays graded, the write is pending
    # with its reason, and nothing in the gradebook changes.
    locked = client.post(f"/gradebooks/{book.json()['id']}/lock", headers=teacher)
    assert locked.status_code == 200, locked.text
    worse = b64_files(user_guide / "submitted" / "bitdiddle" / "ps1")
    late = client.post(f"{url}/submissions", headers=students["hacker"], json={"files": worse})
    assert run_until_empty(settings) == 1
    pending = client.get(f"/submissions/{late.json()['id']}", headers=teacher).json()
    assert pending["status"] == "graded"
    assert pending["score"] == raw_scores["bitdiddle"]
    assert pending["gradebook_status"] == "pending"
    assert pending["gradebook_note"].startswith("gradebook_locked:")
    assert marks() == {"bitdiddle": "2.3", "hacker": "2.3"}
    retried = client.post(f"{url}/gradebook/sync", headers=teacher)
    assert retried.json() == {"assignment_id": assignment["id"], "written": 0, "pending": 1}


def test_invalid_source_and_files_are_refused_by_name(
    client: TestClient, db: Engine, test_material: Path
) -> None:
    course = _course(db, client)
    klass_id = str(course["class"].id)  # type: ignore[attr-defined]
    teacher = course["teacher"]
    too_new = test_material / "nbgrader" / "fixtures" / "too-new.ipynb"
    body = {
        "class_id": klass_id,
        "name": "ps2",
        "title": "Quá mới",
        "files": {"p1.ipynb": base64.b64encode(too_new.read_bytes()).decode()},
    }
    refused = client.post("/assignments", headers=teacher, json=body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "nbgrader_refused"
    assert "files" in refused.json()["detail"]

    traversal = body | {"files": {"../p1.ipynb": body["files"]["p1.ipynb"]}}  # type: ignore[index]
    bad = client.post("/assignments", headers=teacher, json=traversal)
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"][-1] == "files"

    # Students cannot create assignments.
    student = course["students"]["hacker"]  # type: ignore[index]
    assert client.post("/assignments", headers=student, json=body).status_code == 403
