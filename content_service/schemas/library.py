"""Schemas for the school library: catalogue, copies, circulation, holds, digital files, ILL."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from content_service.library.rules import IllAction, ItemType
from content_service.schemas.common import Page, StrictInput
from item_bank.items import nfc

NfcText = Annotated[str, AfterValidator(nfc)]
Barcode = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9\-_.]+$")]


class CopyCreate(StrictInput):
    barcode: Barcode
    location: Annotated[NfcText, Field(max_length=100)] = ""
    item_type: ItemType = ItemType.BOOK


class TitleCreate(StrictInput):
    title: Annotated[NfcText, Field(min_length=1, max_length=500)]
    subtitle: Annotated[NfcText, Field(max_length=500)] = ""
    authors: Annotated[
        list[Annotated[NfcText, Field(max_length=200)]], Field(max_length=20, default_factory=list)
    ]
    isbn: Annotated[str, Field(max_length=32, pattern=r"^[0-9Xx\-]*$")] = ""
    language: Annotated[str, Field(min_length=3, max_length=3, pattern=r"^[a-z]{3}$")] = "vie"
    ddc: Annotated[str, Field(max_length=32)] = ""
    publisher: Annotated[NfcText, Field(max_length=200)] = ""
    place: Annotated[NfcText, Field(max_length=100)] = ""
    year: Annotated[str, Field(max_length=16)] = ""
    edition: Annotated[NfcText, Field(max_length=100)] = ""
    subjects: Annotated[
        list[Annotated[NfcText, Field(max_length=200)]], Field(max_length=30, default_factory=list)
    ]
    summary: Annotated[NfcText, Field(max_length=5000)] = ""
    copies: Annotated[list[CopyCreate], Field(max_length=200, default_factory=list)]


class CopyPublic(BaseModel):
    id: uuid.UUID
    title_id: uuid.UUID
    barcode: str
    location: str
    item_type: str
    status: str


class DigitalFilePublic(BaseModel):
    id: uuid.UUID
    title_id: uuid.UUID
    filename: str
    media_type: str
    size: int
    read_url: str = ""


class TitlePublic(BaseModel):
    id: uuid.UUID
    school_id: uuid.UUID
    title: str
    subtitle: str
    authors: list[str]
    isbn: str
    language: str
    ddc: str
    publisher: str
    place: str
    year: str
    edition: str
    subjects: list[str]
    summary: str
    updated_at: datetime


class TitleDetail(TitlePublic):
    copies: list[CopyPublic]
    digital_files: list[DigitalFilePublic]
    available_copies: int
    waiting_holds: int


class CheckoutCreate(StrictInput):
    barcode: Barcode
    patron_id: uuid.UUID


class CheckinCreate(StrictInput):
    barcode: Barcode


class LoanPublic(BaseModel):
    id: uuid.UUID
    copy_id: uuid.UUID
    patron_id: uuid.UUID
    patron_category: str
    item_type: str
    checked_out_at: datetime
    due_at: datetime
    returned_at: datetime | None
    renewals: int


class CheckinPublic(BaseModel):
    loan: LoanPublic
    fine: int
    hold_id: uuid.UUID | None = None  # the hold the returned copy now waits for


class HoldCreate(StrictInput):
    title_id: uuid.UUID
    patron_id: uuid.UUID | None = None  # a librarian places holds for patrons; default: myself


class HoldPublic(BaseModel):
    id: uuid.UUID
    title_id: uuid.UUID
    patron_id: uuid.UUID
    status: str
    copy_id: uuid.UUID | None
    placed_at: datetime
    ready_until: datetime | None
    position: int | None = None


class IllRequestCreate(StrictInput):
    title_id: uuid.UUID
    note: Annotated[NfcText, Field(max_length=500)] = ""


class IllActionInput(StrictInput):
    action: IllAction
    barcode: Barcode | None = None  # the copy set aside (approve)
    note: Annotated[NfcText, Field(max_length=500)] = ""


class IllRequestPublic(BaseModel):
    id: uuid.UUID
    title_id: uuid.UUID
    lending_school_id: uuid.UUID
    borrowing_school_id: uuid.UUID
    requested_by: uuid.UUID
    copy_id: uuid.UUID | None
    status: str
    note: str
    created_at: datetime
    updated_at: datetime


class MarcImportPublic(BaseModel):
    titles: int
    copies: int
    title_ids: list[uuid.UUID]


TitlesPublic = Page[TitlePublic]
LoansPublic = Page[LoanPublic]
HoldsPublic = Page[HoldPublic]
IllRequestsPublic = Page[IllRequestPublic]
