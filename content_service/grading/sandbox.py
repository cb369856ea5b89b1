"""The grading sandbox: every student kernel runs inside bubblewrap (``../shared/DOMAIN.md`` §8).

nbgrader runs student code as a plain child process with the grader's user, files, network and
environment. Here nbgrader itself stays outside; only the kernel is sandboxed, through a kernelspec
whose ``argv`` is ``kernel-sandbox.sh``:

- new network, pid, ipc and uts namespaces (no network at all, not even loopback to the host);
- read-only binds of only ``/usr``, the Python install and the virtual environment, a scratch copy
  of the submission's folder (writes land there and are thrown away), a small ``/tmp``;
- ``--clearenv``: none of the service's variables (secrets, database URL) reach the kernel;
- an unprivileged uid with no capabilities (``setpriv`` when the grader runs as root, a user
  namespace otherwise) and ``prlimit`` caps on CPU seconds, address space, file size, open files
  and processes;
- ZeroMQ over ``ipc`` sockets in a per-job runtime folder, since the kernel has no network;
- interrupts as messages and SIGINT ignored by the wrapper, so bwrap is not killed by an
  interrupt; a kernel that ignores interrupts is ended by the wall-clock limit of the grading
  process (``autograde.py``), which marks the submission "needs review".
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from traitlets.config import Config

KERNEL_NAME = "cs-sandbox"
WRAPPER = Path(__file__).with_name("kernel-sandbox.sh")
BWRAP = Path("/usr/bin/bwrap")
NOBODY_UID = 65534


class SandboxUnavailableError(RuntimeError):
    """bubblewrap (or prlimit/setpriv) is missing: refuse to grade rather than run unsandboxed."""


@dataclass(frozen=True, slots=True)
class SandboxLimits:
    """Resource limits for one student kernel and one grading run."""

    cpu_seconds: int = 60
    memory_bytes: int = 1536 * 1024 * 1024
    file_size_bytes: int = 16 * 1024 * 1024
    open_files: int = 256
    processes: int = 256
    cell_timeout_seconds: int = 10
    wall_clock_seconds: int = 90


def check_sandbox_available() -> None:
    """Raise ``SandboxUnavailableError`` naming the missing program."""
    for program in (BWRAP, Path("/usr/bin/prlimit"), Path("/usr/bin/setpriv")):
        if not program.exists():
            raise SandboxUnavailableError(
                f"{program} is missing: install bubblewrap and util-linux (scripts/install)"
            )


def write_kernelspec(runtime_dir: Path, limits: SandboxLimits) -> Path:
    """Write the sandboxed kernelspec under ``runtime_dir/kernels`` and return that folder."""
    kernels = runtime_dir / "kernels"
    spec_dir = kernels / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    argv = [
        str(WRAPPER),
        str(runtime_dir / "run"),
        sys.base_prefix,
        sys.prefix,
        str(NOBODY_UID),
        str(limits.cpu_seconds),
        str(limits.memory_bytes),
        str(limits.file_size_bytes),
        str(limits.open_files),
        str(limits.processes),
        "{connection_file}",
    ]
    spec = {
        "argv": argv,
        "display_name": "Python 3 (sandbox)",
        "language": "python",
        "interrupt_mode": "message",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return kernels


def sandbox_config(runtime_dir: Path, limits: SandboxLimits) -> Config:
    """nbgrader/nbclient configuration that forces every kernel into the sandbox."""
    check_sandbox_available()
    run = runtime_dir / "run"
    run.mkdir(parents=True, exist_ok=True)
    run.chmod(0o700)
    write_kernelspec(runtime_dir, limits)
    # jupyter_client builds its KernelSpecManager without our config: the only way to point it
    # at our kernelspec is JUPYTER_PATH (this runs in the per-job grading child process).
    os.environ["JUPYTER_PATH"] = str(runtime_dir)
    config = Config()
    config.Execute.kernel_name = KERNEL_NAME
    config.Execute.timeout = limits.cell_timeout_seconds
    config.KernelManager.transport = "ipc"
    # An absolute IPC path: the sockets live in the runtime folder bound into the sandbox.
    config.KernelManager.ip = str(run / "kernel")
    config.KernelManager.connection_file = str(run / "connection.json")
    return config


def plain_config(limits: SandboxLimits) -> Config:
    """Configuration without the sandbox (benchmarks only: never for student work)."""
    config = Config()
    config.Execute.timeout = limits.cell_timeout_seconds
    return config


def remove_runtime(runtime_dir: Path) -> None:
    shutil.rmtree(runtime_dir, ignore_errors=True)
