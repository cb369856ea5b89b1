"""surveys: assignments, participation (who responded) and anonymous responses (what)

Revision ID: 8cb9f36a13ef
Revises: 86f5c7a98f19
Create Date: 2026-11-23 14:23:31.132642

Compatibility: migrations run before new code starts; a column a running worker still reads is
dropped only one release after the code stopped reading it.

survey_participation and survey_response are WITHOUT ROWID on SQLite, so their rows are stored in
the order of their random keys and not in insertion order (see content_service/models/surveys.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "8cb9f36a13ef"
down_revision: str | None = "86f5c7a98f19"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "survey",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("min_group_size", sa.Integer(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_school_id"), ["school_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_survey_status"), ["status"], unique=False)

    op.create_table(
        "survey_assignment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("survey_id", sa.Uuid(), nullable=False),
        sa.Column("class_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["class_id"], ["school_class.id"]),
        sa.ForeignKeyConstraint(["survey_id"], ["survey.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("survey_id", "class_id"),
    )
    with op.batch_alter_table("survey_assignment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_assignment_class_id"), ["class_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_survey_assignment_survey_id"), ["survey_id"], unique=False
        )

    op.create_table(
        "survey_participation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("survey_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["survey_id"], ["survey.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("survey_id", "user_id"),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("survey_participation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_participation_survey_id"), ["survey_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_survey_participation_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "survey_response",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("survey_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("class_id", sa.Uuid(), nullable=True),
        sa.Column("respondent_id", sa.Uuid(), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["class_id"], ["school_class.id"]),
        sa.ForeignKeyConstraint(["respondent_id"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"]),
        sa.ForeignKeyConstraint(["survey_id"], ["survey.id"]),
        sa.PrimaryKeyConstraint("id"),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_response_survey_id"), ["survey_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_response_survey_id"))
    op.drop_table("survey_response")
    with op.batch_alter_table("survey_participation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_participation_user_id"))
        batch_op.drop_index(batch_op.f("ix_survey_participation_survey_id"))
    op.drop_table("survey_participation")
    with op.batch_alter_table("survey_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_assignment_survey_id"))
        batch_op.drop_index(batch_op.f("ix_survey_assignment_class_id"))
    op.drop_table("survey_assignment")
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_status"))
        batch_op.drop_index(batch_op.f("ix_survey_school_id"))
    op.drop_table("survey")
