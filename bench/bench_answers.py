"""Benchmark: answer saves and attempt starts under load, against PostgreSQL, on this machine.

Run on demand (not in the suite)::

    uv run python bench/bench_answers.py [--seconds 15] [--connections 200]

What it does, in one run:

1. creates a throw-away PostgreSQL database, migrates it, and writes one school, one class of
   3,000 students (each with an API token), 10 published items and a 60-minute test;
2. starts the service under uvicorn with 2 workers and has 3,000 students start an attempt
   (an asyncio client, 100 at a time), counting errors and the time it took;
3. drives ``POST /attempts/{id}/answers`` with wrk at N connections, each request a new
   (attempt, question) pair sent with the attempt token (after all 30,000 pairs, again with the
   next sequence number), in two phases: *saturated* (each connection sends its next save as
   soon as the last is answered) and *paced* (each connection pauses ``--pause-ms`` between
   saves: the latency at a steady rate near the target, not at the limit); wrk reports
   throughput, p50 and p99;
4. does the same against a plain FastAPI + SQLModel endpoint doing the same insert through an
   ORM session (also uvicorn, 2 workers, uvloop, httptools), side by side;
5. counts the rows after each phase: every acknowledged (2xx) answer must be in the database
   (the answers table is emptied before each phase and each acknowledged save raises one row's
   sequence by one, so ``sum(sequence)`` counts the stored saves exactly);
6. measures the CPU time per request of the server processes, their PostgreSQL backends and
   wrk (``/proc``), since this machine is shared: ``cpu_bound_per_second`` is what the cores
   would sustain if nothing else ran on them. The load average is recorded around each phase.

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

import aiohttp
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
  counter = 0
  pause = tonumber(args[3])
  for line in io.lines(args[1]) do
    local id, token = line:match("([^ ]+) ([^ ]+)")
    table.insert(targets, {id, token})
  end
end
-- paced runs: each connection waits this long after an answer before its next save
function delay()
  return pause
end
function request()
  -- every request a new (attempt, question): a row per acknowledged answer
  local n = thread_id + threads_total * counter
  counter = counter + 1
  local target = targets[(n % #targets) + 1]
  local question = math.floor(n / #targets) % %QUESTIONS% + 1
  -- after every pair was sent once, send them again with the next sequence number: each
  -- acknowledged save then raises its row's sequence by one, so sum(sequence) counts them
  local sequence = math.floor(n / (#targets * %QUESTIONS%)) + 1
  local body = '{"answers":[{"question":"q' .. question .. '","sequence":' .. sequence ..
    ',"response":"B"}]}'
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
        students = [
            UserRecord(
                username=f"hs.bench.{index:04d}",
                full_name=f"Học sinh {index}",
                role=Role.STUDENT,
                school_id=school.id,
                password_hash="x",
            )
            for index in range(len(tokens))
        ]
        session.add_all(students)
        session.flush()
        for student, token in zip(students, tokens, strict=True):
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


def serve(args: list[str], env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    """uvicorn with 2 workers, uvloop and httptools (what ``content-service serve`` runs)."""
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
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=os.environ | env,
        cwd=ROOT,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 240  # importing the app is slow on a busy machine
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
    # The load generator shares the 2 cores with the service: its own CPU per start is
    # measured and reported (client_cpu_ms), so a slow client shows instead of hiding.
    # Keep-alive shorter than the server's (5 s): no request goes out on a closing connection.
    connector = aiohttp.TCPConnector(limit=100, keepalive_timeout=2)
    errors: list[str] = []
    attempts: list[tuple[str, str]] = []
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(url, connector=connector, timeout=timeout) as client:

        async def one(token: str) -> None:
            try:
                async with client.post(
                    f"/quizzes/{quiz_id}/attempts", headers={"Authorization": f"Bearer {token}"}
                ) as response:
                    text = await response.text()
            except (aiohttp.ClientError, TimeoutError) as exc:
                errors.append(f"{type(exc).__name__} {exc}")
                return
            if response.status != 201:
                errors.append(f"{response.status} {text[:80]}")
                return
            body = json.loads(text)
            attempts.append((body["id"], body["token"]))

        started, cpu_started = time.monotonic(), time.process_time()
        await asyncio.gather(*(one(t) for t in tokens))
        elapsed = time.monotonic() - started
        client_cpu = time.process_time() - cpu_started
    return {
        "client_cpu_ms": round(1000 * client_cpu / max(len(tokens), 1), 3),
        "started": len(attempts),
        "errors": len(errors),
        "first_errors": errors[:3],
        "seconds": round(elapsed, 2),
        "attempts": attempts,
    }


def run_wrk(
    url: str,
    targets: list[tuple[str, str]],
    seconds: int,
    connections: int,
    *,
    pause_ms: int = 0,
) -> dict[str, Any]:
    """wrk with WRK_SCRIPT: as fast as it goes (``pause_ms`` 0) or paced per connection."""
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
                str(pause_ms),
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


def scalar(url: str, query: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(query).fetchone()
    return int(row[0] or 0) if row else 0


# -- CPU accounting: the machine is shared, so besides wall-clock rates the bench reports the CPU
# time each request cost the server processes, their PostgreSQL backends and the load generator.
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def process_tree(pid: int) -> list[int]:
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in task.read_text().split():
            found += process_tree(int(child))
    return found


def backends(url: str) -> list[int]:
    with psycopg.connect(url) as conn:
        mine = conn.info.backend_pid
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        ).fetchall()
    return [int(r[0]) for r in rows if r[0] != mine]


class CpuMeter:
    """CPU seconds used by a server's process tree and its database backends over a span."""

    def __init__(self, server_pid: int, url: str) -> None:
        self.server_pid, self.url = server_pid, url

    def __enter__(self) -> CpuMeter:
        self.server0 = sum(cpu_seconds(p) for p in process_tree(self.server_pid))
        self.db0 = {p: cpu_seconds(p) for p in backends(self.url)}
        self.children0 = _children_cpu()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server = sum(cpu_seconds(p) for p in process_tree(self.server_pid)) - self.server0
        now = {p: cpu_seconds(p) for p in backends(self.url)}
        self.database = sum(v - self.db0.get(p, 0.0) for p, v in now.items())
        self.client = _children_cpu() - self.children0

    def per_request(self, requests: int) -> dict[str, float]:
        n = max(requests, 1)
        costs = {
            "server_cpu_ms": round(1000 * self.server / n, 3),
            "postgres_cpu_ms": round(1000 * self.database / n, 3),
            "load_generator_cpu_ms": round(1000 * self.client / n, 3),
        }
        total = sum(costs.values())
        # what the machine's cores could sustain if this were all that ran on them
        costs["cpu_bound_per_second"] = round((os.cpu_count() or 1) * 1000 / max(total, 1e-6), 1)
        return costs


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def load_average() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


