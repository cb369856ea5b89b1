"""Benchmark: answer saves and attempt starts under load, against PostgreSQL, on this machine.

Run on demand (not in the suite)::

    uv run python bench/bench_answers.py [--seconds 15] [--connections 200]

What it does, in one run:

1. creates a throw-away PostgreSQL database, migrates it, and writes one school, one class of
   3,000 students (each with an API token), 10 published items and a 60-minute test;
2. starts the service under uvicorn with 2 workers and has 3,000 students start an attempt
   (an asyncio client, 100 at a time), counting errors and the time it took;
3. drives ``POST /attempts/{id}/answers`` with wrk at N connections, each request a new
   (attempt, question) pair sent with the attempt token, and reads wrk's throughput and p99;
4. does the same against a plain FastAPI + SQLModel endpoint doing the same insert through an
   ORM session (also uvicorn, 2 workers), side by side;
5. counts the rows: every acknowledged (2xx) answer must be in the database.

Results are printed and written to ``bench/results/bench_answers.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psycopg
from alembic import command
from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from content_service.db import make_engine  # noqa: E402
from content_service.migrations_runner import alembic_config  # noqa: E402
from content_service.models.auth import ApiTokenRecord, TokenKind  # noqa: E402
from content_service.models.people import (  # noqa: E402
    ClassMembershipRecord,
    Role,
    SchoolClassRecord,
    SchoolRecord,
    UserRecord,
)
from content_service.models.quizzes import (  # noqa: E402
    QuizAssignmentRecord,
    QuizMode,
    QuizRecord,
    QuizSelection,
    QuizStatus,
)
from content_service.security import hash_token, new_token  # noqa: E402
from content_service.settings import Settings  # noqa: E402
from tests.content_service.quizzes.builders import choice_item, publish_item  # noqa: E402

ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
SECRET = "bench-secret-key-that-is-long-enough-0123456789"
STUDENTS = 3000
QUESTIONS = 10

# The baseline: the same row inserted through an ORM session per request, the usual way.
BASELINE_APP = """
import os, uuid
from datetime import UTC, datetime
from typing import Any
from fastapi import FastAPI
from sqlalchemy import JSON, BigInteger
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

class BenchAnswer(SQLModel, table=True):
    __tablename__ = "bench_answer"
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    attempt_id: str = Field(max_length=64, index=True)
    question: str = Field(max_length=16)
    sequence: int = Field(sa_type=BigInteger)
    response: Any = Field(default=None, sa_type=JSON)
    saved_at: datetime = Field(default_factory=lambda: datetime.now(UTC))

class AnswerIn(SQLModel):
    question: str
    sequence: int
    response: Any = None

class AnswersIn(SQLModel):
    answers: list[AnswerIn]

engine = create_async_engine(os.environ["BASELINE_DB"], pool_size=10, max_overflow=20)
app = FastAPI()

@app.post("/attempts/{attempt_id}/answers")
async def save(attempt_id: str, data: AnswersIn) -> dict[str, int]:
    async with AsyncSession(engine) as session:
        for a in data.answers:
            session.add(BenchAnswer(attempt_id=attempt_id, question=a.question,
                                    sequence=a.sequence, response=a.response))
        await session.commit()
    return {"saved": len(data.answers)}
"""

WRK_SCRIPT = """
local targets = {}
local counter = 0
local thread_id = 0
local threads_total = 1
function setup(thread)
  thread:set("tid", threads_created or 0)
  threads_created = (threads_created or 0) + 1
end
function init(args)
  thread_id = tonumber(tid)
  threads_total = tonumber(args[2])
  for line in io.lines(args[1]) do
    local id, token = line:match("([^ ]+) ([^ ]+)")
    table.insert(targets, {id, token})
  end
