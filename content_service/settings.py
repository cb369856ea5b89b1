"""Service settings, read from the environment (names match the variables exactly)."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRET = "change-me"  # noqa: S105 - the placeholder we refuse outside development


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Everything the service reads from its environment.

    Nothing connects when settings are built; ``create_app(settings)`` opens connections in the
    application's lifespan.
    """

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    ENVIRONMENT: Environment = Environment.DEVELOPMENT
    DATA_DIR: Path = Path("var")
    DATABASE_URL: str = ""  # empty: a SQLite file under DATA_DIR
    MEILI_URL: str = "http://127.0.0.1:7700"
    MEILI_MASTER_KEY: str = "dev-meili-master-key"
    SEARCH_INDEX_PREFIX: str = "cs"
    SECRET_KEY: str = PLACEHOLDER_SECRET
    SESSION_COOKIE_NAME: str = "cs_session"
    SESSION_MAX_AGE_SECONDS: int = 8 * 3600
    SECURE_COOKIES: bool = False
    MAX_REQUEST_BYTES: int = Field(default=2 * 1024 * 1024, ge=1024)
    DEFAULT_LANGUAGE: str = "vi"
    LOG_LEVEL: str = "INFO"
    LOG_JSON: bool = True

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> Self:
        if self.ENVIRONMENT is Environment.PRODUCTION:
            if self.SECRET_KEY == PLACEHOLDER_SECRET or len(self.SECRET_KEY) < 32:
                raise ValueError(
                    "SECRET_KEY must be set to a random value of at least 32 characters "
                    "in production (it is still the placeholder or too short)"
                )
            if self.MEILI_MASTER_KEY.startswith("dev-"):
                raise ValueError("MEILI_MASTER_KEY must be set in production")
        return self

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL, defaulting to ``DATA_DIR/content.sqlite3``."""
        url = self.DATABASE_URL or f"sqlite:///{(self.DATA_DIR / 'content.sqlite3').resolve()}"
        # Accept the plain libpq form people paste from elsewhere; we always use psycopg 3.
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                url = "postgresql+psycopg://" + url[len(prefix) :]
        return url

    @property
    def async_database_url(self) -> str:
        url = self.database_url
        if url.startswith("sqlite:///"):
            return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
        return url  # psycopg 3 serves both sync and async engines

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
