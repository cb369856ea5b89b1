"""the server-side state of adaptive (CAT) quiz attempts

Revision ID: h2a1c0ffee01
Revises: e8f697f4f78f
Create Date: 2026-11-23 18:00:00.000000

Compatibility: a new table only; the previous release never reads it. Blueprint and adaptive
quizzes keep their definition in the existing ``quiz.spec`` JSON column.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "h2a1c0ffee01"
down_revision: str | None = "e8f697f4f78f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quiz_adaptive_state",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("attempt_id", sa.Uuid(), nullable=False),
        sa.Column("pool", sa.JSON(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("number_correct", sa.Integer(), nullable=False),
        sa.Column("theta", sa.Float(), nullable=False),
        sa.Column("se", sa.Float(), nullable=False),
        sa.Column("stop_reason", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["quiz_attempt.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("quiz_adaptive_state", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quiz_adaptive_state_attempt_id"), ["attempt_id"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("quiz_adaptive_state", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quiz_adaptive_state_attempt_id"))
    op.drop_table("quiz_adaptive_state")
