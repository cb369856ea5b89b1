"""nbgrader assignments: create (generate), release, download, submit, and read the grades.

The teacher's source notebooks are generated into the student version by nbgrader itself; students
download the release and upload submissions through the API (no shared exchange folder); each
submission is autograded by the "autograde" job in the sandbox (``content_service/grading``).
"""

from __future__ import annotations

import base64
import io
import uuid
import zipfile
from pathlib import Path

import anyio.to_thread
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.errors import ConflictError, NotFoundError, UnprocessableError
from content_service.grading import autograde as grading
from content_service.jobs import enqueue
from content_service.models.assignments import (
    AssignmentRecord,
    AssignmentStatus,
    SubmissionRecord,
    SubmissionStatus,
)
from content_service.models.base import utcnow
from content_service.models.people import (
    ClassMembershipRecord,
    ParentLinkRecord,
    Role,
    SchoolClassRecord,
)
from content_service.schemas.assignments import (
    AssignmentCreate,
    SubmissionCreate,
    SubmissionPublic,
)
from content_service.schemas.common import PageParams
from content_service.services.access import Principal, require_role, require_school
from content_service.services.audit import record_audit
from content_service.services.people import paginate
from content_service.settings import Settings

AUTOGRADE_JOB = "autograde"


def course_key(class_id: uuid.UUID) -> str:
    """One nbgrader course (folder and gradebook) per class."""
    return f"class-{class_id.hex}"


def course_folder(settings: Settings, class_id: uuid.UUID) -> Path:
    return grading.course_root(settings.DATA_DIR, course_key(class_id))


def write_files(folder: Path, files: dict[str, str]) -> None:
    """Replace ``folder`` with the given files (names were checked by the schema)."""
    if folder.exists():
        for old in folder.iterdir():
            if old.is_file():
                old.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(base64.b64decode(content))


def ensure_generated(settings: Settings, assignment: AssignmentRecord) -> Path:
    """The course folder with this assignment generated (rebuilt from the database if missing).

    Blocking (nbgrader): call it from a worker thread or a job.
    """
    root = course_folder(settings, assignment.class_id)
    release = root / "release" / assignment.name
    if not release.is_dir() or not (root / "gradebook.db").exists():
        write_files(root / "source" / assignment.name, assignment.source_files)
        grading.generate_assignment(root, assignment.name)
    return root


# -- access rules --------------------------------------------------------------------------------


async def _load_class(session: AsyncSession, class_id: uuid.UUID) -> SchoolClassRecord:
    klass = await session.get(SchoolClassRecord, class_id)
    if klass is None:
        raise NotFoundError(f"class_id: class {class_id} not found", code="class_not_found")
    return klass


async def _is_student_of(session: AsyncSession, student_id: uuid.UUID, class_id: uuid.UUID) -> bool:
    found = await session.exec(
        select(ClassMembershipRecord.id).where(
            ClassMembershipRecord.class_id == class_id,
            ClassMembershipRecord.user_id == student_id,
            ClassMembershipRecord.role == Role.STUDENT,
        )
    )
    return found.first() is not None


def _require_teacher(principal: Principal, school_id: uuid.UUID) -> None:
    require_role(principal, Role.TEACHER, Role.SCHOOL_ADMIN)
    require_school(principal, school_id)


async def _require_reader(
    session: AsyncSession, principal: Principal, assignment: AssignmentRecord
) -> None:
    """Staff of the school; students of the class once it is released."""
    if principal.is_staff or principal.is_system_admin:
        require_school(principal, assignment.school_id)
        return
    released = assignment.status != AssignmentStatus.GENERATED
    if (
        principal.role is Role.STUDENT
        and released
        and await _is_student_of(session, principal.user_id, assignment.class_id)
    ):
        return
    raise NotFoundError(f"assignment {assignment.id} not found", code="assignment_not_found")


# -- assignments ---------------------------------------------------------------------------------


