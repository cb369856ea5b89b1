"""ItemParameters: construction, validation and the a/b/c views."""

from __future__ import annotations

import numpy as np
import pytest

from item_bank.psychometrics.parameters import ItemParameters


def test_difficulty_form_round_trips_to_slope_intercept() -> None:
    items = ItemParameters.from_difficulty([-1.0, 0.5], [2.0, 0.5], [0.1, 0.2], model="3pl")
    np.testing.assert_allclose(items.intercept, [2.0, -0.25])
    np.testing.assert_allclose(items.difficulty, [-1.0, 0.5])
    np.testing.assert_allclose(items.guessing, [0.1, 0.2])
    assert items.n_categories.tolist() == [2, 2]


def test_thresholds_of_grm_and_gpcm() -> None:
    grm = ItemParameters.from_thresholds("grm", [2.0], [[-1.0, 1.0]])
    np.testing.assert_allclose(grm.intercepts, [[2.0, -2.0]])
    gpcm = ItemParameters.from_thresholds("gpcm", [2.0], [[-1.0, 0.5]])
    np.testing.assert_allclose(gpcm.intercepts, [[2.0, 1.0]])
    np.testing.assert_allclose(gpcm.thresholds, [[-1.0, 0.5]])
    assert gpcm.difficulty[0] == pytest.approx(-0.25)


def test_concatenate_subset_and_records_round_trip() -> None:
    items = ItemParameters.concatenate(
        [
            ItemParameters.dichotomous([1.0], [0.2], item_ids=["q1"]),
            ItemParameters.from_thresholds("gpcm", [1.1], [[0.0, 1.0, 2.0]], item_ids=["q2"]),
        ]
    )
    assert items.intercepts.shape == (2, 3)
    assert items.max_categories == 4
    back = ItemParameters.from_records(items.to_records())
    np.testing.assert_array_equal(back.intercepts, items.intercepts)
    assert back.item_ids == ("q1", "q2")
    only = items.subset([1])
    assert only.models == ("gpcm",)
    assert only.item_ids == ("q2",)


def test_arrays_are_read_only() -> None:
    items = ItemParameters.dichotomous([1.0], [0.0])
    with pytest.raises(ValueError, match="read-only"):
        items.discrimination[0] = 2.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"models": ("4pl",), "discrimination": [1.0], "intercepts": [[0.0]]},
            "unknown item model",
        ),
        (
            {"models": ("2pl",), "discrimination": [1.0, 2.0], "intercepts": [[0.0]]},
            "discrimination",
        ),
        ({"models": ("2pl",), "discrimination": [1.0], "intercepts": [[0.0, 1.0]]}, "exactly one"),
        (
            {"models": ("grm",), "discrimination": [1.0], "intercepts": [[np.nan, 1.0]]},
            "right only",
        ),
        (
            {"models": ("2pl",), "discrimination": [1.0], "intercepts": [[0.0]], "guessing": [0.2]},
            "only 3PL",
        ),
        (
            {"models": ("3pl",), "discrimination": [1.0], "intercepts": [[0.0]], "guessing": [1.0]},
            r"\[0, 1\)",
        ),
        ({"models": ("2pl",), "discrimination": [np.inf], "intercepts": [[0.0]]}, "finite"),
    ],
)
def test_invalid_parameters_are_rejected(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ItemParameters(**kwargs)


def test_from_thresholds_needs_a_polytomous_model() -> None:
    with pytest.raises(ValueError, match="polytomous"):
        ItemParameters.from_thresholds("2pl", [1.0], [[0.0]])