def save_phases(
    options: argparse.Namespace,
    base_url: str,
    targets: list[tuple[str, str]],
    measured: tuple[int, str, str, str],
) -> dict[str, Any]:
    """Saves as fast as they go (saturated), then paced: each connection pausing between saves.

    ``measured`` is the server's pid, its database, the query counting stored saves and the
    statement emptying the answers table before each phase (each phase then sends every pair
    with sequence 1, then 2, ..., so the count is exact); after each phase the stored count must
    be at least the acknowledged count.
    """
    server_pid, db_url, stored_sql, reset_sql = measured
    phases: dict[str, Any] = {}
    for phase, pause in (("saturated", 0), ("paced", options.pause_ms)):
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute(reset_sql)
        before = scalar(db_url, stored_sql)
        load = load_average()
        with CpuMeter(server_pid, db_url) as meter:
            result = run_wrk(
                base_url,
                targets,
                options.seconds,
                options.connections,
                pause_ms=pause,
            )
        result["pause_ms"] = pause
        result["load_before"], result["load_after"] = load, load_average()
        result["cost"] = meter.per_request(result["requests"])
        result["stored"] = scalar(db_url, stored_sql) - before
        result["every_acknowledged_answer_stored"] = result["stored"] >= result["acknowledged"]
        phases[phase] = result
        print(phase, result, flush=True)
    return phases


