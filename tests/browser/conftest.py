"""End-to-end fixtures: the real application behind a real HTTP server, driven by Debian's
Chromium through Playwright.

The server runs for the whole session in a background thread on 127.0.0.1 and a free
port, on a fresh SQLite file prepared by `flask setup` (migrations, taxonomy, demo round),
as after `make run`. Browser tests do not use the transaction-per-test fixtures: what they
submit is committed, so each test sends its own view and reads back only that one.

Playwright's own browser downloads are never used (`playwright install` needs a network):
tests skip when /usr/bin/chromium is missing; CI installs it (see .ci/run).
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.engine import Engine
from werkzeug.serving import make_server

from app import create_app
from app.db import db
from config import TestingConfig

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@dataclass
class LiveServer:
    url: str
    engine: Engine
    app: Flask


def use_live_database(live_server: LiveServer) -> None:
    """Point `db` back at the live server's database.

    `db` is one module-level object that every create_app() binds to its own database;
    tests of other files may have rebound it since the server started.
    """
    db.session.remove()
    db.engine = live_server.engine
    db.session.configure(bind=live_server.engine)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("browser")

    class Config(TestingConfig):
        DATABASE_URL = f"sqlite:///{folder / 'platform.db'}"

    application = create_app(Config)
    application.instance_path = str(folder)
    result = application.test_cli_runner().invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    db.session.remove()
    engine = db.engine
    server = make_server("127.0.0.1", 0, application, threaded=True)
    # Absolute links (the private link shown after sending) name the server's address.
    application.config["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", engine, application)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        db.session.remove()
        engine.dispose()


@pytest.fixture(autouse=True)
def _live_database(browser, live_server) -> Iterator[None]:
    use_live_database(live_server)
    yield
    db.session.remove()


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    return live_server.url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package "
                    "(.ci/run does) to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def new_context(browser, base_url) -> Iterator[object]:
    """A factory of fresh browser contexts (own cookies, cache and options), closed after."""
    contexts = []

    def make(**options: object) -> object:
        options.setdefault("base_url", base_url)
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture()
def page(new_context) -> object:
    return new_context().new_page()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
