"""Schemas of primary (TT27/2020) year results."""

from __future__ import annotations

import uuid

from pydantic import BaseModel


class PrimaryPeriodPublic(BaseModel):
    mid: str | None  # "Hoàn thành tốt"
    end: str | None
    mid_test: str | None  # "9" (grades 4-5, Tiếng Việt and Toán)
    end_test: str | None
    comment: str | None


class PrimarySubjectYearPublic(BaseModel):
    subject: str
    semester_1: PrimaryPeriodPublic
    semester_2: PrimaryPeriodPublic
    rating: str | None  # end of year
    test_score: str | None
    comment: str | None


class PrimaryTraitPublic(BaseModel):
    code: str
    name: str
    group: str  # quality / general / specific
    semester_1: str | None
    year: str | None


class PrimaryYearPublic(BaseModel):
    student_id: uuid.UUID
    full_name: str
    subjects: list[PrimarySubjectYearPublic]
    traits: list[PrimaryTraitPublic]
    traits_comment: str | None
    result: str | None  # Hoàn thành xuất sắc / tốt / Hoàn thành / Chưa hoàn thành
    completed_grade: bool | None
    completion: str | None
    award: str | None
    missing: list[str]
    rule_id: str
