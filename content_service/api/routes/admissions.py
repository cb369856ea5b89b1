"""/admissions: rounds, schools, applicants (JSON or CSV), allocation, results, explanations."""

from __future__ import annotations

import csv
import uuid
from typing import Annotated

from fastapi import APIRouter, File, UploadFile, status

from content_service.api.deps import PageDep, PrincipalDep, SessionDep
from content_service.errors import UnprocessableError
from content_service.schemas.admissions import (
    AdmissionSchoolPublic,
    AllocationPublic,
    ApplicantPublic,
    ApplicantsIn,
    ApplicantsPublic,
    ComparisonPublic,
    ImportPublic,
    RoundCreate,
    RoundPublic,
    RoundsPublic,
    SchoolsIn,
)
from content_service.schemas.common import page_of
from content_service.services import admissions as admissions_service

router = APIRouter(prefix="/admissions", tags=["admissions"])


@router.post("/rounds", response_model=RoundPublic, status_code=status.HTTP_201_CREATED)
async def create_round(
    data: RoundCreate, principal: PrincipalDep, session: SessionDep
) -> RoundPublic:
    """Open a round: grade 10 (the Department) or grades 1/6 (a school admin)."""
    record = await admissions_service.create_round(session=session, principal=principal, data=data)
    return RoundPublic.model_validate(record, from_attributes=True)


@router.get("/rounds", response_model=RoundsPublic)
async def read_rounds(principal: PrincipalDep, session: SessionDep, page: PageDep) -> RoundsPublic:
    """Rounds the caller manages."""
    rows, total = await admissions_service.list_rounds(
        session=session, principal=principal, page=page
    )
    return page_of(RoundPublic, rows, total, page)


@router.get("/rounds/{round_id}", response_model=RoundPublic)
async def read_round(
    round_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> RoundPublic:
    """A round with each school's cut-off per wish after allocation."""
    record = await admissions_service.get_round(
        session=session, principal=principal, round_id=round_id
    )
    return RoundPublic.model_validate(record, from_attributes=True)


@router.put("/rounds/{round_id}/schools", response_model=list[AdmissionSchoolPublic])
async def set_schools(
    round_id: uuid.UUID, data: SchoolsIn, principal: PrincipalDep, session: SessionDep
) -> list[AdmissionSchoolPublic]:
    """Set the schools and their quotas (capacities for grades 1/6)."""
    rows = await admissions_service.set_schools(
        session=session, principal=principal, round_id=round_id, data=data
    )
    return [AdmissionSchoolPublic.model_validate(r, from_attributes=True) for r in rows]


@router.post(
    "/rounds/{round_id}/applicants",
    response_model=ImportPublic,
    status_code=status.HTTP_201_CREATED,
)
async def add_applicants(
    round_id: uuid.UUID, data: ApplicantsIn, principal: PrincipalDep, session: SessionDep
) -> ImportPublic:
    """Add applicants as JSON; every bad row is named in one 422."""
    count = await admissions_service.add_applicants(
        session=session, principal=principal, round_id=round_id, rows=data.applicants
    )
    return ImportPublic(applicants=count)


@router.post(
    "/rounds/{round_id}/applicants.csv",
    response_model=ImportPublic,
    status_code=status.HTTP_201_CREATED,
)
async def upload_applicants(
    round_id: uuid.UUID,
    file: Annotated[UploadFile, File(description="UTF-8 CSV, one applicant a row")],
    principal: PrincipalDep,
    session: SessionDep,
) -> ImportPublic:
    """Add applicants from CSV; every bad row is named in one 422."""
    round_ = await admissions_service.get_round(
        session=session, principal=principal, round_id=round_id
    )
    try:
        text = (await file.read()).decode("utf-8")
        rows = admissions_service.parse_applicants_csv(text, round_.kind)
    except (UnicodeDecodeError, ValueError, csv.Error) as error:
        raise UnprocessableError(f"file: {error}", code="bad_csv") from None
    count = await admissions_service.add_applicants(
        session=session, principal=principal, round_id=round_id, rows=rows
    )
    return ImportPublic(applicants=count)


@router.post("/rounds/{round_id}/allocation", response_model=AllocationPublic)
async def allocate(
    round_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> AllocationPublic:
    """Run the allocation (a background job for large rounds: follow /jobs/{job_id})."""
    record, job = await admissions_service.allocate(
        session=session, principal=principal, round_id=round_id
    )
    return AllocationPublic(
        round=RoundPublic.model_validate(record, from_attributes=True),
        job_id=job.id if job else None,
    )


@router.get("/rounds/{round_id}/applicants", response_model=ApplicantsPublic)
async def read_applicants(
    round_id: uuid.UUID,
    principal: PrincipalDep,
    session: SessionDep,
    page: PageDep,
    school: str | None = None,
) -> ApplicantsPublic:
    """Applicants with placement and explanation ("why not my first wish")."""
    rows, total = await admissions_service.list_applicants(
        session=session, principal=principal, round_id=round_id, page=page, school=school
    )
    return page_of(ApplicantPublic, rows, total, page)


@router.get("/rounds/{round_id}/comparison", response_model=ComparisonPublic)
async def read_comparison(
    round_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> ComparisonPublic:
    """What-if: the city rule against student-proposing deferred acceptance."""
    report = await admissions_service.compare(
        session=session, principal=principal, round_id=round_id
    )
    return ComparisonPublic(**report)


@router.get("/me", response_model=list[ApplicantPublic])
async def read_my_results(principal: PrincipalDep, session: SessionDep) -> list[ApplicantPublic]:
    """My result (a student) or my children's (a parent)."""
    rows = await admissions_service.my_results(session=session, principal=principal)
    return [ApplicantPublic.model_validate(r, from_attributes=True) for r in rows]
