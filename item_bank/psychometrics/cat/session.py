"""One examinee's adaptive test: item selection, ability update and stopping.

A :class:`CATSession` holds only plain state (administered items, responses, items blocked by
the exposure lottery, excluded items); :meth:`CATSession.to_dict` turns it into numbers and
lists a web service can store between requests, and :meth:`CATSession.from_dict` rebuilds
the posterior from them. Randomness is always passed in (``rng``), never kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from item_bank.psychometrics.cat.bank import Blueprint, CATBank

__all__ = ["STATE_VERSION", "CATRules", "CATSession"]

STATE_VERSION = 1
"""Version of the dictionary written by :meth:`CATSession.to_dict`."""

_CHUNK = 256  # candidates examined per pass; enough for nearly every selection


@dataclass(frozen=True, slots=True)
class CATRules:
    """How items are chosen and when the test stops.

    Attributes
    ----------
    max_length, min_length : int
        The test stops after ``max_length`` items and never before ``min_length``.
    se_target : float or None
        Stop once the ability's standard error is at most this (after ``min_length``).
    estimator : {"eap", "map"}
        Ability estimate after each response: posterior mean (SE = posterior SD) or mode
        (SE from the posterior curvature), both under the bank's normal prior.
    selection : {"max_info", "random"}
        Maximum Fisher information at the current estimate, or a random available item
        (a baseline, and a way to collect calibration data).
    randomesque : int
        Choose uniformly among this many most informative items (1 = no randomesque).
    sympson_hetter : bool
        Run the Sympson-Hetter lottery with the bank's exposure parameters; items that lose
        it are blocked for the rest of the session.
    """

    max_length: int = 30
    min_length: int = 1
    se_target: float | None = 0.3
    estimator: Literal["eap", "map"] = "eap"
    selection: Literal["max_info", "random"] = "max_info"
    randomesque: int = 1
    sympson_hetter: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.min_length <= self.max_length:
            raise ValueError("need 1 <= min_length <= max_length")
        if self.se_target is not None and self.se_target <= 0:
            raise ValueError("se_target must be positive")
        if self.estimator not in ("eap", "map"):
            raise ValueError(f"estimator must be 'eap' or 'map', got {self.estimator!r}")
        if self.selection not in ("max_info", "random"):
            raise ValueError(f"selection must be 'max_info' or 'random', got {self.selection!r}")
        if self.randomesque < 1:
            raise ValueError("randomesque must be at least 1")


class CATSession:
    """An adaptive test in progress.

    Parameters
    ----------
    bank : CATBank
    rules : CATRules
    blueprint : Blueprint, optional
        Content targets; the bank must have content areas.
    excluded : iterable of int or str, optional
        Items that may not be given (already seen, retired, under review), by index or id.

    Raises
    ------
    ValueError
        If a blueprint is given for a bank without content areas.

    Examples
    --------
    >>> session = CATSession(bank, CATRules(max_length=20, se_target=0.3))  # doctest: +SKIP
    >>> item = session.next_item(rng)                                      # doctest: +SKIP
    >>> session.record(item, 1)                                            # doctest: +SKIP
    """

    def __init__(
        self,
        bank: CATBank,
        rules: CATRules | None = None,
        *,
        blueprint: Blueprint | None = None,
        excluded: Iterable[int | str] = (),
    ) -> None:
        self.bank = bank
        self.rules = rules or CATRules()
        self.blueprint = blueprint
        if blueprint is not None and not bank.area_names:
            raise ValueError("a blueprint needs a bank with content areas")
        self.items: list[int] = []
        self.responses: list[int] = []
        self.blocked: list[int] = []
        self.excluded: list[int] = sorted({bank.index_of(i) for i in excluded})
        self.stop_reason: str | None = None
        self._available = np.ones(bank.n_items, dtype=bool)
        self._available[self.excluded] = False
        self._log_posterior = bank.log_prior.copy()
        self._area_counts = np.zeros(max(1, len(bank.area_names)), dtype=np.int64)
        self._area_targets = self._targets()
        self.theta, self.se = self._estimate()

    # ------------------------------------------------------------------ state
    @property
    def finished(self) -> bool:
        """Whether a stopping rule has been met."""
        return self.stop_reason is not None

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-serialisable state (numbers, strings and lists only)."""
        ids = self.bank.item_ids
        return {
            "version": STATE_VERSION,
            "bank_checksum": self.bank.checksum,
            "items": list(self.items),
            "item_ids": None if ids is None else [ids[i] for i in self.items],
            "responses": list(self.responses),
            "blocked": list(self.blocked),
            "excluded": list(self.excluded),
            "theta": float(self.theta),
            "se": float(self.se),
            "stop_reason": self.stop_reason,
            "rules": asdict(self.rules),
            "blueprint": None if self.blueprint is None else dict(self.blueprint.targets),
        }

    @classmethod
    def from_dict(cls, bank: CATBank, state: Mapping[str, Any]) -> CATSession:
        """Resume a session from :meth:`to_dict` output.

        Raises
        ------
        ValueError
            If the state's version is unknown or the bank's items changed since it was saved.
        """
        if state.get("version") != STATE_VERSION:
            raise ValueError(f"unknown CAT state version {state.get('version')!r}")
        if state.get("bank_checksum") != bank.checksum:
            raise ValueError("the item bank changed since the state was saved (checksum)")
        blueprint = Blueprint(state["blueprint"]) if state.get("blueprint") else None
        session = cls(bank, CATRules(**state["rules"]), blueprint=blueprint,
                      excluded=state["excluded"])  # fmt: skip
        ids = state.get("item_ids")
        items = [bank.index_of(i) for i in ids] if ids is not None else state["items"]
        if list(items) != list(state["items"]):
            raise ValueError("the bank's item order changed since the state was saved")
        for j in state["blocked"]:
            session._block(int(j))
        for item, response in zip(items, state["responses"], strict=True):
            session.record(int(item), int(response))
        session.stop_reason = state["stop_reason"]
        return session

    # ------------------------------------------------------------------ selection
    def next_item(self, rng: np.random.Generator) -> int | None:
        """Choose the next item, or return None when the test is over.

        Parameters
        ----------
        rng : numpy.random.Generator
            Source of the randomesque choice and the Sympson-Hetter lottery.

        Returns
        -------
        int or None
            Index of the item in the bank.
        """
        if self.finished:
            return None
        mask = self._candidate_mask()
        if mask is None:
            self.stop_reason = "pool_exhausted"
            return None
        if self.rules.selection == "random":
            return int(rng.choice(np.flatnonzero(mask)))
        order = self.bank.order[self.bank.nearest_node(self.theta)]
        return self._choose(order, mask, rng)

    def _candidate_mask(self) -> npt.NDArray[np.bool_] | None:
        if not self._available.any():
            return None
        if self.blueprint is None:
            return self._available
        # Kingsbury-Zara: the area furthest below its target share among those with items left.
        n = max(1, len(self.items))
        deficit = self._area_targets - self._area_counts / n
        codes = self.bank.area_codes
        for area in np.argsort(-deficit, kind="stable"):
            mask = self._available & (codes == area)
            if mask.any():
                return mask
        return None  # pragma: no cover - unreachable: some item is available

    def _choose(
        self, order: npt.NDArray[np.int32], mask: npt.NDArray[np.bool_], rng: np.random.Generator
    ) -> int:
        k = self.rules.randomesque
        exposure = self.bank.exposure_parameters
        fallback = -1
        for start in range(0, order.size, _CHUNK):
            chunk = order[start : start + _CHUNK]
            cands = chunk[mask[chunk]]
            if cands.size == 0:
                continue
            fallback = int(cands[0]) if fallback < 0 else fallback
            if self.rules.sympson_hetter:
                accepted = rng.random(cands.size) < exposure[cands]
                if not accepted.any():
                    for j in cands:
                        self._block(int(j))
                    continue
                pick = int(rng.integers(min(k, int(accepted.sum()))))
                chosen_rank = int(np.flatnonzero(accepted)[pick])
                # Items that lost the lottery ahead of the chosen one are out for this examinee.
                for j in cands[:chosen_rank][~accepted[:chosen_rank]]:
                    self._block(int(j))
                return int(cands[chosen_rank])
            if cands.size >= k or start + _CHUNK >= order.size:
                return int(cands[rng.integers(min(k, cands.size))])
            more = order[start:][mask[order[start:]]]
            return int(more[rng.integers(min(k, more.size))])
        # Every candidate lost the lottery: give the best one rather than end the test early.
        return fallback

    def _block(self, item: int) -> None:
        if self._available[item]:
            self._available[item] = False
            self.blocked.append(item)

    # ------------------------------------------------------------------ update
    def record(self, item: int | str, response: int) -> None:
        """Record the examinee's response and update the ability estimate.

        Parameters
        ----------
        item : int or str
            Bank index or id of the item given.
        response : int
            Category scored ``0..K-1`` (0/1 for dichotomous items).

        Raises
        ------
        ValueError
            If the test is finished, the item was already given or excluded, or the response
            is not a category of the item.
        """
        j = self.bank.index_of(item)
        if self.finished:
            raise ValueError(f"the test has finished ({self.stop_reason})")
        if j in self.items or j in self.excluded:
            raise ValueError(f"item {item!r} was already given or is excluded")
        n_cat = int(self.bank.parameters.n_categories[j])
        if int(response) != response or not 0 <= response < n_cat:
            raise ValueError(f"response {response!r} is not a category 0..{n_cat - 1}")
        self._available[j] = False
        if j in self.blocked:  # a resumed session may give a blocked item explicitly
            self.blocked.remove(j)
        self.items.append(j)
        self.responses.append(int(response))
        self._area_counts[self.bank.area_codes[j]] += 1
        self._log_posterior += self.bank.log_probabilities[j, int(response)]
        self.theta, self.se = self._estimate()
        self._check_stop()

    def _check_stop(self) -> None:
        n, rules = len(self.items), self.rules
        if n >= rules.max_length:
            self.stop_reason = "max_length"
        elif rules.se_target is not None and n >= rules.min_length and self.se <= rules.se_target:
            self.stop_reason = "se_target"
        elif not self._available.any():
            self.stop_reason = "pool_exhausted"

    def _estimate(self) -> tuple[float, float]:
        grid, lp = self.bank.grid, self._log_posterior
        w = np.exp(lp - lp.max())
        w /= w.sum()
        mean = float(w @ grid)
        sd = float(np.sqrt(max(w @ (grid - mean) ** 2, 0.0)))
        if self.rules.estimator == "eap":
            return mean, sd
        return _map_estimate(grid, lp, sd)

    def _targets(self) -> npt.NDArray[np.float64]:
        targets = np.zeros(self._area_counts.size)
        if self.blueprint is not None:
            for code, name in enumerate(self.bank.area_names):
                targets[code] = self.blueprint.targets.get(name, 0.0)
        return targets


def _map_estimate(
    grid: npt.NDArray[np.float64], lp: npt.NDArray[np.float64], sd: float
) -> tuple[float, float]:
    """Posterior mode refined by a parabola through the best node and its neighbours."""
    i = int(np.argmax(lp))
    if i == 0 or i == grid.size - 1:
        return float(grid[i]), sd
    h0, h1 = grid[i] - grid[i - 1], grid[i + 1] - grid[i]
    d1 = (lp[i] - lp[i - 1]) / h0
    d2 = (lp[i + 1] - lp[i]) / h1
    curvature = 2 * (d2 - d1) / (h0 + h1)  # second derivative of the log posterior
    if curvature >= 0:
        return float(grid[i]), sd
    slope = (d1 * h1 + d2 * h0) / (h0 + h1)  # first derivative at node i
    step = float(np.clip(-slope / curvature, -h0, h1))
    return float(grid[i] + step), float(1.0 / np.sqrt(-curvature))
