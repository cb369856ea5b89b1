"""Running the migrations from code (the CLI, the demo loader and the tests use this)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from content_service.settings import Settings

ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(settings: Settings) -> Config:
    config = Config(str(ALEMBIC_INI)) if ALEMBIC_INI.exists() else Config()
    # An installed wheel has no alembic.ini beside it: point at the packaged migrations directly.
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    config.attributes["settings"] = settings
    return config


def upgrade_to_head(settings: Settings) -> None:
    # "heads": features are developed on branches of the migration graph and merged later.
    command.upgrade(alembic_config(settings), "heads")