def run_service(
    options: argparse.Namespace,
    url: str,
    quiz_id: str,
    tokens: list[str],
    log: Path,
    env: dict[str, str],
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    report: dict[str, Any] = {}
    port = free_port()
    server = serve(["content_service.main:app_from_environment", "--factory"], env, port, log)
    try:
        report["load_before_starts"] = load_average()
        with CpuMeter(server.pid, url) as meter:
            starts = asyncio.run(start_attempts(f"http://127.0.0.1:{port}", quiz_id, tokens))
        targets = starts.pop("attempts")
        starts["cost"] = meter.per_request(len(tokens))
        starts["cost"].pop("load_generator_cpu_ms")  # the client ran in this process: not counted
        starts["cost"]["cpu_bound_per_second"] = round(
            (os.cpu_count() or 1)
            * 1000
            / max(starts["cost"]["server_cpu_ms"] + starts["cost"]["postgres_cpu_ms"], 1e-6),
            1,
        )
        report["starts"] = starts
        print("starts:", starts, flush=True)
        # every acknowledged save raises one row's sequence by one (see WRK_SCRIPT)
        report["saves"] = save_phases(
            options,
            f"http://127.0.0.1:{port}",
            targets,
            (server.pid, url, "SELECT sum(sequence) FROM quiz_answer", "TRUNCATE quiz_answer"),
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    return report, targets


def run_baseline(
    options: argparse.Namespace, baseline_url: str, targets: list[tuple[str, str]], log: Path
) -> dict[str, Any]:
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
        plain = serve(["--app-dir", tmp, "baseline_app:app"], {"BASELINE_DB": async_url}, port, log)
        try:
            report = save_phases(
                options,
                f"http://127.0.0.1:{port}",
                targets,
                (
                    plain.pid,
                    baseline_url,
                    "SELECT count(*) FROM bench_answer",
                    "TRUNCATE bench_answer",
                ),
            )
        finally:
            plain.terminate()
            plain.wait(timeout=30)
    return report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument(
        "--pause-ms",
        type=int,
        default=75,
        help="paced phase: pause of each connection between saves (200 connections, 75 ms:"
        " at most 2,667 saves/s offered, less the time each save takes)",
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip the plain endpoint")
    parser.add_argument("--no-write", action="store_true", help="do not write the results file")
    options = parser.parse_args()
    name = f"bench_answers_{uuid.uuid4().hex[:6]}"
    url = fresh_database(name)
    baseline_url = fresh_database(name + "_plain")
    data_dir = Path(tempfile.mkdtemp(prefix="bench-answers-"))
    log = data_dir / "server.log"
    report: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cores": os.cpu_count(),
        "connections": options.connections,
        "seconds": options.seconds,
        "students": STUDENTS,
        "questions": QUESTIONS,
    }
    try:
        settings = Settings(DATABASE_URL=url, SECRET_KEY=SECRET, DATA_DIR=data_dir, LOG_JSON=False)
        command.upgrade(alembic_config(settings), "heads")
        quiz_id, tokens = seed(settings)
        env = {
            "DATABASE_URL": url,
            "SECRET_KEY": SECRET,
            "DATA_DIR": str(data_dir),
            "LOG_LEVEL": "WARNING",
            "MEILI_URL": "http://127.0.0.1:9",
            "MEILI_MASTER_KEY": "bench",
        }
        report["service"], targets = run_service(options, url, quiz_id, tokens, log, env)
        if not options.no_baseline:
            report["baseline"] = run_baseline(options, baseline_url, targets, log)
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            for db in (name, name + "_plain"):
                conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    if "baseline" in report:
        for phase in ("saturated", "paced"):
            ours, base = report["service"]["saves"][phase], report["baseline"][phase]
            report[f"ratio_{phase}_saves_per_second"] = round(
                ours["per_second"] / max(base["per_second"], 0.1), 2
            )
        ours, base = report["service"]["saves"]["saturated"], report["baseline"]["saturated"]
        report["ratio_cpu_per_save"] = round(
            sum(v for k, v in ours["cost"].items() if k.endswith("_ms"))
            / max(sum(v for k, v in base["cost"].items() if k.endswith("_ms")), 1e-6),
            2,
        )
    report["server_log_tail"] = log.read_text(errors="replace").splitlines()[-5:]
    print(json.dumps(report, indent=2, ensure_ascii=False))
    if not options.no_write:
        (ROOT / "bench" / "results" / "bench_answers.json").write_text(
            json.dumps(report, indent=2, ensure_ascii=False) + "\n"
        )


if __name__ == "__main__":
    main()
