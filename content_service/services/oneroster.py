"""OneRoster 1.2 CSV export (bulk) of a school: rostering plus gradebook line items and results.

Each gradebook column becomes a lineItem (its semester the grading period), each stored cell a
result; comment-only ratings go to ``textScore``. Identifiers are our UUIDs, so a re-export
keeps every ``sourcedId``.
"""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from collections.abc import Iterable
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.errors import NotFoundError, UnprocessableError
from content_service.models.base import as_utc, utcnow
from content_service.models.gradebook import GradebookKind, GradebookRecord, GradeEntryRecord
from content_service.models.people import (
    ClassMembershipRecord,
    Role,
    SchoolClassRecord,
    SchoolRecord,
    UserRecord,
)
from content_service.services.access import Principal, require_role, require_school
from content_service.services.gradebook import FINAL, MIDTERM, columns
from content_service.services.gradebook_primary import COMMENT, FINAL_TEST, MIDTERM_TEST

HEADERS = {
    "orgs": "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId",
    "academicSessions": "sourcedId,status,dateLastModified,title,type,startDate,endDate,"
    "parentSourcedId,schoolYear",
    "courses": "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,"
    "orgSourcedId,subjects,subjectCodes",
    "classes": "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,"
    "classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods",
    "users": "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,"
    "givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password",
    "enrollments": "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,"
    "userSourcedId,role,primary,beginDate,endDate",
    "categories": "sourcedId,status,dateLastModified,title",
    "lineItems": "sourcedId,status,dateLastModified,title,description,assignDate,dueDate,"
    "classSourcedId,categorySourcedId,gradingPeriodSourcedId,resultValueMin,resultValueMax",
    "results": "sourcedId,status,dateLastModified,lineItemSourcedId,studentSourcedId,"
    "scoreStatus,score,textScore,scoreDate,comment",
}
_ROLES = {
    Role.STUDENT: "student",
    Role.TEACHER: "teacher",
    Role.PARENT: "parent",
    Role.SCHOOL_ADMIN: "administrator",
    Role.LIBRARIAN: "aide",
    Role.RESEARCHER: "aide",
    Role.SYSTEM_ADMIN: "administrator",
}
_CATEGORIES = {
    "tx": "Đánh giá thường xuyên",
    MIDTERM: "Đánh giá giữa kì",
    FINAL: "Đánh giá cuối kì",
}


def _stamp(value: datetime) -> str:
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _split_name(full_name: str) -> tuple[str, str, str]:
    """Vietnamese order: family name first, given name last (Nguyễn Văn An -> An / Nguyễn)."""
    parts = full_name.split()
    if len(parts) < 2:
        return full_name, "", ""
    return parts[-1], parts[0], " ".join(parts[1:-1])


def _category(column: str) -> str:
    """tx1..tx4 -> tx; TT27 columns by period: gk, ktgk, gk_<trait> -> gk; ck, ktck, nx -> ck."""
    if column.startswith("tx"):
        return "tx"
    return MIDTERM if column.startswith((MIDTERM, MIDTERM_TEST)) else FINAL


def _scored(book: GradebookRecord, column: str) -> bool:
    """Whether a column holds 0-10 scores (TT27 books: only the periodic tests)."""
    if book.kind == GradebookKind.SECONDARY:
        return not book.comment_only
    return column in (MIDTERM_TEST, FINAL_TEST)


