"""Schemas for admission rounds, schools, applicants and results."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field

from content_service.schemas.common import Page, StrictInput
from item_bank.items import nfc

NfcText = Annotated[str, AfterValidator(nfc)]
Code = Annotated[str, Field(min_length=1, max_length=32)]


class RoundCreate(StrictInput):
    name: Annotated[NfcText, Field(min_length=1, max_length=200)]
    kind: Literal["grade10", "entry"] = "grade10"
    grade: Literal[1, 6, 10] = 10
    region: Annotated[str, Field(min_length=2, max_length=16)] = "HCM"
    rule_date: date
    admission_year: Annotated[int, Field(ge=2000, le=2100)]


class RoundPublic(BaseModel):
    id: uuid.UUID
    name: str
    kind: str
    grade: int
    region: str
    rule_date: date
    rule_id: str
    admission_year: int
    school_id: uuid.UUID | None
    status: str
    cutoffs: list[dict[str, Any]]
    summary: dict[str, Any]
    created_at: datetime
    allocated_at: datetime | None


class SchoolIn(StrictInput):
    code: Code
    name: Annotated[NfcText, Field(min_length=1, max_length=200)]
    regular_quota: Annotated[int, Field(ge=0, le=100_000)] = 0  # capacity for grades 1 and 6
    integrated_quota: Annotated[int, Field(ge=0, le=100_000)] = 0
    specialised_quotas: dict[str, Annotated[int, Field(ge=0, le=10_000)]] = Field(
        default_factory=dict
    )


class SchoolsIn(StrictInput):
    schools: Annotated[list[SchoolIn], Field(min_length=1, max_length=2000)]


class AdmissionSchoolPublic(BaseModel):
    code: str
    name: str
    regular_quota: int
    integrated_quota: int
    specialised_quotas: dict[str, int]


class ApplicantsIn(StrictInput):
    """Applicants as JSON: each row is checked and every bad row reported (422)."""

    applicants: Annotated[list[dict[str, Any]], Field(min_length=1, max_length=20_000)]


class ApplicantPublic(BaseModel):
    applicant_code: str
    full_name: str
    user_id: uuid.UUID | None
    details: dict[str, Any]
    placed_school: str | None
    placed_label: str
    score: str
    explanation: str
    outcomes: list[dict[str, Any]]


class ImportPublic(BaseModel):
    applicants: int


class AllocationPublic(BaseModel):
    round: RoundPublic
    job_id: uuid.UUID | None = None  # set when a large round runs as a background job


class ComparisonPublic(BaseModel):
    compared: int
    same: int
    better_under_da: int
    worse_under_da: int
    differences: list[dict[str, Any]]


RoundsPublic = Page[RoundPublic]
ApplicantsPublic = Page[ApplicantPublic]


class SupplementaryWishIn(StrictInput):
    applicant_code: Annotated[str, Field(min_length=1, max_length=64)]
    wishes: Annotated[list[Code], Field(max_length=10)]


class SupplementaryWishesIn(StrictInput):
    """Supplementary wishes, one row per applicant (replacing earlier ones)."""

    wishes: Annotated[list[SupplementaryWishIn], Field(min_length=1, max_length=20_000)]


class SupplementarySchoolPublic(BaseModel):
    school: str
    name: str
    seats: int
    min_score: str | None  # None: any eligible applicant


class SupplementaryPublic(BaseModel):
    """The supplementary round: ``closed`` until opened, then ``open``, ``allocated``."""

    status: str
    opened_at: str | None = None
    max_wishes: int | None = None
    placed: int | None = None
    schools: list[SupplementarySchoolPublic] = Field(default_factory=list)


class SupplementaryOfferPublic(BaseModel):
    """An open supplementary round as an applicant sees it."""

    round_id: uuid.UUID
    round_name: str
    max_wishes: int
    schools: list[SupplementarySchoolPublic]


class ScoredSheetPublic(BaseModel):
    row: int
    applicant_code: str
    form: str
    points: str
    max_points: str
    score: str


class AnswerSheetsPublic(BaseModel):
    """Each sheet's points and 10-point score; never the key."""

    subject: str
    sheets: list[ScoredSheetPublic]
