"""Year results and the signed digital transcript (học bạ số).

The year record of a student is computed from the class's gradebooks by the TT22 rules engine
(with conduct, grades 6-12) or the TT27 one (``gradebook_primary``, grades 1-5). The transcript
is that record as JSON plus the PDF rendered from it, signed in sequence by the homeroom
teacher, the principal and the school seal (PAdES). Every download of a copy is logged;
verification says whether an uploaded file is authentic and unchanged.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.errors import NotFoundError, PermissionDeniedError, UnprocessableError
from content_service.models.base import utcnow
from content_service.models.people import Role, SchoolClassRecord, SchoolRecord, UserRecord
from content_service.models.transcripts import TranscriptCopyRecord, TranscriptRecord
from content_service.records.rules import (
    Level,
    PromotionStatus,
    SecondaryRuleSet,
    SubjectResult,
    assess_learning,
    assess_year,
    decide_award,
    decide_promotion,
)
from content_service.schemas.common import PageParams
from content_service.schemas.transcripts import (
    SignatureCheckPublic,
    TranscriptCreate,
    VerificationPublic,
)
from content_service.services import gradebook as gradebook_service
from content_service.services.access import Principal, can_read_person, require_role
from content_service.services.audit import record_audit
from content_service.services.gradebook_access import (
    ClassData,
    is_primary,
    load_class_data,
    primary_rules_for,
)
from content_service.services.gradebook_primary import student_primary_year
from content_service.services.people import paginate
from content_service.services.record_sync import Change, RecordEvent, emit_events
from content_service.services.signing import KeyProvider, SigningStep, sign_in_sequence, verify_pdf
from content_service.transcript_pdf import render_transcript

HOMEROOM, PRINCIPAL, SEAL = "Giáo viên chủ nhiệm", "Hiệu trưởng", "Con dấu nhà trường"


def _shown(result: SubjectResult) -> str | None:
    if result.average is not None:
        return str(result.average)
    return result.rating.value if result.rating is not None else None


def _level(value: Level | None) -> str | None:
    return value.value if value is not None else None


def _semester(
    data: ClassData, key: str, semester: int, student_id: uuid.UUID, rules: SecondaryRuleSet
) -> SubjectResult:
    book = data.books.get((key, semester))
    name = data.subjects[key]
    if book is None:
        missing = (f"{name}: no gradebook for semester {semester}",)
        return SubjectResult(name, rules.is_comment_only(name), None, None, missing)
    values = data.values.get((book.id, student_id), {})
    return gradebook_service.semester_result(book, values, rules)


def student_year(data: ClassData, student: UserRecord, rules: SecondaryRuleSet) -> dict[str, Any]:
    """One student's year record (the JSON kept beside the transcript PDF)."""
    subjects, firsts, seconds, years = [], [], [], []
    for key, name in sorted(data.subjects.items(), key=lambda kv: kv[0]):
        first = _semester(data, key, 1, student.id, rules)
        second = _semester(data, key, 2, student.id, rules)
        year = assess_year(first, second, rules)
        firsts.append(first)
        seconds.append(second)
        years.append(year)
        subjects.append(
            {
                "subject": name,
                "comment_only": year.comment_only,
                "semester_1": _shown(first),
                "semester_2": _shown(second),
                "year": _shown(year),
                "missing": list(year.missing),
            }
        )
    learning = [assess_learning(r, rules) for r in (firsts, seconds, years)]
    conduct = [data.conduct.get((student.id, s)) for s in (1, 2)]
    levels = [Level.parse(c.level) if c else None for c in conduct]
    absent = sum(c.absent_days for c in conduct if c is not None)
    promotion: dict[str, Any]
    award = None
    conduct_year = None
    if levels[0] is not None and levels[1] is not None:
        conduct_year = rules.conduct_year(levels[0], levels[1])
        decision = decide_promotion(
            conduct=conduct_year,
            learning=learning[2],
            absent_days=absent,
            year_results=years,
            rules=rules,
        )
        promotion = {
            "status": decision.status.value,
            "retest_subjects": list(decision.retest_subjects),
            "reasons": list(decision.reasons),
        }
        found = decide_award(
            conduct=conduct_year, learning=learning[2], year_results=years, rules=rules
        )
        award = found.value if found else None
    else:
        missing = [
            f"conduct of semester {s}" for s, lv in zip((1, 2), levels, strict=True) if lv is None
        ]
        promotion = {
            "status": PromotionStatus.INCOMPLETE.value,
            "retest_subjects": [],
            "reasons": missing + list(learning[2].missing),
        }
    return {
        "student_id": str(student.id),
        "full_name": student.full_name,
        "subjects": subjects,
        "learning": {
            "semester_1": _level(learning[0].level),
            "semester_2": _level(learning[1].level),
            "year": _level(learning[2].level),
            "adjusted_for": learning[2].adjusted_for,
        },
        "conduct": {
            "semester_1": _level(levels[0]),
            "semester_2": _level(levels[1]),
            "year": _level(conduct_year),
        },
        "absent_days": absent,
        "promotion": promotion,
        "award": award,
        "rule_id": rules.meta.rule_id,
    }


