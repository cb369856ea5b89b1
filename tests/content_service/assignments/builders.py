"""Builders for nbgrader courses and notebooks in tests (real nbgrader, real files)."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path
from typing import Any

import nbformat

from content_service.grading.autograde import generate_assignment


def b64_files(folder: Path) -> dict[str, str]:
    """Every plain file of ``folder`` as the API's ``{name: base64}``."""
    return {
        path.name: base64.b64encode(path.read_bytes()).decode("ascii")
        for path in sorted(folder.iterdir())
        if path.is_file() and path.name != "timestamp.txt"
    }


def _meta(grade_id: str, *, solution: bool, grade: bool, points: float = 0) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": not solution,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def attack_notebook(student_code: str) -> nbformat.NotebookNode:
    """A one-point assignment whose test passes only if ``student_code`` sets ``LEAKED = True``.

    The source's solution sets ``LEAKED = False``; a student who can break out of the sandbox
    earns the point, so a score of 0 means the attack found nothing.
    """
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        nbformat.v4.new_code_cell(
            "### BEGIN SOLUTION\n" + student_code + "\n### END SOLUTION",
            metadata=_meta("attack", solution=True, grade=False),
        ),
        nbformat.v4.new_code_cell(
            "assert LEAKED is True", metadata=_meta("leak", solution=False, grade=True, points=1)
        ),
    ]
    return nb


def make_course(
    root: Path, assignment: str, sources: dict[str, Path | nbformat.NotebookNode]
) -> Path:
    """Write ``source/<assignment>/`` and run nbgrader's generate_assignment."""
    folder = root / "source" / assignment
    folder.mkdir(parents=True)
    for name, source in sources.items():
        if isinstance(source, Path):
            shutil.copyfile(source, folder / name)
        else:
            nbformat.write(source, folder / name)
    return generate_assignment(root, assignment)


def submit_files(
    root: Path, assignment: str, student: str, files: dict[str, Path | nbformat.NotebookNode]
) -> None:
    """Place a submission as the service's job does (``submitted/<student>/<assignment>/``)."""
    folder = root / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    for name, source in files.items():
        if isinstance(source, Path):
            shutil.copyfile(source, folder / name)
        else:
            nbformat.write(source, folder / name)
    (folder / "timestamp.txt").write_text("2026-11-23 10:00:00.000000 UTC", encoding="utf-8")
