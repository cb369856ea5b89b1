"""Demo quizzes: a practice quiz and a timed 15-minute test of mathematics, given to class 10A1.

They use the demo bank's published mathematics items (load the item demo first). Loading twice
adds nothing.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from content_service.delivery.review import ReviewPolicy
from content_service.models.base import utcnow
from content_service.models.items import ItemVersionRecord, VersionStatus
from content_service.models.people import SchoolClassRecord, UserRecord
from content_service.models.quizzes import (
    QuizAssignmentRecord,
    QuizMode,
    QuizRecord,
    QuizSelection,
    QuizStatus,
)

PRACTICE_TITLE = "Luyện tập Toán: các câu trắc nghiệm"
TEST_TITLE = "Kiểm tra 15 phút môn Toán"


def teacher_and_class(
    session: Session, teacher_username: str, class_name: str
) -> tuple[UserRecord, SchoolClassRecord]:
    """The demo teacher and the class of that name in the teacher's school."""
    teacher = session.exec(select(UserRecord).where(UserRecord.username == teacher_username)).one()
    klass = session.exec(
        select(SchoolClassRecord).where(
            SchoolClassRecord.school_id == teacher.school_id, SchoolClassRecord.name == class_name
        )
    ).one()
    return teacher, klass


def load_quizzes_demo(
    session: Session,
    *,
    teacher_username: str = "gv.toan",
    class_name: str = "10A1",
    subject: str = "Toán",
) -> int:
    """Add the demo quizzes (published, assigned to ``class_name``); returns how many were added."""
    teacher, klass = teacher_and_class(session, teacher_username, class_name)
    versions = session.exec(
        select(ItemVersionRecord)
        .where(
            ItemVersionRecord.status == VersionStatus.PUBLISHED,
            ItemVersionRecord.subject == subject,
            col(ItemVersionRecord.kind).in_(["single_choice", "multiple_response", "true_false"]),
        )
        .order_by(col(ItemVersionRecord.grade), col(ItemVersionRecord.title))
    ).all()
    if not versions:
        return 0
    existing = set(
        session.exec(select(QuizRecord.title).where(QuizRecord.school_id == teacher.school_id))
    )
    added = 0
    for title, mode, count, limit in (
        (PRACTICE_TITLE, QuizMode.PRACTICE, 6, None),
        (TEST_TITLE, QuizMode.TEST, 8, 15 * 60),
    ):
        if title in existing:
            continue
        review = (
            ReviewPolicy.IMMEDIATELY if mode is QuizMode.PRACTICE else ReviewPolicy.AFTER_SUBMIT
        )
        quiz = QuizRecord(
            school_id=klass.school_id,
            title=title,
            subject=subject,
            mode=mode,
            status=QuizStatus.PUBLISHED,
            selection=QuizSelection.FIXED,
            spec={"version_ids": [str(v.id) for v in versions[:count]]},
            time_limit_seconds=limit,
            grace_seconds=30,
            shuffle_questions=mode is QuizMode.TEST,
            review=review.value,
            score_review=review.value,
            created_by=teacher.id,
            published_at=utcnow(),
        )
        session.add(quiz)
        session.flush()
        session.add(QuizAssignmentRecord(quiz_id=quiz.id, class_id=klass.id))
        added += 1
    session.commit()
    return added
