"""The grading sandbox against nbgrader's adversarial fixtures and our own break-out attempts.

Every submission here runs through nbgrader's real autograde in bubblewrap. An attack notebook
earns its one point only if it escapes (``builders.attack_notebook``), so "score 0" means the
attack found nothing; the same attack run without the sandbox earns the point, which shows the
test can see an escape.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from content_service.grading.autograde import (
    GRADED,
    NEEDS_REVIEW,
    GradeOutcome,
    autograde,
    read_scores,
)
from content_service.grading.sandbox import SandboxLimits
from tests.content_service.assignments.builders import attack_notebook, make_course, submit_files

# Generous wall clocks: on a loaded 2-core machine nbgrader alone takes ~15 s to start.
LIMITS = SandboxLimits(cell_timeout_seconds=4, wall_clock_seconds=150, cpu_seconds=30)
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fixtures(test_material: Path) -> Path:
    return test_material / "nbgrader" / "fixtures"


@pytest.fixture(scope="module")
def tamper_course(tmp_path_factory: pytest.TempPathFactory, fixtures: Path) -> Path:
    """nbgrader's own set-up: ``submitted-unchanged.ipynb`` is the source of ``ps1/p1``."""
    root = tmp_path_factory.mktemp("tamper-course")
    make_course(root, "ps1", {"p1.ipynb": fixtures / "submitted-unchanged.ipynb"})
    return root


def _grade(
    root: Path, student: str, notebook: Path | nbformat.NotebookNode, **kwargs: object
) -> GradeOutcome:
    submit_files(root, "ps1", student, {"p1.ipynb": notebook})
    return autograde(root, "ps1", student, limits=kwargs.pop("limits", LIMITS), **kwargs)  # type: ignore[arg-type]


def _cell_scores(outcome: GradeOutcome) -> dict[str, float]:
    return {cell.grade_id: cell.score for cell in outcome.cells}


def _autograded(root: Path, student: str) -> nbformat.NotebookNode:
    return nbformat.read(root / "autograded" / student / "ps1" / "p1.ipynb", as_version=4)


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("submitted-unchanged.ipynb", {"foo": 1.0, "bar": 0.0}),
        ("submitted-changed.ipynb", {"foo": 1.0, "bar": 1.0}),
        ("submitted-grade-cell-changed.ipynb", {"foo": 1.0, "bar": 0.0}),
        ("submitted-locked-cell-changed.ipynb", {"foo": 1.0, "bar": 0.0}),
        ("submitted-cheat-attempt.ipynb", {"foo": 1.0, "bar": 0.0}),
        ("submitted-cheat-attempt-alternative.ipynb", {"foo": 1.0, "bar": 0.0}),
    ],
)
def test_fixture_submissions_score_like_nbgrader(
    tamper_course: Path, fixtures: Path, fixture: str, expected: dict[str, float]
) -> None:
    student = fixture.removesuffix(".ipynb")
    outcome = _grade(tamper_course, student, fixtures / fixture)
    assert outcome.status == GRADED, outcome.message
    scores = _cell_scores(outcome)
    assert {k: scores[k] for k in expected} == expected
    assert outcome.max_score == 7.0
    # Tampered locked and test cells are restored from the source before grading.
    cells = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in _autograded(tamper_course, student).cells
    }
    assert cells["ro1"] == 'print("Don\'t change this cell!")'
    assert cells["ro2"] == "This cell shouldn't be changed."
    assert cells["bar"] == "assert a == 1"


# -- time limits ----------------------------------------------------------------------------

INTERRUPT_IGNORING_LOOP = """
import signal
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    try:
        pass
    except BaseException:
        pass
"""


