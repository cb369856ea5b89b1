"""Alembic environment: the schema is built only by migrations, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import content_service.models  # noqa: F401 - registers every table on SQLModel.metadata
from content_service.db import make_engine
from content_service.settings import Settings

config = context.config
target_metadata = SQLModel.metadata


def _settings() -> Settings:
    # The CLI and the tests hand their own settings in; the alembic command reads the environment.
    given = config.attributes.get("settings")
    return given if isinstance(given, Settings) else Settings()


def run_migrations_offline() -> None:
    context.configure(
        url=_settings().database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_settings())
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: batch mode rebuilds the table instead.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
