"""The grade-10 supplementary round (phase 2, DOMAIN.md §2) as a workflow on a round.

1. After the regular allocation the Department opens the round: the schools left under-filled,
   their seats and minimum scores are computed by :func:`supplementary_offer` and published in
   the round's summary (``summary["supplementary"]``).
2. Applicants not admitted anywhere send supplementary wishes (the Department in bulk, or a
   student or parent for themself), each checked against the offer and the score rules.
3. The allocation re-runs the city procedure with phase 2; the regular rounds reproduce the
   published results exactly (same input, deterministic), and every applicant's explanation
   and the round's cut-offs gain the supplementary rounds.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.admissions.rules import (
    AdmissionInputError,
    Grade10RuleSet,
    SupplementarySeat,
    allocate_grade10,
    check_supplementary_wishes,
    select_admission_rule_set,
    supplementary_offer,
)
from content_service.errors import (
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
from content_service.models.base import utcnow
from content_service.models.jobs import JobRecord
from content_service.models.people import Role
from content_service.services.access import Principal
from content_service.services.admissions import (
    JOB_THRESHOLD,
    _domain_schools,
    allocate_round,
    get_round,
    grade10_applicant,
)
from content_service.services.audit import record_audit

MAX_ERRORS = 50


def _grade10_rules(round_: AdmissionRoundRecord) -> Grade10RuleSet:
    rules = select_admission_rule_set(round_.region, round_.kind, round_.rule_date)
    if not isinstance(rules, Grade10RuleSet):
        raise UnprocessableError(
            "the supplementary round is for grade-10 rounds", code="not_grade10"
        )
    return rules


def phase_two(round_: AdmissionRoundRecord) -> dict[str, Any]:
    """The round's supplementary state: ``{}`` until opened, then status, schools, dates."""
    return dict(round_.summary.get("supplementary") or {})


def offer_of(round_: AdmissionRoundRecord) -> dict[str, SupplementarySeat]:
    """The published offer by school code."""
    return {
        s["school"]: SupplementarySeat(
            s["school"],
            s["name"],
            int(s["seats"]),
            None if s["min_score"] is None else Decimal(s["min_score"]),
        )
        for s in phase_two(round_).get("schools", [])
    }


def compute_offer(
    session: Session, round_: AdmissionRoundRecord, rules: Grade10RuleSet
) -> dict[str, Any]:
    """The supplementary state to publish: the regular allocation's under-filled schools (sync)."""
    schools = _domain_schools(
        session.exec(
            select(AdmissionSchoolRecord).where(AdmissionSchoolRecord.round_id == round_.id)
        ).all()
    )
    rows = session.exec(
        select(AdmissionApplicantRecord).where(AdmissionApplicantRecord.round_id == round_.id)
    ).all()
    applicants = [grade10_applicant(r.applicant_code, r.details) for r in rows]
    regular = allocate_grade10(applicants, schools, rules, supplementary=False)
    return {
        "status": "open",
        "opened_at": utcnow().isoformat(),
        "max_wishes": rules.max_supplementary_wishes,
        "schools": [
            {
                "school": s.school,
                "name": s.name,
                "seats": s.seats,
                "min_score": None if s.min_score is None else str(s.min_score),
            }
            for s in supplementary_offer(regular, schools, rules)
        ],
    }


