"""Score parsing, validation and the half-up rounding used by Vietnamese school software.

Python's ``round(8.25, 1)`` gives 8.2 (binary floats, banker's rounding); school software and
the Ministry's examples show 8.3, so every average is computed with :class:`~decimal.Decimal`
and quantised with ``ROUND_HALF_UP``.
"""

from __future__ import annotations

import functools
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from content_service.records.rules.errors import InvalidScoreError

ONE_DECIMAL = Decimal("0.1")
MIN_SCORE = Decimal(0)
MAX_SCORE = Decimal(10)

ScoreLike = Decimal | int | str


def round_half_up(value: Decimal) -> Decimal:
    """Round to one decimal place, halves away from zero (7.625 -> 7.6, 6.25 -> 6.3)."""
    return value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def _to_decimal(value: object, field: str) -> Decimal:
    # Floats are refused: 0.1 + 0.2 style artefacts are exactly what the Decimal rule avoids.
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise InvalidScoreError(
            f"{field}: expected Decimal, int or str, got {type(value).__name__} {value!r}"
        )
    try:
        number = Decimal(value) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise InvalidScoreError(f"{field}: {value!r} is not a number") from None
    if not number.is_finite():
        raise InvalidScoreError(f"{field}: {value!r} is not a finite number")
    return number


def parse_score(value: object, *, field: str) -> Decimal:
    """Validate a secondary-school score: 0-10 with at most one decimal place (TT22 Điều 5).

    Parameters
    ----------
    value : Decimal, int or str
        The score as entered.
    field : str
        Name used in the error message (e.g. ``"Toán.regular[2]"``).

    Returns
    -------
    Decimal
        The score quantised to one decimal place.

    Raises
    ------
    InvalidScoreError
        If the value is not a number, lies outside 0-10, or has more than one decimal.
    """
    number = _to_decimal(value, field)
    if not MIN_SCORE <= number <= MAX_SCORE:
        raise InvalidScoreError(f"{field}: score {value} is outside 0-10")
    if number != number.quantize(ONE_DECIMAL):
        raise InvalidScoreError(f"{field}: score {value} has more than one decimal place")
    return number.quantize(ONE_DECIMAL)


def parse_integer_score(value: object, *, field: str) -> int:
    """Validate a primary periodic-test score: an integer 0-10, no decimals (TT27 Điều 7).

    Raises
    ------
    InvalidScoreError
        If the value is not a whole number in 0-10.
    """
    number = _to_decimal(value, field)
    if not MIN_SCORE <= number <= MAX_SCORE:
        raise InvalidScoreError(f"{field}: test score {value} is outside 0-10")
    if number != number.to_integral_value():
        raise InvalidScoreError(f"{field}: test score {value} must be a whole number")
    return int(number)


def normalise_name(name: str, *, field: str = "name") -> str:
    """Return ``name`` NFC-normalised and stripped; refuse empty names."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"{field}: expected a non-empty string, got {name!r}")
    return unicodedata.normalize("NFC", name.strip())


@functools.lru_cache(maxsize=4096)
def name_key(name: str) -> str:
    """Comparison key for subject names: NFC, case-folded, single-spaced."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())
