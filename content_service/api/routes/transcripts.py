"""/transcripts: issue signed transcripts (học bạ số), read them, log copies, verify files."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Query, Response, UploadFile, status

from content_service.api.deps import PageDep, PrincipalDep, SessionDep, SettingsDep
from content_service.errors import PayloadTooLargeError
from content_service.schemas.common import page_of
from content_service.schemas.transcripts import (
    TranscriptCopiesPublic,
    TranscriptCopyPublic,
    TranscriptCreate,
    TranscriptDetail,
    TranscriptPublic,
    TranscriptsPublic,
    VerificationPublic,
)
from content_service.services import transcripts as transcripts_service
from content_service.services.signing import key_provider

router = APIRouter(prefix="/transcripts", tags=["transcripts"])

MAX_PDF_BYTES = 5 * 1024 * 1024


@router.post("", response_model=TranscriptPublic, status_code=status.HTTP_201_CREATED)
async def create_transcript(
    data: TranscriptCreate, principal: PrincipalDep, session: SessionDep, settings: SettingsDep
) -> TranscriptPublic:
    """Compute, render and sign a student's year transcript (the principal / school admin)."""
    record = await transcripts_service.issue_transcript(
        session=session,
        principal=principal,
        data=data,
        keys=key_provider(settings),
    )
    return TranscriptPublic.model_validate(record, from_attributes=True)


@router.get("", response_model=TranscriptsPublic)
async def read_transcripts(
    principal: PrincipalDep,
    session: SessionDep,
    page: PageDep,
    student_id: Annotated[uuid.UUID, Query()],
) -> TranscriptsPublic:
    """A student's transcripts of every year (the student, their parents, the school's staff)."""
    rows, total = await transcripts_service.list_transcripts(
        session=session, principal=principal, student_id=student_id, page=page
    )
    return page_of(TranscriptPublic, rows, total, page)


@router.post("/verify", response_model=VerificationPublic)
async def verify_transcript(
    session: SessionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="the transcript PDF to check")],
) -> VerificationPublic:
    """Whether a PDF is an authentic, unchanged transcript, and who signed it (anyone)."""
    content = await file.read(MAX_PDF_BYTES + 1)
    if len(content) > MAX_PDF_BYTES:
        raise PayloadTooLargeError("file: larger than 5 MB")
    return await transcripts_service.verify_transcript(
        session=session, content=content, keys=key_provider(settings)
    )


@router.get("/{transcript_id}", response_model=TranscriptDetail)
async def read_transcript(
    transcript_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> TranscriptDetail:
    """A transcript with its structured data (a logged copy)."""
    record = await transcripts_service.issue_copy(
        session=session, principal=principal, transcript_id=transcript_id, fmt="json"
    )
    return TranscriptDetail.model_validate(record, from_attributes=True)


@router.get(
    "/{transcript_id}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def read_transcript_pdf(
    transcript_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> Response:
    """The signed PDF (a logged copy)."""
    record = await transcripts_service.issue_copy(
        session=session, principal=principal, transcript_id=transcript_id, fmt="pdf"
    )
    return Response(
        record.pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{record.number}.pdf"'},
    )


@router.get("/{transcript_id}/copies", response_model=TranscriptCopiesPublic)
async def read_transcript_copies(
    transcript_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, page: PageDep
) -> TranscriptCopiesPublic:
    """Who took which copy, when (the school's staff)."""
    rows, total = await transcripts_service.list_copies(
        session=session, principal=principal, transcript_id=transcript_id, page=page
    )
    return page_of(TranscriptCopyPublic, rows, total, page)
