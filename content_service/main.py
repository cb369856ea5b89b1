"""The application factory: ``create_app(settings)``. Nothing connects at import time."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from content_service.api.answer_fast_path import AnswerFastPath
from content_service.api.routes import admissions as admission_routes
from content_service.api.routes import assembly as assembly_routes
from content_service.api.routes import assignments as assignment_routes
from content_service.api.routes import attempts as attempt_routes
from content_service.api.routes import auth, classes, health, jobs, quiz_gradebook, schools, users
from content_service.api.routes import calibration as calibration_routes
from content_service.api.routes import gradebook as gradebook_routes
from content_service.api.routes import items as item_routes
from content_service.api.routes import library as library_routes
from content_service.api.routes import oai as oai_routes
from content_service.api.routes import quizzes as quiz_routes
from content_service.api.routes import records_sync as records_sync_routes
from content_service.api.routes import resources as resource_routes
from content_service.api.routes import search as search_routes
from content_service.api.routes import surveys as survey_routes
from content_service.api.routes import transcripts as transcript_routes
from content_service.cross_site import RefuseCrossSiteWrites
from content_service.db import make_async_engine, make_sessionmaker
from content_service.errors import install_error_handlers
from content_service.log_config import configure_logging
from content_service.middleware import AccessLog, BodySizeLimit, RefuseNulInUrl
from content_service.schemas.common import ErrorBody
from content_service.services.answer_batcher import AnswerBatcher
from content_service.services.search import aclose_backends
from content_service.services.signing import close_key_providers
from content_service.settings import Settings, get_settings
from content_service.web import (
    admissions_pages,
    assignment_pages,
    calibration_pages,
    items_pages,
    library_pages,
    pages,
    quiz_pages,
    records_pages,
    resources_pages,
    survey_pages,
)

_ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorBody} for code in (400, 401, 403, 404, 409, 413, 422, 429)
}


def create_app(settings: Settings | None = None, *, freeze_gc: bool = False) -> FastAPI:
    """The application. ``freeze_gc`` (server processes only, see :func:`app_from_environment`)."""
    settings = settings or get_settings()
    configure_logging(level=settings.LOG_LEVEL, json_lines=settings.LOG_JSON)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_async_engine(settings)
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        app.state.answer_batcher = AnswerBatcher(engine)
        if freeze_gc:
            # Everything alive now (modules, routes, schemas, mappers) lives as long as the
            # process: move it out of the collector's sight, so that full collections, which
            # otherwise walk those ~10^6 objects, stop adding tens of ms to request latency.
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            await app.state.answer_batcher.close()
            await aclose_backends()  # this loop's Meilisearch connections
            await engine.dispose()
            close_key_providers()  # log out of signing tokens (PKCS#11 sessions)

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
        attempt_routes.answers_router,  # first: the hottest route (see its module)
        # Early too: route matching walks the routers in order and cost ~4 ms per /search
        # request when it was included last (bench/bench_search.py).
        search_routes.router,
        health.router,
        auth.router,
        schools.router,
        classes.router,
        users.router,
        jobs.router,
        gradebook_routes.router,
        transcript_routes.router,
        records_sync_routes.router,
        records_pages.router,
        survey_routes.router,
        survey_pages.router,
        library_pages.router,
        quiz_pages.router,
        quiz_routes.router,
        quiz_gradebook.router,
        attempt_routes.router,
        assignment_routes.router,
        assignment_pages.router,
        library_routes.router,
        admission_routes.router,
        admissions_pages.router,
        item_routes.router,
        assembly_routes.router,
        calibration_routes.router,
        calibration_pages.router,
        items_pages.router,
        resource_routes.router,
        oai_routes.router,
        resources_pages.router,
    ):
        app.include_router(router)
    app.include_router(pages.router)
    app.mount(
        "/static", StaticFiles(directory=Path(pages.__file__).parent / "static"), name="static"
    )
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.MAX_REQUEST_BYTES,
        path_limits=dict.fromkeys(item_routes.IMPORT_PATHS, settings.MAX_IMPORT_BYTES),
    )
    app.add_middleware(RefuseCrossSiteWrites, cookie_name=settings.SESSION_COOKIE_NAME)
    # Outside the two above: a token-authenticated save carries no cookie, and the path checks
    # its own body size (see the module).
    app.add_middleware(AnswerFastPath, max_bytes=settings.MAX_REQUEST_BYTES)
    app.add_middleware(RefuseNulInUrl)
    app.add_middleware(AccessLog)
    return app


def app_from_environment() -> FastAPI:
    """Factory for ``uvicorn --factory``: settings from the environment."""
    return create_app(get_settings(), freeze_gc=True)
