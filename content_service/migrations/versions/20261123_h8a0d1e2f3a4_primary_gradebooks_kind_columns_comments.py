"""primary gradebooks: kind, fixed columns, and comments in grade entries

Revision ID: h8a0d1e2f3a4
Revises: e8f697f4f78f
Create Date: 2026-11-23 18:00:00.000000

Compatibility: migrations run before new code starts. The new columns have server defaults, so
rows written by the previous release are secondary gradebooks, as they were. Widening
``grade_entry.value`` (16 -> 500 characters, for TT27 comments) keeps every stored value; the
downgrade drops primary comments longer than the old limit before narrowing it back.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "h8a0d1e2f3a4"
down_revision: str | None = "e8f697f4f78f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("gradebook", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), nullable=False, server_default="secondary")
        )
        batch_op.add_column(
            sa.Column("column_keys", sa.JSON(), nullable=False, server_default="[]")
        )
    with op.batch_alter_table("grade_entry", schema=None) as batch_op:
        batch_op.alter_column(
            "value",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=16),
            type_=sqlmodel.sql.sqltypes.AutoString(length=500),
            existing_nullable=False,
        )


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM grade_entry WHERE length(value) > 16"))
    with op.batch_alter_table("grade_entry", schema=None) as batch_op:
        batch_op.alter_column(
            "value",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=500),
            type_=sqlmodel.sql.sqltypes.AutoString(length=16),
            existing_nullable=False,
        )
    with op.batch_alter_table("gradebook", schema=None) as batch_op:
        batch_op.drop_column("column_keys")
        batch_op.drop_column("kind")