async def class_year_results(
    *, session: AsyncSession, principal: Principal, class_id: uuid.UUID
) -> list[dict[str, Any]]:
    """Year results of every student of a class (the school's teachers and admins)."""
    klass = await gradebook_service.get_class_record(session, class_id)
    gradebook_service.require_staff(principal, klass.school_id)
    rules = gradebook_service.rules_for(klass)
    data = await load_class_data(session, class_id)
    students = await gradebook_service.class_students(session, class_id)
    return [student_year(data, s, rules) for s in students]


# -- transcripts -------------------------------------------------------------------------------


async def _name_of(session: AsyncSession, user_id: uuid.UUID | None) -> UserRecord:
    user = await session.get(UserRecord, user_id) if user_id else None
    if user is None:
        raise UnprocessableError("the class has no homeroom teacher", code="no_homeroom_teacher")
    return user


async def _year_record(
    session: AsyncSession, klass: SchoolClassRecord, student: UserRecord
) -> dict[str, Any]:
    """The student's complete year record (TT27 for grades 1-5, TT22 above), or a 422."""
    data = await load_class_data(session, klass.id)
    if is_primary(klass):
        record = student_primary_year(data, student, klass.grade, primary_rules_for(klass))
        missing = record["missing"] if record["result"] is None else []
    else:
        record = student_year(data, student, gradebook_service.rules_for(klass))
        incomplete = record["promotion"]["status"] == PromotionStatus.INCOMPLETE.value
        missing = record["promotion"]["reasons"] if incomplete else []
    if missing:
        raise UnprocessableError(
            f"the year record is incomplete: {'; '.join(missing[:10])}", code="incomplete_record"
        )
    return record


async def issue_transcript(
    *,
    session: AsyncSession,
    principal: Principal,
    data: TranscriptCreate,
    keys: KeyProvider,
) -> TranscriptRecord:
    """Compute, render and sign a student's year transcript (the principal, a school admin)."""
    require_role(principal, Role.SCHOOL_ADMIN)
    klass = await gradebook_service.get_class_record(session, data.class_id)
    gradebook_service.require_staff(principal, klass.school_id)
    students = {s.id: s for s in await gradebook_service.class_students(session, klass.id)}
    student = students.get(data.student_id)
    if student is None:
        raise UnprocessableError(
            f"student_id: {data.student_id} is not in class {klass.name}", code="not_in_class"
        )
    record = await _year_record(session, klass, student)
    schema = "hoc-ba-so-tieu-hoc/1" if is_primary(klass) else "hoc-ba-so/1"
    school = await session.get(SchoolRecord, klass.school_id)
    assert school is not None  # foreign key
    homeroom = await _name_of(session, klass.homeroom_teacher_id)
    head = await _name_of(session, principal.user_id)
    revision = 1 + int(
        (
            await session.exec(
                select(func.count())
                .select_from(TranscriptRecord)
                .where(TranscriptRecord.student_id == student.id)
                .where(TranscriptRecord.class_id == klass.id)
            )
        ).one()
    )
    number = f"HB-{school.code}-{klass.school_year}-{uuid.uuid4().hex[:8].upper()}"
    record |= {
        "schema": schema,
        "number": number,
        "revision": revision,
        "school": {"code": school.code, "name": school.name, "province": school.province},
        "class": {"name": klass.name, "grade": klass.grade, "school_year": klass.school_year},
        "student": {
            "id": str(student.id),
            "full_name": student.full_name,
            "username": student.username,
        },
        "homeroom_teacher": homeroom.full_name,
        "principal": head.full_name,
        "issued_on": utcnow().strftime("%d/%m/%Y"),
    }
    steps = [
        SigningStep(
            "GiaoVienChuNhiem",
            keys.person_signer(school_code=school.code, username=homeroom.username),
            HOMEROOM,
            homeroom.full_name,
        ),
        SigningStep(
            "HieuTruong",
            keys.person_signer(school_code=school.code, username=head.username),
            PRINCIPAL,
            head.full_name,
        ),
        SigningStep(
            "ConDauNhaTruong", keys.seal_signer(school_code=school.code), SEAL, school.name
        ),
    ]
    pdf = await sign_in_sequence(render_transcript(record), steps)
    transcript = TranscriptRecord(
        school_id=school.id,
        student_id=student.id,
        class_id=klass.id,
        school_year=klass.school_year,
        revision=revision,
        number=number,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        data=record,
        signers=[{"role": s.role, "name": s.name, "field": s.field_name} for s in steps],
        issued_by=principal.user_id,
    )
    session.add(transcript)
    await session.flush()
    record_audit(
        session=session,
        actor=principal,
        action="transcript.issue",
        entity="transcript",
        entity_id=transcript.id,
        school_id=school.id,
        details={"number": number, "student_id": str(student.id)},
    )
    await emit_events(
        session=session,
        school_id=school.id,
        record_type="transcript",
        changes=[
            Change(
                str(transcript.id),
                RecordEvent.NEW,
                {"number": number, "sha256": transcript.sha256, **record},
            )
        ],
    )
    return transcript