end
function request()
  -- every request a new (attempt, question): a row per acknowledged answer
  local n = thread_id + threads_total * counter
  counter = counter + 1
  local target = targets[(n % #targets) + 1]
  local question = math.floor(n / #targets) % %QUESTIONS% + 1
  local body = '{"answers":[{"question":"q' .. question .. '","sequence":1,"response":"B"}]}'
  return wrk.format("POST", "/attempts/" .. target[1] .. "/answers",
    {["Content-Type"] = "application/json", ["X-Attempt-Token"] = target[2]}, body)
end
function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d non2xx=%d connect=%d read=%d write=%d" ..
    " timeout=%d p50=%d p99=%d\\n",
    summary.requests, summary.errors.status, summary.errors.connect,
    summary.errors.read,
    summary.errors.write, summary.errors.timeout, latency:percentile(50), latency:percentile(99)))
end
""".replace("%QUESTIONS%", str(QUESTIONS))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fresh_database(name: str) -> str:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def seed(settings: Settings) -> tuple[str, list[str]]:
    """One school, 3,000 students with tokens, 10 items, one published 60-minute test."""
    engine = make_engine(settings)
    versions = [publish_item(engine, choice_item(f"bench-{i}")) for i in range(QUESTIONS)]
    tokens = [new_token() for _ in range(STUDENTS)]
    with Session(engine) as session:
        school = SchoolRecord(code="bench", name="Trường THPT Benchmark")
        session.add(school)
        session.flush()
        klass = SchoolClassRecord(
            school_id=school.id, name="12A1", grade=12, school_year="2026-2027"
        )
        teacher = UserRecord(
            username="gv.bench",
            full_name="GV",
            role=Role.TEACHER,
            school_id=school.id,
            password_hash="x",
        )
        session.add_all([klass, teacher])
        session.flush()
        for index, token in enumerate(tokens):
            student = UserRecord(
                username=f"hs.bench.{index:04d}",
                full_name=f"Học sinh {index}",
                role=Role.STUDENT,
                school_id=school.id,
                password_hash="x",
            )
            session.add(student)
            session.flush()
            session.add(
                ClassMembershipRecord(class_id=klass.id, user_id=student.id, role=Role.STUDENT)
            )
            session.add(
                ApiTokenRecord(
                    user_id=student.id,
                    kind=TokenKind.API,
                    token_hash=hash_token(token),
                    prefix=token[:10],
                )
            )
        quiz = QuizRecord(
            school_id=school.id,
            title="Bench",
            mode=QuizMode.TEST,
            status=QuizStatus.PUBLISHED,
            selection=QuizSelection.FIXED,
            spec={"version_ids": [str(v.id) for v in versions]},
            time_limit_seconds=3600,
            grace_seconds=30,
            review="after_submit",
            score_review="after_submit",
        )
        session.add(quiz)
        session.flush()
        session.add(QuizAssignmentRecord(quiz_id=quiz.id, class_id=klass.id))
        session.commit()
        quiz_id = str(quiz.id)
    engine.dispose()
    return quiz_id, tokens


def serve(args: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            *args,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "2",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=os.environ | env,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                time.sleep(1.5)  # both workers up
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"server on port {port} did not start")


async def start_attempts(url: str, quiz_id: str, tokens: list[str]) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=100)
    errors: list[str] = []
    attempts: list[tuple[str, str]] = []
    gate = asyncio.Semaphore(100)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:

        async def one(token: str) -> None:
            async with gate:
                response = await client.post(
                    f"/quizzes/{quiz_id}/attempts", headers={"Authorization": f"Bearer {token}"}
                )
            if response.status_code != 201:
                errors.append(f"{response.status_code} {response.text[:80]}")
                return
            body = response.json()
            attempts.append((body["id"], body["token"]))

        started = time.monotonic()
        await asyncio.gather(*(one(t) for t in tokens))
        elapsed = time.monotonic() - started
    return {
        "started": len(attempts),
        "errors": len(errors),
        "first_errors": errors[:3],
        "seconds": round(elapsed, 2),
        "attempts": attempts,
    }


def run_wrk(
    url: str, targets: list[tuple[str, str]], seconds: int, connections: int
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "targets.txt"
        listing.write_text("".join(f"{a} {t}\n" for a, t in targets))
        script = Path(tmp) / "answers.lua"
        script.write_text(WRK_SCRIPT)
        threads = 2
        out = subprocess.run(
            [
                "wrk",
                "-t",
                str(threads),
                "-c",
                str(connections),
                "-d",
                f"{seconds}s",
                "--latency",
                "-s",
                str(script),
                url,
                "--",
                str(listing),
                str(threads),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    match = re.search(r"RESULT (.*)", out)
    assert match, out
    fields = {k: int(v) for k, v in (p.split("=") for p in match.group(1).split())}
    errors = (
        fields["non2xx"] + fields["connect"] + fields["read"] + fields["write"] + fields["timeout"]
    )
    return {
        "requests": fields["requests"],
        "acknowledged": fields["requests"] - fields["non2xx"] - fields["timeout"],
        "errors": errors,
        "per_second": round(fields["requests"] / seconds, 1),
        "p50_ms": round(fields["p50"] / 1000, 1),
        "p99_ms": round(fields["p99"] / 1000, 1),
    }


def count(url: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=200)
    options = parser.parse_args()
    name = f"bench_answers_{uuid.uuid4().hex[:6]}"
    url = fresh_database(name)
    baseline_url = fresh_database(name + "_plain")
    report: dict[str, Any] = {"connections": options.connections, "seconds": options.seconds}
    data_dir = Path(tempfile.mkdtemp(prefix="bench-answers-"))
    settings = Settings(DATABASE_URL=url, SECRET_KEY=SECRET, DATA_DIR=data_dir, LOG_JSON=False)
    command.upgrade(alembic_config(settings), "heads")
    quiz_id, tokens = seed(settings)
    port = free_port()
    env = {
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "DATA_DIR": str(data_dir),
        "LOG_LEVEL": "WARNING",
        "MEILI_URL": "http://127.0.0.1:9",
        "MEILI_MASTER_KEY": "bench",
    }
    server = serve(["content_service.main:app_from_environment", "--factory"], env, port)
    try:
        starts = asyncio.run(start_attempts(f"http://127.0.0.1:{port}", quiz_id, tokens))
        targets = starts.pop("attempts")
        report["starts"] = starts
        print("starts:", starts, flush=True)
        before = count(url, "quiz_answer")
        report["service"] = run_wrk(
            f"http://127.0.0.1:{port}", targets, options.seconds, options.connections
        )
        time.sleep(1)
        report["service"]["rows"] = count(url, "quiz_answer") - before
    finally:
        server.terminate()
        server.wait(timeout=30)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "baseline_app.py").write_text(textwrap.dedent(BASELINE_APP))
        with psycopg.connect(baseline_url, autocommit=True) as conn:
            conn.execute(
                "CREATE TABLE bench_answer (id uuid PRIMARY KEY, attempt_id varchar(64),"
                " question varchar(16), sequence bigint, response json, saved_at timestamptz)"
            )
            conn.execute("CREATE INDEX ON bench_answer (attempt_id)")
        port = free_port()
        async_url = baseline_url.replace("postgresql://", "postgresql+psycopg://")
        plain = serve(["--app-dir", tmp, "baseline_app:app"], {"BASELINE_DB": async_url}, port)
        try:
            report["baseline"] = run_wrk(
                f"http://127.0.0.1:{port}", targets, options.seconds, options.connections
            )
            time.sleep(1)
            report["baseline"]["rows"] = count(baseline_url, "bench_answer")
        finally:
            plain.terminate()
            plain.wait(timeout=30)
    for side in ("service", "baseline"):
        r = report[side]
        r["every_acknowledged_answer_stored"] = r["rows"] >= r["acknowledged"]
    print(json.dumps(report, indent=2))
    (ROOT / "bench" / "results" / "bench_answers.json").write_text(
        json.dumps(report, indent=2) + "\n"
    )
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        for db in (name, name + "_plain"):
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


if __name__ == "__main__":
    main()
