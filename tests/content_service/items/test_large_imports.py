"""Large imports: their own body limit, streamed to disk, and a background job above a size."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from content_service.jobs import run_until_empty
from content_service.main import create_app
from content_service.models.people import Role
from content_service.settings import Settings
from item_bank.items import Choice, Item, ItemKind
from item_bank.packages import build_package, export_package
from tests.factories import bearer, create_school, create_user

BACKGROUND_BYTES = 100_000
MAX_IMPORT = 400_000


@pytest.fixture
def small_limits(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"IMPORT_BACKGROUND_BYTES": BACKGROUND_BYTES, "MAX_IMPORT_BYTES": MAX_IMPORT}
    )


@pytest.fixture
def limited(small_limits: Settings, db: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(small_limits), base_url="http://127.0.0.1") as client:
        yield client


@pytest.fixture
def teacher(limited: TestClient, db: Engine) -> dict[str, str]:
    return bearer(limited, create_user(db, role=Role.TEACHER, school=create_school(db)))


def _package(n: int, *, noise: int = 0, broken: bool = False) -> bytes:
    """A QTI 3.0 package of ``n`` Vietnamese items, padded with an incompressible file."""
    items = [
        Item(
            identifier=f"sinh11-lon-{i:04d}",
            kind=ItemKind.SINGLE_CHOICE,
            stem=f"Câu {i}: Bào quan nào thực hiện quang hợp ở tế bào thực vật?",
            choices=(Choice("A", "Lục lạp"), Choice("B", "Ti thể"), Choice("C", "Ribôxôm")),
            correct=("A",),
        )
        for i in range(n)
    ]
    files = {}
    if noise:
        files["extra/noise.bin"] = np.random.default_rng(20261123).bytes(noise)
    data = export_package(build_package(items, identifier="lon", files=files))
    if not broken:
        return data
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename.endswith("sinh11-lon-0003.xml"):
                body = body.replace(b"</qti-assessment-item>", b"")  # malformed XML
            target.writestr(info, body)
    return buffer.getvalue()


def _count(db: Engine) -> int:
    with db.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM item")).scalar_one())


def _upload(client: TestClient, headers: dict[str, str], name: str, data: bytes):
    return client.post("/items/imports", files={"file": (name, data)}, headers=headers)


def test_small_file_imports_in_the_request_over_the_general_limit(
    limited: TestClient, db: Engine, teacher
) -> None:
    data = _package(20, noise=70_000)
    assert 64 * 1024 < len(data) < BACKGROUND_BYTES  # over the test MAX_REQUEST_BYTES
    response = _upload(limited, teacher, "nho.zip", data)
    assert response.status_code == 200, response.text
    assert len(response.json()["imported"]) == 20


def test_over_the_import_limit_is_refused_and_leaves_nothing(
    limited: TestClient, db: Engine, teacher, small_limits: Settings
) -> None:
    data = _package(5, noise=MAX_IMPORT + 10_000)
    response = _upload(limited, teacher, "qua-lon.zip", data)
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert _count(db) == 0
    assert not list((small_limits.DATA_DIR / "imports").glob("*.upload"))


def test_large_package_runs_as_a_job_and_reports_per_item(
    limited: TestClient, db: Engine, teacher, small_limits: Settings
) -> None:
    data = _package(300, noise=150_000)
    assert BACKGROUND_BYTES < len(data) < MAX_IMPORT
    response = _upload(limited, teacher, "lon.zip", data)
    assert response.status_code == 202, response.text
    queued = response.json()
    assert queued["file"] == "lon.zip"
    assert queued["status"] == "queued"
    assert _count(db) == 0  # nothing until the worker runs
    page = limited.get(f"/pages/items/import/jobs/{queued['job_id']}", headers=teacher)
    assert page.status_code == 200
    assert 'http-equiv="refresh"' in page.text

    assert run_until_empty(small_limits, engine=db) == 1
    job = limited.get(f"/jobs/{queued['job_id']}", headers=teacher).json()
    assert job["status"] == "succeeded", job
    report = job["result"]
    assert report["file"] == "lon.zip"
    assert len(report["imported"]) == 300
    assert {row["identifier"] for row in report["imported"]} == {
        f"sinh11-lon-{i:04d}" for i in range(300)
    }
    assert _count(db) == 300
    assert not list((small_limits.DATA_DIR / "imports").glob("*.upload"))
    page = limited.get(f"/pages/items/import/jobs/{queued['job_id']}", headers=teacher)
    assert "sinh11-lon-0299" in page.text
    assert 'http-equiv="refresh"' not in page.text

    # the same file again: a job whose report skips every item as already in the bank
    again = _upload(limited, teacher, "lon.zip", data).json()
    assert run_until_empty(small_limits, engine=db) == 1
    result = limited.get(f"/jobs/{again['job_id']}", headers=teacher).json()["result"]
    assert result["imported"] == []
    assert len(result["skipped"]) == 300


def test_a_broken_large_package_fails_its_job_and_imports_nothing(
    limited: TestClient, db: Engine, teacher, small_limits: Settings
) -> None:
    data = _package(200, noise=150_000, broken=True)
    response = _upload(limited, teacher, "hong.zip", data)
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]
    assert run_until_empty(small_limits, engine=db) == 1
    job = limited.get(f"/jobs/{job_id}", headers=teacher).json()
    assert job["status"] == "failed"
    assert "hong.zip" in job["error"]
    assert "sinh11-lon-0003" in job["error"]
    assert _count(db) == 0
    assert not list((small_limits.DATA_DIR / "imports").glob("*.upload"))
    page = limited.get(f"/pages/items/import/jobs/{job_id}", headers=teacher)
    assert "sinh11-lon-0003" in page.text


def test_the_import_page_hands_a_large_file_to_a_job(
    limited: TestClient, db: Engine, teacher
) -> None:
    response = limited.post(
        "/pages/items/import",
        files={"file": ("lon.zip", _package(50, noise=150_000))},
        data={"format": "auto"},
        headers=teacher,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith("/pages/items/import/jobs/")
    page = limited.get(response.headers["location"], headers=teacher)
    assert page.status_code == 200
    assert "queued" in page.text