async def create_assignment(
    *, session: AsyncSession, principal: Principal, settings: Settings, data: AssignmentCreate
) -> AssignmentRecord:
    klass = await _load_class(session, data.class_id)
    _require_teacher(principal, klass.school_id)
    taken = await session.exec(
        select(AssignmentRecord.id).where(
            AssignmentRecord.class_id == klass.id, AssignmentRecord.name == data.name
        )
    )
    if taken.first() is not None:
        raise ConflictError(
            f"name: class {klass.name} already has an assignment {data.name!r}",
            code="already_exists",
        )
    record = AssignmentRecord(
        school_id=klass.school_id,
        class_id=klass.id,
        name=data.name,
        title=data.title,
        subject=data.subject,
        due_at=data.due_at,
        source_files=data.files,
        created_by=principal.user_id,
    )
    root = course_folder(settings, klass.id)
    try:
        await anyio.to_thread.run_sync(_generate, root, record)
        record.max_score = await anyio.to_thread.run_sync(
            grading.assignment_max_score, root, record.name
        )
    except grading.GradingError as exc:
        raise UnprocessableError(
            f"files: nbgrader could not generate the student version: {exc}",
            code="nbgrader_refused",
        ) from exc
    session.add(record)
    await session.flush()
    record_audit(
        session=session,
        actor=principal,
        action="assignment.create",
        entity="nb_assignment",
        entity_id=record.id,
        school_id=record.school_id,
        details={"name": record.name, "class_id": str(record.class_id)},
    )
    return record


def _generate(root: Path, record: AssignmentRecord) -> None:
    write_files(root / "source" / record.name, record.source_files)
    grading.generate_assignment(root, record.name)


async def get_assignment(
    *, session: AsyncSession, principal: Principal, assignment_id: uuid.UUID
) -> AssignmentRecord:
    record = await session.get(AssignmentRecord, assignment_id)
    if record is None:
        raise NotFoundError(f"assignment {assignment_id} not found", code="assignment_not_found")
    await _require_reader(session, principal, record)
    return record


async def list_assignments(
    *, session: AsyncSession, principal: Principal, class_id: uuid.UUID, page: PageParams
) -> tuple[list[AssignmentRecord], int]:
    klass = await _load_class(session, class_id)
    query = select(AssignmentRecord).where(AssignmentRecord.class_id == class_id)
    if principal.is_staff or principal.is_system_admin:
        require_school(principal, klass.school_id)
    elif principal.role is Role.STUDENT and await _is_student_of(
        session, principal.user_id, class_id
    ):
        query = query.where(AssignmentRecord.status != AssignmentStatus.GENERATED)
    else:
        raise NotFoundError(f"class_id: class {class_id} not found", code="class_not_found")
    return await paginate(session, query.order_by(col(AssignmentRecord.created_at)), page)


async def release_assignment(
    *, session: AsyncSession, principal: Principal, assignment_id: uuid.UUID
) -> AssignmentRecord:
    record = await get_assignment(session=session, principal=principal, assignment_id=assignment_id)
    _require_teacher(principal, record.school_id)
    if record.status == AssignmentStatus.GENERATED:
        record.status = AssignmentStatus.RELEASED
        record.released_at = utcnow()
        session.add(record)
        record_audit(
            session=session,
            actor=principal,
            action="assignment.release",
            entity="nb_assignment",
            entity_id=record.id,
            school_id=record.school_id,
        )
    return record


async def release_feedback(
    *, session: AsyncSession, principal: Principal, assignment_id: uuid.UUID
) -> AssignmentRecord:
    """Let the students see their scores and per-cell results (teacher); idempotent."""
    record = await get_assignment(session=session, principal=principal, assignment_id=assignment_id)
    _require_teacher(principal, record.school_id)
    if record.feedback_released_at is None:
        record.feedback_released_at = utcnow()
        session.add(record)
        record_audit(
            session=session,
            actor=principal,
            action="assignment.release_feedback",
            entity="nb_assignment",
            entity_id=record.id,
            school_id=record.school_id,
        )
    return record


async def release_archive(
    *, session: AsyncSession, principal: Principal, settings: Settings, assignment_id: uuid.UUID
) -> tuple[str, bytes]:
    """The student version as a zip archive: (file name, bytes)."""
    record = await get_assignment(session=session, principal=principal, assignment_id=assignment_id)
    root = await anyio.to_thread.run_sync(ensure_generated, settings, record)
    folder = root / "release" / record.name
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"{record.name}/{path.relative_to(folder)}")
    return f"{record.name}.zip", buffer.getvalue()


# -- submissions ---------------------------------------------------------------------------------


