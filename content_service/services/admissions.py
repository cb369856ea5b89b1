"""Admission rounds: schools, applicants (JSON or CSV, every bad row reported), allocation with
the pure rules of :mod:`content_service.admissions.rules`, results and explanations.

Allocation reads and writes through a synchronous session so the same code runs inside a
request (``AsyncSession.run_sync``) and in the background job used for large rounds.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete
from sqlmodel import Session, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.admissions.rules import (
    AdmissionInputError,
    AdmissionRuleSetNotFoundError,
    EntryApplicant,
    EntryRuleSet,
    EntrySchool,
    Grade10Applicant,
    Grade10RuleSet,
    School,
    SpecialisedWish,
    allocate_grade10,
    compare_with_deferred_acceptance,
    select_admission_rule_set,
    validate_grade10,
)
from content_service.errors import (
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    UnprocessableError,
)
from content_service.jobs import enqueue
from content_service.models.admissions import (
    AdmissionApplicantRecord,
    AdmissionRoundRecord,
    AdmissionSchoolRecord,
)
from content_service.models.jobs import JobRecord
from content_service.models.people import Role
from content_service.schemas.admissions import RoundCreate, SchoolsIn
from content_service.schemas.common import PageParams
from content_service.services.access import Principal, require_role, require_school
from content_service.services.audit import record_audit
from content_service.services.people import paginate

JOB_THRESHOLD = 5000  # larger rounds are allocated by a background job
_PERSON_KEYS = ("applicant_code", "full_name", "user_id")
_GRADE10_KEYS = frozenset(
    {
        "literature",
        "mathematics",
        "foreign_language",
        "priority_group",
        "regular_wishes",
        "integrated_wishes",
        "integrated_score",
        "specialised_wishes",
        "specialised_scores",
        "supplementary_wishes",
        "violated_rules",
    }
)
_ENTRY_KEYS = frozenset(
    {
        "birth_date",
        "area_schools",
        "distances_km",
        "requested_schools",
        "completed_primary",
        "priorities",
    }
)


# -- access ------------------------------------------------------------------------------------


def _require_manager(principal: Principal, round_: AdmissionRoundRecord) -> None:
    """The Department's rounds: system admin; a school's grade-1/6 round: its school admin."""
    if round_.school_id is None:
        require_role(principal, Role.SYSTEM_ADMIN)
    else:
        require_role(principal, Role.SCHOOL_ADMIN)
        require_school(principal, round_.school_id)


async def get_round(
    *, session: AsyncSession, principal: Principal, round_id: uuid.UUID
) -> AdmissionRoundRecord:
    round_ = await session.get(AdmissionRoundRecord, round_id)
    if round_ is None:
        raise NotFoundError(f"admission round {round_id} not found", code="round_not_found")
    _require_manager(principal, round_)
    return round_


async def create_round(
    *, session: AsyncSession, principal: Principal, data: RoundCreate
) -> AdmissionRoundRecord:
    """A grade-10 round (the Department) or a grade-1/6 round (a school admin, their school)."""
    if data.kind == "grade10":
        require_role(principal, Role.SYSTEM_ADMIN)
        school_id = None
        if data.grade != 10:
            raise BadRequestError("grade: a grade10 round admits to grade 10", code="bad_grade")
    else:
        require_role(principal, Role.SCHOOL_ADMIN)
        school_id = principal.school_id
        if data.grade not in (1, 6):
            raise BadRequestError("grade: an entry round admits to grade 1 or 6", code="bad_grade")
    try:
        rules = select_admission_rule_set(data.region, data.kind, data.rule_date)
    except AdmissionRuleSetNotFoundError as error:
        raise BadRequestError(f"rule_date: {error}", code="no_rule_set") from None
    round_ = AdmissionRoundRecord(
        **data.model_dump(),
        rule_id=rules.meta.rule_id,
        school_id=school_id,
        created_by=principal.user_id,
    )
    session.add(round_)
    await session.flush()
    record_audit(
        session=session,
        actor=principal,
        action="admissions.round.create",
        entity="admission_round",
        entity_id=round_.id,
        school_id=school_id,
    )
    return round_


async def list_rounds(
    *, session: AsyncSession, principal: Principal, page: PageParams
) -> tuple[list[AdmissionRoundRecord], int]:
    require_role(principal, Role.SCHOOL_ADMIN)
    query = select(AdmissionRoundRecord)
    if not principal.is_system_admin:
        query = query.where(AdmissionRoundRecord.school_id == principal.school_id)
    return await paginate(session, query.order_by(col(AdmissionRoundRecord.created_at)), page)


def _rules(round_: AdmissionRoundRecord) -> Grade10RuleSet | EntryRuleSet:
    return select_admission_rule_set(round_.region, round_.kind, round_.rule_date)


# -- schools -----------------------------------------------------------------------------------


async def set_schools(
    *, session: AsyncSession, principal: Principal, round_id: uuid.UUID, data: SchoolsIn
) -> list[AdmissionSchoolRecord]:
    """Replace the round's schools and quotas (before allocation)."""
    round_ = await get_round(session=session, principal=principal, round_id=round_id)
    codes = [s.code for s in data.schools]
    duplicated = sorted({c for c in codes if codes.count(c) > 1})
    if duplicated:
        raise UnprocessableError(
            f"schools: code {duplicated[0]!r} is listed twice", code="duplicate_school"
        )
    await session.exec(
        delete(AdmissionSchoolRecord).where(col(AdmissionSchoolRecord.round_id) == round_.id)
    )
    records = [AdmissionSchoolRecord(round_id=round_.id, **s.model_dump()) for s in data.schools]
    session.add_all(records)
    await session.flush()
    record_audit(
        session=session,
        actor=principal,
        action="admissions.schools.set",
        entity="admission_round",
        entity_id=round_.id,
        details={"schools": len(records)},
    )
    return records


