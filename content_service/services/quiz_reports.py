"""What teachers see of a quiz: live progress counts, results per student and per item, CSV.

Built on :func:`quizzes.quiz_progress` and :func:`quizzes.quiz_results` (classical item
statistics from ``item_bank.psychometrics.ctt``); adaptive quizzes add each student's EAP
ability and its standard error.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass, field
from typing import Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.models.quizzes import AttemptRecord, AttemptStatus, QuizRecord, QuizSelection
from content_service.schemas.adaptive import AdaptiveResultPublic
from content_service.schemas.quizzes import QuizProgress, QuizResults
from content_service.services import adaptive_attempts
from content_service.services import attempts as attempts_service
from content_service.services import quizzes as quizzes_service
from content_service.services.access import Principal

CsvKind = Literal["students", "items"]

STUDENT_COLUMNS = (
    "username", "full_name", "attempts", "final_score", "best_score", "max_score",
    "theta", "se", "answered",
)  # fmt: skip
ITEM_COLUMNS = (
    "position", "version_id", "title", "responses", "mean_score", "facility",
    "point_biserial", "discrimination",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ProgressCounts:
    """How many assigned students have not started, are answering, have submitted."""

    not_started: int
    in_progress: int
    submitted: int


@dataclass(frozen=True, slots=True)
class TeacherReport:
    quiz: QuizRecord
    progress: QuizProgress
    results: QuizResults
    counts: ProgressCounts
    adaptive: dict[uuid.UUID, AdaptiveResultPublic] = field(default_factory=dict)


def _final_attempts(attempts: list[AttemptRecord]) -> list[AttemptRecord]:
    final: dict[uuid.UUID, AttemptRecord] = {}
    for attempt in attempts:
        if attempt.status != AttemptStatus.SUBMITTED:
            continue
        current = final.get(attempt.student_id)
        if current is None or attempt.number > current.number:
            final[attempt.student_id] = attempt
    return list(final.values())


async def teacher_report(
    *, session: AsyncSession, principal: Principal, quiz_id: uuid.UUID
) -> TeacherReport:
    """Progress, results and (adaptive quizzes) abilities, for the quiz's staff."""
    progress = await quizzes_service.quiz_progress(
        session=session, principal=principal, quiz_id=quiz_id
    )
    results = await quizzes_service.quiz_results(
        session=session, principal=principal, quiz_id=quiz_id
    )
    quiz = await quizzes_service.get_quiz(session=session, principal=principal, quiz_id=quiz_id)
    statuses = [row.status for row in progress.rows]
    counts = ProgressCounts(
        not_started=statuses.count("not_started"),
        in_progress=statuses.count(AttemptStatus.IN_PROGRESS.value),
        submitted=statuses.count(AttemptStatus.SUBMITTED.value),
    )
    adaptive: dict[uuid.UUID, AdaptiveResultPublic] = {}
    if quiz.selection == QuizSelection.ADAPTIVE:
        finals = _final_attempts(await attempts_service.list_attempts(session=session, quiz=quiz))
        by_attempt = await adaptive_attempts.quiz_adaptive_results(session, finals)
        adaptive = {result.student_id: result for result in by_attempt.values()}
    return TeacherReport(quiz, progress, results, counts, adaptive)


def _cell(value: object) -> str:
    return "" if value is None else str(value)


async def results_csv(
    *, session: AsyncSession, principal: Principal, quiz_id: uuid.UUID, kind: CsvKind
) -> str:
    """One row per assigned student (``students``) or per item version (``items``)."""
    report = await teacher_report(session=session, principal=principal, quiz_id=quiz_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if kind == "items":
        writer.writerow(ITEM_COLUMNS)
        for item in report.results.items:
            writer.writerow(
                [
                    item.question_position, item.version_id, item.title, item.responses,
                    _cell(item.mean_score), _cell(item.difficulty), _cell(item.point_biserial),
                    _cell(item.discrimination),
                ]
            )  # fmt: skip
        return out.getvalue()
    writer.writerow(STUDENT_COLUMNS)
    for student in report.results.students:
        ability = report.adaptive.get(student.student_id)
        writer.writerow(
            [
                student.username, student.full_name, student.attempts,
                _cell(student.final_score), _cell(student.best_score), _cell(student.max_score),
                _cell(ability.theta if ability else None), _cell(ability.se if ability else None),
                _cell(ability.answered if ability else None),
            ]
        )  # fmt: skip
    return out.getvalue()