async def open_supplementary(
    *, session: AsyncSession, principal: Principal, round_id: uuid.UUID
) -> AdmissionRoundRecord:
    """Publish the under-filled schools, their seats and minimum scores; accept wishes.

    Raises
    ------
    ConflictError
        ``not_allocated`` before the regular allocation, ``supplementary_started`` when already
        opened, ``supplementary_disabled`` when the region's rules have no phase 2.
    """
    round_ = await get_round(session=session, principal=principal, round_id=round_id)
    rules = _grade10_rules(round_)
    if not rules.supplementary_enabled:
        raise ConflictError(
            f"the rule set {rules.meta.rule_id} has no supplementary round",
            code="supplementary_disabled",
        )
    if round_.status != "allocated":
        raise ConflictError("run the regular allocation first", code="not_allocated")
    if phase_two(round_):
        raise ConflictError("the supplementary round is already open", code="supplementary_started")

    state = await session.run_sync(lambda s: compute_offer(s, round_, rules))  # type: ignore[arg-type]  # a sqlmodel Session
    round_.summary = {**round_.summary, "supplementary": state}
    session.add(round_)
    await session.flush()
    record_audit(
        session=session,
        actor=principal,
        action="admissions.supplementary.open",
        entity="admission_round",
        entity_id=round_.id,
        details={
            "schools": len(state["schools"]),
            "seats": sum(s["seats"] for s in state["schools"]),
        },
    )
    return round_


async def _round_for_wishes(
    session: AsyncSession, principal: Principal, round_id: uuid.UUID
) -> AdmissionRoundRecord:
    """Managers reach any round they manage; students and parents only a round they are in."""
    if principal.role in (Role.STUDENT, Role.PARENT):
        round_ = await session.get(AdmissionRoundRecord, round_id)
        if round_ is None:
            raise NotFoundError(f"admission round {round_id} not found", code="round_not_found")
        return round_
    return await get_round(session=session, principal=principal, round_id=round_id)


async def submit_supplementary_wishes(
    *,
    session: AsyncSession,
    principal: Principal,
    round_id: uuid.UUID,
    rows: Sequence[dict[str, Any]],
) -> int:
    """Record supplementary wishes (``{"applicant_code", "wishes": [...]}`` per row).

    The Department sends any applicant's; a student or parent only their own (or their
    children's). Every row is checked and every bad row named; all rows or none are stored.
    Sending wishes again replaces the applicant's earlier ones.

    Raises
    ------
    UnprocessableError
        ``invalid_supplementary_wishes``: ``row 2: A7: NV1 bổ sung 'LQD' needs at least 23.50,
        your score is 21.00``.
    ConflictError
        ``supplementary_closed`` unless the round is open for wishes.
    """
    round_ = await _round_for_wishes(session, principal, round_id)
    rules = _grade10_rules(round_)
    state = phase_two(round_)
    if state.get("status") != "open":
        raise ConflictError(
            "the supplementary round is not open for wishes", code="supplementary_closed"
        )
    offer = offer_of(round_)
    codes = [str(r.get("applicant_code") or "").strip() for r in rows]
    query = select(AdmissionApplicantRecord).where(
        AdmissionApplicantRecord.round_id == round_.id,
        # A NUL cannot be stored, so no applicant has one (and PostgreSQL refuses it in a query).
        col(AdmissionApplicantRecord.applicant_code).in_([c for c in codes if "\x00" not in c]),
    )
    records = {a.applicant_code: a for a in (await session.exec(query)).all()}
    self_service = principal.role in (Role.STUDENT, Role.PARENT)
    people = {principal.user_id} | set(principal.children)
    errors: list[str] = []
    accepted: list[tuple[AdmissionApplicantRecord, tuple[str, ...]]] = []
    seen: set[str] = set()
    for number, (code, row) in enumerate(zip(codes, rows, strict=True), 1):
        record = records.get(code)
        try:
            if record is None or (self_service and record.user_id not in people):
                raise AdmissionInputError(f"applicant_code: unknown applicant {code!r}")
            if code in seen:
                raise AdmissionInputError(f"applicant_code: {code!r} is listed twice")
            seen.add(code)
            wishes = row.get("wishes")
            if not isinstance(wishes, list) or not all(isinstance(w, str) for w in wishes):
                raise AdmissionInputError(f"{code}.wishes: expected a list of school codes")
            applicant = grade10_applicant(code, record.details)
            checked = check_supplementary_wishes(
                applicant, wishes, offer, rules, admitted=record.placed_school is not None
            )
        except AdmissionInputError as error:
            errors.append(f"row {number}: {error}")
            continue
        accepted.append((record, checked))
    if errors:
        more = f"; and {len(errors) - MAX_ERRORS} more" if len(errors) > MAX_ERRORS else ""
        raise UnprocessableError(
            "; ".join(errors[:MAX_ERRORS]) + more, code="invalid_supplementary_wishes"
        )
    for record, wishes_ in accepted:
        record.details = {**record.details, "supplementary_wishes": list(wishes_)}
        session.add(record)
    await session.flush()
    record_audit(
        session=session,
        actor=principal,
        action="admissions.supplementary.wishes",
        entity="admission_round",
        entity_id=round_.id,
        details={"applicants": len(accepted)},
    )
    return len(accepted)


