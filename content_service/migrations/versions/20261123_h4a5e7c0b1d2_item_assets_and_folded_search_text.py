"""item assets and folded search text

Revision ID: h4a5e7c0b1d2
Revises: e8f697f4f78f
Create Date: 2026-11-23 17:50:00

Adds ``item_asset`` (content-addressed files of items), ``item_version_asset`` (which version
uses which asset) and ``item_version.search_text`` (the folded visible text searched by
``GET /items?q=``), filled here for the versions already stored.

Compatibility: only additions; the new column has a server default, so code that does not know
it keeps inserting rows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "h4a5e7c0b1d2"
down_revision: str | Sequence[str] | None = "e8f697f4f78f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "item_asset",
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("media_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("sha256"),
    )
    op.create_table(
        "item_version_asset",
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(["sha256"], ["item_asset.sha256"]),
        sa.ForeignKeyConstraint(["version_id"], ["item_version.id"]),
        sa.PrimaryKeyConstraint("version_id", "sha256"),
    )
    with op.batch_alter_table("item_version_asset", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_item_version_asset_sha256"), ["sha256"], unique=False)
    with op.batch_alter_table("item_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    _fill_search_text()


def _fill_search_text() -> None:
    # The folding is the service's own, so search finds old and new versions alike.
    from content_service.services.item_search import search_text_of

    versions = sa.table(
        "item_version",
        sa.column("id", sa.Uuid()),
        sa.column("content", sa.JSON()),
        sa.column("search_text", sa.Text()),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(versions.c.id, versions.c.content)).all()
    for version_id, content in rows:
        document: Any = json.loads(content) if isinstance(content, str) else content
        bind.execute(
            versions.update()
            .where(versions.c.id == version_id)
            .values(search_text=search_text_of(document or {}))
        )


def downgrade() -> None:
    with op.batch_alter_table("item_version", schema=None) as batch_op:
        batch_op.drop_column("search_text")
    with op.batch_alter_table("item_version_asset", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_version_asset_sha256"))
    op.drop_table("item_version_asset")
    op.drop_table("item_asset")
