"""Calibration pages: datasets, runs and parameter sets; a run's results with server-side plots.

Plots (item characteristic curves, test and item information, Wright map) are SVG drawn with
matplotlib's object API (no pyplot state, so concurrent requests do not share a figure).
"""

from __future__ import annotations

import io
import uuid
from typing import Any, Literal

import numpy as np
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from content_service.api.deps import OptionalPrincipalDep, SessionDep
from content_service.errors import ServiceError
from content_service.models.calibration import (
    CalibrationRunRecord,
    ResponseDatasetRecord,
    RunStatus,
)
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
                  sets=sets, datasets=datasets, runs=runs)  # fmt: skip


@router.get("/runs/{run_id}", response_class=HTMLResponse, response_model=None)
async def run_page(
    run_id: uuid.UUID, request: Request, principal: OptionalPrincipalDep, session: SessionDep
) -> Response:
    if principal is None:
        return _login()
    user = await _user(session, principal)
    try:
        run = await service.get_run(session=session, principal=principal, run_id=run_id)
    except ServiceError as exc:
        return _denied(request, user, exc)
    return render(request, "calibration/run.html", user=user,
                  user_language=user.language if user else None, run=run,
                  result=run.result, succeeded=run.status == RunStatus.SUCCEEDED)  # fmt: skip


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
