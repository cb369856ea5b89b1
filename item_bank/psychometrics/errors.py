"""Warnings and errors raised by the psychometrics package.

Every warning derives from :class:`PsychometricsWarning` so that callers (the service, notebooks)
can filter or collect them with one ``warnings.catch_warnings`` block.
"""

from __future__ import annotations

__all__ = [
    "BoundaryEstimateWarning",
    "ConvergenceWarning",
    "DataWarning",
    "PsychometricsError",
    "PsychometricsWarning",
    "ResponseDataError",
]


class PsychometricsWarning(UserWarning):
    """Base class of every warning emitted by :mod:`item_bank.psychometrics`."""


class ConvergenceWarning(PsychometricsWarning):
    """An iterative estimator stopped before meeting its convergence criterion."""


class DataWarning(PsychometricsWarning):
    """The response data are legal but uninformative for part of the model.

    Examples: a person who answered every item correctly, an item nobody answered, an item
    with a constant response column, a single respondent.
    """


class BoundaryEstimateWarning(PsychometricsWarning):
    """An estimate lies on the boundary of the parameter space or is infinite.

    Emitted, for instance, by maximum-likelihood ability estimation for all-correct or
    all-wrong response patterns, whose estimate is +inf or -inf.
    """


class PsychometricsError(ValueError):
    """Base class of the errors raised for invalid psychometric input."""


class ResponseDataError(PsychometricsError):
    """The response matrix has the wrong shape, values or categories for the model."""
