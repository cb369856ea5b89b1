"""Shapes shared by every endpoint: pages of results and the error body."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, ConfigDict, field_validator

T = TypeVar("T")

MAX_PAGE_SIZE = 200


class StrictInput(BaseModel):
    """Base of every request body: an unknown field is an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        # PostgreSQL text cannot hold U+0000 (found by the schemathesis run): refuse it as a 422
        # naming the field, instead of failing at INSERT time.
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain the NUL character (U+0000)")
        return value


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


def page_of(item_schema: type[T], rows: Sequence[object], total: int, page: PageParams) -> Page[T]:
    """A page of ``rows`` (table records) rendered as ``item_schema``."""
    validate = item_schema.model_validate  # type: ignore[attr-defined]
    return Page[item_schema](  # type: ignore[valid-type]
        items=[validate(row, from_attributes=True) for row in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


class PageParams(BaseModel):
    limit: int = 50
    offset: int = 0


async def page_params(  # async: see content_service.api.deps
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="page size")] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="items to skip")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


class ErrorBody(BaseModel):
    detail: Any
    code: str