async def list_schools(
    *, session: AsyncSession, principal: Principal, round_id: uuid.UUID
) -> list[AdmissionSchoolRecord]:
    round_ = await get_round(session=session, principal=principal, round_id=round_id)
    rows = await session.exec(
        select(AdmissionSchoolRecord)
        .where(AdmissionSchoolRecord.round_id == round_.id)
        .order_by(col(AdmissionSchoolRecord.code))
    )
    return list(rows.all())


def _domain_schools(rows: Iterable[AdmissionSchoolRecord]) -> list[School]:
    return [
        School(r.code, r.name, r.regular_quota, r.integrated_quota, dict(r.specialised_quotas))
        for r in rows
    ]


def _entry_schools(rows: Iterable[AdmissionSchoolRecord]) -> list[EntrySchool]:
    return [EntrySchool(r.code, r.name, r.regular_quota) for r in rows]


# -- applicants --------------------------------------------------------------------------------


def _score(value: object) -> object:
    # JSON numbers arrive as floats; 7.25 is exact in binary, 7.3 is not and is refused anyway.
    return None if value in (None, "") else (str(value) if isinstance(value, float) else value)


def grade10_applicant(code: str, details: dict[str, Any]) -> Grade10Applicant:
    """Build the domain applicant from stored or uploaded details."""
    specialised = [
        SpecialisedWish(str(w.get("school", "")), str(w.get("subject", "")))
        if isinstance(w, dict)
        else SpecialisedWish("", "")
        for w in details.get("specialised_wishes", [])
    ]
    scores = details.get("specialised_scores") or {}
    return Grade10Applicant(
        applicant_id=code,
        literature=_score(details.get("literature")),  # type: ignore[arg-type]
        mathematics=_score(details.get("mathematics")),  # type: ignore[arg-type]
        foreign_language=_score(details.get("foreign_language")),  # type: ignore[arg-type]
        regular_wishes=tuple(details.get("regular_wishes") or ()),
        priority_group=details.get("priority_group"),
        specialised_wishes=tuple(specialised),
        specialised_scores={k: _score(v) for k, v in dict(scores).items()},  # type: ignore[misc]
        integrated_wishes=tuple(details.get("integrated_wishes") or ()),
        integrated_score=_score(details.get("integrated_score")),  # type: ignore[arg-type]
        supplementary_wishes=tuple(details.get("supplementary_wishes") or ()),
        violated_rules=bool(details.get("violated_rules", False)),
    )


