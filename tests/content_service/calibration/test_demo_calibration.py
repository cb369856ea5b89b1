"""The demo calibration loader: parameters for the bank's published items, idempotent."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, func, select

from content_service.demo_calibration import DEMO_SET_NAME, load_calibration_demo
from content_service.models.calibration import ItemParameterRecord, ParameterSetRecord
from content_service.models.people import Role
from tests.content_service.calibration.factories import create_bank_items
from tests.factories import create_user


def test_demo_accepts_one_parameter_set_once(db: Engine) -> None:
    create_user(db, role=Role.RESEARCHER, school=None, username="nghiencuu")
    with Session(db) as session:
        assert load_calibration_demo(session, n_persons=300) is None  # no items yet
    versions = {v for _, v in create_bank_items(db, 6)}
    with Session(db) as session:
        first = load_calibration_demo(session, n_persons=800)
        assert first is not None
        assert first.name == DEMO_SET_NAME
        again = load_calibration_demo(session, n_persons=800)
        assert again is not None
        assert again.id == first.id
        sets = session.exec(select(func.count()).select_from(ParameterSetRecord)).one()
        rows = session.exec(select(ItemParameterRecord)).all()
    assert sets == 1
    assert {r.item_version_id for r in rows} == versions
    assert all(0.2 < r.discrimination < 4 and r.standard_errors for r in rows)
