"""The demo assignment loads once, released to 10A1, and a demo student can download it."""

from __future__ import annotations

import io
import zipfile

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from content_service.demo import DEMO_PASSWORD, load_demo
from content_service.demo_assignments import DEMO_TITLE, load_assignments_demo
from content_service.models.assignments import AssignmentRecord
from content_service.models.jobs import JobRecord


def test_demo_assignment_is_released_and_downloadable(client: TestClient, db: Engine) -> None:
    load_demo(db)
    with Session(db) as session:
        assert load_assignments_demo(session) == 1
        session.commit()
    with Session(db) as session:
        assert load_assignments_demo(session) == 0
        record = session.exec(select(AssignmentRecord)).one()
        assert session.exec(select(JobRecord)).all() == []  # nothing graded at load time
    assert record.status == "released"
    assert record.max_score == 3.0  # 2 + 1 points in notebooks/course/source/bai1

    client.post("/login", data={"username": "hs.10a1.01", "password": DEMO_PASSWORD})
    listing = client.get("/pages/assignments")
    assert DEMO_TITLE in listing.text
    assert "Chưa nộp" in listing.text
    download = client.get(f"/assignments/{record.id}/download")
    assert download.status_code == 200
    notebook = zipfile.ZipFile(io.BytesIO(download.content)).read("bai1/bai1.ipynb").decode()
    assert "YOUR CODE HERE" in notebook
    assert "BEGIN SOLUTION" not in notebook
    client.cookies.clear()
    client.post("/login", data={"username": "hs.11a2.01", "password": DEMO_PASSWORD})
    assert client.get(f"/assignments/{record.id}/download").status_code == 404  # other class
