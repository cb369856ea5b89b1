"""Demo calibration: simulated answers to the demo bank's published questions, calibrated (2PL)
and accepted as parameter set "Demo — ngân hàng câu hỏi", so the pages and CAT have parameters.

Idempotent: nothing is added when the set exists or the bank has fewer than 5 published items.
"""

from __future__ import annotations

import numpy as np
from sqlmodel import Session, col, select

from content_service.models.base import utcnow
from content_service.models.calibration import (
    CalibrationRunRecord,
    DatasetSource,
    ParameterSetRecord,
    ResponseDatasetRecord,
    RunStatus,
)
from content_service.models.items import ItemVersionRecord, VersionStatus
from content_service.models.people import UserRecord
from content_service.services.access import Principal
from content_service.services.calibration import (
    _item_parameter,
    _provenance,
    software_version,
)
from content_service.tasks.calibration import calibrate_dataset
from item_bank.psychometrics import ItemParameters, simulate_responses

DEMO_SET_NAME = "Demo — ngân hàng câu hỏi"
_MAX_ITEMS = 30


def load_calibration_demo(
    session: Session, *, researcher_username: str = "nghiencuu", n_persons: int = 1500,
    seed: int = 20240611,
) -> ParameterSetRecord | None:  # fmt: skip
    """Add the demo dataset, run and accepted parameter set; returns the set (None if skipped)."""
    existing = session.exec(
        select(ParameterSetRecord).where(ParameterSetRecord.name == DEMO_SET_NAME)
    ).first()
    if existing is not None:
        return existing
    researcher = session.exec(
        select(UserRecord).where(UserRecord.username == researcher_username)
    ).first()
    versions = session.exec(
        select(ItemVersionRecord)
        .where(ItemVersionRecord.status == VersionStatus.PUBLISHED)
        .order_by(col(ItemVersionRecord.created_at), col(ItemVersionRecord.id))
        .limit(_MAX_ITEMS)
    ).all()
    if researcher is None or len(versions) < 5:
        return None
    rng = np.random.default_rng(seed)
    n_items = len(versions)
    truth = ItemParameters.from_difficulty(
        rng.normal(0, 1, n_items), rng.uniform(0.7, 2.0, n_items)
    )
    x = simulate_responses(truth, rng.standard_normal(n_persons), rng=rng, missing_rate=0.2)
    persons, items = np.nonzero(~np.isnan(x))
    dataset = ResponseDatasetRecord(
        name="Demo — dữ liệu mô phỏng", source=DatasetSource.UPLOAD,
        description="Câu trả lời mô phỏng theo mô hình 2PL (seed 20240611).",
        created_by=researcher.id, n_persons=n_persons, n_responses=int(persons.size),
        item_versions=[str(v.id) for v in versions],
        person_labels=[f"hs{i:05d}" for i in range(n_persons)],
        responses={"persons": persons.tolist(), "items": items.tolist(),
                   "values": x[persons, items].astype(int).tolist()},
        selection={"simulated": True, "seed": seed},
    )  # fmt: skip
    run = CalibrationRunRecord(
        dataset_id=dataset.id, model="2pl", status=RunStatus.SUCCEEDED,
        created_by=researcher.id, software_version=software_version(),
        result=calibrate_dataset(dataset, "2pl", 61), finished_at=utcnow(),
    )  # fmt: skip
    principal = Principal(researcher.id, researcher.username, researcher.role, researcher.school_id)
    parameter_set = ParameterSetRecord(
        name=DEMO_SET_NAME, version=1, run_id=run.id, dataset_id=dataset.id, model="2pl",
        software_version=run.software_version, accepted_by=researcher.id,
        note="Tham số minh hoạ, không dùng cho thi thật.",
        provenance=_provenance(run, dataset, principal),
    )  # fmt: skip
    for record in (dataset, run, parameter_set):  # no ORM relationships: flush in FK order
        session.add(record)
        session.flush()
    for entry in run.result["items"]:
        session.add(_item_parameter(parameter_set.id, entry))
    session.commit()
    return parameter_set
