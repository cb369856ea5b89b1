"""Paths to the shared Moodle test material and to our Vietnamese item set."""

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
MOODLE = REPO / ".." / "shared" / "test-material" / "moodle"
VI_ITEMS = REPO / "tests" / "fixtures" / "vi_items" / "items.json"


@pytest.fixture
def moodle() -> Path:
    """The Moodle fixtures folder (xml/, qtype/, gift/, aiken/)."""
    assert MOODLE.is_dir(), f"test material missing at {MOODLE}"
    return MOODLE


@pytest.fixture
def vi_items_path() -> Path:
    return VI_ITEMS