def parse_supplementary_csv(text: str) -> list[dict[str, Any]]:
    """CSV to rows: ``applicant_code`` and ``nv1, nv2, nv3`` (or ``wishes``, ``;``-separated)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    if reader.fieldnames is None or "applicant_code" not in [f.strip() for f in reader.fieldnames]:
        raise ValueError("the header has no 'applicant_code' column")
    rows = []
    for raw in reader:
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        wishes = [row[k] for k in ("nv1", "nv2", "nv3") if row.get(k)]
        wishes += [w.strip() for w in row.get("wishes", "").split(";") if w.strip()]
        rows.append({"applicant_code": row.get("applicant_code", ""), "wishes": wishes})
    return rows


async def allocate_supplementary(
    *,
    session: AsyncSession,
    principal: Principal,
    round_id: uuid.UUID,
    job_threshold: int = JOB_THRESHOLD,
) -> tuple[AdmissionRoundRecord, JobRecord | None]:
    """Close the wishes and allocate phase 2 (a background job for large rounds).

    Raises
    ------
    ConflictError
        ``supplementary_closed`` unless the round is open.
    """
    round_ = await get_round(session=session, principal=principal, round_id=round_id)
    state = phase_two(round_)
    if state.get("status") != "open":
        raise ConflictError("the supplementary round is not open", code="supplementary_closed")
    count = len(
        (
            await session.exec(
                select(AdmissionApplicantRecord.id).where(
                    AdmissionApplicantRecord.round_id == round_.id
                )
            )
        ).all()
    )
    round_.summary = {**round_.summary, "supplementary": {**state, "status": "allocating"}}
    session.add(round_)
    record_audit(
        session=session,
        actor=principal,
        action="admissions.supplementary.allocate",
        entity="admission_round",
        entity_id=round_.id,
        details={"applicants": count},
    )
    if count > job_threshold:
        round_.status = "allocating"
        job = enqueue(
            session, "admissions.allocate", {"round_id": str(round_.id)}, principal=principal
        )
        await session.flush()
        return round_, job
    await session.flush()
    await session.run_sync(lambda s: allocate_round(s, round_.id))  # type: ignore[arg-type]  # a sqlmodel Session
    await session.refresh(round_)
    return round_, None


async def my_offer(
    *, session: AsyncSession, principal: Principal
) -> list[tuple[AdmissionRoundRecord, list[SupplementarySeat]]]:
    """Open supplementary rounds of the rounds the caller (or their child) applied in."""
    if principal.role not in (Role.STUDENT, Role.PARENT):
        raise PermissionDeniedError(
            "results by person are for students and parents", code="not_an_applicant"
        )
    people = {principal.user_id} | set(principal.children)
    round_ids = (
        await session.exec(
            select(AdmissionApplicantRecord.round_id).where(
                col(AdmissionApplicantRecord.user_id).in_(people)
            )
        )
    ).all()
    out = []
    for round_id in dict.fromkeys(round_ids):
        round_ = await session.get(AdmissionRoundRecord, round_id)
        if round_ is not None and phase_two(round_).get("status") == "open":
            out.append((round_, list(offer_of(round_).values())))
    return out
