"""Blueprint quizzes: each attempt gets its own form assembled from a specification matrix.

The quiz stores the matrix ("ma trận đề": topic x cognitive level cells with counts); at the
start of every attempt the published bank is assembled into one form with the attempt's seed
(``item_bank.assembly``), so every attempt satisfies every cell, and the attempt pins the
versions it drew. A matrix the bank cannot fill is refused when the quiz is created and again
when it is published, naming each short cell.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

import numpy as np
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.errors import UnprocessableError
from content_service.models.items import ItemVersionRecord, VersionStatus
from content_service.schemas.items import BlueprintInput
from content_service.services import quizzes as quizzes_service
from item_bank.assembly import Blueprint, BlueprintCell, InfeasibleBlueprintError, assemble_forms
from item_bank.items import CognitiveLevel, Item

# The integer program is a fallback for matrices whose cells compete for the same items; an
# attempt start must not wait long for it.
_ASSEMBLY_SECONDS = 5.0


def blueprint_of(spec: Mapping[str, Any]) -> Blueprint:
    """The one-form blueprint of a quiz's stored matrix."""
    subject = spec.get("subject") or None
    cells = tuple(
        BlueprintCell(
            cognitive_level=CognitiveLevel(cell["cognitive_level"]),
            count=int(cell["count"]),
            subject=cell.get("subject") or subject,
            topic=cell.get("topic"),
            requirement_code=cell.get("requirement_code"),
        )
        for cell in spec["cells"]
    )
    return Blueprint(cells=cells, forms=1)


async def _bank(
    session: AsyncSession, spec: Mapping[str, Any]
) -> tuple[list[ItemVersionRecord], list[Item]]:
    """The newest published version of each item in the matrix's subject and grade."""
    query = select(ItemVersionRecord).where(ItemVersionRecord.status == VersionStatus.PUBLISHED)
    if spec.get("subject"):
        query = query.where(ItemVersionRecord.subject == spec["subject"])
    if spec.get("grade") is not None:
        query = query.where(ItemVersionRecord.grade == spec["grade"])
    latest: dict[Any, ItemVersionRecord] = {}
    for row in (await session.exec(query.order_by(col(ItemVersionRecord.id)))).all():
        if row.item_id not in latest or row.number > latest[row.item_id].number:
            latest[row.item_id] = row
    versions = list(latest.values())
    return versions, [quizzes_service.item_of(v) for v in versions]


def _refusal(error: InfeasibleBlueprintError, spec: Mapping[str, Any]) -> UnprocessableError:
    short = [f"{s.message} (short by {s.needed - s.available})" for s in error.shortages]
    grade = f" (grade {spec['grade']})" if spec.get("grade") is not None else ""
    detail = "; ".join(short) or str(error)
    return UnprocessableError(
        f"blueprint: the published bank{grade} cannot fill the matrix: {detail}",
        code="blueprint_infeasible",
    )


def _assemble(
    versions: list[ItemVersionRecord], items: list[Item], spec: Mapping[str, Any], seed: int
) -> list[str]:
    result = assemble_forms(
        items,
        blueprint_of(spec),
        rng=np.random.default_rng(seed),
        time_limit=_ASSEMBLY_SECONDS,
    )
    # Map back by object identity: two items may share a content identifier.
    version_of = {id(item): version for item, version in zip(items, versions, strict=True)}
    return [str(version_of[id(entry.item)].id) for entry in result.forms[0].items]


async def check_quiz_blueprint(session: AsyncSession, data: BlueprintInput) -> dict[str, Any]:
    """The matrix as stored in the quiz spec, once the bank is known to fill it.

    Raises
    ------
    UnprocessableError
        A cell sets ``points`` (a quiz scores each item with its own points), or the bank
        cannot fill the matrix: the message names every short cell.
    """
    for index, cell in enumerate(data.cells):
        if cell.points is not None:
            raise UnprocessableError(
                f"blueprint.cells[{index}].points: a quiz scores each item with its own points",
                code="blueprint_points",
            )
    spec = data.model_dump(mode="json", exclude={"allow_overlap"})
    versions, items = await _bank(session, spec)
    try:
        _assemble(versions, items, spec, seed=0)
    except InfeasibleBlueprintError as error:
        raise _refusal(error, spec) from None
    return spec


async def draw_blueprint_versions(
    session: AsyncSession, spec: Mapping[str, Any], rng: random.Random
) -> list[str]:
    """Assemble one form for an attempt; the version ids in form order."""
    versions, items = await _bank(session, spec)
    try:
        return _assemble(versions, items, spec, seed=rng.getrandbits(63))
    except InfeasibleBlueprintError as error:  # the bank shrank since publication
        raise _refusal(error, spec) from None
