"""Demo content for surveys: an open, anonymous school-climate survey for the demo school.

Five students of 10A1 (``hs.10a1.02`` to ``hs.10a1.06``) have answered it, so the 10A1 and
school reports show numbers while 11A2's is withheld; ``hs.10a1.01`` has not answered yet and
can try the form. Loading twice adds nothing.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlmodel import Session, select

from content_service.models.people import ClassMembershipRecord, Role, UserRecord
from content_service.models.surveys import (
    SurveyAssignmentRecord,
    SurveyParticipationRecord,
    SurveyRecord,
    SurveyResponseRecord,
    SurveyStatus,
)
from content_service.schemas.surveys import Question, check_skip_logic
from content_service.services.surveys import clean_answers

DEMO_TITLE = "Khảo sát môi trường học tập học kỳ I"
AGREE = ["Rất không đồng ý", "Không đồng ý", "Phân vân", "Đồng ý", "Rất đồng ý"]
QUESTIONS: list[dict[str, Any]] = [
    {
        "id": "tiet-hoc",
        "kind": "likert",
        "text": "Các tiết học giúp em hiểu bài.",
        "labels": AGREE,
        "required": True,
    },
    {
        "id": "thay-co",
        "kind": "likert",
        "text": "Thầy cô lắng nghe ý kiến của học sinh.",
        "labels": AGREE,
        "required": True,
    },
    {
        "id": "an-toan",
        "kind": "single",
        "text": "Em có cảm thấy an toàn ở trường không?",
        "options": [{"id": "co", "text": "Có"}, {"id": "khong", "text": "Không"}],
        "required": True,
    },
    {
        "id": "ly-do",
        "kind": "text",
        "text": "Điều gì làm em thấy không an toàn? (không ghi tên người khác)",
        "show_if": {"question": "an-toan", "any_of": ["khong"]},
    },
    {
        "id": "hoat-dong",
        "kind": "multiple",
        "text": "Em tham gia những hoạt động nào?",
        "options": [
            {"id": "the-thao", "text": "Thể thao"},
            {"id": "am-nhac", "text": "Âm nhạc"},
            {"id": "doan", "text": "Đoàn trường"},
            {"id": "clb-khoa-hoc", "text": "Câu lạc bộ khoa học"},
        ],
    },
    {"id": "gop-y", "kind": "text", "text": "Em muốn góp ý gì cho nhà trường?"},
]
_ANSWERS: list[dict[str, Any]] = [
    {"tiet-hoc": 4, "thay-co": 5, "an-toan": "co", "hoat-dong": ["the-thao", "doan"]},
    {"tiet-hoc": 3, "thay-co": 4, "an-toan": "co", "hoat-dong": ["am-nhac"]},
    {
        "tiet-hoc": 2,
        "thay-co": 3,
        "an-toan": "khong",
        "ly-do": "Cổng sau không có bảo vệ buổi chiều.",
    },
    {"tiet-hoc": 5, "thay-co": 4, "an-toan": "co", "gop-y": "Thêm giờ mở cửa thư viện."},
    {"tiet-hoc": 4, "thay-co": 4, "an-toan": "co", "hoat-dong": ["clb-khoa-hoc"]},
]


def load_surveys_demo(session: Session, *, author_username: str = "gv.toan") -> int:
    """Create the demo survey with five anonymous answers; returns how many surveys were added."""
    author = session.exec(select(UserRecord).where(UserRecord.username == author_username)).one()
    exists = session.exec(
        select(SurveyRecord).where(
            SurveyRecord.title == DEMO_TITLE, SurveyRecord.school_id == author.school_id
        )
    ).first()
    if exists is not None or author.school_id is None:
        return 0
    questions = [Question.model_validate(q) for q in QUESTIONS]
    check_skip_logic(questions)
    survey = SurveyRecord(
        school_id=author.school_id,
        title=DEMO_TITLE,
        description="Ẩn danh: nhà trường chỉ xem kết quả theo lớp khi lớp có từ 5 câu trả lời.",
        anonymous=True,
        status=SurveyStatus.OPEN,
        questions=[q.model_dump(mode="json") for q in questions],
        created_by=author.id,
    )
    session.add(survey)
    session.flush()
    session.add(SurveyAssignmentRecord(survey_id=survey.id, class_id=None))
    names = [f"hs.10a1.{n:02d}" for n in range(2, 2 + len(_ANSWERS))]
    students = session.exec(select(UserRecord).where(UserRecord.username.in_(names))).all()  # type: ignore[attr-defined]
    responses = []
    for student, answers in zip(sorted(students, key=lambda s: s.username), _ANSWERS, strict=False):
        membership = session.exec(
            select(ClassMembershipRecord).where(
                ClassMembershipRecord.user_id == student.id,
                ClassMembershipRecord.role == Role.STUDENT,
            )
        ).first()
        session.add(SurveyParticipationRecord(survey_id=survey.id, user_id=student.id))
        responses.append(
            SurveyResponseRecord(
                survey_id=survey.id,
                school_id=survey.school_id,
                class_id=membership.class_id if membership else None,
                answers=clean_answers(questions, answers),
            )
        )
    secrets.SystemRandom().shuffle(responses)  # no order shared with the participation rows
    session.add_all(responses)
    session.commit()
    return 1
