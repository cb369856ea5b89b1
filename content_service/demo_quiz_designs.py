"""Demo quizzes of the two assembled designs: a test from a "ma trận đề" and an adaptive test.

Both are given to class 10A1 by the mathematics teacher. The matrix asks one item of each
cognitive level on "Hàm số bậc hai" (the demo bank has two of each, so every attempt gets its own
form). The adaptive test draws from every published mathematics item, with the parameters the
demo calibration accepted (load the item and calibration demos first; every demo mathematics
item is in that calibration). Loading twice adds nothing.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from content_service.delivery.review import ReviewPolicy
from content_service.demo_calibration import DEMO_SET_NAME
from content_service.demo_quizzes import teacher_and_class
from content_service.models.base import utcnow
from content_service.models.calibration import ParameterSetRecord
from content_service.models.items import ItemVersionRecord, VersionStatus
from content_service.models.quizzes import (
    QuizAssignmentRecord,
    QuizMode,
    QuizRecord,
    QuizSelection,
    QuizStatus,
)
from content_service.schemas.adaptive import AdaptiveSpecInput
from content_service.schemas.items import BlueprintCellInput, BlueprintInput
from item_bank.items import CognitiveLevel

BLUEPRINT_TITLE = "Kiểm tra theo ma trận đề: Hàm số bậc hai"
ADAPTIVE_TITLE = "Kiểm tra thích ứng môn Toán"
_TOPIC = "Hàm số bậc hai"
_LEVELS = tuple(CognitiveLevel)  # nhận biết, thông hiểu, vận dụng, vận dụng cao


def load_quiz_designs_demo(
    session: Session, *, teacher_username: str = "gv.toan", class_name: str = "10A1"
) -> int:
    """Add the matrix and adaptive demo quizzes; returns how many were added."""
    teacher, klass = teacher_and_class(session, teacher_username, class_name)
    existing = set(
        session.exec(select(QuizRecord.title).where(QuizRecord.school_id == teacher.school_id))
    )
    specs: list[tuple[str, QuizSelection, dict[str, object], int]] = []
    if BLUEPRINT_TITLE not in existing and _topic_has_every_level(session):
        matrix = BlueprintInput(
            subject="Toán",
            grade=10,
            cells=[
                BlueprintCellInput(topic=_TOPIC, cognitive_level=level, count=1)
                for level in _LEVELS
            ],
        )
        spec = matrix.model_dump(mode="json", exclude={"allow_overlap"})
        specs.append((BLUEPRINT_TITLE, QuizSelection.BLUEPRINT, {"blueprint": spec}, 10 * 60))
    parameter_set = session.exec(
        select(ParameterSetRecord)
        .where(ParameterSetRecord.name == DEMO_SET_NAME)
        .order_by(col(ParameterSetRecord.version).desc())
    ).first()
    if ADAPTIVE_TITLE not in existing and parameter_set is not None:
        rules = AdaptiveSpecInput(
            subject="Toán",
            parameter_set_id=parameter_set.id,
            max_length=10,
            min_length=5,
            se_target=0.45,
            randomesque=2,
        )
        specs.append(
            (ADAPTIVE_TITLE, QuizSelection.ADAPTIVE, {"adaptive": rules.model_dump(mode="json")}, 0)
        )
    for title, selection, spec, limit in specs:
        quiz = QuizRecord(
            school_id=klass.school_id,
            title=title,
            subject="Toán",
            mode=QuizMode.TEST,
            status=QuizStatus.PUBLISHED,
            selection=selection,
            spec=spec,
            time_limit_seconds=limit or None,
            grace_seconds=30,
            max_attempts=3,
            review=ReviewPolicy.AFTER_SUBMIT.value,
            score_review=ReviewPolicy.AFTER_SUBMIT.value,
            created_by=teacher.id,
            published_at=utcnow(),
        )
        session.add(quiz)
        session.flush()
        session.add(QuizAssignmentRecord(quiz_id=quiz.id, class_id=klass.id))
    session.commit()
    return len(specs)


def _topic_has_every_level(session: Session) -> bool:
    levels = set(
        session.exec(
            select(ItemVersionRecord.cognitive_level).where(
                ItemVersionRecord.status == VersionStatus.PUBLISHED,
                ItemVersionRecord.subject == "Toán",
                ItemVersionRecord.topic == _TOPIC,
            )
        )
    )
    return {level.value for level in _LEVELS} <= levels
