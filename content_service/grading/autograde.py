"""nbgrader through its own Python API, one course folder and one gradebook per course.

A course lives in ``DATA_DIR/nbgrader/<course key>/``: nbgrader's usual ``source/``, ``release/``,
``submitted/``, ``autograded/`` folders and ``gradebook.db``, nbgrader's own SQLite database (its
tables ``assignment``, ``student``, ``grade`` ... would collide with ours). Every call that touches
the gradebook holds the course's file lock, since several workers may grade one course.

Autograding runs in a child process (``python -m content_service.grading.autograde``) under a
wall-clock limit: a kernel that ignores interrupts would hang nbgrader itself, and killing the
child's process group ends it together with its sandboxed kernel while the worker stays healthy.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from content_service.grading.sandbox import (
    SandboxLimits,
    plain_config,
    remove_runtime,
    sandbox_config,
)

GRADED = "graded"
NEEDS_REVIEW = "needs_review"
FAILED = "failed"


class GradingError(RuntimeError):
    """nbgrader refused an operation; the message carries its log."""


@dataclass(frozen=True, slots=True)
class CellScore:
    notebook: str
    grade_id: str
    score: float
    max_score: float
    auto: bool


@dataclass(frozen=True, slots=True)
class GradeOutcome:
    """The result of autograding one submission."""

    status: str  # graded | needs_review | failed
    score: float = 0.0
    max_score: float = 0.0
    needs_manual_grade: bool = False
    cells: list[CellScore] = field(default_factory=list)
    message: str = ""
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def course_root(data_dir: Path, course_key: str) -> Path:
    return (data_dir / "nbgrader" / course_key).resolve()


@contextlib.contextmanager
def course_lock(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _api(root: Path, extra: Any = None) -> Any:
    # Imported here: nbgrader pulls in nbconvert, jupyter_server and friends (~1 s).
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    config = Config()
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
    # No exchange folder: the service moves files. A private path keeps nbgrader from
    # complaining about the system-wide default.
    config.Exchange.root = str(root / ".exchange")
    (root / ".exchange").mkdir(parents=True, exist_ok=True)
    config.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", ".lock"]
    if extra is not None:
        config.merge(extra)
    _put_venv_on_path()
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def _put_venv_on_path() -> None:
    # Creating a gradebook runs the `alembic` found on PATH (DOMAIN.md §8).
    venv_bin = str(Path(sys.executable).parent)
    if venv_bin not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = venv_bin + os.pathsep + os.environ.get("PATH", "")


def generate_assignment(root: Path, assignment_id: str) -> Path:
    """Run nbgrader's generate_assignment on ``source/<assignment_id>``; return the release folder.

    Raises ``GradingError`` with nbgrader's log when it refuses (for example a notebook whose
    nbgrader metadata is invalid).
    """
    with course_lock(root):
        result = _api(root).generate_assignment(assignment_id, force=True, create=True)
    if not result.get("success"):
        raise GradingError(_log_tail(result))
    return root / "release" / assignment_id


def _log_tail(result: dict[str, Any]) -> str:
    text = (result.get("error") or "") + "\n" + (result.get("log") or "")
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return "\n".join(lines[-12:])


def assignment_max_score(root: Path, assignment_id: str) -> float:
    from nbgrader.api import Gradebook

    with course_lock(root), Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        return float(gradebook.find_assignment(assignment_id).max_score)


def read_scores(root: Path, assignment_id: str, student_id: str) -> GradeOutcome:
    """The scores nbgrader's gradebook holds for one submission."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(assignment_id, student_id)
        cells = [
            CellScore(
                notebook=notebook.name,
                grade_id=grade.name,
                score=float(grade.score),
                max_score=float(grade.max_score),
                auto=grade.auto_score is not None,
            )
            for notebook in submission.notebooks
            for grade in notebook.grades
        ]
        return GradeOutcome(
            status=GRADED,
            score=float(submission.score),
            max_score=float(submission.max_score),
            needs_manual_grade=bool(submission.needs_manual_grade),
            cells=cells,
        )


