"""Calibration use cases: response datasets, calibration jobs and accepted parameter sets.

Researchers (and system admins) create datasets, run calibrations and accept parameters;
teachers, school admins and researchers read accepted parameters; students and parents never.
"""

from __future__ import annotations

import csv
import io
import math
import uuid
from collections.abc import Sequence
from datetime import datetime
from importlib import metadata
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from content_service.errors import ConflictError, NotFoundError, UnprocessableError
from content_service.jobs import enqueue
from content_service.models.base import as_utc
from content_service.models.calibration import (
    CalibrationRunRecord,
    DatasetSource,
    ItemParameterRecord,
    ParameterSetRecord,
    ResponseDatasetRecord,
    RunStatus,
)
from content_service.models.items import ItemRecord, ItemVersionRecord, VersionStatus
from content_service.models.people import Role, SchoolRecord
from content_service.models.quizzes import AnswerRecord, AttemptRecord, QuizRecord
from content_service.schemas.common import PageParams
from content_service.services.access import Principal, require_role, require_school
from content_service.services.audit import record_audit
from content_service.services.people import paginate
from item_bank.psychometrics import Priors
from item_bank.qti.usage import (
    ItemStatistic,
    export_usage_data,
    irt_statistics,
    polytomous_statistics,
)

JOB_KIND = "calibration"
PRIOR_FIELDS = ("log_discrimination", "discrimination", "intercept", "guessing")
MAX_CATEGORIES = 10
RUN_MODELS = ("rasch", "1pl", "2pl", "3pl", "grm", "gpcm")
MIN_POINTS, MAX_POINTS = 21, 121
_READERS = (Role.RESEARCHER, Role.TEACHER, Role.SCHOOL_ADMIN)


def software_version() -> str:
    """The calibration software recorded in provenance."""
    try:
        return f"content-service {metadata.version('content-service')} (item_bank.psychometrics)"
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "content-service (item_bank.psychometrics)"


def require_researcher(principal: Principal) -> None:
    """Datasets and runs: researchers and system admins only."""
    require_role(principal, Role.RESEARCHER)


def require_parameter_reader(principal: Principal) -> None:
    """Accepted parameters: staff who build quizzes and researchers; never students."""
    require_role(principal, *_READERS)


# --- response data -------------------------------------------------------------------------


def parse_response_csv(text: str) -> tuple[list[str], list[str], dict[str, list[int]]]:
    """Person labels, column headers and sparse triplets of a response CSV.

    The first column is a person id, every further column an item identifier or item version
    id; a blank cell means "not presented". Raises UnprocessableError naming row and column.
    """
    try:  # newline="": a lone "\r" ends a line, as csv expects
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    except csv.Error as exc:
        raise UnprocessableError(
            f"file: not a readable CSV ({exc})", code="bad_response_csv"
        ) from None
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if len(rows) < 2 or len(rows[0]) < 2:
        raise UnprocessableError(
            "the CSV needs a header (person id, then one column per item) and at least one row",
            code="bad_response_csv",
        )
    header = [h.strip() for h in rows[0]]
    columns = header[1:]
    for j, name in enumerate(columns, start=2):
        if not name:
            raise UnprocessableError(f"column {j} has no item identifier", code="bad_response_csv")
    duplicate = next((c for c in columns if columns.count(c) > 1), None)
    if duplicate:
        raise UnprocessableError(f"column {duplicate!r} appears twice", code="bad_response_csv")
    persons: list[str] = []
    triplets: dict[str, list[int]] = {"persons": [], "items": [], "values": []}
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise UnprocessableError(
                f"row {line} has {len(row)} cells, the header has {len(header)}",
                code="bad_response_csv",
            )
        label = row[0].strip()
        if not label:
            raise UnprocessableError(f"row {line} has no person id", code="bad_response_csv")
        for j, cell in enumerate(row[1:]):
            value = _category(cell, line, columns[j])
            if value is not None:
                triplets["persons"].append(len(persons))
                triplets["items"].append(j)
                triplets["values"].append(value)
        persons.append(label)
    return persons, columns, triplets


