"""Typed errors raised by the learning-resource domain library.

Every error carries a machine-readable ``code`` (``lower_snake``) so the service can map it to
its ``{"detail": ..., "code": ...}`` API shape without parsing messages.
"""

from __future__ import annotations

__all__ = [
    "IllegalTransitionError",
    "ImmutableVersionError",
    "LearningResourceError",
    "MetadataValidationError",
    "PackageError",
    "UnknownLicenceError",
]


class LearningResourceError(Exception):
    """Base class of every error raised by :mod:`learning_resources`."""

    code = "learning_resource_error"


class MetadataValidationError(LearningResourceError, ValueError):
    """A metadata field holds an invalid value.

    Parameters
    ----------
    field : str
        Dotted path of the offending field, e.g. ``"education.grades"``.
    message : str
        What is wrong with the value.
    """

    code = "metadata_invalid"

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class UnknownLicenceError(MetadataValidationError):
    """The licence is not one of the registered Creative Commons licences."""

    code = "licence_unknown"


class IllegalTransitionError(LearningResourceError):
    """A workflow event is not allowed from the resource's current state.

    Parameters
    ----------
    event : str
        The attempted event (``"publish"``, ``"withdraw"``...).
    source : str
        The state the resource was in.
    """

    code = "illegal_transition"

    def __init__(self, event: str, source: str, detail: str = "") -> None:
        # str() so a StrEnum state prints as 'draft', not <ResourceState.DRAFT: 'draft'>.
        self.event = str(event)
        self.source = str(source)
        suffix = f": {detail}" if detail else ""
        super().__init__(f"cannot {self.event} a resource in state {self.source!r}{suffix}")


class ImmutableVersionError(LearningResourceError):
    """Someone tried to change a published (or withdrawn) version in place."""

    code = "version_immutable"

    def __init__(self, identifier: str, version: int, state: str) -> None:
        self.identifier = identifier
        self.version = version
        super().__init__(
            f"version {version} of {identifier!r} is {state!s} and immutable; create a new version"
        )


class PackageError(LearningResourceError):
    """An offline package cannot be built (missing or corrupt file bytes, unpublished resource)."""

    code = "package_invalid"
