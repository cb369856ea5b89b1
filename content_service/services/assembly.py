"""Assembling test forms from the published bank with a blueprint ("ma trận đề"), and printing them.

The forms are stored pinned to item versions (``AssembledFormRecord``), so the PDF printed next
week shows exactly the items assembled today even when the bank has moved on.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import numpy as np
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.errors import NotFoundError, UnprocessableError
from content_service.models.items import (
    AssembledFormRecord,
    ItemAssetRecord,
    ItemVersionRecord,
    VersionStatus,
)
from content_service.pdf_forms import AssetFile, PrintedForm, PrintedItem, render_forms_pdf
from content_service.schemas.items import AssemblyRequest
from content_service.services.access import Principal
from content_service.services.audit import record_audit
from content_service.services.item_assets import asset_path, referenced_assets
from content_service.services.items import item_of, require_bank_user
from item_bank.assembly import (
    AnswerKey,
    Blueprint,
    BlueprintCell,
    InfeasibleBlueprintError,
    assemble_forms,
)


def _blueprint(data: AssemblyRequest) -> Blueprint:
    spec = data.blueprint
    cells = tuple(
        BlueprintCell(
            cognitive_level=cell.cognitive_level,
            count=cell.count,
            subject=cell.subject or spec.subject,
            topic=cell.topic,
            requirement_code=cell.requirement_code,
            points=cell.points,
            target_difficulty=cell.target_difficulty,
        )
        for cell in spec.cells
    )
    return Blueprint(cells=cells, forms=data.n_forms, allow_overlap=spec.allow_overlap)


def _key_text(key: AnswerKey) -> str:
    if key.labels:
        return ", ".join(key.labels)
    return "; ".join(key.values) or "(chấm tay)"


async def assemble(
    *, session: AsyncSession, principal: Principal, data: AssemblyRequest
) -> AssembledFormRecord:
    """Assemble ``n_forms`` parallel forms from the published versions and store them.

    Raises
    ------
    UnprocessableError
        The bank cannot satisfy the blueprint; the message names each short cell and how many
        items it lacks.
    """
    require_bank_user(principal)
    query = select(ItemVersionRecord).where(ItemVersionRecord.status == VersionStatus.PUBLISHED)
    if data.blueprint.subject:
        query = query.where(ItemVersionRecord.subject == data.blueprint.subject)
    if data.blueprint.grade is not None:
        query = query.where(ItemVersionRecord.grade == data.blueprint.grade)
    versions = list((await session.exec(query.order_by(col(ItemVersionRecord.id)))).all())
    items = [item_of(v) for v in versions]
    by_identifier = {item.identifier: v for item, v in zip(items, versions, strict=True)}
    blueprint = _blueprint(data)
    try:
        result = assemble_forms(items, blueprint, rng=np.random.default_rng(data.seed))
    except InfeasibleBlueprintError as error:
        shortages = [f"{s.message} (short by {s.needed - s.available})" for s in error.shortages]
        grade = f" (grade {data.blueprint.grade})" if data.blueprint.grade else ""
        detail = "; ".join(shortages) or str(error)
        raise UnprocessableError(
            f"blueprint: the published bank{grade} cannot fill it: {detail}",
            code="blueprint_infeasible",
        ) from None
    forms: list[dict[str, Any]] = []
    for form in result.forms:
        entries = []
        for entry in form.items:
            version = by_identifier[entry.item.identifier]
            entries.append(
                {
                    "position": entry.position,
                    "version_id": str(version.id),
                    "item_id": str(version.item_id),
                    "identifier": entry.item.identifier,
                    "points": entry.points,
                    "choice_order": list(entry.choice_order),
                    "cell": entry.cell,
                }
            )
        key = {
            identifier: {
                "position": k.position,
                "choices": list(k.choices),
                "labels": list(k.labels),
                "values": list(k.values),
                "text": _key_text(k),
            }
            for identifier, k in form.answer_key.items()
        }
        cells = [{"label": c.label, "count": c.count, "points": c.points} for c in form.cells]
        forms.append(
            {
                "number": form.number,
                "items": entries,
                "answer_key": key,
                "total_points": form.total_points,
                "cells": cells,
            }
        )
    record = AssembledFormRecord(
        school_id=principal.school_id,
        created_by=principal.user_id,
        title=data.title,
        seed=data.seed,
        method=result.method,
        blueprint=data.model_dump(mode="json"),
        forms=forms,
    )
    session.add(record)
    await session.flush()
    record_audit(
        session=session,
        actor=principal,
        action="assembly.create",
        entity="assembled_form",
        entity_id=record.id,
        details={"forms": len(forms), "items_per_form": blueprint.items_per_form},
    )
    return record


async def get_forms(
    *, session: AsyncSession, principal: Principal, form_id: uuid.UUID
) -> AssembledFormRecord:
    """A stored form set: its author, the author's school staff and system admins see it."""
    require_bank_user(principal)
    record = await session.get(AssembledFormRecord, form_id)
    visible = record is not None and (
        principal.is_system_admin
        or record.created_by == principal.user_id
        or (record.school_id is not None and record.school_id == principal.school_id)
    )
    if record is None or not visible:
        raise NotFoundError(f"assembled form {form_id} not found", code="form_not_found")
    return record


async def forms_pdf(
    *, session: AsyncSession, principal: Principal, form_id: uuid.UUID, data_dir: Path
) -> bytes:
    """The printable form set; the images its items show are read from ``data_dir``."""
    record = await get_forms(session=session, principal=principal, form_id=form_id)
    printed = []
    shas: set[str] = set()
    for form in record.forms:
        entries = []
        for entry in form["items"]:
            version = await session.get(ItemVersionRecord, uuid.UUID(entry["version_id"]))
            assert version is not None  # versions are never deleted
            shas |= referenced_assets(version.content)
            key = form["answer_key"].get(entry["identifier"], {})
            entries.append(
                PrintedItem(
                    position=entry["position"],
                    item=item_of(version),
                    points=entry["points"],
                    choice_order=tuple(entry["choice_order"]),
                    key=key.get("text", ""),
                )
            )
        printed.append(PrintedForm(form["number"], tuple(entries), form["total_points"]))
    assets: dict[str, AssetFile] = {}
    if shas:
        rows = await session.exec(
            select(ItemAssetRecord).where(col(ItemAssetRecord.sha256).in_(sorted(shas)))
        )
        for row in rows:
            path = asset_path(data_dir, row.sha256)
            assets[row.sha256] = AssetFile(path, row.media_type, row.filename)
    spec = record.blueprint.get("blueprint", {})
    parts = [spec.get("subject") or "", f"Lớp {spec['grade']}" if spec.get("grade") else ""]
    subtitle = " · ".join(p for p in parts if p)
    return render_forms_pdf(
        title=record.title or "Đề kiểm tra", subtitle=subtitle, forms=printed, assets=assets
    )