async def _readable_student(
    session: AsyncSession, principal: Principal, student_id: uuid.UUID
) -> UserRecord:
    student = await session.get(UserRecord, student_id)
    if student is None or student.role != Role.STUDENT:
        raise NotFoundError(f"student {student_id} not found", code="student_not_found")
    if not can_read_person(principal, user_id=student.id, school_id=student.school_id):
        raise PermissionDeniedError(
            "you may not read this student's records", code="not_your_record"
        )
    return student


async def list_transcripts(
    *, session: AsyncSession, principal: Principal, student_id: uuid.UUID, page: PageParams
) -> tuple[list[TranscriptRecord], int]:
    """A student's transcripts, every year (themself, their parents, their school's staff)."""
    await _readable_student(session, principal, student_id)
    query = (
        select(TranscriptRecord)
        .where(TranscriptRecord.student_id == student_id)
        .order_by(col(TranscriptRecord.school_year), col(TranscriptRecord.revision))
    )
    return await paginate(session, query, page)


async def get_transcript(
    *, session: AsyncSession, principal: Principal, transcript_id: uuid.UUID
) -> TranscriptRecord:
    transcript = await session.get(TranscriptRecord, transcript_id)
    if transcript is None:
        raise NotFoundError(f"transcript {transcript_id} not found", code="transcript_not_found")
    await _readable_student(session, principal, transcript.student_id)
    return transcript


async def issue_copy(
    *, session: AsyncSession, principal: Principal, transcript_id: uuid.UUID, fmt: str
) -> TranscriptRecord:
    """Hand out a copy (PDF or JSON) and log who took it."""
    transcript = await get_transcript(
        session=session, principal=principal, transcript_id=transcript_id
    )
    session.add(
        TranscriptCopyRecord(transcript_id=transcript.id, issued_to=principal.user_id, format=fmt)
    )
    await session.flush()
    return transcript


async def list_copies(
    *, session: AsyncSession, principal: Principal, transcript_id: uuid.UUID, page: PageParams
) -> tuple[list[TranscriptCopyRecord], int]:
    """The issued-copy log of a transcript (the school's staff)."""
    transcript = await get_transcript(
        session=session, principal=principal, transcript_id=transcript_id
    )
    gradebook_service.require_staff(principal, transcript.school_id)
    query = (
        select(TranscriptCopyRecord)
        .where(TranscriptCopyRecord.transcript_id == transcript_id)
        .order_by(col(TranscriptCopyRecord.at))
    )
    return await paginate(session, query, page)


async def verify_transcript(
    *, session: AsyncSession, content: bytes, keys: KeyProvider
) -> VerificationPublic:
    """Whether ``content`` is a transcript signed with trusted keys and unchanged since."""
    result = await verify_pdf(content, trust_roots=keys.trust_roots())
    issued = (
        await session.exec(select(TranscriptRecord).where(TranscriptRecord.sha256 == result.sha256))
    ).first()
    return VerificationPublic(
        authentic=result.authentic,
        unchanged=result.unchanged,
        registered=issued is not None,
        number=issued.number if issued else None,
        sha256=result.sha256,
        problem=result.problem,
        signatures=[
            SignatureCheckPublic.model_validate(c, from_attributes=True) for c in result.signatures
        ],
    )
