"""Vietnamese demo content, loaded when the database is empty: people of one school and more."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, func
from sqlmodel import Session, select

from content_service.models.people import (
    ClassMembershipRecord,
    ParentLinkRecord,
    Role,
    SchoolClassRecord,
    SchoolRecord,
    UserRecord,
)
from content_service.security import hash_password
from content_service.settings import Settings

DEMO_PASSWORD = "demo12345"  # noqa: S105 - printed on purpose: demo logins only


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    full_name: str


SCHOOL_YEAR = "2026-2027"
_STUDENTS_10A1 = [
    "Nguyễn Minh Anh",
    "Trần Gia Bảo",
    "Lê Thu Hà",
    "Phạm Quốc Huy",
    "Võ Ngọc Lan",
    "Đặng Tuấn Kiệt",
]
_STUDENTS_11A2 = ["Huỳnh Thanh Tâm", "Bùi Khánh Linh", "Đỗ Hoàng Nam", "Ngô Phương Thảo"]


def database_is_empty(engine: Engine) -> bool:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(UserRecord)).one() == 0


def load_demo(engine: Engine) -> list[DemoLogin]:
    """Create the demo school and its people; returns the logins to print. Idempotent."""
    if not database_is_empty(engine):
        return []
    password_hash = hash_password(DEMO_PASSWORD)
    logins: list[DemoLogin] = []
    with Session(engine) as session:
        school = SchoolRecord(
            code="79-760-0001", name="Trường THPT Nguyễn Thị Minh Khai", province="TP. Hồ Chí Minh"
        )
        other = SchoolRecord(
            code="74-718-0002", name="Trường THPT Chuyên Hùng Vương", province="Bình Dương"
        )
        session.add_all([school, other])
        session.flush()

        def user(
            username: str, full_name: str, role: Role, school_id: uuid.UUID | None = school.id
        ) -> UserRecord:
            record = UserRecord(
                username=username,
                full_name=full_name,
                role=role,
                school_id=school_id,
                password_hash=password_hash,
            )
            session.add(record)
            logins.append(DemoLogin(username, role.value, full_name))
            return record

        user("quantri", "Quản trị hệ thống", Role.SYSTEM_ADMIN, None)
        user("hieutruong", "Trần Văn Thành", Role.SCHOOL_ADMIN)
        gv_toan = user("gv.toan", "Nguyễn Thị Hồng", Role.TEACHER)
        gv_van = user("gv.van", "Lê Hoàng Minh", Role.TEACHER)
        user("thuvien", "Phạm Thị Mai", Role.LIBRARIAN)
        user("nghiencuu", "Võ Đức Trí", Role.RESEARCHER)
        session.flush()
        classes = {
            "10A1": SchoolClassRecord(
                school_id=school.id,
                name="10A1",
                grade=10,
                school_year=SCHOOL_YEAR,
                homeroom_teacher_id=gv_toan.id,
            ),
            "11A2": SchoolClassRecord(
                school_id=school.id,
                name="11A2",
                grade=11,
                school_year=SCHOOL_YEAR,
                homeroom_teacher_id=gv_van.id,
            ),
        }
        session.add_all(classes.values())
        session.flush()
        for klass in classes.values():
            session.add(
                ClassMembershipRecord(
                    class_id=klass.id, user_id=gv_toan.id, role=Role.TEACHER, subject="Toán"
                )
            )
            session.add(
                ClassMembershipRecord(
                    class_id=klass.id, user_id=gv_van.id, role=Role.TEACHER, subject="Ngữ văn"
                )
            )
        students = []
        for class_name, names in (("10A1", _STUDENTS_10A1), ("11A2", _STUDENTS_11A2)):
            for index, name in enumerate(names, start=1):
                student = user(f"hs.{class_name.lower()}.{index:02d}", name, Role.STUDENT)
                session.flush()
                session.add(
                    ClassMembershipRecord(
                        class_id=classes[class_name].id, user_id=student.id, role=Role.STUDENT
                    )
                )
                students.append(student)
        parent = user("phuhuynh", "Nguyễn Văn Phúc", Role.PARENT)
        session.flush()
        session.add(
            ParentLinkRecord(parent_id=parent.id, student_id=students[0].id, relationship="bố")
        )
        session.commit()
    return logins


def load_feature_demos(engine: Engine, settings: Settings) -> dict[str, object]:
    """Items, a quiz, a survey, resources, gradebooks, the library and a calibration, in order.

    Each loader is idempotent and runs in its own transaction (later ones need earlier ones:
    quizzes draw from the published items, the calibration needs them too). A search reindex job
    is queued last, so the worker builds the index from what was loaded.
    """
    from content_service.demo_admissions import load_admissions_demo
    from content_service.demo_assignments import load_assignments_demo
    from content_service.demo_calibration import load_calibration_demo
    from content_service.demo_items import load_items_demo
    from content_service.demo_library import load_library_demo
    from content_service.demo_quiz_designs import load_quiz_designs_demo
    from content_service.demo_quizzes import load_quizzes_demo
    from content_service.demo_records import load_records_demo
    from content_service.demo_resources import load_resources_demo
    from content_service.demo_surveys import load_surveys_demo
    from content_service.models.jobs import JobRecord

    steps: list[tuple[str, Callable[[Session], object]]] = [
        ("items", load_items_demo),
        ("quizzes", load_quizzes_demo),
        ("surveys", load_surveys_demo),
        ("resources", load_resources_demo),
        ("records", lambda session: load_records_demo(session, data_dir=settings.DATA_DIR)),
        ("library", load_library_demo),
        ("calibration", load_calibration_demo),
        ("matrix and adaptive quizzes", load_quiz_designs_demo),
        ("assignments", load_assignments_demo),
        ("admissions", load_admissions_demo),
    ]
    loaded: dict[str, object] = {}
    for name, step in steps:
        with Session(engine) as session:
            loaded[name] = step(session)
            session.commit()
    with Session(engine) as session:
        session.add(JobRecord(kind="search.reindex", max_attempts=5))
        session.commit()
    return loaded
