"""Allocating a stored round in three timed steps: load, allocate, write.

A city-wide grade-10 round has 100,000 applicants, so the steps avoid the ORM where it costs:
applicants are loaded as plain rows (id, code, details), the results are computed by the pure
rules, and written in bulk: on PostgreSQL one ``UPDATE ... FROM json_to_recordset`` per 10,000
applicants; elsewhere an ``executemany`` UPDATE by primary key. Everything happens
in the caller's transaction, so a failure leaves the round as it was.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, text, update
from sqlmodel import Session, col, select

from content_service.admissions.rules import (
    EntryRuleSet,
    Grade10RuleSet,
    allocate_grade10,
    assign_entry_grade,
)
from content_service.errors import NotFoundError
from content_service.models.admissions import (
    AdmissionApplicantRecord,
    AdmissionRoundRecord,
    AdmissionSchoolRecord,
)
from content_service.models.base import utcnow
from content_service.services.admissions import (
    _domain_schools,
    _entry_schools,
    _rules,
    entry_applicant,
    grade10_applicant,
)

_CHUNK = 10_000  # applicants per UPDATE statement on PostgreSQL
_RESULT_COLUMNS = ("placed_school", "placed_label", "score", "explanation", "outcomes")


@dataclass(frozen=True, slots=True)
class LoadedRound:
    """A round's schools and applicants as plain rows: ``(id, applicant_code, details)``."""

    round: AdmissionRoundRecord
    schools: Sequence[AdmissionSchoolRecord]
    applicants: Sequence[tuple[uuid.UUID, str, dict[str, Any]]]
    rules: Grade10RuleSet | EntryRuleSet


@dataclass(slots=True)
class ComputedRound:
    """Per applicant the result columns; the round's cut-offs and summary."""

    results: list[dict[str, Any]] = field(default_factory=list)
    cutoffs: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)


def load_round(session: Session, round_id: uuid.UUID) -> LoadedRound:
    round_ = session.get(AdmissionRoundRecord, round_id)
    if round_ is None:
        raise NotFoundError(f"admission round {round_id} not found", code="round_not_found")
    schools = session.exec(
        select(AdmissionSchoolRecord).where(AdmissionSchoolRecord.round_id == round_id)
    ).all()
    table = AdmissionApplicantRecord
    rows = session.exec(
        select(col(table.id), col(table.applicant_code), col(table.details)).where(
            table.round_id == round_id
        )
    ).all()
    return LoadedRound(round_, schools, [tuple(r) for r in rows], _rules(round_))  # type: ignore[misc]


def compute_round(loaded: LoadedRound) -> ComputedRound:
    """Run the rules; phase 2 only once the supplementary round is opened and its wishes are in."""
    phase_two = dict(loaded.round.summary.get("supplementary") or {})
    with_supplementary = phase_two.get("status") in ("allocating", "allocated")
    if isinstance(loaded.rules, Grade10RuleSet):
        computed = _grade10(loaded, loaded.rules, supplementary=with_supplementary)
    else:
        computed = _entry(loaded, loaded.rules)
    if phase_two:
        if with_supplementary:
            phase_two["status"] = "allocated"
            phase_two["placed"] = sum(
                r["placed_label"].endswith(" bổ sung") for r in computed.results
            )
        computed.summary["supplementary"] = phase_two
    return computed


def _grade10(loaded: LoadedRound, rules: Grade10RuleSet, *, supplementary: bool) -> ComputedRound:
    applicants = [grade10_applicant(code, details) for _, code, details in loaded.applicants]
    result = allocate_grade10(
        applicants, _domain_schools(loaded.schools), rules, supplementary=supplementary
    )
    computed = ComputedRound()
    for applicant_id, code, _ in loaded.applicants:
        report = result.reports[code]
        placement = report.placement
        lines = [o.explain() for o in report.outcomes]
        computed.results.append(
            {
                "row_id": applicant_id,
                "placed_school": placement.school if placement else None,
                "placed_label": placement.label if placement else "",
                "score": str(placement.score) if placement else "",
                "explanation": report.explanation(lines),
                "outcomes": [
                    {
                        "wish": o.label,
                        "school": o.school,
                        "class_name": o.class_name,
                        "status": o.status.value,
                        "score": None if o.score is None else str(o.score),
                        "cutoff": None if o.cutoff is None else str(o.cutoff),
                        "earlier_cutoff": (
                            None if o.earlier_cutoff is None else str(o.earlier_cutoff)
                        ),
                        "reason": o.reason,
                        "explanation": line,
                    }
                    for o, line in zip(report.outcomes, lines, strict=True)
                ],
            }
        )
    computed.cutoffs = [
        {
            "wish": c.label,
            "school": c.school,
            "class_name": c.class_name,
            "cutoff": None if c.cutoff is None else str(c.cutoff),
            "applicants": c.applicants,
            "admitted": c.admitted,
            "seats_before": c.seats_before,
        }
        for c in result.cutoffs
    ]
    computed.summary = {"applicants": len(applicants), "placed": len(result.placements)}
    return computed


