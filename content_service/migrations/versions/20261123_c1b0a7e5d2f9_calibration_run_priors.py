"""calibration runs remember their MAP priors

Revision ID: c1b0a7e5d2f9
Revises: e8f697f4f78f
Create Date: 2026-11-23 18:45:00.000000

Compatibility: earlier runs get ``{}``, which means the engine's default priors, exactly what
they were calibrated with.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c1b0a7e5d2f9"
down_revision: str | None = "e8f697f4f78f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("calibration_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("priors", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("calibration_run", schema=None) as batch_op:
        batch_op.drop_column("priors")
