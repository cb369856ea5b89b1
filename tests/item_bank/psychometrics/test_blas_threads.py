"""The BLAS thread setting used by the E- and M-steps is set once and always restored."""

from __future__ import annotations

import threading

import numpy as np

from item_bank.psychometrics._blas import _local_setter, single_threaded_blas


def _count() -> int:
    setter = _local_setter()
    assert setter is not None
    current = setter(1)  # returns the count it replaces ...
    setter(current)  # ... which is put back at once
    return current


def test_single_threaded_blas_nests_and_restores_across_threads() -> None:
    assert _local_setter() is not None  # numpy's bundled OpenBLAS exports the setter
    before = _count()
    a = np.random.default_rng(1).random((300, 200))
    expected = a @ a.T
    barrier = threading.Barrier(3)
    inside: list[int] = []

    def user() -> None:
        with single_threaded_blas():
            barrier.wait()  # all three inside at once
            inside.append(_count())
            np.testing.assert_allclose(a @ a.T, expected, rtol=1e-12)
            barrier.wait()

    with single_threaded_blas():
        workers = [threading.Thread(target=user) for _ in range(2)]
        for w in workers:
            w.start()
        barrier.wait()
        with single_threaded_blas():  # nested
            assert _count() == 1
        barrier.wait()
        for w in workers:
            w.join()
        assert _count() == 1  # the workers left, this user is still inside
    assert inside == [1, 1]
    assert _count() == before  # restored once the last user left
