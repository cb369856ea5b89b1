"""Every notebook in notebooks/ runs top to bottom (nbclient), and the course folder generates.

The authoring notebook talks to the service only when CONTENT_SERVICE_URL and
CONTENT_SERVICE_TOKEN are set; here they are not, so it checks, previews and skips the push
(the push itself is covered by tests/content_service/assignments/test_notebook_client.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from content_service.grading.autograde import generate_assignment

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
EXECUTABLE = sorted(
    p
    for p in NOTEBOOKS.rglob("*.ipynb")
    if "course" not in p.parts and ".ipynb_checkpoints" not in p.parts
)

pytestmark = pytest.mark.slow


def test_the_workspace_has_the_promised_notebooks() -> None:
    names = {p.relative_to(NOTEBOOKS).as_posix() for p in EXECUTABLE}
    assert names == {
        "authoring/bien-tinh-bang-python.ipynb",
        "authoring/soan-cau-hoi.ipynb",
        "library/xuat-ban-hoc-lieu.ipynb",
        "research/hieu-chuan-irt.ipynb",
    }


@pytest.mark.parametrize("path", EXECUTABLE, ids=lambda p: p.name)
def test_notebook_runs(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONTENT_SERVICE_URL", raising=False)
    monkeypatch.delenv("CONTENT_SERVICE_TOKEN", raising=False)
    notebook = nbformat.read(path, as_version=4)
    # Outputs are stripped before commit: nothing stale hides in the files.
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")
    NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []


def test_course_source_generates_with_nbgrader(tmp_path: Path) -> None:
    shutil.copytree(NOTEBOOKS / "course" / "source", tmp_path / "source")
    release = generate_assignment(tmp_path, "bai1")
    student = (release / "bai1.ipynb").read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in student
    assert "YOUR CODE HERE" in student
    assert "tong_binh_phuong" in student
