"""Booklet structure of sparse designs: persons who were shown the same set of items (internal).

Most sparse designs are booklet designs: a few hundred test forms, each taken by thousands of
persons. For models whose adjacent-category logits are linear in theta (Rasch, 1PL, 2PL,
GPCM) the log-likelihood of person ``n`` at node ``q`` is

    theta_q * s1[n] + s0[n] + sum over the items j of n's booklet of log P_j0(theta_q),

where ``s1``, ``s0`` are weighted sums of the person's responses. The last term is the same for
everyone with the same booklet, so it is computed once per booklet, and the expected number of
persons who saw item ``j`` at node ``q`` follows from the posterior mass of each booklet. The
E-step then multiplies only the responses in categories ``k >= 1`` with the posterior, instead
of every response twice. The result is exact (no approximation); designs where nearly every
person has their own item set (CAT data) keep the general path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

IntArray = npt.NDArray[np.int64]

_MAX_SHARE = 0.25  # use booklets only when there are at most this many per row
_BLOCK_ROWS = 8192  # float32 posterior sums run over blocks this long, then add in float64
_HASH_SEED = 0x5EED  # fixed: the hash only groups rows; equality is then checked exactly


@dataclass(frozen=True, eq=False)
class Booklets:
    """Which booklet each row took and which items each booklet holds."""

    row_booklet: npt.NDArray[np.intp]  # (n_rows,)
    items: sp.csr_matrix  # (n_booklets, n_items), 1 where the booklet holds the item
    positive: sp.csr_matrix  # (n_rows, n_positive_cols): responses in categories k >= 1
    positive_cols: IntArray  # column (item, category) of each column of ``positive``
    blocks: tuple[tuple[int, int, sp.csr_matrix], ...]  # (start, stop, membership block)
    _buffers: dict[tuple[tuple[int, ...], str], np.ndarray] = field(default_factory=dict)

    def buffer(self, shape: tuple[int, ...], dtype: npt.DTypeLike) -> np.ndarray:
        """A scratch array of ``shape`` reused across E-steps on these data.

        Allocating a fresh (n_rows, Q) array every iteration cost page faults and kernel time
        comparable to the arithmetic. E-steps on one data set run one after another (EM is
        sequential), so a single buffer per shape and dtype is enough.
        """
        key = (shape, np.dtype(dtype).str)
        if key not in self._buffers:
            self._buffers.clear()  # keep at most one (e.g. float32 iterations, then float64)
            self._buffers[key] = np.empty(shape, dtype)
        return self._buffers[key]

    def posterior_mass(self, post_rows: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
        """(n_booklets, Q) sum of the posterior rows of each booklet's members.

        ``post_rows`` is (n_rows, Q); sums run in the array's dtype over short blocks and are
        added in float64, so float32 posteriors lose no precision over a million rows.
        """
        mass = np.zeros((self.items.shape[0], post_rows.shape[1]))
        for start, stop, member in self.blocks:
            mass += member @ post_rows[start:stop]
        return mass


def find_booklets(
    matrix: sp.csr_matrix, col_item: IntArray, col_category: IntArray, n_items: int
) -> Booklets | None:
    """Group the rows of a canonical CSR indicator matrix by their set of items.

    Returns None when there are more than ``_MAX_SHARE * n_rows`` distinct booklets, where the
    booklet path would not save work.
    """
    n_rows = matrix.shape[0]
    if n_rows < 8 or matrix.nnz == 0:
        return None
    matrix.sort_indices()
    items = col_item[matrix.indices]  # ascending within a row: columns are item-major
    lengths = np.diff(matrix.indptr)
    keys = np.random.default_rng(_HASH_SEED).integers(0, 2**63, (2, n_items), dtype=np.int64)
    starts = matrix.indptr[:-1]
    with np.errstate(over="ignore"):  # the hashes are sums modulo 2**64
        hashes = [np.add.reduceat(keys[i][items], starts) for i in range(2)]
    _, first, row_booklet = np.unique(
        np.column_stack([hashes[0], hashes[1], lengths]), axis=0, return_index=True,
        return_inverse=True,
    )  # fmt: skip
    row_booklet = row_booklet.ravel()
    if first.size > _MAX_SHARE * n_rows:
        return None
    if not _same_items(items, matrix.indptr, first, row_booklet):
        return None
    rep_rows = [items[matrix.indptr[r] : matrix.indptr[r + 1]] for r in first]
    booklet_items = sp.csr_matrix(
        (np.ones(int(lengths[first].sum()), dtype=matrix.dtype),
         np.concatenate(rep_rows), np.concatenate([[0], np.cumsum(lengths[first])])),
        shape=(first.size, n_items),
    )  # fmt: skip
    keep = np.flatnonzero(col_category > 0)
    positive = matrix[:, keep].tocsr()
    return Booklets(row_booklet, booklet_items, positive, keep, _membership_blocks(row_booklet,
                    first.size, matrix.dtype))  # fmt: skip


def _same_items(
    items: IntArray, indptr: npt.NDArray[np.integer], first: IntArray, row_booklet: IntArray
) -> bool:
    """Exact check that every row holds the same items as its booklet's first row."""
    lengths = np.diff(indptr)
    rep = first[row_booklet]
    if np.any(lengths != lengths[rep]):
        return False
    within = np.arange(items.size) - np.repeat(indptr[:-1], lengths)
    return bool(np.array_equal(items, items[np.repeat(indptr[rep], lengths) + within]))


def _membership_blocks(
    row_booklet: npt.NDArray[np.intp], n_booklets: int, dtype: np.dtype
) -> tuple[tuple[int, int, sp.csr_matrix], ...]:
    blocks = []
    for start in range(0, row_booklet.size, _BLOCK_ROWS):
        stop = min(start + _BLOCK_ROWS, row_booklet.size)
        cols = np.arange(stop - start)
        member = sp.csr_matrix(
            (np.ones(cols.size, dtype=dtype), (row_booklet[start:stop], cols)),
            shape=(n_booklets, stop - start),
        )
        blocks.append((start, stop, member))
    return tuple(blocks)
