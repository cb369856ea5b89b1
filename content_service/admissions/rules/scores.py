"""Exam scores in 0.25 steps, held internally as integer quarter-points.

Sorting 100,000 applicants on integers is several times faster than on Decimals, and
quarter-points are exact: every grade-10 score, weight and priority bonus is a multiple of 0.25.
"""

from __future__ import annotations

import functools
import unicodedata
from decimal import Decimal, InvalidOperation

from content_service.admissions.rules.errors import AdmissionInputError

QUARTER = Decimal("0.25")
MAX_TEST_SCORE = Decimal(10)


def parse_test_score(value: object, *, field: str) -> Decimal:
    """Validate one exam score: 0-10 in steps of 0.25.

    Raises
    ------
    AdmissionInputError
        Naming ``field`` and the value when the score is not a number, is outside 0-10 or is
        not a multiple of 0.25.
    """
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise AdmissionInputError(
            f"{field}: expected Decimal, int or str, got {type(value).__name__} {value!r}"
        )
    try:
        number = value if isinstance(value, Decimal) else Decimal(value)
    except InvalidOperation:
        raise AdmissionInputError(f"{field}: {value!r} is not a number") from None
    if not number.is_finite() or not Decimal(0) <= number <= MAX_TEST_SCORE:
        raise AdmissionInputError(f"{field}: score {value} is outside 0-10")
    if number % QUARTER != 0:
        raise AdmissionInputError(f"{field}: score {value} is not in steps of 0.25")
    return number.quantize(Decimal("0.01"))


def to_quarters(score: Decimal) -> int:
    """Exact integer number of quarter-points in ``score`` (a multiple of 0.25)."""
    return int(score * 4)


@functools.lru_cache(maxsize=8192)
def from_quarters(quarters: int) -> Decimal:
    """Inverse of :func:`to_quarters`, shown with two decimals (23.50)."""
    return (Decimal(quarters) / 4).quantize(Decimal("0.01"))


def normalise_text(value: str, *, field: str) -> str:
    """NFC-normalise and strip a code or name; refuse empty text."""
    if not isinstance(value, str) or not value.strip():
        raise AdmissionInputError(f"{field}: expected a non-empty string, got {value!r}")
    return unicodedata.normalize("NFC", value.strip())
