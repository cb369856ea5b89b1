"""OAI-PMH 2.0 error conditions (protocol §3.6) as a typed exception."""

from __future__ import annotations

from enum import StrEnum

from learning_resources.errors import LearningResourceError

__all__ = ["OaiError", "OaiErrorCode"]


class OaiErrorCode(StrEnum):
    """The eight error codes of OAI-PMH 2.0; the value is the ``code`` attribute."""

    BAD_ARGUMENT = "badArgument"
    BAD_RESUMPTION_TOKEN = "badResumptionToken"  # noqa: S105 -- an OAI error code, not a secret
    BAD_VERB = "badVerb"
    CANNOT_DISSEMINATE_FORMAT = "cannotDisseminateFormat"
    ID_DOES_NOT_EXIST = "idDoesNotExist"
    NO_RECORDS_MATCH = "noRecordsMatch"
    NO_METADATA_FORMATS = "noMetadataFormats"
    NO_SET_HIERARCHY = "noSetHierarchy"


class OaiError(LearningResourceError):
    """One or more OAI-PMH errors; rendered as ``<error>`` elements in an HTTP 200 response.

    Parameters
    ----------
    code : OaiErrorCode
        The (first) error code.
    message : str
        Human-readable explanation.
    more : tuple of (OaiErrorCode, str)
        Further errors found in the same request (the protocol allows several).
    """

    code = "oai_error"

    def __init__(
        self, code: OaiErrorCode, message: str, more: tuple[tuple[OaiErrorCode, str], ...] = ()
    ) -> None:
        self.errors: tuple[tuple[OaiErrorCode, str], ...] = ((code, message), *more)
        self.oai_code = code
        super().__init__(f"{code}: {message}")
