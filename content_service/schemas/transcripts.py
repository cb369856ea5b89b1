"""Schemas for transcripts, their issued copies, verification and the sync export."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from content_service.schemas.common import Page, StrictInput


class TranscriptCreate(StrictInput):
    student_id: uuid.UUID
    class_id: uuid.UUID


class TranscriptPublic(BaseModel):
    id: uuid.UUID
    school_id: uuid.UUID
    student_id: uuid.UUID
    class_id: uuid.UUID
    school_year: str
    revision: int
    number: str
    sha256: str
    signers: list[dict[str, Any]]
    created_at: datetime


TranscriptsPublic = Page[TranscriptPublic]


class TranscriptDetail(TranscriptPublic):
    data: dict[str, Any]


class TranscriptCopyPublic(BaseModel):
    id: uuid.UUID
    transcript_id: uuid.UUID
    issued_to: uuid.UUID | None
    format: str
    at: datetime


TranscriptCopiesPublic = Page[TranscriptCopyPublic]


class SignatureCheckPublic(BaseModel):
    field: str
    signer: str
    reason: str
    signed_at: str | None
    intact: bool
    valid: bool
    trusted: bool
    covers_whole_file: bool


class VerificationPublic(BaseModel):
    authentic: bool
    unchanged: bool
    registered: bool  # the exact file was issued by this service
    number: str | None
    sha256: str
    problem: str | None
    signatures: list[SignatureCheckPublic]


class RecordEventPublic(BaseModel):
    seq: int
    idbanghi: str
    loai: str
    sukien: str
    phienban: int
    thoigiancapnhat: str
    data: dict[str, Any]


class RecordEventsPublic(BaseModel):
    events: list[RecordEventPublic]
    next_since: int