def _category(cell: str, line: int, column: str) -> int | None:
    cell = cell.strip()
    if not cell:
        return None
    try:
        number = float(cell)
    except ValueError:
        number = -1.0
    if not (math.isfinite(number) and number.is_integer() and 0 <= number < MAX_CATEGORIES):
        raise UnprocessableError(
            f"row {line}, column {column!r}: {cell!r} is not a response category "
            f"(an integer 0..{MAX_CATEGORIES - 1}, or blank for not presented)",
            code="bad_response_csv",
        )
    return int(number)


async def _resolve_columns(session: AsyncSession, columns: Sequence[str]) -> list[uuid.UUID]:
    """Item version of each column: a version id, or an item identifier (its newest
    published version, else its newest version)."""
    resolved: list[uuid.UUID] = []
    for name in columns:
        version = None
        try:
            version = await session.get(ItemVersionRecord, uuid.UUID(name))
        except ValueError:
            item = (
                await session.exec(select(ItemRecord).where(ItemRecord.identifier == name))
            ).first()
            if item is not None:
                query = (
                    select(ItemVersionRecord)
                    .where(ItemVersionRecord.item_id == item.id)
                    .order_by(
                        col(ItemVersionRecord.status) == VersionStatus.PUBLISHED,
                        col(ItemVersionRecord.number),
                    )
                )
                versions = (await session.exec(query)).all()
                version = versions[-1] if versions else None
        if version is None:
            raise UnprocessableError(
                f"column {name!r} names no item identifier or item version id in the bank",
                code="unknown_item",
            )
        resolved.append(version.id)
    return resolved


async def create_dataset_from_csv(
    *, session: AsyncSession, principal: Principal, name: str, data: bytes, description: str = ""
) -> ResponseDatasetRecord:
    require_researcher(principal)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnprocessableError("the CSV file must be UTF-8", code="bad_response_csv") from exc
    persons, columns, triplets = parse_response_csv(text)
    versions = await _resolve_columns(session, columns)
    if len(set(versions)) != len(versions):
        raise UnprocessableError("two columns name the same item version", code="bad_response_csv")
    return await _save_dataset(
        session, principal, name=name or "upload", source=DatasetSource.UPLOAD,
        description=description, versions=versions, persons=persons, triplets=triplets,
        selection={"file_columns": columns},
    )  # fmt: skip


async def create_dataset_from_quizzes(
    *,
    session: AsyncSession,
    principal: Principal,
    name: str,
    quiz_ids: Sequence[uuid.UUID] = (),
    item_version_ids: Sequence[uuid.UUID] = (),
    school_id: uuid.UUID | None = None,
    submitted_from: datetime | None = None,
    submitted_until: datetime | None = None,
) -> ResponseDatasetRecord:
    """Scored answers of submitted quiz attempts, selected by quiz, items, school and period."""
    require_researcher(principal)
    query = select(AttemptRecord).where(col(AttemptRecord.submitted_at).is_not(None))
    if quiz_ids:
        query = query.where(col(AttemptRecord.quiz_id).in_(list(quiz_ids)))
    if school_id is not None:
        query = query.join(QuizRecord, col(QuizRecord.id) == AttemptRecord.quiz_id).where(
            QuizRecord.school_id == school_id
        )
    attempts = [
        a
        for a in (await session.exec(query)).all()
        if _in_period(a.submitted_at, submitted_from, submitted_until)
    ]
    wanted = {str(v) for v in item_version_ids}
    cells: dict[tuple[str, str], int] = {}
    for attempt in attempts:
        keys = {q["key"]: str(q["version_id"]) for q in attempt.questions}
        answers = (
            await session.exec(
                select(AnswerRecord)
                .where(AnswerRecord.attempt_id == attempt.id)
                .order_by(col(AnswerRecord.sequence))
            )
        ).all()
        for answer in answers:  # the last saved answer of each question counts
            version = keys.get(answer.question)
            if version is None or (wanted and version not in wanted):
                continue
            value = _answer_category(answer)
            if value is not None:
                cells[(str(attempt.student_id), version)] = value
    if not cells:
        raise UnprocessableError("no scored answers match this selection", code="empty_selection")
    persons = sorted({p for p, _ in cells})
    versions = sorted({v for _, v in cells})
    p_index = {p: i for i, p in enumerate(persons)}
    v_index = {v: j for j, v in enumerate(versions)}
    triplets: dict[str, list[int]] = {"persons": [], "items": [], "values": []}
    for (person, version), value in sorted(cells.items()):
        triplets["persons"].append(p_index[person])
        triplets["items"].append(v_index[version])
        triplets["values"].append(value)
    selection = {
        "quiz_ids": [str(q) for q in quiz_ids],
        "item_version_ids": sorted(wanted),
        "school_id": str(school_id) if school_id else None,
        "submitted_from": submitted_from.isoformat() if submitted_from else None,
        "submitted_until": submitted_until.isoformat() if submitted_until else None,
        "attempts": len(attempts),
    }
    return await _save_dataset(
        session, principal, name=name or "quizzes", source=DatasetSource.QUIZZES,
        description="", versions=[uuid.UUID(v) for v in versions], persons=persons,
        triplets=triplets, selection=selection,
    )  # fmt: skip


