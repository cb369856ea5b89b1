"""Typed errors raised by the records rule engines."""

from __future__ import annotations


class InvalidScoreError(ValueError):
    """A score or rating is outside what the circular allows (range, decimals, vocabulary)."""


class RuleDataError(ValueError):
    """A rule-set data file is malformed; the message names the file and the field."""


class RuleSetNotFoundError(LookupError):
    """No shipped or supplied rule set covers the requested region, school level and date."""