def _autograde_here(
    root: Path, assignment_id: str, student_id: str, limits: SandboxLimits, *, sandbox: bool
) -> GradeOutcome:
    """Autograde in this process (the child); the sandbox wraps only the kernel."""
    started = time.monotonic()
    runtime = Path(tempfile.mkdtemp(prefix=f"cs-grade-{student_id}-"))
    try:
        extra = sandbox_config(runtime, limits) if sandbox else plain_config(limits)
        with course_lock(root):
            result = _api(root, extra).autograde(assignment_id, student_id, force=True)
            if not result.get("success"):
                log = _log_tail(result)
                # nbclient gives up on a kernel that ignored the interrupt: a teacher decides.
                stuck = "CellTimeoutError" in log or "Kernel didn't respond" in log
                return GradeOutcome(status=NEEDS_REVIEW if stuck else FAILED, message=log)
            outcome = read_scores(root, assignment_id, student_id)
    finally:
        remove_runtime(runtime)
    return GradeOutcome(**{**asdict(outcome), "seconds": time.monotonic() - started})


def autograde(
    root: Path,
    assignment_id: str,
    student_id: str,
    *,
    limits: SandboxLimits | None = None,
    sandbox: bool = True,
) -> GradeOutcome:
    """Autograde ``submitted/<student_id>/<assignment_id>`` in a child process under a wall clock.

    A child that outlives ``limits.wall_clock_seconds`` is killed with its whole process group
    (nbgrader and the sandboxed kernel); the outcome is then ``needs_review``, not a zero.
    """
    limits = limits or SandboxLimits()
    started = time.monotonic()
    command = [
        sys.executable,
        "-m",
        "content_service.grading.autograde",
        str(root),
        assignment_id,
        student_id,
        json.dumps(asdict(limits)),
    ]
    if not sandbox:
        command.append("--no-sandbox")
    child = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_grader_environment(),
        start_new_session=True,
        text=True,
    )
    try:
        stdout, stderr = child.communicate(timeout=limits.wall_clock_seconds)
    except subprocess.TimeoutExpired:
        _kill_group(child)
        return GradeOutcome(
            status=NEEDS_REVIEW,
            message=f"grading did not finish within {limits.wall_clock_seconds} s "
            "(a cell that ignores interrupts?); the kernel was killed",
            seconds=time.monotonic() - started,
        )
    if child.returncode != 0:
        return GradeOutcome(
            status=FAILED,
            message=f"the grading process exited with {child.returncode}: {stderr[-2000:]}",
            seconds=time.monotonic() - started,
        )
    data = json.loads(stdout.strip().splitlines()[-1])
    data["cells"] = [CellScore(**cell) for cell in data["cells"]]
    return GradeOutcome(**data)


def _grader_environment() -> dict[str, str]:
    # The grader process needs no secrets either: only what Python and Jupyter need.
    keep = ("PATH", "LANG", "LC_ALL", "TZ", "HOME")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "/usr/bin:/bin")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _kill_group(child: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGKILL)
    child.communicate()


def copy_tree(source: Path, target: Path) -> None:
    """Replace ``target`` with a copy of ``source``."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)


def _main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Autograde one submission (internal).")
    parser.add_argument("root", type=Path)
    parser.add_argument("assignment_id")
    parser.add_argument("student_id")
    parser.add_argument("limits")
    parser.add_argument("--no-sandbox", action="store_true")
    args = parser.parse_args(argv)
    limits = SandboxLimits(**json.loads(args.limits))
    outcome = _autograde_here(
        args.root, args.assignment_id, args.student_id, limits, sandbox=not args.no_sandbox
    )
    print(json.dumps(outcome.to_json()))  # the parent reads this last line
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
