"""The application factory: ``create_app(settings)``. Nothing connects at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from content_service.api.routes import auth, classes, health, jobs, schools, users
from content_service.db import make_async_engine, make_sessionmaker
from content_service.errors import install_error_handlers
from content_service.log_config import configure_logging
from content_service.middleware import AccessLog, BodySizeLimit
from content_service.schemas.common import ErrorBody
from content_service.settings import Settings, get_settings
from content_service.web import pages

_ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorBody} for code in (400, 401, 403, 404, 409, 413, 422, 429)
}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(level=settings.LOG_LEVEL, json_lines=settings.LOG_JSON)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_async_engine(settings)
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        try:
            yield
        finally:
            await engine.dispose()

    app = FastAPI(
        title="Content service",
        description="Learning content, item bank, IRT calibration, quizzes and school records "
        "for Ho Chi Minh City schools.",
        version="0.1.0",
        lifespan=lifespan,
        responses=_ERROR_RESPONSES,
    )
    app.state.settings = settings
    install_error_handlers(app)
    for router in (
        health.router,
        auth.router,
        schools.router,
        classes.router,
        users.router,
        jobs.router,
    ):
        app.include_router(router)
    app.include_router(pages.router)
    app.mount(
        "/static", StaticFiles(directory=Path(pages.__file__).parent / "static"), name="static"
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.MAX_REQUEST_BYTES)
    app.add_middleware(AccessLog)
    return app


def app_from_environment() -> FastAPI:
    """Factory for ``uvicorn --factory``: settings from the environment."""
    return create_app(get_settings())
