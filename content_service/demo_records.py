"""Demo records: gradebooks of class 10A1 (two semesters, three subjects), conduct, a test PKI.

Scores come from a seeded generator, so every demo shows the same class. The test PKI lets the
principal ("hieutruong") issue signed transcripts at once; real schools use token keys.
"""

from __future__ import annotations

import random
from pathlib import Path

from sqlmodel import Session, col, select

from content_service.models.gradebook import (
    ConductRecord,
    GradebookRecord,
    GradebookStatus,
    GradeEntryRecord,
)
from content_service.models.people import (
    ClassMembershipRecord,
    Role,
    SchoolClassRecord,
    SchoolRecord,
    UserRecord,
)
from content_service.services.gradebook import columns, rules_for
from content_service.services.signing import issue_test_pki

SUBJECTS = {"Toán": 105, "Ngữ văn": 105, "Giáo dục thể chất": 70}


def _value(rng: random.Random, comment_only: bool) -> str:
    if comment_only:
        return "Đạt" if rng.random() < 0.95 else "Chưa đạt"
    return f"{min(10.0, max(3.0, rng.gauss(7.2, 1.3))):.1f}"


def load_records_demo(
    session: Session,
    *,
    data_dir: Path,
    class_name: str = "10A1",
    principal_username: str = "hieutruong",
) -> int:
    """Fill the demo class's gradebooks; returns how many gradebooks were added (0 if present)."""
    klass = session.exec(
        select(SchoolClassRecord).where(SchoolClassRecord.name == class_name)
    ).first()
    if klass is None:
        return 0
    school = session.get(SchoolRecord, klass.school_id)
    homeroom = session.get(UserRecord, klass.homeroom_teacher_id)
    principal = session.exec(
        select(UserRecord).where(UserRecord.username == principal_username)
    ).first()
    if school is None or homeroom is None or principal is None:
        return 0
    issue_test_pki(
        data_dir / "signing",
        school_code=school.code,
        school_name=school.name,
        people={homeroom.username: homeroom.full_name, principal.username: principal.full_name},
    )
    exists = session.exec(
        select(GradebookRecord).where(GradebookRecord.class_id == klass.id)
    ).first()
    if exists is not None:
        return 0
    rules = rules_for(klass)
    students = session.exec(
        select(UserRecord)
        .join(ClassMembershipRecord, col(ClassMembershipRecord.user_id) == col(UserRecord.id))
        .where(ClassMembershipRecord.class_id == klass.id)
        .where(ClassMembershipRecord.role == Role.STUDENT)
    ).all()
    rng = random.Random(20262027)  # noqa: S311 - demo scores, not secrets
    added = 0
    for semester in (1, 2):
        for subject, periods in SUBJECTS.items():
            book = GradebookRecord(
                school_id=klass.school_id,
                class_id=klass.id,
                subject=subject,
                semester=semester,
                periods_per_year=periods,
                regular_count=rules.regular_count(periods),
                comment_only=rules.is_comment_only(subject),
                rule_id=rules.meta.rule_id,
                status=GradebookStatus.PUBLISHED if semester == 1 else GradebookStatus.OPEN,
            )
            session.add(book)
            session.flush()
            added += 1
            for student in students:
                for column in columns(book):
                    value = _value(rng, book.comment_only)
                    session.add(
                        GradeEntryRecord(
                            gradebook_id=book.id,
                            student_id=student.id,
                            column_key=column,
                            value=value,
                        )
                    )
        for student in students:
            session.add(
                ConductRecord(
                    class_id=klass.id,
                    student_id=student.id,
                    semester=semester,
                    level=rng.choice(["Tốt", "Tốt", "Khá"]),
                    absent_days=rng.randint(0, 3),
                )
            )
    session.commit()
    return added
