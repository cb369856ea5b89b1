"""The precomputed item pool a CAT selects from, and the content blueprint.

Everything that does not depend on the examinee is computed once here, so choosing the next
item is a few vectorised operations: item information and log category probabilities on a
fixed theta grid, and for every grid node the items ordered by decreasing information.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import stats

from item_bank.psychometrics.parameters import FloatArray, ItemParameters
from item_bank.psychometrics.response_functions import (
    item_information,
    log_category_probabilities,
)

__all__ = ["Blueprint", "CATBank"]

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Blueprint:
    """Target share of each content area in a test (Kingsbury-Zara content balancing).

    Parameters
    ----------
    targets : mapping of str to float
        Content area to target proportion or count; counts are normalised to proportions.
        Areas of the bank missing here get a target of 0 and are used only when every
        targeted area is exhausted.

    Raises
    ------
    ValueError
        If a target is negative or all are zero.
    """

    targets: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        values = np.array(list(self.targets.values()), dtype=np.float64)
        if values.size == 0 or np.any(values < 0) or values.sum() <= 0:
            raise ValueError("a blueprint needs non-negative targets with a positive sum")
        total = values.sum()
        object.__setattr__(
            self, "targets", {str(k): float(v) / total for k, v in self.targets.items()}
        )


class CATBank:
    """Item pool with everything a CAT needs precomputed on a theta grid.

    Parameters
    ----------
    parameters : ItemParameters
        Calibrated items (any mix of dichotomous, GRM and GPCM items), on the bank scale.
    content_areas : sequence of str, length n_items, optional
        Content area of each item, for content balancing.
    exposure_parameters : array_like, shape (n_items,), optional
        Sympson-Hetter probabilities ``P(administer | selected)``; default 1 (no control).
        Compute them with :func:`sympson_hetter_parameters`.
    grid : array_like, shape (n_nodes,), optional
        Ability grid for the posterior and for selection; default 161 points on [-4, 4]
        (spacing 0.05).
    prior_mean, prior_sd : float
        Normal prior of the ability (EAP and MAP).

    Raises
    ------
    ValueError
        If the lengths of the per-item arrays disagree with the parameters, or an exposure
        parameter lies outside [0, 1].

    Notes
    -----
    Items are chosen by their information at the grid node nearest the current estimate,
    which on the default grid is within 0.025 of it.
    Memory is ``n_nodes * n_items * (max_categories + 2)`` floats plus ``n_nodes * n_items``
    32-bit ints: about 60 MB for 10,000 dichotomous items on the default grid.
    """

    def __init__(
        self,
        parameters: ItemParameters,
        *,
        content_areas: Sequence[str] | None = None,
        exposure_parameters: npt.ArrayLike | None = None,
        grid: npt.ArrayLike | None = None,
        prior_mean: float = 0.0,
        prior_sd: float = 1.0,
    ) -> None:
        n = parameters.n_items
        self.parameters = parameters
        self.grid: FloatArray = (
            np.linspace(-4.0, 4.0, 161) if grid is None else np.asarray(grid, dtype=np.float64)
        )
        if self.grid.ndim != 1 or self.grid.size < 3 or np.any(np.diff(self.grid) <= 0):
            raise ValueError("grid must be 1-D, increasing, with at least 3 nodes")
        self.log_prior: FloatArray = stats.norm.logpdf(self.grid, prior_mean, prior_sd)
        # (n_items, n_nodes, K): one item's row is contiguous for the posterior update.
        logp = log_category_probabilities(self.grid, parameters)
        self.log_probabilities: FloatArray = np.ascontiguousarray(logp.transpose(1, 2, 0))
        self.information: FloatArray = np.ascontiguousarray(item_information(self.grid, parameters))
        # Items by decreasing information at every node; stable so ties keep bank order.
        self.order: npt.NDArray[np.int32] = np.argsort(
            -self.information, axis=1, kind="stable"
        ).astype(np.int32)
        self.exposure_parameters: FloatArray = self._exposure(exposure_parameters, n)
        self.area_names, self.area_codes = self._areas(content_areas, n)
        self.item_ids = parameters.item_ids
        self._id_index = {item: j for j, item in enumerate(parameters.item_ids or ())}
        # A saved session refers to items by position; the checksum detects a changed pool.
        ids = parameters.item_ids or tuple(str(j) for j in range(n))
        self.checksum = zlib.crc32("\x1f".join(ids).encode()) ^ n

    @property
    def n_items(self) -> int:
        """Number of items in the pool."""
        return self.parameters.n_items

    def with_exposure_parameters(self, exposure_parameters: npt.ArrayLike) -> CATBank:
        """A copy sharing the precomputed arrays with new Sympson-Hetter parameters."""
        clone = object.__new__(CATBank)
        clone.__dict__.update(self.__dict__)
        clone.exposure_parameters = self._exposure(exposure_parameters, self.n_items)
        return clone

    def index_of(self, item: int | str) -> int:
        """Column index of an item given by index or by id."""
        if isinstance(item, str):
            if item not in self._id_index:
                raise KeyError(f"item {item!r} is not in the bank")
            return self._id_index[item]
        index = int(item)
        if not 0 <= index < self.n_items:
            raise KeyError(f"item index {index} is outside 0..{self.n_items - 1}")
        return index

    def nearest_node(self, theta: float) -> int:
        """Index of the grid node closest to ``theta``."""
        right = int(np.searchsorted(self.grid, theta))
        if right <= 0:
            return 0
        if right >= self.grid.size:
            return self.grid.size - 1
        return right if self.grid[right] - theta < theta - self.grid[right - 1] else right - 1

    @staticmethod
    def _exposure(values: npt.ArrayLike | None, n: int) -> FloatArray:
        k = np.ones(n) if values is None else np.array(values, dtype=np.float64)
        if k.shape != (n,) or np.any((k < 0) | (k > 1)):
            raise ValueError(f"exposure_parameters must be {n} probabilities in [0, 1]")
        return k

    @staticmethod
    def _areas(areas: Sequence[str] | None, n: int) -> tuple[tuple[str, ...], IntArray]:
        if areas is None:
            return (), np.zeros(n, dtype=np.int64)
        if len(areas) != n:
            raise ValueError(f"content_areas has {len(areas)} entries for {n} items")
        names, codes = np.unique(np.asarray([str(a) for a in areas]), return_inverse=True)
        return tuple(names.tolist()), codes.astype(np.int64)
