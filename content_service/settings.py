"""Service settings, read from the environment (names match the variables exactly)."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal, Self

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
    # OAI-PMH repository identifiers (oai:<domain>:<id>): a domain name the operator owns, kept
    # stable for ever (harvesters key their copies on it). One for the open-learning
    # repository, one for the library union catalogue.
    OAI_REPOSITORY_DOMAIN: str = Field(
        default="hoclieu.edu.vn", pattern=r"^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$"
    )
    OAI_LIBRARY_DOMAIN: str = Field(
        default="thuvien.hcm.edu.vn", pattern=r"^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$"
    )
    SECRET_KEY: str = PLACEHOLDER_SECRET
    SESSION_COOKIE_NAME: str = "cs_session"
    SESSION_MAX_AGE_SECONDS: int = 8 * 3600
    SECURE_COOKIES: bool = False
    MAX_REQUEST_BYTES: int = Field(default=2 * 1024 * 1024, ge=1024)
    # Item-bank imports only (QTI packages with images): streamed to a temporary file.
    MAX_IMPORT_BYTES: int = Field(default=100 * 1024 * 1024, ge=1024)
    # Imports larger than this run as a background job (202 + job id) instead of in the request.
    IMPORT_BACKGROUND_BYTES: int = Field(default=4 * 1024 * 1024, ge=0)
    DEFAULT_LANGUAGE: str = "vi"
    LOG_LEVEL: str = "INFO"
    LOG_JSON: bool = True
    # Transcript signing keys: "file" (PKCS#12 files under DATA_DIR/signing, tests and demos)
    # or "pkcs11" (a USB token or HSM through its PKCS#11 module); see docs/deploy.md.
    SIGNING_KEY_PROVIDER: Literal["file", "pkcs11"] = "file"
    SIGNING_PKCS11_LIB: str = ""  # path of the token's PKCS#11 module (.so)
    SIGNING_PKCS11_TOKEN: str = ""  # token label
    SIGNING_PKCS11_PIN: str = ""  # user PIN
    SIGNING_TRUST_ROOTS: Path | None = None  # folder of trusted root PEMs; default under DATA_DIR

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

    @model_validator(mode="after")
    def _require_token_settings(self) -> Self:
        if self.SIGNING_KEY_PROVIDER == "pkcs11" and not (
            self.SIGNING_PKCS11_LIB and self.SIGNING_PKCS11_TOKEN
        ):
            raise ValueError(
                "SIGNING_KEY_PROVIDER=pkcs11 needs SIGNING_PKCS11_LIB and SIGNING_PKCS11_TOKEN"
            )
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
