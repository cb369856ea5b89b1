"""merge the second round of feature branches into one head

Revision ID: 0f352f08c09e
Revises: calibration priors, adaptive quiz state, item assets and search text, assignment
gradebook columns, primary gradebooks
Create Date: 2026-11-23 18:44:33.972854

Compatibility: migrations run before new code starts; a column a running worker still reads is
dropped only one release after the code stopped reading it.
"""

from collections.abc import Sequence

revision: str = "0f352f08c09e"
down_revision: str | Sequence[str] | None = (
    "c1b0a7e5d2f9",
    "h2a1c0ffee01",
    "h4a5e7c0b1d2",
    "h5a1b2c3d4e5",
    "h8a0d1e2f3a4",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
