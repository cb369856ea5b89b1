"""Builders for records tests: a class with a teacher, students, gradebooks and a test PKI."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from content_service.models.gradebook import (
    ConductRecord,
    GradebookKind,
    GradebookRecord,
    GradebookStatus,
    GradeEntryRecord,
)
from content_service.models.people import Role, SchoolClassRecord, SchoolRecord, UserRecord
from content_service.services.signing import issue_test_pki
from tests.factories import create_class, create_school, create_user, enrol, link_parent

SCHOOL_CODE = "79000001"
HOMEROOM = "gvcn-toan"
PRINCIPAL = "hieu-truong"


@dataclass
class ClassWorld:
    school: SchoolRecord
    admin: UserRecord
    teacher: UserRecord
    klass: SchoolClassRecord
    students: list[UserRecord]
    parent: UserRecord


def make_class_world(engine: Engine, *, n_students: int = 2, **class_fields: Any) -> ClassWorld:
    """A school admin (the principal), the maths homeroom teacher, a class, students, a parent."""
    school = create_school(engine, code=SCHOOL_CODE)
    admin = create_user(
        engine, role=Role.SCHOOL_ADMIN, school=school, username=PRINCIPAL, full_name="Lê Thị Cúc"
    )
    teacher = create_user(
        engine, role=Role.TEACHER, school=school, username=HOMEROOM, full_name="Trần Văn Bình"
    )
    klass = create_class(engine, school=school, homeroom_teacher_id=teacher.id, **class_fields)
    enrol(engine, klass=klass, user=teacher, subject="Toán")
    names = ["Nguyễn Thị Ánh", "Phạm Minh Đức", "Võ Hoàng Yến", "Đặng Quốc Bảo"]
    students = []
    for i in range(n_students):
        student = create_user(
            engine,
            role=Role.STUDENT,
            school=school,
            username=f"hs-{i}-{uuid.uuid4().hex[:4]}",
            full_name=names[i % len(names)],
        )
        enrol(engine, klass=klass, user=student)
        students.append(student)
    parent = create_user(engine, role=Role.PARENT, school=school, full_name="Nguyễn Văn Hùng")
    link_parent(engine, parent=parent, student=students[0])
    return ClassWorld(school, admin, teacher, klass, students, parent)


def add_gradebook(
    engine: Engine,
    *,
    klass: SchoolClassRecord,
    subject: str,
    semester: int,
    regular_count: int,
    values: dict[uuid.UUID, dict[str, str]],
    comment_only: bool = False,
    status: GradebookStatus = GradebookStatus.OPEN,
) -> GradebookRecord:
    """A gradebook row and its cells, written directly (periods follow the regular count)."""
    periods = {2: 35, 3: 70, 4: 105}[regular_count]
    with Session(engine, expire_on_commit=False) as session:
        book = GradebookRecord(
            school_id=klass.school_id,
            class_id=klass.id,
            subject=subject,
            semester=semester,
            periods_per_year=periods,
            regular_count=regular_count,
            comment_only=comment_only,
            rule_id="VN-TT22-2021",
            status=status,
        )
        session.add(book)
        session.flush()
        for student_id, cells in values.items():
            for column, value in cells.items():
                session.add(
                    GradeEntryRecord(
                        gradebook_id=book.id, student_id=student_id, column_key=column, value=value
                    )
                )
        session.commit()
    return book


def add_conduct(
    engine: Engine, *, klass: SchoolClassRecord, student: UserRecord, levels: tuple[str, str]
) -> None:
    with Session(engine) as session:
        for semester, level in enumerate(levels, start=1):
            session.add(
                ConductRecord(
                    class_id=klass.id,
                    student_id=student.id,
                    semester=semester,
                    level=level,
                    absent_days=1,
                )
            )
        session.commit()


def full_year(engine: Engine, world: ClassWorld) -> None:
    """Complete both semesters of two subjects and conduct for every student."""
    scored = {"tx1": "8", "tx2": "9", "tx3": "7", "gk": "6.5", "ck": "8"}
    rated = {"tx1": "Đạt", "tx2": "Đạt", "gk": "Đạt", "ck": "Đạt"}
    for semester in (1, 2):
        add_gradebook(
            engine,
            klass=world.klass,
            subject="Toán",
            semester=semester,
            regular_count=3,
            values={s.id: scored for s in world.students},
        )
        add_gradebook(
            engine,
            klass=world.klass,
            subject="Giáo dục thể chất",
            semester=semester,
            regular_count=2,
            comment_only=True,
            values={s.id: rated for s in world.students},
        )
    for student in world.students:
        add_conduct(engine, klass=world.klass, student=student, levels=("Tốt", "Tốt"))


def ensure_pki(data_dir: Path) -> None:
    """The test PKI for SCHOOL_CODE (kept for the whole run: key generation is slow)."""
    issue_test_pki(
        data_dir / "signing",
        school_code=SCHOOL_CODE,
        school_name="Trường THPT Lê Quý Đôn",
        people={HOMEROOM: "Trần Văn Bình", PRINCIPAL: "Lê Thị Cúc"},
    )


def add_primary_book(
    engine: Engine,
    *,
    klass: SchoolClassRecord,
    subject: str,
    semester: int,
    column_keys: list[str],
    values: dict[uuid.UUID, dict[str, str]],
    kind: GradebookKind = GradebookKind.PRIMARY,
) -> GradebookRecord:
    """A TT27 book and its cells, written directly (the API test checks the columns)."""
    with Session(engine, expire_on_commit=False) as session:
        book = GradebookRecord(
            school_id=klass.school_id,
            class_id=klass.id,
            subject=subject,
            semester=semester,
            periods_per_year=70,
            regular_count=0,
            rule_id="VN-TT27-2020",
            kind=kind,
            column_keys=column_keys,
        )
        session.add(book)
        session.flush()
        for student_id, cells in values.items():
            for column, value in cells.items():
                session.add(
                    GradeEntryRecord(
                        gradebook_id=book.id, student_id=student_id, column_key=column, value=value
                    )
                )
        session.commit()
    return book
