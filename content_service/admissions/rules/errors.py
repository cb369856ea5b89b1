"""Typed errors raised by the admissions rule engines."""

from __future__ import annotations


class AdmissionInputError(ValueError):
    """Applicant, school or score data that the admission rules refuse."""


class AdmissionRuleDataError(ValueError):
    """A rule-set data file is malformed; the message names the file and the field."""


class AdmissionRuleSetNotFoundError(LookupError):
    """No rule set covers the requested region, kind and date."""