def entry_applicant(code: str, grade: int, details: dict[str, Any]) -> EntryApplicant:
    born = details.get("birth_date")
    try:
        birth_date = date.fromisoformat(str(born))
    except ValueError:
        raise AdmissionInputError(f"{code}.birth_date: {born!r} is not a date") from None
    return EntryApplicant(
        applicant_id=code,
        grade=grade,
        birth_date=birth_date,
        area_schools=tuple(details.get("area_schools") or ()),
        distances_km={
            k: Decimal(str(v)) for k, v in dict(details.get("distances_km") or {}).items()
        },
        requested_schools=tuple(details.get("requested_schools") or ()),
        completed_primary=bool(details.get("completed_primary", False)),
        priorities=frozenset(details.get("priorities") or ()),
    )


def _check_row(
    row: dict[str, Any],
    round_: AdmissionRoundRecord,
    schools: Sequence[AdmissionSchoolRecord],
    rules: Grade10RuleSet | EntryRuleSet,
) -> dict[str, Any]:
    code = str(row.get("applicant_code") or "").strip()
    if not code:
        raise AdmissionInputError("applicant_code: required")
    allowed = _GRADE10_KEYS if round_.kind == "grade10" else _ENTRY_KEYS
    unknown = sorted(set(row) - allowed - set(_PERSON_KEYS))
    if unknown:
        raise AdmissionInputError(f"{code}.{unknown[0]}: unknown field")
    details = {k: v for k, v in row.items() if k not in _PERSON_KEYS}
    if isinstance(rules, Grade10RuleSet):
        applicant = grade10_applicant(code, details)
        validate_grade10([applicant], _domain_schools(schools), rules)
        for key in ("literature", "mathematics", "foreign_language", "integrated_score"):
            value = getattr(applicant, key)
            details[key] = None if value is None else str(value)
    else:
        entry = entry_applicant(code, round_.grade, details)
        known = {s.code for s in schools}
        for field in ("area_schools", "requested_schools"):
            for school in getattr(entry, field):
                if school not in known:
                    raise AdmissionInputError(f"{code}.{field}: unknown school {school!r}")
        unknown_flags = sorted(entry.priorities - set(rules.priority_flags))
        if unknown_flags:
            raise AdmissionInputError(f"{code}.priorities: unknown flag {unknown_flags[0]!r}")
    return details


async def add_applicants(
    *,
    session: AsyncSession,
    principal: Principal,
    round_id: uuid.UUID,
    rows: Sequence[dict[str, Any]],
) -> int:
    """Add applicants; every row is checked and all bad rows are reported together.

    Raises
    ------
    UnprocessableError
        ``invalid_applicants``, one line per bad row: ``row 3: A003.literature: score 7.3 is
        not in steps of 0.25`` (rows count from 1, the CSV header excluded).
    """
    round_ = await get_round(session=session, principal=principal, round_id=round_id)
    schools = await list_schools(session=session, principal=principal, round_id=round_id)
    if not schools:
        raise ConflictError("set the round's schools before adding applicants", code="no_schools")
    rules = _rules(round_)
    existing = set(
        (
            await session.exec(
                select(AdmissionApplicantRecord.applicant_code).where(
                    AdmissionApplicantRecord.round_id == round_.id
                )
            )
        ).all()
    )
    errors: list[str] = []
    records = []
    for number, row in enumerate(rows, 1):
        try:
            details = _check_row(row, round_, schools, rules)
            code = str(row["applicant_code"]).strip()
            if code in existing:
                raise AdmissionInputError(f"applicant_code: {code!r} is listed twice")
            existing.add(code)
            user_id = uuid.UUID(str(row["user_id"])) if row.get("user_id") else None
        except (AdmissionInputError, ValueError) as error:
            errors.append(f"row {number}: {error}")
            continue
        records.append(
            AdmissionApplicantRecord(
                round_id=round_.id,
                applicant_code=code,
                full_name=str(row.get("full_name") or "")[:200],
                user_id=user_id,
                details=details,
            )
        )
    if errors:
        raise UnprocessableError("; ".join(errors[:50]), code="invalid_applicants")
    session.add_all(records)
    await session.flush()
    record_audit(
        session=session,
        actor=principal,
        action="admissions.applicants.add",
        entity="admission_round",
        entity_id=round_.id,
        details={"applicants": len(records)},
    )
    return len(records)


