"""Builders for blueprint and adaptive quiz tests: leveled items and accepted IRT parameters."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Engine
from sqlmodel import Session

from content_service.models.calibration import (
    CalibrationRunRecord,
    DatasetSource,
    ItemParameterRecord,
    ParameterSetRecord,
    ResponseDatasetRecord,
    RunStatus,
)
from content_service.models.items import ItemVersionRecord
from item_bank.items import Choice, CognitiveLevel, Item, ItemKind, ItemMetadata
from tests.content_service.quizzes.builders import (
    SECRET_FEEDBACK,
    SECRET_RATIONALE,
    publish_item,
)

# Texts that exist only in the server-side state of an adaptive attempt: a response sent to the
# student before submission that contains one of these keys leaks the parameters or the estimate.
IRT_KEYS = ('"theta"', '"se"', "discrimination", "intercepts", "guessing", "parameter_id")


def leveled_item(
    identifier: str,
    *,
    topic: str = "Hàm số",
    level: CognitiveLevel = CognitiveLevel.NHAN_BIET,
) -> Item:
    """A single-choice item whose right answer is always "B" (so tests can answer on purpose)."""
    return Item(
        identifier=identifier,
        kind=ItemKind.SINGLE_CHOICE,
        title=f"Câu {identifier}",
        stem=f"Câu hỏi {identifier} ({topic}): chọn B",
        choices=(
            Choice("A", "Sai"),
            Choice("B", "Đúng", feedback=f"{SECRET_FEEDBACK} đúng"),
            Choice("C", "Sai nữa"),
        ),
        correct=("B",),
        shuffle=True,
        rationale=f"{SECRET_RATIONALE}: vì đề bảo chọn B",
        metadata=ItemMetadata(subject="toan", grade=10, topic=topic, cognitive_level=level),
    )


def publish_leveled(
    engine: Engine,
    count: int,
    *,
    prefix: str,
    topic: str = "Hàm số",
    level: CognitiveLevel = CognitiveLevel.NHAN_BIET,
) -> list[ItemVersionRecord]:
    return [
        publish_item(engine, leveled_item(f"{prefix}-{j}", topic=topic, level=level))
        for j in range(count)
    ]


def accept_parameters(
    engine: Engine,
    versions: Sequence[ItemVersionRecord],
    difficulties: Sequence[float],
    *,
    discrimination: float = 1.5,
    name: str = "Toán 10",
) -> uuid.UUID:
    """An accepted 2PL parameter set for ``versions`` (with its dataset and run)."""
    with Session(engine, expire_on_commit=False) as session:
        dataset = ResponseDatasetRecord(
            name=name, source=DatasetSource.UPLOAD, item_versions=[str(v.id) for v in versions]
        )
        session.add(dataset)
        session.flush()
        run = CalibrationRunRecord(dataset_id=dataset.id, model="2pl", status=RunStatus.SUCCEEDED)
        session.add(run)
        session.flush()
        parameter_set = ParameterSetRecord(
            name=name, run_id=run.id, dataset_id=dataset.id, model="2pl"
        )
        session.add(parameter_set)
        session.flush()
        for version, b in zip(versions, difficulties, strict=True):
            session.add(
                ItemParameterRecord(
                    parameter_set_id=parameter_set.id,
                    item_version_id=version.id,
                    model="2pl",
                    discrimination=discrimination,
                    intercepts=[-discrimination * b],
                    difficulty=b,
                )
            )
        session.commit()
        return parameter_set.id
