"""Demo admissions: a small grade-10 round of the Department, allocated, with the supplementary
round open, so the pages have cut-offs, explanations and an offer to show.

The demo parent's child is one of the applicants (left out by the regular rounds), so logging
in as ``phuhuynh`` shows "why not my first wish" and the supplementary form.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
from sqlmodel import Session, select

from content_service.admissions.rules import Grade10RuleSet
from content_service.models.admissions import (
    AdmissionApplicantRecord,
    AdmissionRoundRecord,
    AdmissionSchoolRecord,
)
from content_service.models.people import ParentLinkRecord, UserRecord
from content_service.services.admissions import _rules, allocate_round
from content_service.services.admissions_supplementary import compute_offer

DEMO_ROUND = "Tuyển sinh lớp 10 năm học 2025-2026 (dữ liệu thử)"
_SCHOOLS = [
    ("NTMK", "THPT Nguyễn Thị Minh Khai", 6),
    ("LQD", "THPT Lê Quý Đôn", 6),
    ("BTX", "THPT Bùi Thị Xuân", 8),
    ("GĐ", "THPT Gia Định", 8),
    ("TPT", "THPT Trần Phú", 10),
]
_SEED = 20250601


def _quarter(value: float) -> str:
    return str(Decimal(round(min(max(value, 0.25), 10.0) * 4)) / 4)


def load_admissions_demo(session: Session, *, parent_username: str = "phuhuynh") -> int:
    """Create, allocate and open the supplementary round; returns applicants added (0 if done)."""
    if session.exec(
        select(AdmissionRoundRecord).where(AdmissionRoundRecord.name == DEMO_ROUND)
    ).first():
        return 0
    parent = session.exec(select(UserRecord).where(UserRecord.username == parent_username)).first()
    child = None
    if parent is not None:
        link = session.exec(
            select(ParentLinkRecord).where(ParentLinkRecord.parent_id == parent.id)
        ).first()
        child = link.student_id if link else None
    round_ = AdmissionRoundRecord(
        name=DEMO_ROUND, kind="grade10", rule_date=date(2025, 6, 1), rule_id="HCM-TS10-2025",
        admission_year=2025,
    )  # fmt: skip
    session.add(round_)
    session.flush()
    session.add_all(
        AdmissionSchoolRecord(round_id=round_.id, code=code, name=name, regular_quota=quota)
        for code, name, quota in _SCHOOLS
    )
    rng = np.random.default_rng(_SEED)
    codes = [code for code, _, _ in _SCHOOLS]
    popularity = np.array([0.35, 0.3, 0.15, 0.12, 0.08])
    count = 48
    for index in range(count):
        ability = rng.normal(6.5, 1.5)
        wishes = [codes[i] for i in rng.choice(len(codes), size=3, replace=False, p=popularity)]
        details = {
            "literature": _quarter(ability + rng.normal(0, 0.8)),
            "mathematics": _quarter(ability + rng.normal(0, 1.0)),
            "foreign_language": _quarter(ability + rng.normal(0, 0.9)),
            "priority_group": None,
            "regular_wishes": wishes,
        }
        session.add(
            AdmissionApplicantRecord(
                round_id=round_.id, applicant_code=f"TS{index + 1:04d}",
                full_name=f"Thí sinh {index + 1:02d}", details=details,
            )
        )  # fmt: skip
    # The demo child: a modest score, ranking the two most wanted schools.
    session.add(
        AdmissionApplicantRecord(
            round_id=round_.id, applicant_code="TS0100", full_name="Con của phụ huynh demo",
            user_id=child,
            details={"literature": "6.5", "mathematics": "6", "foreign_language": "5.75",
                     "priority_group": None, "regular_wishes": ["NTMK", "LQD"]},
        )
    )  # fmt: skip
    session.flush()
    allocate_round(session, round_.id)
    _open_supplementary(session, round_)
    return count + 1


def _open_supplementary(session: Session, round_: AdmissionRoundRecord) -> None:
    rules = _rules(round_)
    assert isinstance(rules, Grade10RuleSet)
    round_.summary = {**round_.summary, "supplementary": compute_offer(session, round_, rules)}
    session.add(round_)
    session.flush()
