"""/surveys: authoring, assignment, answering (once, anonymously) and group reports."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status
from fastapi.responses import Response

from content_service.api.deps import PageDep, PrincipalDep, SessionDep
from content_service.schemas.common import page_of
from content_service.schemas.surveys import (
    AssignmentCreate,
    AssignmentPublic,
    ResponseCreate,
    ResponseReceipt,
    SurveyCreate,
    SurveyPublic,
    SurveyReport,
    SurveysPublic,
    SurveyStatusChange,
)
from content_service.services import surveys as surveys_service

router = APIRouter(prefix="/surveys", tags=["surveys"])


def _public(record: object) -> SurveyPublic:
    return SurveyPublic.model_validate(record, from_attributes=True)


@router.post("", response_model=SurveyPublic, status_code=status.HTTP_201_CREATED)
async def create_survey(
    data: SurveyCreate, principal: PrincipalDep, session: SessionDep
) -> SurveyPublic:
    """Create a draft survey with its questions (teacher, school admin)."""
    record = await surveys_service.create_survey(session=session, principal=principal, data=data)
    return _public(record)


@router.get("", response_model=SurveysPublic)
async def read_surveys(
    principal: PrincipalDep, session: SessionDep, page: PageDep
) -> SurveysPublic:
    """The school's surveys (staff), or the surveys you are asked to answer (students)."""
    rows, total = await surveys_service.list_surveys(
        session=session, principal=principal, page=page
    )
    return page_of(SurveyPublic, rows, total, page)


@router.get("/{survey_id}", response_model=SurveyPublic)
async def read_survey(
    survey_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> SurveyPublic:
    """One survey and its questions."""
    record = await surveys_service.get_survey(
        session=session, principal=principal, survey_id=survey_id
    )
    return _public(record)


@router.post("/{survey_id}/status", response_model=SurveyPublic)
async def change_survey_status(
    survey_id: uuid.UUID, data: SurveyStatusChange, principal: PrincipalDep, session: SessionDep
) -> SurveyPublic:
    """Open a draft, close an open survey, or reopen a closed one (teacher, school admin)."""
    record = await surveys_service.change_status(
        session=session, principal=principal, survey_id=survey_id, status=data.status
    )
    return _public(record)


@router.post(
    "/{survey_id}/assignments",
    response_model=AssignmentPublic,
    status_code=status.HTTP_201_CREATED,
)
async def create_assignment(
    survey_id: uuid.UUID, data: AssignmentCreate, principal: PrincipalDep, session: SessionDep
) -> AssignmentPublic:
    """Give the survey to a class, or with no class_id to every student of the school."""
    record = await surveys_service.add_assignment(
        session=session, principal=principal, survey_id=survey_id, data=data
    )
    return AssignmentPublic.model_validate(record, from_attributes=True)


@router.post(
    "/{survey_id}/responses", response_model=ResponseReceipt, status_code=status.HTTP_201_CREATED
)
async def create_response(
    survey_id: uuid.UUID, data: ResponseCreate, principal: PrincipalDep, session: SessionDep
) -> ResponseReceipt:
    """Answer a survey, once (students it is assigned to); a second answer gets 409."""
    await surveys_service.submit_response(
        session=session, principal=principal, survey_id=survey_id, answers=data.answers
    )
    return ResponseReceipt(survey_id=survey_id)


@router.get("/{survey_id}/report", response_model=SurveyReport)
async def read_report(
    survey_id: uuid.UUID,
    principal: PrincipalDep,
    session: SessionDep,
    class_id: uuid.UUID | None = None,
) -> SurveyReport:
    """Results for the school and each class; groups under the minimum are withheld (staff)."""
    return await surveys_service.build_report(
        session=session, principal=principal, survey_id=survey_id, class_id=class_id
    )


@router.get(
    "/{survey_id}/report.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def read_report_csv(
    survey_id: uuid.UUID,
    principal: PrincipalDep,
    session: SessionDep,
    class_id: uuid.UUID | None = None,
) -> Response:
    """The same report as CSV (UTF-8 with BOM so spreadsheet programs read Vietnamese)."""
    report = await surveys_service.build_report(
        session=session, principal=principal, survey_id=survey_id, class_id=class_id
    )
    body = "\ufeff" + surveys_service.report_csv(report)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="survey-{survey_id}.csv"'},
    )
