"""Calibration pages: datasets, runs and parameter sets; a run's results with server-side plots.

Plots (item characteristic curves, test and item information, Wright map) are SVG drawn with
matplotlib's object API (no pyplot state, so concurrent requests do not share a figure).
"""

from __future__ import annotations

import io
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

import numpy as np
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData
from starlette.datastructures import UploadFile as StarletteUploadFile

from content_service.api.deps import OptionalPrincipalDep, SessionDep
from content_service.errors import ServiceError, UnprocessableError
from content_service.models.calibration import (
    CalibrationRunRecord,
    ResponseDatasetRecord,
    RunStatus,
)
from content_service.models.jobs import JobRecord
from content_service.models.people import UserRecord
from content_service.schemas.common import PageParams
from content_service.services import calibration as service
from content_service.services.access import Principal
from content_service.web.pages import render
from item_bank.psychometrics import ItemParameters, category_probabilities, item_information

router = APIRouter(prefix="/pages/calibration", include_in_schema=False)
_PAGE = PageParams(limit=100, offset=0)
_THETA = np.linspace(-4.0, 4.0, 161)
_MAX_CURVES = 40  # more curves than this are unreadable on one plot

PlotKind = Literal["icc", "information", "wright"]


def _login() -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


async def _user(session: SessionDep, principal: Principal) -> UserRecord | None:
    return await session.get(UserRecord, principal.user_id)


def _denied(request: Request, user: UserRecord | None, exc: ServiceError) -> Response:
    language = user.language if user else None
    response = render(request, "calibration/denied.html", user=user, user_language=language,
                      message=exc.detail)  # fmt: skip
    response.status_code = exc.status_code
    return response


def _is_researcher(principal: Principal) -> bool:
    try:
        service.require_researcher(principal)
    except ServiceError:
        return False
    return True


