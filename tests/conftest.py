"""Shared test settings: only loopback network, and the path to the shared test material."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
TEST_MATERIAL = REPO_ROOT.parent / "shared" / "test-material"


@pytest.fixture(scope="session")
def test_material() -> Path:
    if not TEST_MATERIAL.is_dir():
        pytest.fail(f"the shared test material is missing: {TEST_MATERIAL}")
    return TEST_MATERIAL
