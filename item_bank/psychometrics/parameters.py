"""Calibrated item parameters shared by calibration, scoring, CAT, linking and fit.

Parametrisation (the slope-intercept form used by R mirt):

* dichotomous items (``"rasch"``, ``"1pl"``, ``"2pl"``, ``"3pl"``)::

      P(X = 1 | theta) = c + (1 - c) / (1 + exp(-(a * theta + d)))

  with discrimination ``a``, intercept ``d`` (``intercepts[:, 0]``) and guessing ``c``.
  The IRT difficulty is ``b = -d / a``.
* graded response model (``"grm"``, Samejima), categories ``0..K-1``::

      P(X >= k | theta) = 1 / (1 + exp(-(a * theta + d_k))),  k = 1..K-1,  d_1 > ... > d_{K-1}

  thresholds ``b_k = -d_k / a``.
* generalised partial credit model (``"gpcm"``, Muraki), categories ``0..K-1``::

      P(X = k | theta) ∝ exp(k * a * theta + d_k),  d_0 = 0

  step difficulties ``b_k = -(d_k - d_{k-1}) / a``.

Polytomous items store ``d_1..d_{K-1}`` in a row of ``intercepts``; rows are NaN-padded to the
largest ``K - 1`` in the set, so the number of categories of item ``j`` is the count of finite
entries in ``intercepts[j]`` plus one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "DICHOTOMOUS_MODELS",
    "MODELS",
    "POLYTOMOUS_MODELS",
    "FloatArray",
    "ItemParameters",
]

FloatArray = npt.NDArray[np.float64]

DICHOTOMOUS_MODELS = frozenset({"rasch", "1pl", "2pl", "3pl"})
POLYTOMOUS_MODELS = frozenset({"grm", "gpcm"})
MODELS = DICHOTOMOUS_MODELS | POLYTOMOUS_MODELS


def _frozen(values: Any, shape: tuple[int, ...], name: str) -> FloatArray:
    array = np.array(values, dtype=np.float64)
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {array.shape}")
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class ItemParameters:
    """Parameters of a calibrated item set (one row per item).

    Parameters
    ----------
    models : tuple of str, length n_items
        Model of each item: ``"rasch"``, ``"1pl"``, ``"2pl"``, ``"3pl"``, ``"grm"`` or ``"gpcm"``.
    discrimination : array_like, shape (n_items,)
        Slopes ``a`` (1 for Rasch items).
    intercepts : array_like, shape (n_items, max_categories - 1)
        Intercepts ``d`` (column 0 for dichotomous items; ``d_1..d_{K-1}`` for polytomous
        items), NaN-padded on the right.
    guessing : array_like, shape (n_items,), optional
        Lower asymptotes ``c``; 0 for every model except ``"3pl"``. Defaults to zeros.
    item_ids : tuple of str, optional
        Identifiers of the items, in column order of the response matrix.

    Notes
    -----
    Arrays are stored read-only. Equality is identity (``eq=False``) because element-wise
    array comparison has no single truth value; compare fields with ``numpy.allclose``.

    Raises
    ------
    ValueError
        If shapes disagree, a model name is unknown, a dichotomous item has more than one
        intercept, a polytomous item has no intercept or a NaN gap, ``guessing`` is outside
        ``[0, 1)`` or non-zero for a non-3PL item, or a slope is not finite.
    """

    models: tuple[str, ...]
    discrimination: FloatArray
    intercepts: FloatArray
    guessing: FloatArray = field(default=None)  # type: ignore[assignment]
    item_ids: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        models = tuple(str(m).lower() for m in self.models)
        unknown = sorted(set(models) - MODELS)
        if unknown:
            raise ValueError(f"unknown item model(s) {unknown}; expected one of {sorted(MODELS)}")
        n_items = len(models)
        intercepts = np.array(self.intercepts, dtype=np.float64)
        if intercepts.ndim == 1:
            intercepts = intercepts[:, None]
        if intercepts.ndim != 2 or intercepts.shape[0] != n_items or intercepts.shape[1] < 1:
            raise ValueError(f"intercepts must have shape (n_items={n_items}, m>=1)")
        guessing = np.zeros(n_items) if self.guessing is None else self.guessing
        object.__setattr__(self, "models", models)
        object.__setattr__(self, "intercepts", _frozen(intercepts, intercepts.shape, "intercepts"))
        a = _frozen(self.discrimination, (n_items,), "discrimination")
        object.__setattr__(self, "discrimination", a)
        object.__setattr__(self, "guessing", _frozen(guessing, (n_items,), "guessing"))
        if self.item_ids is not None:
            ids = tuple(str(i) for i in self.item_ids)
            if len(ids) != n_items:
                raise ValueError(f"item_ids has {len(ids)} entries for {n_items} items")
            object.__setattr__(self, "item_ids", ids)
        self._validate()

    def _validate(self) -> None:
        if not np.all(np.isfinite(self.discrimination)):
            raise ValueError("discrimination must be finite")
        finite = np.isfinite(self.intercepts)
        counts = finite.sum(axis=1)
        # finite entries must be a prefix of the row: no NaN gaps between categories
        if np.any(finite[:, 1:] & ~finite[:, :-1]):
            raise ValueError("intercepts rows must be NaN-padded on the right only")
        dich = self.is_dichotomous
        if np.any(dich & (counts != 1)):
            raise ValueError("dichotomous items need exactly one finite intercept")
        if np.any(~dich & (counts < 1)):
            raise ValueError("polytomous items need at least one finite intercept")
        c = self.guessing
        if np.any(~np.isfinite(c)) or np.any((c < 0) | (c >= 1)):
            raise ValueError("guessing must lie in [0, 1)")
        is_3pl = np.array([m == "3pl" for m in self.models], dtype=bool)
        if np.any((c != 0) & ~is_3pl):
            raise ValueError("only 3PL items may have a non-zero guessing parameter")

    # ------------------------------------------------------------------ constructors
    @classmethod
    def dichotomous(
        cls,
        discrimination: npt.ArrayLike,
        intercept: npt.ArrayLike,
        guessing: npt.ArrayLike | None = None,
        *,
        model: str = "2pl",
        item_ids: Sequence[str] | None = None,
    ) -> ItemParameters:
        """Build a dichotomous item set from slopes, intercepts and (3PL) guessing.

        Parameters
        ----------
        discrimination, intercept : array_like, shape (n_items,)
            Slopes ``a`` and intercepts ``d`` (``logit P = a * theta + d``).
        guessing : array_like, shape (n_items,), optional
            Lower asymptotes (only for ``model="3pl"``).
        model : str
            One of ``"rasch"``, ``"1pl"``, ``"2pl"``, ``"3pl"`` for every item.
        item_ids : sequence of str, optional
        """
        d = np.atleast_1d(np.asarray(intercept, dtype=np.float64))
        a = np.broadcast_to(np.asarray(discrimination, dtype=np.float64), d.shape)
        c = None if guessing is None else np.broadcast_to(np.asarray(guessing, float), d.shape)
        ids = None if item_ids is None else tuple(item_ids)
        return cls((model,) * d.size, a, d[:, None], c, ids)

    @classmethod
    def from_difficulty(
        cls,
        difficulty: npt.ArrayLike,
        discrimination: npt.ArrayLike = 1.0,
        guessing: npt.ArrayLike | None = None,
        *,
        model: str = "2pl",
        item_ids: Sequence[str] | None = None,
    ) -> ItemParameters:
        """Build a dichotomous item set from the a/b/c form (``d = -a * b``).

        Parameters
        ----------
        difficulty : array_like, shape (n_items,)
            Difficulties ``b``; ``logit P = a * (theta - b)``.
        discrimination : array_like, shape (n_items,) or scalar
        guessing : array_like, shape (n_items,), optional
        model : str
        item_ids : sequence of str, optional
        """
        b = np.atleast_1d(np.asarray(difficulty, dtype=np.float64))
        a = np.broadcast_to(np.asarray(discrimination, dtype=np.float64), b.shape)
        return cls.dichotomous(a, -a * b, guessing, model=model, item_ids=item_ids)

    @classmethod
    def from_thresholds(
        cls,
        model: str,
        discrimination: npt.ArrayLike,
        thresholds: npt.ArrayLike,
        *,
        item_ids: Sequence[str] | None = None,
    ) -> ItemParameters:
        """Build a polytomous item set from thresholds in the a/b form.

        Parameters
        ----------
        model : {"grm", "gpcm"}
        discrimination : array_like, shape (n_items,)
        thresholds : array_like, shape (n_items, max_categories - 1)
            GRM category boundaries ``b_k`` (increasing) or GPCM step difficulties ``b_k``;
            NaN-padded on the right.
        item_ids : sequence of str, optional
        """
        if model not in POLYTOMOUS_MODELS:
            raise ValueError(f"from_thresholds needs a polytomous model, got {model!r}")
        b = np.atleast_2d(np.asarray(thresholds, dtype=np.float64))
        a = np.broadcast_to(np.asarray(discrimination, dtype=np.float64), (b.shape[0],))
        d = -a[:, None] * b if model == "grm" else np.cumsum(-a[:, None] * b, axis=1)
        ids = None if item_ids is None else tuple(item_ids)
        return cls((model,) * b.shape[0], a, d, None, ids)

    @classmethod
    def concatenate(cls, parts: Sequence[ItemParameters]) -> ItemParameters:
        """Stack several item sets into one (intercepts re-padded to a common width)."""
        if not parts:
            raise ValueError("concatenate needs at least one ItemParameters")
        width = max(p.intercepts.shape[1] for p in parts)
        pad = [np.pad(p.intercepts, ((0, 0), (0, width - p.intercepts.shape[1])),
                      constant_values=np.nan) for p in parts]  # fmt: skip
        ids = None
        if all(p.item_ids is not None for p in parts):
            ids = tuple(i for p in parts for i in p.item_ids or ())
        return cls(
            tuple(m for p in parts for m in p.models),
            np.concatenate([p.discrimination for p in parts]),
            np.concatenate(pad),
            np.concatenate([p.guessing for p in parts]),
            ids,
        )

    # ------------------------------------------------------------------ views
    @property
    def n_items(self) -> int:
        """Number of items."""
        return len(self.models)

    @property
    def n_categories(self) -> npt.NDArray[np.int64]:
        """Number of response categories ``K`` of each item, shape (n_items,)."""
        return np.isfinite(self.intercepts).sum(axis=1).astype(np.int64) + 1

    @property
    def max_categories(self) -> int:
        """Largest number of categories in the set."""
        return int(self.n_categories.max()) if self.n_items else 2

    @property
    def is_dichotomous(self) -> npt.NDArray[np.bool_]:
        """Boolean mask of dichotomous items, shape (n_items,)."""
        return np.array([m in DICHOTOMOUS_MODELS for m in self.models], dtype=bool)

    @property
    def intercept(self) -> FloatArray:
        """First intercept of every item, shape (n_items,) (``d`` of dichotomous items)."""
        return self.intercepts[:, 0]

    @property
    def thresholds(self) -> FloatArray:
        """Thresholds in the a/b form, shape (n_items, max_categories - 1), NaN-padded.

        Dichotomous and GRM items: ``-d_k / a``; GPCM items: ``-(d_k - d_{k-1}) / a``.
        """
        d = self.intercepts
        a = self.discrimination[:, None]
        steps = np.diff(np.concatenate([np.zeros((self.n_items, 1)), d], axis=1), axis=1)
        gpcm = np.array([m == "gpcm" for m in self.models])[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(gpcm, -steps / a, -d / a)

    @property
    def difficulty(self) -> FloatArray:
        """Location ``b`` of each item, shape (n_items,).

        ``-d / a`` for dichotomous items; the mean threshold for polytomous items.
        """
        with np.errstate(invalid="ignore"):
            return np.nanmean(self.thresholds, axis=1)

    def subset(self, items: Sequence[int] | npt.NDArray[np.integer]) -> ItemParameters:
        """Return the item set restricted to ``items`` (column indices), in that order."""
        idx = np.asarray(items, dtype=np.int64)
        d = self.intercepts[idx]
        width = max(1, int(np.isfinite(d).sum(axis=1).max())) if idx.size else 1
        ids = None if self.item_ids is None else tuple(self.item_ids[i] for i in idx)
        return ItemParameters(
            tuple(self.models[i] for i in idx),
            self.discrimination[idx],
            d[:, :width],
            self.guessing[idx],
            ids,
        )

    def to_records(self) -> list[dict[str, Any]]:
        """One JSON-friendly dict per item (model, a, d list, c, item_id)."""
        ids = self.item_ids or (None,) * self.n_items
        return [
            {
                "item_id": ids[j],
                "model": self.models[j],
                "discrimination": float(self.discrimination[j]),
                "intercepts": [float(v) for v in self.intercepts[j] if np.isfinite(v)],
                "guessing": float(self.guessing[j]),
            }
            for j in range(self.n_items)
        ]

    @classmethod
    def from_records(cls, records: Sequence[Mapping[str, Any]]) -> ItemParameters:
        """Inverse of :meth:`to_records`."""
        width = max((len(r["intercepts"]) for r in records), default=1)
        d = np.full((len(records), max(width, 1)), np.nan)
        for j, r in enumerate(records):
            d[j, : len(r["intercepts"])] = r["intercepts"]
        ids = [r.get("item_id") for r in records]
        return cls(
            tuple(r["model"] for r in records),
            np.array([r["discrimination"] for r in records], dtype=float),
            d,
            np.array([r.get("guessing", 0.0) for r in records], dtype=float),
            None if any(i is None for i in ids) else tuple(str(i) for i in ids),
        )