def _csv(header: str, rows: Iterable[Iterable[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header.split(","))
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return out.getvalue()


async def export_oneroster(
    *, session: AsyncSession, principal: Principal, school_id: uuid.UUID | None
) -> bytes:
    """A zip of the school's OneRoster 1.2 CSV files (school admin)."""
    require_role(principal, Role.SCHOOL_ADMIN)
    school_id = school_id if school_id is not None else principal.school_id
    if school_id is None:  # a system admin belongs to no school: they must say which
        raise UnprocessableError("school_id: say which school to export", code="school_required")
    require_school(principal, school_id)
    school = await session.get(SchoolRecord, school_id)
    if school is None:
        raise NotFoundError(f"school {school_id} not found", code="school_not_found")
    now = _stamp(utcnow())
    classes = list(
        (
            await session.exec(
                select(SchoolClassRecord).where(SchoolClassRecord.school_id == school.id)
            )
        ).all()
    )
    class_ids = [c.id for c in classes]
    users = list(
        (await session.exec(select(UserRecord).where(UserRecord.school_id == school.id))).all()
    )
    members = (
        list(
            (
                await session.exec(
                    select(ClassMembershipRecord).where(
                        col(ClassMembershipRecord.class_id).in_(class_ids)
                    )
                )
            ).all()
        )
        if class_ids
        else []
    )
    books = list(
        (
            await session.exec(
                select(GradebookRecord).where(GradebookRecord.school_id == school.id)
            )
        ).all()
    )
    entries = (
        list(
            (
                await session.exec(
                    select(GradeEntryRecord).where(
                        col(GradeEntryRecord.gradebook_id).in_([b.id for b in books])
                    )
                )
            ).all()
        )
        if books
        else []
    )

    sid = str(school.id)
    years = sorted({c.school_year for c in classes})
    files = {
        "orgs": [[sid, "active", now, school.name, "school", school.code, ""]],
        "academicSessions": [
            row
            for year in years
            for row in (
                [
                    year,
                    "active",
                    now,
                    f"Năm học {year}",
                    "schoolYear",
                    f"{year[:4]}-09-05",
                    f"{year[5:]}-05-31",
                    "",
                    year[5:],
                ],
                [
                    f"{year}-HK1",
                    "active",
                    now,
                    f"Học kì I {year}",
                    "semester",
                    f"{year[:4]}-09-05",
                    f"{year[5:]}-01-15",
                    year,
                    year[5:],
                ],
                [
                    f"{year}-HK2",
                    "active",
                    now,
                    f"Học kì II {year}",
                    "semester",
                    f"{year[5:]}-01-16",
                    f"{year[5:]}-05-31",
                    year,
                    year[5:],
                ],
            )
        ],
        "courses": [
            [
                f"{c.id}-course",
                "active",
                now,
                c.school_year,
                f"Khối {c.grade}",
                f"K{c.grade}",
                f"{c.grade:02d}",
                sid,
                "",
                "",
            ]
            for c in classes
        ],
        "classes": [
            [
                str(c.id),
                "active",
                now,
                c.name,
                f"{c.grade:02d}",
                f"{c.id}-course",
                c.name,
                "homeroom",
                "",
                sid,
                f"{c.school_year}-HK1,{c.school_year}-HK2",
                "",
                "",
                "",
            ]
            for c in classes
        ],
        "users": [
            [
                str(u.id),
                "active" if u.is_active else "tobedeleted",
                _stamp(u.created_at),
                str(u.is_active).lower(),
                sid,
                _ROLES[Role(u.role)],
                u.username,
                "",
                *_split_name(u.full_name),
                u.username,
                u.email or "",
                "",
                "",
                "",
                "",
                "",
            ]
            for u in users
        ],
        "enrollments": [
            [
                str(m.id),
                "active",
                _stamp(m.created_at),
                str(m.class_id),
                sid,
                str(m.user_id),
                _ROLES[Role(m.role)],
                "false",
                "",
                "",
            ]
            for m in members
        ],
        "categories": [
            [f"{sid}-{key}", "active", now, title] for key, title in _CATEGORIES.items()
        ],
        "lineItems": [
            [
                f"{b.id}-{column}",
                "active",
                _stamp(b.created_at),
                f"{b.subject} HK{b.semester} {column}",
                "",
                "",
                "",
                str(b.class_id),
                f"{sid}-{_category(column)}",
                f"{_year_of(classes, b)}-HK{b.semester}",
                "0.0" if _scored(b, column) else "",
                "10.0" if _scored(b, column) else "",
            ]
            for b in books
            for column in columns(b)
        ],
        "results": [
            [
                str(e.id),
                "active",
                _stamp(e.updated_at),
                f"{e.gradebook_id}-{e.column_key}",
                str(e.student_id),
                "fully graded",
                e.value if _is_number(e) else "",
                "" if _is_number(e) or e.column_key == COMMENT else e.value,
                _stamp(e.updated_at),
                e.value if e.column_key == COMMENT else "",  # a TT27 teacher's comment
            ]
            for e in entries
        ],
    }
    manifest = [
        ["manifest.version", "1.0"],
        ["oneroster.version", "1.2"],
        *[[f"file.{name}", "bulk"] for name in sorted(HEADERS)],
        *[
            [f"file.{name}", "absent"]
            for name in (
                "classResources",
                "courseResources",
                "demographics",
                "resources",
                "userResources",
            )
        ],
        ["source.systemName", "content-service"],
        ["source.systemCode", school.code],
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.csv", _csv("propertyName,value", manifest))
        for name, header in HEADERS.items():
            archive.writestr(f"{name}.csv", _csv(header, files[name]))
    return buffer.getvalue()


def _year_of(classes: list[SchoolClassRecord], book: GradebookRecord) -> str:
    return next(c.school_year for c in classes if c.id == book.class_id)


def _is_number(entry: GradeEntryRecord) -> bool:
    return entry.column_key != COMMENT and entry.value[:1].isdigit()  # a comment may start "2"
