"""Builders for the calibration tests: bank items, simulated response CSVs and quiz answers."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import Engine
from sqlmodel import Session

from content_service.models.items import ItemRecord, ItemVersionRecord, VersionStatus
from content_service.models.people import SchoolRecord, UserRecord
from content_service.models.quizzes import (
    AnswerRecord,
    AttemptRecord,
    AttemptStatus,
    QuizMode,
    QuizRecord,
    QuizSelection,
)
from item_bank.psychometrics import ItemParameters, simulate_responses


def create_bank_items(
    engine: Engine, n_items: int, prefix: str = "toan10"
) -> list[tuple[str, uuid.UUID]]:
    """Published single-choice items; (identifier, version id) of each."""
    out = []
    with Session(engine, expire_on_commit=False) as session:
        for j in range(n_items):
            item = ItemRecord(identifier=f"{prefix}-{uuid.uuid4().hex[:6]}-{j:02d}")
            version = ItemVersionRecord(
                item_id=item.id, number=1, status=VersionStatus.PUBLISHED,
                content={"stem": f"Câu {j + 1}"}, content_hash="0" * 64, kind="single_choice",
                title=f"Câu {j + 1}", subject="Toán", grade=10,
            )  # fmt: skip
            session.add(item)
            session.add(version)
            out.append((item.identifier, version.id))
        session.commit()
    return out


def simulated_truth(n_items: int, rng: np.random.Generator) -> ItemParameters:
    return ItemParameters.from_difficulty(
        rng.uniform(-1.5, 1.5, n_items), rng.uniform(0.8, 1.8, n_items)
    )


def response_csv(
    columns: list[str], truth: ItemParameters, n_persons: int, rng: np.random.Generator,
    missing_rate: float = 0.1,
) -> str:  # fmt: skip
    """A response CSV of persons simulated from ``truth``; blank cells are not presented."""
    x = simulate_responses(
        truth, rng.standard_normal(n_persons), rng=rng, missing_rate=missing_rate
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["hoc_sinh", *columns])
    for i, row in enumerate(x):
        writer.writerow([f"hs{i:05d}", *("" if np.isnan(v) else int(v) for v in row)])
    return out.getvalue()


def create_quiz_answers(
    engine: Engine, *, school: SchoolRecord, students: list[UserRecord],
    versions: list[uuid.UUID], correct: np.ndarray, submitted_at: datetime,
) -> uuid.UUID:  # fmt: skip
    """A quiz with one submitted attempt per student; ``correct`` is (students, versions)."""
    with Session(engine, expire_on_commit=False) as session:
        quiz = QuizRecord(school_id=school.id, title="Kiểm tra 15 phút", mode=QuizMode.TEST,
                          selection=QuizSelection.FIXED)  # fmt: skip
        session.add(quiz)
        session.flush()
        for s, student in enumerate(students):
            questions = [{"key": f"q{j + 1}", "version_id": str(v), "choices": []}
                         for j, v in enumerate(versions)]  # fmt: skip
            attempt = AttemptRecord(
                quiz_id=quiz.id, student_id=student.id, seed=s, questions=questions,
                status=AttemptStatus.SUBMITTED, submitted_at=submitted_at,
            )  # fmt: skip
            session.add(attempt)
            session.flush()
            for j in range(len(versions)):
                ok = bool(correct[s, j])
                session.add(AnswerRecord(attempt_id=attempt.id, question=f"q{j + 1}", sequence=1,
                                         response="A", score=float(ok), max_score=1.0,
                                         correct=ok))  # fmt: skip
        session.commit()
        return quiz.id


def utc(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)