def _in_period(when: datetime | None, start: datetime | None, stop: datetime | None) -> bool:
    if when is None:
        return False
    when = as_utc(when)
    return (start is None or when >= as_utc(start)) and (stop is None or when < as_utc(stop))


def _answer_category(answer: AnswerRecord) -> int | None:
    """Dichotomous questions: 1 if full marks; partial credit: the rounded score as category."""
    if answer.score is None:
        return None if answer.correct is None else int(answer.correct)
    top = answer.max_score or 1.0
    if top <= 1:
        return int(answer.score >= top - 1e-9)
    return max(0, min(round(answer.score), MAX_CATEGORIES - 1))


async def _save_dataset(
    session: AsyncSession, principal: Principal, *, name: str, source: DatasetSource,
    description: str, versions: Sequence[uuid.UUID], persons: Sequence[str],
    triplets: dict[str, list[int]], selection: dict[str, Any],
) -> ResponseDatasetRecord:  # fmt: skip
    record = ResponseDatasetRecord(
        name=name, source=source, description=description, school_id=principal.school_id,
        created_by=principal.user_id, n_persons=len(persons),
        n_responses=len(triplets["values"]), item_versions=[str(v) for v in versions],
        person_labels=list(persons), responses=triplets, selection=selection,
    )  # fmt: skip
    session.add(record)
    await session.flush()
    record_audit(
        session=session, actor=principal, action="calibration.dataset.create",
        entity="calibration_dataset", entity_id=record.id, school_id=principal.school_id,
        details={"source": source.value, "persons": len(persons), "items": len(versions)},
    )  # fmt: skip
    return record


async def dataset_choices(
    *, session: AsyncSession, principal: Principal, limit: int = 200
) -> tuple[list[QuizRecord], list[SchoolRecord]]:
    """Quizzes (newest first) and schools a researcher can select response data by."""
    require_researcher(principal)
    quizzes = (
        await session.exec(select(QuizRecord).order_by(col(QuizRecord.created_at).desc())
                           .limit(limit))
    ).all()  # fmt: skip
    schools = (await session.exec(select(SchoolRecord).order_by(col(SchoolRecord.name)))).all()
    return list(quizzes), list(schools)


async def list_datasets(
    *, session: AsyncSession, principal: Principal, page: PageParams
) -> tuple[list[ResponseDatasetRecord], int]:
    require_researcher(principal)
    query = select(ResponseDatasetRecord).order_by(col(ResponseDatasetRecord.created_at).desc())
    return await paginate(session, _visible(query, ResponseDatasetRecord, principal), page)


async def get_dataset(
    *, session: AsyncSession, principal: Principal, dataset_id: uuid.UUID
) -> ResponseDatasetRecord:
    return await _get_for_researcher(
        session, principal, ResponseDatasetRecord, dataset_id, what="dataset",
        code="dataset_not_found",
    )  # fmt: skip


_Record = TypeVar("_Record", ResponseDatasetRecord, CalibrationRunRecord)


async def _get_for_researcher(
    session: AsyncSession, principal: Principal, model: type[_Record], record_id: uuid.UUID, *,
    what: str, code: str,
) -> _Record:  # fmt: skip
    """A dataset or run by id, for researchers; 404 ``code`` when it does not exist.

    A researcher attached to a school works on that school's data (and on data made by
    researchers without a school); one without a school, and system admins, see everything.
    """
    require_researcher(principal)
    record = await session.get(model, record_id)
    if record is None:
        raise NotFoundError(f"{what} {record_id} not found", code=code)
    if record.school_id is not None and principal.school_id is not None:
        require_school(principal, record.school_id)
    return record