@router.get("", response_class=HTMLResponse, response_model=None)
async def calibration_home(
    request: Request, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    user = await _user(session, principal)
    language = user.language if user else None
    try:
        sets, _ = await service.list_parameter_sets(
            session=session, principal=principal, page=_PAGE
        )
    except ServiceError as exc:
        return _denied(request, user, exc)
    datasets: list[ResponseDatasetRecord] = []
    runs: list[CalibrationRunRecord] = []
    if _is_researcher(principal):
        datasets, _ = await service.list_datasets(session=session, principal=principal, page=_PAGE)
        runs, _ = await service.list_runs(session=session, principal=principal, page=_PAGE)
    return render(request, "calibration/index.html", user=user, user_language=language,
                  sets=sets, datasets=datasets, runs=runs, researcher=_is_researcher(principal),
                  accepted=bool(request.query_params.get("accepted")))  # fmt: skip


# --- datasets: create from an upload or from quiz answers ---------------------------------


async def _new_dataset_form(
    request: Request,
    session: SessionDep,
    principal: Principal,
    *,
    error: ServiceError | None = None,
    form: dict[str, Any] | None = None,
) -> Response:
    user = await _user(session, principal)
    try:
        quizzes, schools = await service.dataset_choices(session=session, principal=principal)
    except ServiceError as exc:
        return _denied(request, user, exc)
    response = render(request, "calibration/new_dataset.html", user=user,
                      user_language=user.language if user else None, quizzes=quizzes,
                      schools=schools, error=error.detail if error else None,
                      form=form or {})  # fmt: skip
    if error is not None:
        response.status_code = error.status_code
    return response


@router.get("/datasets/new", response_class=HTMLResponse, response_model=None)
async def calibration_new_dataset_page(
    request: Request, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    return await _new_dataset_form(request, session, principal)


@router.post("/datasets/upload", response_class=HTMLResponse, response_model=None)
async def calibration_upload_dataset_submit(
    request: Request, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    async with request.form(max_files=1, max_fields=10) as form:
        name = _text(form.get("name"), 200)
        upload = form.get("file")
        try:
            if not isinstance(upload, StarletteUploadFile) or not upload.filename:
                raise UnprocessableError("file: choose a CSV file to upload", code="missing_file")
            data = await upload.read()
            record = await service.create_dataset_from_csv(
                session=session, principal=principal, name=name or upload.filename, data=data,
                description=_text(form.get("description"), 2000),
            )  # fmt: skip
        except ServiceError as exc:
            await session.rollback()
            return await _new_dataset_form(request, session, principal, error=exc,
                                           form={"name": name})  # fmt: skip
    return RedirectResponse(f"/pages/calibration/datasets/{record.id}", status_code=303)


@router.post("/datasets/from-quizzes", response_class=HTMLResponse, response_model=None)
async def calibration_quiz_dataset_submit(
    request: Request, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    form = await request.form()
    keys = ("name", "item_version_ids", "school_id", "submitted_from", "submitted_until")
    values = {key: _text(form.get(key), 5000) for key in keys}
    try:
        record = await service.create_dataset_from_quizzes(
            session=session, principal=principal, name=values["name"] or "quizzes",
            quiz_ids=[_uuid(v, "quiz_ids") for v in form.getlist("quiz_ids") if isinstance(v, str)],
            item_version_ids=[_uuid(v, "item_version_ids")
                              for v in values["item_version_ids"].replace(",", " ").split()],
            school_id=_uuid(values["school_id"], "school_id") if values["school_id"] else None,
            submitted_from=_day(values["submitted_from"], "submitted_from"),
            submitted_until=_day(values["submitted_until"], "submitted_until", end=True),
        )  # fmt: skip
    except ServiceError as exc:
        await session.rollback()
        return await _new_dataset_form(request, session, principal, error=exc, form=values)
    return RedirectResponse(f"/pages/calibration/datasets/{record.id}", status_code=303)


def _text(value: object, limit: int) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def _uuid(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        raise UnprocessableError(f"{field}: {value!r} is not an id", code="bad_form") from None


def _day(value: str, field: str, *, end: bool = False) -> datetime | None:
    """A YYYY-MM-DD form date as UTC midnight; ``end`` gives the next midnight (inclusive day)."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise UnprocessableError(
            f"{field}: {value!r} is not a date (YYYY-MM-DD)", code="bad_form"
        ) from None
    start = datetime.combine(day, time(), tzinfo=UTC)
    return start + timedelta(days=1) if end else start


# --- a dataset and its runs ----------------------------------------------------------------


async def _dataset_view(
    request: Request, session: SessionDep, principal: Principal, dataset_id: uuid.UUID, *,
    error: ServiceError | None = None,
) -> Response:  # fmt: skip
    user = await _user(session, principal)
    try:
        dataset = await service.get_dataset(
            session=session, principal=principal, dataset_id=dataset_id
        )
        runs, _ = await service.list_runs(
            session=session, principal=principal, page=_PAGE, dataset_id=dataset_id
        )
    except ServiceError as exc:
        return _denied(request, user, exc)
    response = render(request, "calibration/dataset.html", user=user,
                      user_language=user.language if user else None, dataset=dataset, runs=runs,
                      models=service.RUN_MODELS, min_points=service.MIN_POINTS,
                      max_points=service.MAX_POINTS,
                      error=error.detail if error else None)  # fmt: skip
    if error is not None:
        response.status_code = error.status_code
    return response


@router.get("/datasets/{dataset_id}", response_class=HTMLResponse, response_model=None)
async def calibration_dataset_page(
    dataset_id: uuid.UUID, request: Request, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    return await _dataset_view(request, session, principal, dataset_id)


def _form_priors(form: FormData) -> dict[str, Any] | None:
    """Priors from the run form: an empty pair means no prior; the 3PL default alone means none."""
    priors: dict[str, Any] = {}
    for name in ("log_discrimination", "intercept", "guessing"):
        pair = [_text(form.get(f"prior_{name}_{k}"), 20).replace(",", ".") for k in (1, 2)]
        if not any(pair):
            if name == "guessing":
                priors[name] = None
            continue
        try:
            priors[name] = [float(v) for v in pair]
        except ValueError:
            raise UnprocessableError(
                f"prior_{name}: {pair[0]!r} / {pair[1]!r} must both be numbers", code="bad_form"
            ) from None
    return None if priors == {"guessing": [5.0, 17.0]} else priors


@router.post("/datasets/{dataset_id}/runs", response_class=HTMLResponse, response_model=None)
async def calibration_start_run_submit(
    dataset_id: uuid.UUID, request: Request, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    form = await request.form()
    try:
        points_text = _text(form.get("quadrature_points"), 10) or "61"
        if not points_text.isdigit():
            raise UnprocessableError(
                f"quadrature_points: {points_text!r} is not a whole number", code="bad_form"
            )
        run = await service.start_run(
            session=session, principal=principal, dataset_id=dataset_id,
            model=_text(form.get("model"), 16), quadrature_points=int(points_text),
            priors=_form_priors(form),
        )  # fmt: skip
    except ServiceError as exc:
        await session.rollback()
        return await _dataset_view(request, session, principal, dataset_id, error=exc)
    return RedirectResponse(f"/pages/calibration/runs/{run.id}", status_code=303)


# --- a run: status, results, acceptance ----------------------------------------------------


async def _run_view(
    request: Request, session: SessionDep, principal: Principal, run_id: uuid.UUID, *,
    error: ServiceError | None = None, accept_name: str = "",
) -> Response:  # fmt: skip
    user = await _user(session, principal)
    try:
        run = await service.get_run(session=session, principal=principal, run_id=run_id)
        job = await session.get(JobRecord, run.job_id) if run.job_id else None
        dataset = await session.get(ResponseDatasetRecord, run.dataset_id)
    except ServiceError as exc:
        return _denied(request, user, exc)
    pending = run.status not in (RunStatus.SUCCEEDED, RunStatus.FAILED)
    response = render(request, "calibration/run.html", user=user,
                      user_language=user.language if user else None, run=run, job=job,
                      dataset=dataset, result=run.result, pending=pending,
                      succeeded=run.status == RunStatus.SUCCEEDED,
                      error=error.detail if error else None,
                      accept_name=accept_name or (dataset.name if dataset else ""))  # fmt: skip
    if error is not None:
        response.status_code = error.status_code
    return response


@router.get("/runs/{run_id}", response_class=HTMLResponse, response_model=None)
async def run_page(
    run_id: uuid.UUID, request: Request, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    return await _run_view(request, session, principal, run_id)


@router.post("/runs/{run_id}/accept", response_class=HTMLResponse, response_model=None)
async def calibration_accept_run_submit(
    run_id: uuid.UUID, request: Request, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    form = await request.form()
    name = _text(form.get("name"), 200)
    try:
        if not name:
            raise UnprocessableError("name: give the parameter set a name", code="bad_form")
        accepted = await service.accept_run(
            session=session, principal=principal, run_id=run_id, name=name,
            note=_text(form.get("note"), 2000),
        )  # fmt: skip
    except ServiceError as exc:
        await session.rollback()
        return await _run_view(request, session, principal, run_id, error=exc, accept_name=name)
    return RedirectResponse(f"/pages/calibration?accepted={accepted.id}", status_code=303)


@router.get("/runs/{run_id}/plots/{kind}.svg", response_model=None)
async def run_plot(
    run_id: uuid.UUID, kind: PlotKind, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return Response(status_code=401)
    try:
        run = await service.get_run(session=session, principal=principal, run_id=run_id)
    except ServiceError as exc:
        return Response(exc.detail, status_code=exc.status_code)
    if run.status != RunStatus.SUCCEEDED:
        return Response("the run has no results yet", status_code=404)
    svg = {"icc": icc_svg, "information": information_svg, "wright": wright_svg}[kind](run.result)
    return Response(svg, media_type="image/svg+xml")


def parameters_of(result: dict[str, Any]) -> ItemParameters:
    """Item parameters of a stored run result."""
    records = [
        {"model": i["model"], "discrimination": i["discrimination"],
         "intercepts": [v for v in i["intercepts"] if v is not None],
         "guessing": i.get("guessing") or 0.0}
        for i in result["items"]
    ]  # fmt: skip
    return ItemParameters.from_records(records)


def _figure(title: str, xlabel: str, ylabel: str) -> tuple[Any, Any]:
    from matplotlib.figure import Figure  # heavy: imported when a plot is drawn

    fig = Figure(figsize=(7.5, 4.2), layout="constrained")
    ax = fig.subplots()
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.grid(alpha=0.3)
    return fig, ax


def _svg(fig: Any) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    return buffer.getvalue()


def icc_svg(result: dict[str, Any]) -> str:
    """Item characteristic curves: P(X = 1) or the expected score, per item."""
    params = parameters_of(result)
    probs = category_probabilities(_THETA, params)  # (theta, items, K)
    k = np.arange(probs.shape[2])
    expected = (probs * k).sum(axis=2)
    fig, ax = _figure("Đường cong đặc trưng câu hỏi / Item characteristic curves",
                      "θ", "Điểm kỳ vọng / expected score")  # fmt: skip
    for j in range(min(params.n_items, _MAX_CURVES)):
        ax.plot(_THETA, expected[:, j], linewidth=1)
    return _svg(fig)


def information_svg(result: dict[str, Any]) -> str:
    """Test information (bold) and item information curves, with the SE scale."""
    params = parameters_of(result)
    info = item_information(_THETA, params)
    fig, ax = _figure("Hàm thông tin / Information", "θ", "Thông tin / information")
    for j in range(min(params.n_items, _MAX_CURVES)):
        ax.plot(_THETA, info[:, j], linewidth=0.8, alpha=0.6)
    ax.plot(_THETA, info.sum(axis=1), color="black", linewidth=2.2, label="test")
    ax.legend(loc="upper left")
    return _svg(fig)


def wright_svg(result: dict[str, Any]) -> str:
    """Wright map: person ability histogram against item difficulties on one scale."""
    hist = result["theta_histogram"]
    edges, counts = np.asarray(hist["edges"]), np.asarray(hist["counts"])
    difficulty = [
        i["difficulty"] if i["difficulty"] is not None else np.mean(i["thresholds"] or [0.0])
        for i in result["items"]
    ]
    fig, ax = _figure("Bản đồ Wright / Wright map", "θ", "Số người / persons")
    ax.bar(edges[:-1], counts, width=np.diff(edges), align="edge", color="#7aa6c2")
    twin = ax.twinx()
    twin.plot(np.clip(difficulty, edges[0], edges[-1]), np.arange(len(difficulty)), "|",
              color="#b03a2e", markersize=10)  # fmt: skip
    twin.set_ylabel("Câu hỏi / items (b)")
    return _svg(fig)