def test_infinite_loop_is_interrupted_and_graded(tmp_path: Path, fixtures: Path) -> None:
    make_course(tmp_path, "ps1", {"p1.ipynb": attack_notebook("LEAKED = False")})
    loop = attack_notebook("while True:\n    pass")
    started = time.monotonic()
    outcome = _grade(tmp_path, "looper", loop)
    assert time.monotonic() - started < LIMITS.wall_clock_seconds
    assert outcome.status == GRADED, outcome.message
    assert outcome.score == 0.0
    errors = [
        o
        for c in _autograded(tmp_path, "looper").cells
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert errors, "the timed-out cell shows an error"


def test_interrupt_ignoring_kernel_is_killed_and_needs_review(tmp_path: Path) -> None:
    make_course(tmp_path, "ps1", {"p1.ipynb": attack_notebook("LEAKED = False")})
    limits = SandboxLimits(cell_timeout_seconds=3, wall_clock_seconds=45, cpu_seconds=60)
    started = time.monotonic()
    outcome = _grade(tmp_path, "stubborn", attack_notebook(INTERRUPT_IGNORING_LOOP), limits=limits)
    elapsed = time.monotonic() - started
    assert outcome.status == NEEDS_REVIEW, outcome
    assert elapsed < limits.wall_clock_seconds + 5
    # Nothing of that kernel survives, and the grader still grades the next submission.
    time.sleep(0.5)
    assert not _sandboxed_processes("cs-grade-stubborn-")
    healthy = _grade(tmp_path, "next", attack_notebook("LEAKED = False"))
    assert healthy.status == GRADED
    assert healthy.score == 0.0


def _sandboxed_processes(marker: str) -> list[str]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            cmdline = stat.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker in cmdline:
            found.append(cmdline)
    return found


# -- break-out attempts ---------------------------------------------------------------------


@pytest.fixture
def listener() -> Iterator[int]:
    """A TCP server on the grader's loopback: a kernel that reaches it has network."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                conn.sendall(b"hello")
                conn.close()
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    server.close()


def _read_files_attack(paths: list[Path]) -> str:
    return f"""
LEAKED = False
for path in {[str(p) for p in paths]!r}:
    try:
        with open(path, "rb") as fh:
            fh.read(1)
        LEAKED = True
        print("read", path)
    except OSError as exc:
        print("refused", path, type(exc).__name__)
"""


def test_files_outside_the_submission_are_invisible(tmp_path: Path) -> None:
    make_course(tmp_path, "ps1", {"p1.ipynb": attack_notebook("LEAKED = False")})
    submit_files(tmp_path, "ps1", "victim", {"p1.ipynb": attack_notebook("LEAKED = False")})
    targets = [
        tmp_path / "source" / "ps1" / "p1.ipynb",  # the instructor's solutions
        tmp_path / "submitted" / "victim" / "ps1" / "p1.ipynb",  # another student's work
        tmp_path / "gradebook.db",
        Path(__file__),  # the service's code and configuration
        Path("/etc/passwd"),
        Path("/proc/1/environ"),
    ]
    attack = attack_notebook(_read_files_attack(targets))
    assert _grade(tmp_path, "thief", attack).score == 0.0
    # Without the sandbox the same notebook reads them: the test does see an escape.
    assert _grade(tmp_path, "thief", attack, sandbox=False).score == 1.0


def test_gradebook_cannot_be_written(tmp_path: Path) -> None:
    make_course(tmp_path, "ps1", {"p1.ipynb": attack_notebook("LEAKED = False")})
    gradebook = tmp_path / "gradebook.db"
    code = f"""
LEAKED = False
try:
    with open({str(gradebook)!r}, "ab") as fh:
        fh.write(b"x")
    LEAKED = True
except OSError:
    pass
"""
    assert _grade(tmp_path, "forger", attack_notebook(code)).score == 0.0
    # The gradebook is intact and holds the zero.
    assert read_scores(tmp_path, "ps1", "forger").score == 0.0


def test_no_network_not_even_the_graders_loopback(tmp_path: Path, listener: int) -> None:
    make_course(tmp_path, "ps1", {"p1.ipynb": attack_notebook("LEAKED = False")})
    code = f"""
import socket
LEAKED = False
for host, port in [("127.0.0.1", {listener}), ("1.1.1.1", 53)]:
    try:
        socket.create_connection((host, port), timeout=2).recv(5)
        LEAKED = True
    except OSError as exc:
        print(host, type(exc).__name__)
"""
    assert _grade(tmp_path, "caller", attack_notebook(code)).score == 0.0
    assert _grade(tmp_path, "caller", attack_notebook(code), sandbox=False).score == 1.0


def test_environment_and_secrets_are_not_visible(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECRET_KEY", "grader-secret-0123456789")
    monkeypatch.setenv("DATABASE_URL", "postgresql://grader:secret@db/prod")
    make_course(tmp_path, "ps1", {"p1.ipynb": attack_notebook("LEAKED = False")})
    code = """
import os, json
print(json.dumps(sorted(os.environ)))
LEAKED = any("secret" in value for value in os.environ.values()) or "SECRET_KEY" in os.environ
"""
    outcome = _grade(tmp_path, "snoop", attack_notebook(code))
    assert outcome.status == GRADED
    assert outcome.score == 0.0
    printed = [
        o.text
        for c in _autograded(tmp_path, "snoop").cells
        for o in c.outputs
        if o.get("name") == "stdout"
    ]
    names = set(json.loads(printed[0]))
    assert not names & {"SECRET_KEY", "DATABASE_URL", "MEILI_MASTER_KEY", "JPY_PARENT_PID"}
    assert names >= {"HOME", "PATH"}


def test_memory_file_size_and_process_limits_hold(tmp_path: Path) -> None:
    make_course(tmp_path, "ps1", {"p1.ipynb": attack_notebook("LEAKED = False")})
    code = """
LEAKED = False
try:
    hog = bytearray(4 * 1024 ** 3)
    LEAKED = True
except MemoryError:
    print("memory refused")
try:
    with open("big.bin", "wb") as fh:
        fh.write(b"0" * (64 * 1024 * 1024))
    LEAKED = True
except OSError:
    print("file size refused")
children = []
try:
    for _ in range(1000):
        pid = os.fork()
        if pid == 0:
            import time; time.sleep(5); os._exit(0)
        children.append(pid)
    LEAKED = True
except OSError:
    print("fork refused after", len(children))
"""
    outcome = _grade(tmp_path, "hog", attack_notebook(code))
    assert outcome.status == GRADED, outcome.message
    assert outcome.score == 0.0
    # The sandbox wrote into a scratch copy: nothing reached the course folder.
    assert not (tmp_path / "autograded" / "hog" / "ps1" / "big.bin").exists()