def _visible(
    query: SelectOfScalar[_Record], model: type[_Record], principal: Principal
) -> SelectOfScalar[_Record]:
    """Restrict a listing to what :func:`_get_for_researcher` would hand out."""
    if principal.is_system_admin or principal.school_id is None:
        return query
    school = col(model.school_id)
    return query.where((school == principal.school_id) | school.is_(None))


# --- runs ----------------------------------------------------------------------------------


def run_priors(stored: dict[str, Any]) -> Priors | None:
    """The engine's priors for a run's stored ``priors`` ({} = the engine's defaults)."""
    if not stored:
        return None
    return Priors(**{name: None if v is None else tuple(v) for name, v in stored.items()})


def _checked_priors(priors: dict[str, Any] | None) -> dict[str, Any]:
    """Validated priors as stored on the run: every field, the engine's default where left out."""
    if not priors:
        return {}
    unknown = sorted(set(priors) - set(PRIOR_FIELDS))
    if unknown:
        raise UnprocessableError(
            f"priors.{unknown[0]}: unknown prior; use {', '.join(PRIOR_FIELDS)}", code="bad_priors"
        )
    try:
        built = run_priors(priors)
    except (TypeError, ValueError) as exc:
        raise UnprocessableError(f"priors: {exc}", code="bad_priors") from exc
    assert built is not None
    return {
        name: None if getattr(built, name) is None else [float(v) for v in getattr(built, name)]
        for name in PRIOR_FIELDS
    }


async def start_run(
    *, session: AsyncSession, principal: Principal, dataset_id: uuid.UUID, model: str,
    quadrature_points: int = 61, priors: dict[str, Any] | None = None,
) -> CalibrationRunRecord:  # fmt: skip
    """Queue a calibration of a dataset; the worker fills in the result.

    ``priors`` (MAP estimation) takes the fields of ``item_bank.psychometrics.Priors``; left
    out, the engine's defaults apply (a Beta(5, 17) prior on the 3PL guessing parameter only).
    """
    dataset = await get_dataset(session=session, principal=principal, dataset_id=dataset_id)
    if model not in RUN_MODELS:
        raise UnprocessableError(
            f"model: {model!r} is not one of {', '.join(RUN_MODELS)}", code="bad_model"
        )
    if not MIN_POINTS <= quadrature_points <= MAX_POINTS:
        raise UnprocessableError(
            f"quadrature_points: {quadrature_points} is outside {MIN_POINTS}..{MAX_POINTS}",
            code="bad_quadrature_points",
        )
    stored_priors = _checked_priors(priors)
    run = CalibrationRunRecord(
        dataset_id=dataset.id, model=model, quadrature_points=quadrature_points,
        priors=stored_priors,
        school_id=principal.school_id, created_by=principal.user_id,
        software_version=software_version(),
    )  # fmt: skip
    session.add(run)
    await session.flush()
    job = enqueue(session, JOB_KIND, {"run_id": str(run.id)}, principal=principal)
    await session.flush()
    run.job_id = job.id
    record_audit(
        session=session, actor=principal, action="calibration.run.start",
        entity="calibration_run", entity_id=run.id, school_id=principal.school_id,
        details={"dataset_id": str(dataset.id), "model": model, "priors": stored_priors},
    )  # fmt: skip
    return run


async def list_runs(
    *, session: AsyncSession, principal: Principal, page: PageParams,
    dataset_id: uuid.UUID | None = None,
) -> tuple[list[CalibrationRunRecord], int]:  # fmt: skip
    require_researcher(principal)
    query = select(CalibrationRunRecord).order_by(col(CalibrationRunRecord.created_at).desc())
    if dataset_id is not None:
        query = query.where(CalibrationRunRecord.dataset_id == dataset_id)
    return await paginate(session, _visible(query, CalibrationRunRecord, principal), page)


async def get_run(
    *, session: AsyncSession, principal: Principal, run_id: uuid.UUID
) -> CalibrationRunRecord:
    return await _get_for_researcher(
        session, principal, CalibrationRunRecord, run_id, what="calibration run",
        code="run_not_found",
    )  # fmt: skip


# --- accepted parameter sets ---------------------------------------------------------------