def parse_applicants_csv(text: str, kind: str) -> list[dict[str, Any]]:
    """CSV to rows. Grade 10 columns: ``applicant_code, full_name, literature, mathematics,
    foreign_language, priority_group, nv1, nv2, nv3, supplementary`` (``;``-separated);
    grades 1/6: ``applicant_code, full_name, birth_date, area_schools, requested_schools,
    distances_km`` (``CODE:km;CODE:km``), ``completed_primary``, ``priorities``."""
    # newline="": a lone "\r" ends a line, as csv expects
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    rows = []
    for raw in reader:
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        out: dict[str, Any] = {k: row.get(k, "") for k in ("applicant_code", "full_name")}
        if kind == "grade10":
            for key in ("literature", "mathematics", "foreign_language"):
                out[key] = row.get(key) or None
            out["priority_group"] = (
                int(row["priority_group"]) if row.get("priority_group") else None
            )
            out["regular_wishes"] = [row[k] for k in ("nv1", "nv2", "nv3") if row.get(k)]
            out["supplementary_wishes"] = _split(row.get("supplementary", ""))
        else:
            out["birth_date"] = row.get("birth_date", "")
            out["area_schools"] = _split(row.get("area_schools", ""))
            out["requested_schools"] = _split(row.get("requested_schools", ""))
            out["distances_km"] = dict(
                pair.split(":", 1) for pair in _split(row.get("distances_km", "")) if ":" in pair
            )
            out["completed_primary"] = row.get("completed_primary", "").lower() in (
                "1",
                "true",
                "có",
            )
            out["priorities"] = _split(row.get("priorities", ""))
        rows.append(out)
    return rows


def parse_schools_csv(text: str) -> list[dict[str, Any]]:
    """CSV to school rows: ``code, name, regular_quota`` (the capacity for grades 1/6),
    optional ``integrated_quota`` and ``specialised_quotas`` (``Toán:35;Anh:35``).

    Raises
    ------
    ValueError
        Naming the row and column of a quota that is not a whole number.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    rows = []
    for number, raw in enumerate(reader, 1):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        out: dict[str, Any] = {"code": row.get("code", ""), "name": row.get("name", "")}
        try:
            for key in ("regular_quota", "integrated_quota"):
                out[key] = int(row.get(key) or 0)
            out["specialised_quotas"] = {
                subject.strip(): int(quota)
                for subject, _, quota in (
                    p.partition(":") for p in _split(row.get("specialised_quotas", ""))
                )
            }
        except ValueError:
            raise ValueError(f"row {number}: quotas must be whole numbers") from None
        rows.append(out)
    return rows


def schools_from_csv(text: str) -> SchoolsIn:
    """Parse and validate a schools CSV (see :func:`parse_schools_csv`).

    Raises
    ------
    UnprocessableError
        ``bad_csv``, naming the row and field.
    """
    try:
        return SchoolsIn(schools=parse_schools_csv(text))
    except ValidationError as error:
        first = error.errors()[0]
        loc = [str(p) for p in first["loc"]]
        where = f"row {int(loc[1]) + 1}: {'.'.join(loc[2:])}" if len(loc) > 2 else ".".join(loc)
        raise UnprocessableError(f"file: {where}: {first['msg']}", code="bad_csv") from None
    except (ValueError, csv.Error) as error:
        raise UnprocessableError(f"file: {error}", code="bad_csv") from None


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


# -- allocation --------------------------------------------------------------------------------


async def allocate(
    *,
    session: AsyncSession,
    principal: Principal,
    round_id: uuid.UUID,
    job_threshold: int = JOB_THRESHOLD,
) -> tuple[AdmissionRoundRecord, JobRecord | None]:
    """Run the allocation now, or as a background job when there are more than
    ``job_threshold`` applicants."""
    round_ = await get_round(session=session, principal=principal, round_id=round_id)
    if round_.status == "allocating":
        raise ConflictError("the allocation is already running", code="allocating")
    if round_.summary.get("supplementary"):
        raise ConflictError(
            "the supplementary round is open: the regular results are final",
            code="supplementary_started",
        )
    count = len(
        (
            await session.exec(
                select(AdmissionApplicantRecord.id).where(
                    AdmissionApplicantRecord.round_id == round_.id
                )
            )
        ).all()
    )
    if count == 0:
        raise ConflictError("the round has no applicants", code="no_applicants")
    record_audit(
        session=session,
        actor=principal,
        action="admissions.allocate",
        entity="admission_round",
        entity_id=round_.id,
        details={"applicants": count},
    )
    if count > job_threshold:
        round_.status = "allocating"
        session.add(round_)
        job = enqueue(
            session, "admissions.allocate", {"round_id": str(round_.id)}, principal=principal
        )
        await session.flush()
        return round_, job
    await session.flush()
    await session.run_sync(lambda s: allocate_round(s, round_.id))  # type: ignore[arg-type]  # sqlmodel's AsyncSession runs a sqlmodel Session
    await session.refresh(round_)
    return round_, None


def allocate_round(session: Session, round_id: uuid.UUID) -> dict[str, Any]:
    """Allocate a round and store placements, explanations and cut-offs (sync)."""
    # Imported here: the allocation module builds on this one's converters.
    from content_service.services.admissions_allocation import (
        allocate_loaded_round,
    )

    return allocate_loaded_round(session, round_id)


# -- results -----------------------------------------------------------------------------------


async def list_applicants(
    *,
    session: AsyncSession,
    principal: Principal,
    round_id: uuid.UUID,
    page: PageParams,
    school: str | None = None,
) -> tuple[list[AdmissionApplicantRecord], int]:
    """The round's applicants with results (managers), optionally those placed at ``school``."""
    round_ = await get_round(session=session, principal=principal, round_id=round_id)
    query = select(AdmissionApplicantRecord).where(AdmissionApplicantRecord.round_id == round_.id)
    if school:
        query = query.where(AdmissionApplicantRecord.placed_school == school)
    return await paginate(
        session, query.order_by(col(AdmissionApplicantRecord.applicant_code)), page
    )


