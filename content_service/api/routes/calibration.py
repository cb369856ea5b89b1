"""/calibration: response datasets, calibration jobs and accepted IRT parameter sets."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, UploadFile, status
from fastapi.responses import Response

from content_service.api.deps import PageDep, PrincipalDep, SessionDep
from content_service.schemas.calibration import (
    AcceptCreate,
    DatasetPublic,
    ItemParameterPublic,
    ParameterSetDetail,
    ParameterSetPublic,
    QuizDatasetCreate,
    RunCreate,
    RunPublic,
)
from content_service.schemas.common import Page, page_of
from content_service.services import calibration as service

router = APIRouter(prefix="/calibration", tags=["calibration"])


@router.post("/datasets", response_model=DatasetPublic, status_code=status.HTTP_201_CREATED)
async def create_dataset(
    file: Annotated[UploadFile, File(description="CSV: person id, then one column per item")],
    principal: PrincipalDep,
    session: SessionDep,
    name: Annotated[str, Form(max_length=200)] = "",
    description: Annotated[str, Form(max_length=2000)] = "",
) -> DatasetPublic:
    """Upload a response matrix (blank cell = not presented) as a dataset (researcher)."""
    record = await service.create_dataset_from_csv(
        session=session, principal=principal, name=name or (file.filename or "upload"),
        data=await file.read(), description=description,
    )  # fmt: skip
    return DatasetPublic.model_validate(record, from_attributes=True)


@router.post(
    "/datasets/from-quizzes", response_model=DatasetPublic, status_code=status.HTTP_201_CREATED
)
async def create_quiz_dataset(
    body: QuizDatasetCreate, principal: PrincipalDep, session: SessionDep
) -> DatasetPublic:
    """Build a dataset from scored quiz answers by quiz, items, school and period (researcher)."""
    record = await service.create_dataset_from_quizzes(
        session=session, principal=principal, **body.model_dump()
    )
    return DatasetPublic.model_validate(record, from_attributes=True)


@router.get("/datasets", response_model=Page[DatasetPublic])
async def read_datasets(
    principal: PrincipalDep, session: SessionDep, page: PageDep
) -> Page[DatasetPublic]:
    """Response datasets, newest first (researcher)."""
    rows, total = await service.list_datasets(session=session, principal=principal, page=page)
    return page_of(DatasetPublic, rows, total, page)


@router.get("/datasets/{dataset_id}", response_model=DatasetPublic)
async def read_dataset(
    dataset_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> DatasetPublic:
    """One dataset (researcher)."""
    record = await service.get_dataset(session=session, principal=principal, dataset_id=dataset_id)
    return DatasetPublic.model_validate(record, from_attributes=True)


@router.post("/runs", response_model=RunPublic, status_code=status.HTTP_202_ACCEPTED)
async def create_run(body: RunCreate, principal: PrincipalDep, session: SessionDep) -> RunPublic:
    """Queue a calibration job; follow it at /jobs/{job_id} or /calibration/runs/{id}."""
    record = await service.start_run(session=session, principal=principal, **body.model_dump())
    return RunPublic.model_validate(record, from_attributes=True)


@router.get("/runs", response_model=Page[RunPublic])
async def read_runs(
    principal: PrincipalDep, session: SessionDep, page: PageDep, dataset_id: uuid.UUID | None = None
) -> Page[RunPublic]:
    """Calibration runs, newest first (researcher)."""
    rows, total = await service.list_runs(
        session=session, principal=principal, page=page, dataset_id=dataset_id
    )
    return page_of(RunPublic, rows, total, page)


@router.get("/runs/{run_id}", response_model=RunPublic)
async def read_run(run_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> RunPublic:
    """A run: status, and when done its parameters, SEs, S-X2 fit and warnings (researcher)."""
    record = await service.get_run(session=session, principal=principal, run_id=run_id)
    return RunPublic.model_validate(record, from_attributes=True)


@router.post(
    "/runs/{run_id}/accept", response_model=ParameterSetPublic, status_code=status.HTTP_201_CREATED
)
async def accept_run(
    run_id: uuid.UUID, body: AcceptCreate, principal: PrincipalDep, session: SessionDep
) -> ParameterSetPublic:
    """Accept a run's parameters as the next version of a named parameter set (researcher)."""
    record = await service.accept_run(
        session=session, principal=principal, run_id=run_id, name=body.name, note=body.note
    )
    return ParameterSetPublic.model_validate(record, from_attributes=True)


@router.get("/parameter-sets", response_model=Page[ParameterSetPublic])
async def read_parameter_sets(
    principal: PrincipalDep, session: SessionDep, page: PageDep, name: str | None = None
) -> Page[ParameterSetPublic]:
    """Accepted parameter sets, newest first (researchers and teachers)."""
    rows, total = await service.list_parameter_sets(
        session=session, principal=principal, page=page, name=name
    )
    return page_of(ParameterSetPublic, rows, total, page)


@router.get("/parameter-sets/{set_id}", response_model=ParameterSetDetail)
async def read_parameter_set(
    set_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> ParameterSetDetail:
    """A parameter set with its provenance and every item's parameters."""
    record, items = await service.get_parameter_set(
        session=session, principal=principal, set_id=set_id
    )
    base = ParameterSetPublic.model_validate(record, from_attributes=True)
    rows = [ItemParameterPublic.model_validate(i, from_attributes=True) for i in items]
    return ParameterSetDetail(**base.model_dump(), items=rows)


@router.get("/parameter-sets/{set_id}/export.csv", response_class=Response)
async def export_parameter_set_csv(
    set_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> Response:
    """The parameters as CSV (a, d, b, thresholds, c, SEs, S-X2)."""
    record, items = await service.get_parameter_set(
        session=session, principal=principal, set_id=set_id
    )
    # names are Vietnamese: an ASCII fallback plus the RFC 5987 UTF-8 form
    filename = quote(f"parameters-{record.name}-v{record.version}.csv")
    disposition = (
        f"attachment; filename=\"parameters-v{record.version}.csv\"; filename*=UTF-8''{filename}"
    )
    return Response(
        service.parameters_csv(items),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": disposition},
    )


@router.get("/parameter-sets/{set_id}/usage-data.xml", response_class=Response)
async def export_parameter_set_usage_data(
    set_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> Response:
    """The parameters as QTI 3.0 usage data: A-/B-/C-Parm of dichotomous items; IRT-Model,
    A-Parm, GRM-B or GPCM-B (per category) and D-Parm of polytomous ones."""
    record, items = await service.get_parameter_set(
        session=session, principal=principal, set_id=set_id
    )
    xml = await service.parameters_usage_data(session=session, parameter_set=record, items=items)
    return Response(xml, media_type="application/xml")


@router.get("/item-versions/{version_id}/parameters", response_model=ItemParameterPublic)
async def read_current_parameters(
    version_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> ItemParameterPublic:
    """The current accepted parameters of an item version (the newest accepted set)."""
    record = await service.read_current_parameters(
        session=session, principal=principal, item_version_id=version_id
    )
    return ItemParameterPublic.model_validate(record, from_attributes=True)
