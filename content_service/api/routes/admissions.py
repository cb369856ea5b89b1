"""/admissions: rounds, schools, applicants (JSON or CSV), allocation, results, explanations."""

from __future__ import annotations

import csv
import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile, status

from content_service.api.deps import PageDep, PrincipalDep, SessionDep
from content_service.errors import UnprocessableError
from content_service.schemas.admissions import (
    AdmissionSchoolPublic,
    AllocationPublic,
    AnswerSheetsPublic,
    ApplicantPublic,
    ApplicantsIn,
    ApplicantsPublic,
    ComparisonPublic,
    ImportPublic,
    RoundCreate,
    RoundPublic,
    RoundsPublic,
    SchoolsIn,
    ScoredSheetPublic,
    SupplementaryOfferPublic,
    SupplementaryPublic,
    SupplementarySchoolPublic,
    SupplementaryWishesIn,
)
from content_service.schemas.common import page_of
from content_service.services import admissions as admissions_service
from content_service.services import admissions_sheets as sheets_service
from content_service.services import admissions_supplementary as supplementary_service

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
    text = await _csv_text(file)
    try:
        rows = admissions_service.parse_applicants_csv(text, round_.kind)
    except (ValueError, csv.Error) as error:
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


async def _csv_text(file: UploadFile) -> str:
    try:
        text = (await file.read()).decode("utf-8")
    except UnicodeDecodeError as error:
        raise UnprocessableError(f"file: not UTF-8 ({error})", code="bad_csv") from None
    if "\x00" in text:  # PostgreSQL text cannot hold U+0000
        raise UnprocessableError("file: contains a NUL character", code="bad_csv")
    return text


@router.put("/rounds/{round_id}/schools.csv", response_model=list[AdmissionSchoolPublic])
async def upload_schools(
    round_id: uuid.UUID,
    file: Annotated[UploadFile, File(description="UTF-8 CSV: code, name, regular_quota, ...")],
    principal: PrincipalDep,
    session: SessionDep,
) -> list[AdmissionSchoolPublic]:
    """Set the schools and quotas from CSV (replacing the earlier list)."""
    await admissions_service.get_round(session=session, principal=principal, round_id=round_id)
    data = admissions_service.schools_from_csv(await _csv_text(file))
    rows = await admissions_service.set_schools(
        session=session, principal=principal, round_id=round_id, data=data
    )
    return [AdmissionSchoolPublic.model_validate(r, from_attributes=True) for r in rows]


def _supplementary_public(state: dict[str, object]) -> SupplementaryPublic:
    return SupplementaryPublic.model_validate(state or {"status": "closed"})


@router.get("/rounds/{round_id}/supplementary", response_model=SupplementaryPublic)
async def read_supplementary(
    round_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> SupplementaryPublic:
    """The supplementary round: under-filled schools, seats left and minimum scores."""
    round_ = await admissions_service.get_round(
        session=session, principal=principal, round_id=round_id
    )
    return _supplementary_public(supplementary_service.phase_two(round_))


@router.post("/rounds/{round_id}/supplementary", response_model=SupplementaryPublic)
async def open_supplementary(
    round_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> SupplementaryPublic:
    """Open the supplementary round after the regular allocation and publish its offer."""
    round_ = await supplementary_service.open_supplementary(
        session=session, principal=principal, round_id=round_id
    )
    return _supplementary_public(supplementary_service.phase_two(round_))


@router.put("/rounds/{round_id}/supplementary/wishes", response_model=ImportPublic)
async def submit_supplementary_wishes(
    round_id: uuid.UUID, data: SupplementaryWishesIn, principal: PrincipalDep, session: SessionDep
) -> ImportPublic:
    """Supplementary wishes of applicants not yet admitted (a student or parent: their own)."""
    count = await supplementary_service.submit_supplementary_wishes(
        session=session,
        principal=principal,
        round_id=round_id,
        rows=[w.model_dump() for w in data.wishes],
    )
    return ImportPublic(applicants=count)


@router.put("/rounds/{round_id}/supplementary/wishes.csv", response_model=ImportPublic)
async def upload_supplementary_wishes(
    round_id: uuid.UUID,
    file: Annotated[UploadFile, File(description="UTF-8 CSV: applicant_code, nv1, nv2, nv3")],
    principal: PrincipalDep,
    session: SessionDep,
) -> ImportPublic:
    """Supplementary wishes from CSV; every bad row is named in one 422."""
    try:
        rows = supplementary_service.parse_supplementary_csv(await _csv_text(file))
    except (ValueError, csv.Error) as error:
        raise UnprocessableError(f"file: {error}", code="bad_csv") from None
    count = await supplementary_service.submit_supplementary_wishes(
        session=session, principal=principal, round_id=round_id, rows=rows
    )
    return ImportPublic(applicants=count)


@router.post("/rounds/{round_id}/supplementary/allocation", response_model=AllocationPublic)
async def allocate_supplementary(
    round_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> AllocationPublic:
    """Close the wishes and allocate the supplementary round; cut-offs gain "NV1 bổ sung"."""
    record, job = await supplementary_service.allocate_supplementary(
        session=session, principal=principal, round_id=round_id
    )
    return AllocationPublic(
        round=RoundPublic.model_validate(record, from_attributes=True),
        job_id=job.id if job else None,
    )


@router.get("/me/supplementary", response_model=list[SupplementaryOfferPublic])
async def read_my_supplementary(
    principal: PrincipalDep, session: SessionDep
) -> list[SupplementaryOfferPublic]:
    """Open supplementary rounds I (or my child) can send wishes to."""
    offers = await supplementary_service.my_offer(session=session, principal=principal)
    return [
        SupplementaryOfferPublic(
            round_id=round_.id,
            round_name=round_.name,
            max_wishes=int(supplementary_service.phase_two(round_).get("max_wishes") or 0),
            schools=[
                SupplementarySchoolPublic(
                    school=s.school,
                    name=s.name,
                    seats=s.seats,
                    min_score=None if s.min_score is None else str(s.min_score),
                )
                for s in seats
            ],
        )
        for round_, seats in offers
    ]


@router.post("/rounds/{round_id}/answer-sheets.csv", response_model=AnswerSheetsPublic)
async def score_answer_sheets(
    round_id: uuid.UUID,
    assembly_id: Annotated[uuid.UUID, Form(description="The assembled form set (the exam)")],
    subject: Annotated[str, Form(max_length=32, description="literature, mathematics, ...")],
    file: Annotated[
        UploadFile, File(description="UTF-8 CSV: applicant_code, form, answers (1A 2C ...)")
    ],
    principal: PrincipalDep,
    session: SessionDep,
) -> AnswerSheetsPublic:
    """Score answer sheets from the item bank's keys and write the subject's scores."""
    sheets = await sheets_service.score_answer_sheets(
        session=session,
        principal=principal,
        round_id=round_id,
        assembly_id=assembly_id,
        subject=subject,
        text=await _csv_text(file),
    )
    return AnswerSheetsPublic(
        subject=subject,
        sheets=[ScoredSheetPublic.model_validate(s, from_attributes=True) for s in sheets],
    )
