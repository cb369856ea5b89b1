"""End-to-end fixtures: the real app under uvicorn on a loopback port, and a real headless Chromium.

The database fixtures (``settings``, ``engine``, ``db``) are the service tests' own, imported from
``tests/content_service/conftest.py``: every e2e test runs once on SQLite and once on PostgreSQL,
with every table emptied after the test. ``live_server`` starts the app once per backend (and per
xdist worker) in a background thread, on a socket bound to a free 127.0.0.1 port, so two workers
never race for a port. ``browser`` is the system Chromium driven by Playwright (never
``playwright install``); ``page`` is a fresh browser context per test, so cookies never leak.

Use ``base_url`` (function scope: it also empties the database after the test) and ``login``::

    def test_x(base_url, db, page, login):
        user = create_user(db, role=Role.STUDENT, school=school)
        login(page, user)
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from sqlalchemy import Engine
from sqlmodel import Session

from content_service.main import create_app
from content_service.models.auth import ApiTokenRecord, TokenKind
from content_service.security import hash_token, new_token
from content_service.settings import Settings
from tests.content_service.conftest import db, engine, settings  # noqa: F401 - shared fixtures
from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class LiveServer:
    """The app served by uvicorn in a daemon thread; ``url`` is ``http://127.0.0.1:<port>``."""

    def __init__(self, app_settings: Settings) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(app_settings), log_level="warning", access_log=False, lifespan="on"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the live server did not start on {self.url}")
            time.sleep(0.02)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=15)
        self._sock.close()


@pytest.fixture(scope="session")
def live_server(settings: Settings) -> Iterator[LiveServer]:  # noqa: F811 - shared fixture
    server = LiveServer(settings)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def base_url(live_server: LiveServer, db: Engine) -> str:  # noqa: F811 - shared fixture
    """The live server's URL for one test; the database is emptied after the test."""
    return live_server.url


# Module scope, not session: Playwright's sync API keeps an asyncio loop running in this thread
# while it is open, which breaks every later non-browser test on the same xdist worker that calls
# asyncio.run() or uses anyio's portal. pytest tears a module fixture down before the next module.
@pytest.fixture(scope="module")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    chromium = playwright_driver.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
    )
    yield chromium
    chromium.close()


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A fresh context (no cookies), phone-sized like most students' screens, Vietnamese."""
    context = browser.new_context(
        base_url=base_url, viewport={"width": 390, "height": 844}, locale="vi-VN"
    )
    context.set_default_timeout(20_000)  # generous: the test machine is shared and busy
    tab = context.new_page()
    yield tab
    context.close()


def log_in(page: Page, user: Any, password: str = PASSWORD) -> None:
    """Log ``user`` (a UserRecord or a username) in through the login page, like a person."""
    username = user if isinstance(user, str) else user.username
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("form.card button[type=submit]")
    # The app commits a request's transaction after its response is sent (FastAPI's default
    # "request" scope for yield dependencies), so the redirect to "/" can arrive before the new
    # session is committed and bounce back to /login. Ask again briefly instead of failing.
    deadline = time.monotonic() + 5
    while _on_login_page(page) and page.locator(".error").count() == 0:
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
        page.goto("/")
    if _on_login_page(page):
        raise AssertionError(f"logging in as {username!r} failed")


def _on_login_page(page: Page) -> bool:
    return page.url.split("?")[0].rstrip("/").endswith("/login")


def api_headers(database: Engine, user: Any) -> dict[str, str]:
    """A bearer header for ``user`` from a personal token written straight to the database.

    Committed before the caller sends anything, unlike a token made through the API, whose
    transaction the app commits only after answering (see ``log_in``).
    """
    token = new_token()
    with Session(database) as session:
        session.add(
            ApiTokenRecord(
                user_id=user.id,
                kind=TokenKind.API,
                name="e2e",
                token_hash=hash_token(token),
                prefix=token[:10],
            )
        )
        session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def login() -> Callable[..., None]:
    return log_in
