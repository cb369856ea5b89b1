"""Grade-10 allocation through the service on PostgreSQL: 100,000 applicants, 3 wishes,
120 schools (target of issue #9: <= 5 s for the allocation).

Run: ``uv run python bench/bench_admissions_service.py`` (PostgreSQL on 127.0.0.1:5432 with
trust auth, or ``BENCH_POSTGRES_ADMIN_URL``). A scratch database is created, migrated, seeded
with the same seeded applicants as ``bench_admissions.py`` (seeding is not timed), and the round
is allocated with the service's own three steps, each timed:

- load: the round, its schools and every applicant row from PostgreSQL;
- allocate: the city procedure, plus every applicant's result and explanation;
- write: every applicant's placement, explanation and per-wish outcomes, and the cut-offs.

Wall-clock seconds are printed with this process's CPU seconds for load and allocate (the
write's work happens in the PostgreSQL server): on a loaded machine the CPU figure is the
better estimate of an idle one. ``--repeat N`` runs the allocation N times (each in its own
rolled-back transaction) and reports each split; ``--orm-write`` also times the ORM
unit-of-work write it replaced, as the peer measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
from alembic import command
from sqlmodel import Session, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_admissions import make_applicants, make_schools
from content_service.db import make_engine
from content_service.migrations_runner import alembic_config
from content_service.models.admissions import (
    AdmissionApplicantRecord,
    AdmissionRoundRecord,
)
from content_service.services.admissions_allocation import (
    compute_round,
    load_round,
    write_round,
)
from content_service.settings import Settings

ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
SECRET = "bench-secret-key-that-is-long-enough-0123456789"


def _seed(url: str) -> uuid.UUID:
    """One round, 120 schools and 100,000 applicants, written with COPY (not timed)."""
    import numpy as np

    rng = np.random.default_rng(20250606)
    schools = make_schools(rng)
    applicants = make_applicants(rng, len(schools))
    round_id = uuid.uuid4()
    with psycopg.connect(url) as conn:
        conn.execute(
            "INSERT INTO admission_round (id, name, kind, grade, region, rule_date, rule_id, "
            "admission_year, status, cutoffs, summary, created_at) VALUES (%s, %s, 'grade10', "
            "10, 'HCM', '2025-06-01', 'HCM-TS10-2025', 2025, 'draft', '[]', '{}', now())",
            (round_id, "Bench: tuyển sinh lớp 10"),
        )
        with conn.cursor().copy(
            "COPY admission_school (id, round_id, code, name, regular_quota, integrated_quota, "
            "specialised_quotas) FROM STDIN"
        ) as copy:
            for s in schools:
                copy.write_row((uuid.uuid4(), round_id, s.code, s.name, s.regular_quota, 0, "{}"))
        with conn.cursor().copy(
            "COPY admission_applicant (id, round_id, applicant_code, full_name, details, "
            "placed_label, score, explanation, outcomes, created_at) FROM STDIN"
        ) as copy:
            for a in applicants:
                details = {
                    "literature": str(a.literature),
                    "mathematics": str(a.mathematics),
                    "foreign_language": str(a.foreign_language),
                    "priority_group": a.priority_group,
                    "regular_wishes": list(a.regular_wishes),
                }
                copy.write_row(
                    (uuid.uuid4(), round_id, a.applicant_id, "", json.dumps(details), "", "",
                     "", "[]", "2025-06-01T00:00:00Z")
                )  # fmt: skip
    return round_id


def _orm_write(session: Session, round_id: uuid.UUID, results: list[dict[str, Any]]) -> float:
    """The write as the service did it before: ORM objects mutated and flushed."""
    start = time.perf_counter()
    rows = session.exec(
        select(AdmissionApplicantRecord).where(AdmissionApplicantRecord.round_id == round_id)
    ).all()
    by_id = {r["row_id"]: r for r in results}
    for row in rows:
        result = by_id[row.id]
        row.placed_school, row.placed_label = result["placed_school"], result["placed_label"]
        row.score, row.explanation = result["score"], result["explanation"]
        row.outcomes = result["outcomes"]
    session.add_all(rows)
    session.flush()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--orm-write", action="store_true")
    options = parser.parse_args()
    name = f"bench_admissions_{os.getpid()}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            settings = Settings(
                DATABASE_URL=url, SECRET_KEY=SECRET, DATA_DIR=Path(data_dir), LOG_JSON=False
            )
            command.upgrade(alembic_config(settings), "heads")
            start = time.perf_counter()
            round_id = _seed(url)
            print(f"{'seeded 100,000 applicants (s)':<36}{time.perf_counter() - start:>8.2f}")
            engine = make_engine(settings)
            print(f"{'run':<6}{'load':>8}{'allocate':>10}{'write':>8}{'total':>8}"
                  + ("   orm write" if options.orm_write else ""))  # fmt: skip
            for run in range(1, options.repeat + 1):
                with Session(engine) as session:
                    t0, c0 = time.perf_counter(), time.process_time()
                    loaded = load_round(session, round_id)
                    t1, c1 = time.perf_counter(), time.process_time()
                    computed = compute_round(loaded)
                    t2, c2 = time.perf_counter(), time.process_time()
                    write_round(session, loaded, computed)
                    t3 = time.perf_counter()
                    placed = computed.summary["placed"]
                    session.rollback()
                    orm = ""
                    if options.orm_write:
                        orm = f"{_orm_write(session, round_id, computed.results):>12.2f}"
                        session.rollback()
                print(f"{run:<6}{t1 - t0:>8.2f}{t2 - t1:>10.2f}{t3 - t2:>8.2f}{t3 - t0:>8.2f}{orm}")
                print(f"{'  cpu':<6}{c1 - c0:>8.2f}{c2 - c1:>10.2f}   (this process's CPU seconds)")
            with Session(engine) as session:
                round_ = session.get(AdmissionRoundRecord, round_id)
                assert round_ is not None
                assert round_.status == "draft"  # every run rolled back
            print(f"{'placed':<36}{placed:>8}")
            print(
                f"{'load average (1/5/15 min)':<36}{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
            )
            engine.dispose()
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
