"""The editorial workflow as pure transition functions.

::

    draft ─submit─▶ submitted ─start_review─▶ in_review ─publish─▶ published ─withdraw─▶ withdrawn
      ▲                │                          │
      └───retract──────┘◀─────reject (reason)─────┘

Each function returns a *new* :class:`LearningResource` with the new state, ``modified`` set to
``at`` and a :class:`StateChange` appended to ``history``. Illegal events raise
:class:`IllegalTransitionError`; rejection and withdrawal require a reason. Published and
withdrawn versions are immutable: :func:`revise` refuses them, :func:`new_version` starts the
next draft.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from learning_resources.errors import (
    IllegalTransitionError,
    ImmutableVersionError,
    MetadataValidationError,
)
from learning_resources.resources import (
    LearningResource,
    ResourceState,
    StateChange,
    normalize_text_fields,
)
from learning_resources.validation import validate_resource

__all__ = [
    "TRANSITIONS",
    "apply_event",
    "new_version",
    "publish",
    "reject",
    "retract",
    "revise",
    "start_review",
    "submit",
    "withdraw",
]

S = ResourceState
TRANSITIONS: dict[tuple[str, ResourceState], ResourceState] = {
    ("submit", S.DRAFT): S.SUBMITTED,
    ("retract", S.SUBMITTED): S.DRAFT,
    ("start_review", S.SUBMITTED): S.IN_REVIEW,
    ("reject", S.IN_REVIEW): S.DRAFT,
    ("publish", S.IN_REVIEW): S.PUBLISHED,
    ("withdraw", S.PUBLISHED): S.WITHDRAWN,
}
"""(event, source state) → target state. Anything not listed is illegal."""
REASON_REQUIRED = frozenset({"reject", "withdraw"})
# Submitting and publishing check the metadata so that a reviewer never sees an invalid record
# and a harvester never receives one.
VALIDATED_EVENTS = frozenset({"submit", "publish"})
IMMUTABLE_STATES = frozenset({S.PUBLISHED, S.WITHDRAWN})


def _require_aware(at: datetime) -> None:
    if at.utcoffset() is None:
        raise MetadataValidationError("at", "transition time must be time zone-aware")


def apply_event(
    resource: LearningResource,
    event: str,
    *,
    at: datetime,
    actor: str,
    reason: str | None = None,
) -> LearningResource:
    """Apply a workflow event and return the resulting version.

    Parameters
    ----------
    resource : LearningResource
        The current version.
    event : str
        One of ``submit``, ``retract``, ``start_review``, ``reject``, ``publish``, ``withdraw``.
    at : datetime
        Time zone-aware time of the event (passed in, never read from a clock here).
    actor : str
        Who triggered it, kept in the audit trail.
    reason : str, optional
        Required (non-blank) for ``reject`` and ``withdraw``.

    Returns
    -------
    LearningResource
        A new version object; the input is unchanged.

    Raises
    ------
    IllegalTransitionError
        If the event is not allowed from the current state, or a required reason is missing.
    MetadataValidationError
        If submitting/publishing an invalid resource, or ``at`` is naive.
    """
    target = TRANSITIONS.get((event, resource.state))
    if target is None:
        raise IllegalTransitionError(event, resource.state)
    if event in REASON_REQUIRED and not (reason and reason.strip()):
        raise IllegalTransitionError(event, resource.state, "a reason is required")
    _require_aware(at)
    change = StateChange(event, resource.state, target, at, actor, reason)
    result = dataclasses.replace(
        resource,
        state=target,
        modified=at,
        history=(*resource.history, change),
        published_at=at if target is S.PUBLISHED else resource.published_at,
    )
    result = normalize_text_fields(result)
    if event in VALIDATED_EVENTS:
        validate_resource(result)
    return result


def submit(resource: LearningResource, *, at: datetime, actor: str) -> LearningResource:
    """Submit a draft for review (draft → submitted); validates the metadata."""
    return apply_event(resource, "submit", at=at, actor=actor)


def retract(resource: LearningResource, *, at: datetime, actor: str) -> LearningResource:
    """Take a submission back before review starts (submitted → draft)."""
    return apply_event(resource, "retract", at=at, actor=actor)


def start_review(resource: LearningResource, *, at: datetime, actor: str) -> LearningResource:
    """A reviewer picks up a submission (submitted → in_review)."""
    return apply_event(resource, "start_review", at=at, actor=actor)


def reject(
    resource: LearningResource, *, at: datetime, actor: str, reason: str
) -> LearningResource:
    """Send a version back to its authors (in_review → draft); ``reason`` is required."""
    return apply_event(resource, "reject", at=at, actor=actor, reason=reason)


def publish(resource: LearningResource, *, at: datetime, actor: str) -> LearningResource:
    """Publish a reviewed version (in_review → published); sets ``published_at``."""
    return apply_event(resource, "publish", at=at, actor=actor)


def withdraw(
    resource: LearningResource, *, at: datetime, actor: str, reason: str
) -> LearningResource:
    """Withdraw a published version (published → withdrawn); ``reason`` is required.

    Harvesters then see the record as ``<header status="deleted">``.
    """
    return apply_event(resource, "withdraw", at=at, actor=actor, reason=reason)


def revise(resource: LearningResource, *, at: datetime, **changes: Any) -> LearningResource:
    """Edit a draft version's fields (``dc=...``, ``education=...``, ``content=...``...).

    Raises
    ------
    ImmutableVersionError
        If the version is published or withdrawn.
    IllegalTransitionError
        If the version is submitted or in review (retract or reject it first).
    MetadataValidationError
        If a workflow-controlled field (state, history, version...) is in ``changes``.
    """
    if resource.state in IMMUTABLE_STATES:
        raise ImmutableVersionError(resource.identifier, resource.version, resource.state)
    if resource.state is not S.DRAFT:
        raise IllegalTransitionError("edit", resource.state, "only drafts can be edited")
    forbidden = changes.keys() & {"identifier", "version", "state", "history", "published_at"}
    if forbidden:
        raise MetadataValidationError(min(forbidden), "is controlled by the workflow")
    _require_aware(at)
    return normalize_text_fields(dataclasses.replace(resource, modified=at, **changes))


def new_version(resource: LearningResource, *, at: datetime, actor: str) -> LearningResource:
    """Start the next draft from a published or withdrawn version.

    The new draft keeps the identifier and metadata, gets ``version + 1``, an empty history
    (apart from a ``new_version`` entry) and no publication time.

    Raises
    ------
    IllegalTransitionError
        If the version is not published or withdrawn (a draft is simply edited).
    """
    if resource.state not in IMMUTABLE_STATES:
        raise IllegalTransitionError("new_version", resource.state, "edit the draft instead")
    _require_aware(at)
    change = StateChange("new_version", resource.state, S.DRAFT, at, actor, None)
    return dataclasses.replace(
        resource,
        version=resource.version + 1,
        state=S.DRAFT,
        modified=at,
        published_at=None,
        history=(change,),
    )
