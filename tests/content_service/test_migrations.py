"""Migrations: upgrade head, `alembic check` (models and migrations agree), downgrade and back."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from content_service.db import make_engine
from content_service.migrations_runner import alembic_config
from content_service.settings import Environment, Settings
from tests.content_service.conftest import _postgres_url, meili_settings


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    url = "" if request.param == "sqlite" else _postgres_url("migrations")
    return Settings(
        ENVIRONMENT=Environment.TEST, DATA_DIR=tmp_path, DATABASE_URL=url, **meili_settings()
    )


def _tables(settings: Settings) -> set[str]:
    engine = make_engine(settings)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_check_downgrade_roundtrip(fresh_settings: Settings) -> None:
    config: Config = alembic_config(fresh_settings)
    command.upgrade(config, "heads")
    command.check(config)  # raises if the models and the migrations disagree
    at_head = _tables(fresh_settings)
    assert {"school", "user_account", "api_token", "audit_log"} <= at_head
    command.downgrade(config, "base")
    assert _tables(fresh_settings) <= {"alembic_version"}
    command.upgrade(config, "heads")
    assert _tables(fresh_settings) == at_head


def test_migration_files_have_descriptive_names() -> None:
    script = ScriptDirectory.from_config(alembic_config(Settings()))
    for revision in script.walk_revisions():
        name = Path(revision.path).stem
        slug = name.split("_", 2)[-1]
        assert len(slug) > 8, f"{name}: describe what the migration does"
        assert revision.doc, name
        assert not revision.doc.lower().startswith("auto"), name