async def accept_run(
    *, session: AsyncSession, principal: Principal, run_id: uuid.UUID, name: str, note: str = ""
) -> ParameterSetRecord:
    """Store a finished run's parameters as the next version of parameter set ``name``."""
    run = await get_run(session=session, principal=principal, run_id=run_id)
    if run.status != RunStatus.SUCCEEDED:
        raise ConflictError(
            f"calibration run {run_id} is {run.status}; only a succeeded run can be accepted",
            code="run_not_finished",
        )
    dataset = await session.get(ResponseDatasetRecord, run.dataset_id)
    assert dataset is not None
    latest = (
        await session.exec(
            select(func.max(ParameterSetRecord.version)).where(ParameterSetRecord.name == name)
        )
    ).one()
    parameter_set = ParameterSetRecord(
        name=name, version=int(latest or 0) + 1, run_id=run.id, dataset_id=dataset.id,
        model=run.model, software_version=run.software_version, job_id=run.job_id,
        accepted_by=principal.user_id, note=note,
        provenance=_provenance(run, dataset, principal),
    )  # fmt: skip
    session.add(parameter_set)
    try:
        await session.flush()
    except IntegrityError as exc:  # the unique (name, version) lost a race with another accept
        raise ConflictError(
            f"parameter set {name!r} got a new version meanwhile; retry", code="already_exists"
        ) from exc
    for entry in run.result.get("items", []):
        session.add(_item_parameter(parameter_set.id, entry))
    record_audit(
        session=session, actor=principal, action="calibration.parameters.accept",
        entity="calibration_parameter_set", entity_id=parameter_set.id,
        school_id=principal.school_id,
        details={"name": name, "version": parameter_set.version, "run_id": str(run.id)},
    )  # fmt: skip
    return parameter_set


def _provenance(
    run: CalibrationRunRecord, dataset: ResponseDatasetRecord, principal: Principal
) -> dict[str, Any]:
    return {
        "run_id": str(run.id),
        "run_by": str(run.created_by) if run.created_by else None,
        "run_at": as_utc(run.created_at).isoformat(),
        "finished_at": as_utc(run.finished_at).isoformat() if run.finished_at else None,
        "accepted_by_username": principal.username,
        "dataset": {
            "id": str(dataset.id), "name": dataset.name, "source": str(dataset.source),
            "persons": dataset.n_persons, "items": len(dataset.item_versions),
            "responses": dataset.n_responses, "selection": dataset.selection,
        },
        "model": run.model,
        "quadrature_points": run.quadrature_points,
        "priors": run.priors or "engine defaults",
        "loglik": run.result.get("loglik"),
        "converged": run.result.get("converged"),
        "software_version": run.software_version,
        "job_id": str(run.job_id) if run.job_id else None,
    }  # fmt: skip


def _item_parameter(set_id: uuid.UUID, entry: dict[str, Any]) -> ItemParameterRecord:
    return ItemParameterRecord(
        parameter_set_id=set_id, item_version_id=uuid.UUID(entry["item_version_id"]),
        model=entry["model"], n_categories=entry["n_categories"],
        discrimination=entry["discrimination"], intercepts=entry["intercepts"],
        difficulty=entry.get("difficulty"), thresholds=entry.get("thresholds", []),
        guessing=entry.get("guessing", 0.0), standard_errors=entry.get("standard_errors", {}),
        fit=entry.get("fit", {}), n_responses=entry.get("n_responses", 0),
    )  # fmt: skip


async def list_parameter_sets(
    *, session: AsyncSession, principal: Principal, page: PageParams, name: str | None = None
) -> tuple[list[ParameterSetRecord], int]:
    require_parameter_reader(principal)
    query = select(ParameterSetRecord).order_by(col(ParameterSetRecord.accepted_at).desc())
    if name:
        query = query.where(ParameterSetRecord.name == name)
    return await paginate(session, query, page)


async def get_parameter_set(
    *, session: AsyncSession, principal: Principal, set_id: uuid.UUID
) -> tuple[ParameterSetRecord, list[ItemParameterRecord]]:
    require_parameter_reader(principal)
    record = await session.get(ParameterSetRecord, set_id)
    if record is None:
        raise NotFoundError(f"parameter set {set_id} not found", code="parameter_set_not_found")
    items = (
        await session.exec(
            select(ItemParameterRecord).where(ItemParameterRecord.parameter_set_id == set_id)
        )
    ).all()
    return record, list(items)


