"""/assembly: parallel test forms from a blueprint ("ma trận đề"), stored and printable as PDF."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status
from fastapi.responses import Response

from content_service.api.deps import PrincipalDep, SessionDep, SettingsDep
from content_service.models.items import AssembledFormRecord
from content_service.schemas.items import AssembledFormsPublic, AssemblyRequest
from content_service.services import assembly as assembly_service

router = APIRouter(prefix="/assembly", tags=["assembly"])


def _public(record: AssembledFormRecord) -> AssembledFormsPublic:
    return AssembledFormsPublic.model_validate(record, from_attributes=True)


@router.post("/forms", response_model=AssembledFormsPublic, status_code=status.HTTP_201_CREATED)
async def assemble_forms(
    data: AssemblyRequest, principal: PrincipalDep, session: SessionDep
) -> AssembledFormsPublic:
    """Assemble ``n_forms`` forms from published items; 422 names each cell the bank cannot fill."""
    record = await assembly_service.assemble(session=session, principal=principal, data=data)
    return _public(record)


@router.get("/forms/{form_id}.pdf", response_class=Response)
async def forms_pdf(
    form_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, settings: SettingsDep
) -> Response:
    """The forms as a printable PDF, each followed by its answer key page."""
    pdf = await assembly_service.forms_pdf(
        session=session, principal=principal, form_id=form_id, data_dir=settings.DATA_DIR
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="de-{form_id}.pdf"'},
    )


@router.get("/forms/{form_id}", response_model=AssembledFormsPublic)
async def read_forms(
    form_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> AssembledFormsPublic:
    record = await assembly_service.get_forms(session=session, principal=principal, form_id=form_id)
    return _public(record)