async def submit(
    *,
    session: AsyncSession,
    principal: Principal,
    assignment_id: uuid.UUID,
    data: SubmissionCreate,
) -> SubmissionRecord:
    """Store a student's notebooks and queue their autograding (a new one replaces the old)."""
    require_role(principal, Role.STUDENT)
    record = await get_assignment(session=session, principal=principal, assignment_id=assignment_id)
    if record.status != AssignmentStatus.RELEASED:
        raise ConflictError(
            f"assignment {record.name!r} is {record.status}: it takes no submissions",
            code="assignment_not_open",
        )
    found = await session.exec(
        select(SubmissionRecord).where(
            SubmissionRecord.assignment_id == record.id,
            SubmissionRecord.student_id == principal.user_id,
        )
    )
    submission = found.first()
    if submission is None:
        submission = SubmissionRecord(
            assignment_id=record.id, student_id=principal.user_id, school_id=record.school_id
        )
    else:
        submission.attempt += 1
    submission.files = data.files
    submission.status = SubmissionStatus.SUBMITTED
    submission.score = submission.max_score = submission.graded_at = None
    submission.cells = []
    submission.message = ""
    submission.submitted_at = utcnow()
    session.add(submission)
    await session.flush()
    job = enqueue(
        session,
        AUTOGRADE_JOB,
        {"submission_id": str(submission.id)},
        principal=principal,
        school_id=record.school_id,
        max_attempts=2,
    )
    await session.flush()
    submission.job_id = job.id
    record_audit(
        session=session,
        actor=principal,
        action="assignment.submit",
        entity="nb_submission",
        entity_id=submission.id,
        school_id=record.school_id,
        details={"assignment_id": str(record.id), "attempt": submission.attempt},
    )
    return submission


async def list_submissions(
    *, session: AsyncSession, principal: Principal, assignment_id: uuid.UUID, page: PageParams
) -> tuple[list[SubmissionRecord], int]:
    record = await get_assignment(session=session, principal=principal, assignment_id=assignment_id)
    query = select(SubmissionRecord).where(SubmissionRecord.assignment_id == record.id)
    if not (principal.is_staff or principal.is_system_admin):
        query = query.where(SubmissionRecord.student_id == principal.user_id)
    return await paginate(session, query.order_by(col(SubmissionRecord.submitted_at)), page)


async def get_submission(
    *, session: AsyncSession, principal: Principal, submission_id: uuid.UUID
) -> SubmissionRecord:
    submission = await session.get(SubmissionRecord, submission_id)
    if submission is None or not await _can_read_submission(session, principal, submission):
        raise NotFoundError(f"submission {submission_id} not found", code="submission_not_found")
    return submission


async def _can_read_submission(
    session: AsyncSession, principal: Principal, submission: SubmissionRecord
) -> bool:
    if principal.is_system_admin or principal.user_id == submission.student_id:
        return True
    if principal.role is Role.PARENT:
        linked = await session.exec(
            select(ParentLinkRecord.id).where(
                ParentLinkRecord.parent_id == principal.user_id,
                ParentLinkRecord.student_id == submission.student_id,
            )
        )
        return linked.first() is not None
    return principal.role in (Role.TEACHER, Role.SCHOOL_ADMIN) and (
        principal.school_id == submission.school_id
    )


async def submission_views(
    *, session: AsyncSession, principal: Principal, submissions: list[SubmissionRecord]
) -> list[SubmissionPublic]:
    """Submissions as the caller may see them: before the teacher releases the feedback, a
    student (or parent) sees the status but not the score, the cells or the gradebook mark."""
    views = []
    released: dict[uuid.UUID, bool] = {}
    for submission in submissions:
        view = SubmissionPublic.model_validate(submission, from_attributes=True)
        if not (principal.is_staff or principal.is_system_admin):
            if submission.assignment_id not in released:
                assignment = await session.get(AssignmentRecord, submission.assignment_id)
                released[submission.assignment_id] = bool(
                    assignment and assignment.feedback_released_at
                )
            if not released[submission.assignment_id]:
                view = view.model_copy(
                    update={"score": None, "max_score": None, "cells": [], "gradebook_value": "",
                            "gradebook_note": "", "needs_manual_grade": False}
                )  # fmt: skip
        views.append(view)
    return views
