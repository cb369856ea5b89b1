"""Demo content for nbgrader assignments: the sample course's ``bai1`` released to 10A1.

The source notebooks come from ``notebooks/course/source/bai1``; the maximum score is read from
nbgrader's cell metadata (the points of the graded cells). Nothing runs nbgrader at load time:
the student version is generated from the stored sources on the first download or submission
(``services.assignments.ensure_generated``), and nothing is autograded. Loading twice adds
nothing.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

from sqlmodel import Session, select

from content_service.demo_quizzes import teacher_and_class
from content_service.models.assignments import AssignmentRecord, AssignmentStatus
from content_service.models.base import utcnow

COURSE_SOURCE = Path(__file__).resolve().parents[1] / "notebooks" / "course" / "source"
DEMO_NAME = "bai1"
DEMO_TITLE = "Bài 1: Tổng các số chính phương (Python)"


def notebook_points(content: bytes) -> float:
    """The points of a source notebook's nbgrader graded cells."""
    cells = json.loads(content.decode("utf-8")).get("cells", [])
    return float(
        sum(
            cell.get("metadata", {}).get("nbgrader", {}).get("points", 0)
            for cell in cells
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade")
        )
    )


def load_assignments_demo(
    session: Session,
    *,
    teacher_username: str = "gv.toan",
    class_name: str = "10A1",
    source: Path = COURSE_SOURCE / DEMO_NAME,
) -> int:
    """Add the released demo assignment; returns how many were added (0 or 1)."""
    teacher, klass = teacher_and_class(session, teacher_username, class_name)
    existing = session.exec(
        select(AssignmentRecord.id).where(
            AssignmentRecord.class_id == klass.id, AssignmentRecord.name == DEMO_NAME
        )
    ).first()
    if existing is not None or not source.is_dir():
        return 0
    files = {p.name: p.read_bytes() for p in sorted(source.iterdir()) if p.is_file()}
    now = utcnow()
    session.add(
        AssignmentRecord(
            school_id=klass.school_id,
            class_id=klass.id,
            name=DEMO_NAME,
            title=DEMO_TITLE,
            subject="Tin học",
            status=AssignmentStatus.RELEASED,
            max_score=sum(notebook_points(c) for n, c in files.items() if n.endswith(".ipynb")),
            source_files={n: base64.b64encode(c).decode("ascii") for n, c in files.items()},
            created_by=teacher.id,
            released_at=now,
            created_at=now,
        )
    )
    return 1
