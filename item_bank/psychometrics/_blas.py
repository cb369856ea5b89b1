"""One BLAS thread while many small matrix products run (internal).

OpenBLAS splits every product above a small size over all cores. For the hundreds of
cache-sized products of a booklet E-step, and the items x nodes products of an M-step, that
costs more than it saves, and on a busy machine (more runnable threads than cores) each
product waits for a descheduled BLAS worker: we measured single products up to 50x slower
than single-threaded ones. The booklet E-step therefore runs its chunks on its own threads
(numpy releases the GIL) with OpenBLAS set to one thread.

The setting is process-wide: OpenBLAS's ``openblas_set_num_threads_local`` despite its name
calls the global setter and returns the previous count. :func:`single_threaded_blas` is
therefore reference-counted under a lock: the first caller to enter saves the count and sets
one thread, the last to leave restores it, so nested and concurrent uses cannot leave BLAS
single-threaded. Nothing happens where the function is not found.
"""

from __future__ import annotations

import ctypes
import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

_SETTER = "openblas_set_num_threads_local"
_lock = threading.Lock()
_state = {"depth": 0, "saved": 0}


@functools.cache
def _local_setter() -> Callable[[int], int] | None:
    """numpy's OpenBLAS ``openblas_set_num_threads_local``, or None when not found."""
    candidates = sorted(Path(np.__file__).resolve().parent.parent.glob("numpy.libs/*openblas*"))
    try:  # Linux: the libraries this process has loaded, numpy's among them
        maps = Path("/proc/self/maps").read_text(encoding="utf-8", errors="replace")
        paths = {line.split()[-1] for line in maps.splitlines() if "openblas" in line}
        candidates += sorted(Path(p) for p in paths if p.startswith("/"))
    except OSError:
        pass
    for path in candidates:
        try:
            lib = ctypes.CDLL(str(path))
            fn = getattr(lib, _SETTER)
        except (OSError, AttributeError):
            continue
        fn.argtypes, fn.restype = [ctypes.c_int], ctypes.c_int
        return fn  # type: ignore[no-any-return]
    return None


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Run BLAS on one thread until the last (nested or concurrent) user leaves."""
    setter = _local_setter()
    if setter is None:
        yield
        return
    with _lock:
        if _state["depth"] == 0:
            _state["saved"] = setter(1)  # returns the previous thread count
        _state["depth"] += 1
    try:
        yield
    finally:
        with _lock:
            _state["depth"] -= 1
            if _state["depth"] == 0 and _state["saved"] > 0:
                setter(_state["saved"])