async def current_parameters(
    *, session: AsyncSession, item_version_id: uuid.UUID
) -> ItemParameterRecord | None:
    """The item version's parameters in the most recently accepted set (for quizzes and CAT)."""
    query = (
        select(ItemParameterRecord)
        .join(
            ParameterSetRecord, col(ParameterSetRecord.id) == ItemParameterRecord.parameter_set_id
        )
        .where(ItemParameterRecord.item_version_id == item_version_id)
        .order_by(
            col(ParameterSetRecord.accepted_at).desc(), col(ParameterSetRecord.version).desc()
        )
        .limit(1)
    )
    return (await session.exec(query)).first()


async def read_current_parameters(
    *, session: AsyncSession, principal: Principal, item_version_id: uuid.UUID
) -> ItemParameterRecord:
    require_parameter_reader(principal)
    record = await current_parameters(session=session, item_version_id=item_version_id)
    if record is None:
        raise NotFoundError(
            f"item version {item_version_id} has no accepted parameters", code="no_parameters"
        )
    return record


# --- exports -------------------------------------------------------------------------------

CSV_COLUMNS = (
    "item_version_id", "model", "n_categories", "a", "d", "b", "thresholds", "c",
    "se_a", "se_d", "s_x2", "df", "p_value", "n_responses",
)  # fmt: skip


def parameters_csv(items: Sequence[ItemParameterRecord]) -> str:
    """One row per item version; multi-valued cells (d, thresholds) are ``;``-separated."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for p in items:
        se = p.standard_errors
        writer.writerow([
            p.item_version_id, p.model, p.n_categories, _num(p.discrimination),
            ";".join(_num(v) for v in p.intercepts), _num(p.difficulty),
            ";".join(_num(v) for v in p.thresholds), _num(p.guessing),
            _num(se.get("discrimination")), ";".join(_num(v) for v in se.get("intercepts", [])),
            _num(p.fit.get("s_x2")), _num(p.fit.get("df")), _num(p.fit.get("p_value")),
            p.n_responses,
        ])  # fmt: skip
    return out.getvalue()


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"


async def parameters_usage_data(
    *,
    session: AsyncSession,
    parameter_set: ParameterSetRecord,
    items: Sequence[ItemParameterRecord],
) -> str:
    """QTI 3.0 usage data keyed by item identifier: A-/B-/C-Parm of dichotomous items, and
    ``IRT-Model``, ``A-Parm``, ``GRM-B``/``GPCM-B`` and ``D-Parm`` of polytomous ones (see
    :mod:`item_bank.qti.usage` for the names)."""
    names = await _item_identifiers(session, [p.item_version_id for p in items])
    context = f"urn:content-service:parameter-set:{parameter_set.name}:v{parameter_set.version}"
    updated = as_utc(parameter_set.accepted_at).date().isoformat()
    stats: list[ItemStatistic] = []
    for p in items:
        item = names.get(p.item_version_id, str(p.item_version_id))
        se_a = p.standard_errors.get("discrimination")
        if p.difficulty is None:  # GRM/GPCM: no single B-Parm
            stats.extend(
                polytomous_statistics(
                    item, model=p.model, discrimination=p.discrimination,
                    intercepts=p.intercepts, thresholds=p.thresholds, case_count=p.n_responses,
                    discrimination_error=se_a, context=context, last_updated=updated,
                )
            )  # fmt: skip
            continue
        errors = {"discrimination": se_a, "difficulty": p.standard_errors.get("difficulty")}
        stats.extend(
            irt_statistics(
                item, discrimination=p.discrimination, difficulty=p.difficulty,
                guessing=p.guessing if p.model == "3pl" else None, case_count=p.n_responses,
                std_errors={k: v for k, v in errors.items() if v is not None},
                context=context, last_updated=updated,
            )
        )  # fmt: skip
    return export_usage_data(stats)


async def _item_identifiers(
    session: AsyncSession, version_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, str]:
    if not version_ids:
        return {}
    rows = await session.exec(
        select(ItemVersionRecord.id, ItemRecord.identifier)
        .join(ItemRecord, col(ItemRecord.id) == ItemVersionRecord.item_id)
        .where(col(ItemVersionRecord.id).in_(list(version_ids)))
    )
    return {vid: ident for vid, ident in rows.all()}
