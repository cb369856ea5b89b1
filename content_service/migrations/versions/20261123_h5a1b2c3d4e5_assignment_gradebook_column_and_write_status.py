"""assignment gradebook column, feedback release and the gradebook write of each submission

Revision ID: h5a1b2c3d4e5
Revises: e8f697f4f78f
Create Date: 2026-11-23 17:45:00.000000

Compatibility: migrations run before new code starts; a column a running worker still reads is
dropped only one release after the code stopped reading it. The new columns have server defaults
so that rows written by the previous release stay valid.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "h5a1b2c3d4e5"
down_revision: str | None = "e8f697f4f78f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("nb_assignment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "gradebook_subject",
                sqlmodel.sql.sqltypes.AutoString(length=80),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(sa.Column("gradebook_semester", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "gradebook_column",
                sqlmodel.sql.sqltypes.AutoString(length=8),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(sa.Column("gradebook_set_by", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("feedback_released_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_foreign_key(
            "fk_nb_assignment_gradebook_set_by_user_account",
            "user_account",
            ["gradebook_set_by"],
            ["id"],
        )
    with op.batch_alter_table("nb_submission", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("gradebook_status", sa.String(length=16), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column(
                "gradebook_value",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column("gradebook_note", sa.Text(), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("nb_submission", schema=None) as batch_op:
        batch_op.drop_column("gradebook_note")
        batch_op.drop_column("gradebook_value")
        batch_op.drop_column("gradebook_status")
    with op.batch_alter_table("nb_assignment", schema=None) as batch_op:
        batch_op.drop_constraint(
            "fk_nb_assignment_gradebook_set_by_user_account", type_="foreignkey"
        )
        batch_op.drop_column("feedback_released_at")
        batch_op.drop_column("gradebook_set_by")
        batch_op.drop_column("gradebook_column")
        batch_op.drop_column("gradebook_semester")
        batch_op.drop_column("gradebook_subject")
