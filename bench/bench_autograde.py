"""Autograding throughput: submissions per minute with and without the sandbox.

Grades the user-guide course's two submissions (``../shared/test-material/nbgrader``) N times
each way through ``content_service.grading.autograde`` (a child process per submission, nbgrader's
API, one kernel per notebook), ``--workers`` at a time.

    uv run python bench/bench_autograde.py --rounds 3 --workers 2
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from content_service.grading.autograde import GRADED, autograde, generate_assignment

USER_GUIDE = (
    Path(__file__).resolve().parents[2] / "shared" / "test-material" / "nbgrader" / "user_guide"
)


def _course(root: Path, copies: int) -> list[str]:
    shutil.copytree(USER_GUIDE / "source" / "ps1", root / "source" / "ps1")
    generate_assignment(root, "ps1")
    students = []
    for n in range(copies):
        for name in ("bitdiddle", "hacker"):
            student = f"{name}{n}"
            shutil.copytree(
                USER_GUIDE / "submitted" / name / "ps1", root / "submitted" / student / "ps1"
            )
            students.append(student)
    return students


def _run(root: Path, students: list[str], *, sandbox: bool, workers: int) -> float:
    started = time.monotonic()
    with ThreadPoolExecutor(workers) as pool:
        outcomes = list(pool.map(lambda s: autograde(root, "ps1", s, sandbox=sandbox), students))
    elapsed = time.monotonic() - started
    assert all(o.status == GRADED for o in outcomes), [o.message for o in outcomes]
    return len(students) / elapsed * 60


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2, help="copies of the two submissions")
    parser.add_argument(
        "--workers", type=int, default=1, help="one course: grading is serialised by its lock"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        students = _course(root, args.rounds)
        for sandbox in (False, True):
            rate = _run(root, students, sandbox=sandbox, workers=args.workers)
            label = "with sandbox   " if sandbox else "without sandbox"
            print(
                f"{label}: {rate:6.1f} submissions/minute ({len(students)} submissions, "
                f"{args.workers} at a time)"
            )


if __name__ == "__main__":
    main()
