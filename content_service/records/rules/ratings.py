"""Rating vocabularies of Circulars 22/2021 (secondary) and 27/2020 (primary).

Enum values are the NFC Vietnamese labels printed in the học bạ, so they serialise as-is.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from typing import Self

from content_service.records.rules.errors import InvalidScoreError


class _LabelledEnum(StrEnum):
    @classmethod
    def parse(cls, value: object, *, field: str = "rating") -> Self:
        """Return the member whose label (NFC, case-insensitive) or name equals ``value``."""
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            key = unicodedata.normalize("NFC", value).strip().casefold()
            for member in cls:
                if key in (member.value.casefold(), member.name.casefold()):
                    return member
        labels = ", ".join(m.value for m in cls)
        raise InvalidScoreError(f"{field}: {value!r} is not one of {labels}")


class CommentRating(_LabelledEnum):
    """Result of a comment-only subject (TT22 Điều 5 khoản 2)."""

    ACHIEVED = "Đạt"
    NOT_ACHIEVED = "Chưa đạt"


class Level(_LabelledEnum):
    """Four-level scale shared by learning results and conduct (TT22 Điều 8, 9)."""

    GOOD = "Tốt"
    FAIR = "Khá"
    ACHIEVED = "Đạt"
    NOT_ACHIEVED = "Chưa đạt"

    @property
    def rank(self) -> int:
        """3 for Tốt down to 0 for Chưa đạt."""
        return 3 - list(Level).index(self)

    @classmethod
    def from_rank(cls, rank: int) -> Level:
        """Inverse of :attr:`rank`."""
        return list(Level)[3 - rank]


class SubjectRating(_LabelledEnum):
    """Primary periodic rating of a subject or activity (TT27 Điều 7)."""

    EXCELLENT = "Hoàn thành tốt"
    COMPLETED = "Hoàn thành"
    NOT_COMPLETED = "Chưa hoàn thành"


class CompetencyRating(_LabelledEnum):
    """Primary rating of a quality (phẩm chất) or competency (năng lực) (TT27 Điều 7)."""

    GOOD = "Tốt"
    ACHIEVED = "Đạt"
    NEEDS_EFFORT = "Cần cố gắng"


class PrimaryYearResult(_LabelledEnum):
    """Primary year-end result (TT27 Điều 9 khoản 2)."""

    OUTSTANDING = "Hoàn thành xuất sắc"
    EXCELLENT = "Hoàn thành tốt"
    COMPLETED = "Hoàn thành"
    NOT_COMPLETED = "Chưa hoàn thành"