def _entry(loaded: LoadedRound, rules: EntryRuleSet) -> ComputedRound:
    round_ = loaded.round
    applicants = [
        entry_applicant(code, round_.grade, details) for _, code, details in loaded.applicants
    ]
    result = assign_entry_grade(
        applicants,
        _entry_schools(loaded.schools),
        rules,
        grade=round_.grade,
        admission_year=round_.admission_year,
    )
    computed = ComputedRound()
    for applicant_id, code, details in loaded.applicants:
        outcome = result.outcomes[code]
        area = set(details.get("area_schools") or ())
        home = outcome.school in area and not outcome.group_one_reason
        computed.results.append(
            {
                "row_id": applicant_id,
                "placed_school": outcome.school,
                "placed_label": (
                    "" if outcome.school is None else ("group 1" if home else "group 2")
                ),
                "score": "",
                "explanation": outcome.explanation(),
                "outcomes": [{"explanation": line} for line in outcome.lines],
            }
        )
    computed.cutoffs = [
        {"school": code, "admitted": len(ids)} for code, ids in sorted(result.admitted.items())
    ]
    placed = sum(len(ids) for ids in result.admitted.values())
    computed.summary = {"applicants": len(applicants), "placed": placed}
    return computed


def write_round(session: Session, loaded: LoadedRound, computed: ComputedRound) -> None:
    """Store every applicant's result and the round's cut-offs and summary (one transaction)."""
    if session.get_bind().dialect.name == "postgresql":
        _update_from_json(session, computed.results)
    else:
        table = AdmissionApplicantRecord.__table__  # type: ignore[attr-defined]
        statement = (
            update(table)
            .where(table.c.id == bindparam("row_id"))
            .values({name: bindparam(name) for name in _RESULT_COLUMNS})
        )
        session.connection().execute(statement, computed.results)
    round_ = loaded.round
    round_.status, round_.allocated_at = "allocated", utcnow()
    round_.cutoffs, round_.summary = computed.cutoffs, computed.summary
    session.add(round_)
    session.flush()
    # The applicants were written around the ORM: reload any copy the session holds.
    for record in list(session.identity_map.values()):
        if isinstance(record, AdmissionApplicantRecord):
            session.expire(record)


def _update_from_json(session: Session, results: list[dict[str, Any]]) -> None:
    """PostgreSQL: one ``UPDATE ... FROM json_to_recordset`` per chunk of results.

    A single parameter per chunk keeps it to a handful of round trips through any driver
    (the request path runs on the async driver, the job on the sync one); COPY would need the
    raw driver connection, which the async adapter hides.
    """
    statement = text(
        "UPDATE admission_applicant AS a SET placed_school = r.placed_school, "
        "placed_label = r.placed_label, score = r.score, explanation = r.explanation, "
        "outcomes = r.outcomes "
        "FROM json_to_recordset(CAST(:payload AS json)) AS r(row_id uuid, placed_school text, "
        "placed_label text, score text, explanation text, outcomes json) "
        "WHERE a.id = r.row_id"
    )
    connection = session.connection()
    for start in range(0, len(results), _CHUNK):
        chunk = results[start : start + _CHUNK]
        payload = json.dumps(chunk, ensure_ascii=False, default=str, separators=(",", ":"))
        connection.execute(statement, {"payload": payload})


def allocate_loaded_round(session: Session, round_id: uuid.UUID) -> dict[str, Any]:
    """Load, allocate and write a round; returns its summary."""
    loaded = load_round(session, round_id)
    computed = compute_round(loaded)
    write_round(session, loaded, computed)
    return computed.summary