async def my_results(
    *, session: AsyncSession, principal: Principal
) -> list[AdmissionApplicantRecord]:
    """The caller's own results (a student), or their children's (a parent); nobody else's."""
    if principal.role not in (Role.STUDENT, Role.PARENT):
        raise PermissionDeniedError(
            "results by person are for students and parents", code="not_an_applicant"
        )
    people = {principal.user_id} | set(principal.children)
    rows = await session.exec(
        select(AdmissionApplicantRecord)
        .where(col(AdmissionApplicantRecord.user_id).in_(people))
        .order_by(col(AdmissionApplicantRecord.created_at))
    )
    return list(rows.all())


async def compare(
    *, session: AsyncSession, principal: Principal, round_id: uuid.UUID
) -> dict[str, Any]:
    """What-if: who would be placed differently under student-proposing deferred acceptance."""
    round_ = await get_round(session=session, principal=principal, round_id=round_id)
    rules = _rules(round_)
    if not isinstance(rules, Grade10RuleSet):
        raise BadRequestError("the comparison is for grade-10 rounds", code="not_grade10")

    def run(sync_session: Session) -> dict[str, Any]:
        schools = _domain_schools(
            sync_session.exec(
                select(AdmissionSchoolRecord).where(AdmissionSchoolRecord.round_id == round_.id)
            ).all()
        )
        rows = sync_session.exec(
            select(AdmissionApplicantRecord).where(AdmissionApplicantRecord.round_id == round_.id)
        ).all()
        applicants = [grade10_applicant(r.applicant_code, r.details) for r in rows]
        phase_two = (round_.summary.get("supplementary") or {}).get("status") == "allocated"
        city = allocate_grade10(applicants, schools, rules, supplementary=phase_two)
        report = compare_with_deferred_acceptance(applicants, schools, rules, city)
        return {
            "compared": report.compared,
            "same": report.same,
            "better_under_da": len(report.better_under_da),
            "worse_under_da": len(report.worse_under_da),
            "differences": [
                {
                    "applicant_code": d.applicant_id,
                    "score": str(d.score),
                    "city_school": d.city_school,
                    "city_wish": d.city_wish,
                    "da_school": d.da_school,
                    "da_wish": d.da_wish,
                }
                for d in report.differences[:500]
            ],
        }

    return await session.run_sync(run)  # type: ignore[arg-type]  # a sqlmodel Session
