"""Helpers shared by the crosswalks."""

from __future__ import annotations

from learning_resources.resources import LearningResource

__all__ = ["landing_url"]


def landing_url(base_url: str, resource: LearningResource) -> str:
    """Public page of a resource: ``<base_url>/resources/<identifier>``."""
    return f"{base_url.rstrip('/')}/resources/{resource.identifier}"
