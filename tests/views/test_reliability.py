"""Readiness, fast 503s under overload, and no cookie from the API."""
from __future__ import annotations

import json
import time

import pytest
from alembic import command
from sqlalchemy.exc import OperationalError

from app import create_app
from app.db import db
from app.migrate import alembic_config
from tests import factories
from tests.helpers import csrf_token, web_form


def test_readyz_says_when_migrations_are_pending(client):
    # The test schema is built with create_all, without Alembic's version table.
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "migrations pending"


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_readyz_ok_at_head(kind, empty_database, server_url, tmp_path):
    if kind == "postgresql" and not server_url:
        pytest.skip("TEST_DATABASE_URL is not set")
    from config import TestingConfig

    class Config(TestingConfig):
        DATABASE_URL = empty_database(kind)

    application = create_app(Config)
    with application.app_context():
        command.upgrade(alembic_config(), "head")
    response = application.test_client().get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"status": "ok", "database": True}
    db.engine.dispose()


def test_a_write_that_queued_too_long_gets_a_fast_503(client, session, open_round):
    token = csrf_token(client.get("/en/submit").get_data(as_text=True))
    stale = f"t={time.time() - 60:.3f}"
    response = client.post("/en/submit", data={"csrf_token": token, **web_form(open_round)},
                           headers={"X-Request-Start": stale})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    fresh = client.post("/en/submit", data={"csrf_token": token, **web_form(open_round)},
                        headers={"X-Request-Start": f"t={time.time():.3f}"})
    assert fresh.status_code == 303
    # GETs are never shed: reading is cheap and people need the page.
    assert client.get("/en/submit", headers={"X-Request-Start": stale}).status_code == 200


def test_database_busy_is_503_not_500(client, session, open_round, monkeypatch):
    from app.services.contributions import intake

    def locked(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(intake, "submit", locked)
    response = client.post("/api/v1/submissions",
                           data=json.dumps(factories.submission_data(open_round)),
                           content_type="application/json")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "10"
    assert "locked" not in response.get_data(as_text=True)  # no SQL or driver text


def test_the_api_sets_no_cookie_even_with_a_session(client, open_round):
    client.get("/en/submit")  # a session cookie exists now (CSRF)
    for response in (client.get("/api/v1/rounds"),
                     client.post("/api/v1/submissions", data="{}",
                                 content_type="application/json")):
        assert "Set-Cookie" not in response.headers


def _production_app(database_url, **settings):
    from config import ProductionConfig

    class Config(ProductionConfig):
        SECRET_KEY = "x" * 40
        DATABASE_URL = database_url
        PUBLIC_BASE_URL = "https://consultation.example.org"
        ALLOWED_HOSTS = "localhost"
        REDIS_URL = None
        RATELIMIT_STORAGE_URI = "memory://"

    for name, value in settings.items():
        setattr(Config, name, value)
    return create_app(Config)


def _gunicorn_when_ready():
    """gunicorn.conf.py's hook, with the collector calls (meant for the master) inert."""
    import runpy
    from pathlib import Path
    from types import SimpleNamespace

    conf = runpy.run_path(str(Path(__file__).parents[2] / "gunicorn.conf.py"))
    import gc
    gc.enable()  # the file turns it off while the app loads
    conf["gc"] = SimpleNamespace(collect=lambda: None, freeze=lambda: None)
    return lambda app, workers: conf["when_ready"](SimpleNamespace(
        app=SimpleNamespace(wsgi=lambda: app), cfg=SimpleNamespace(workers=workers)))


def test_several_workers_without_redis_warn_at_start_and_in_readyz(database_url, caplog,
                                                                   monkeypatch):
    """#14 item 14: production, more than one worker, no REDIS_URL: a warning in the log
    when gunicorn is ready, and in /readyz's detail."""
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    when_ready = _gunicorn_when_ready()
    application = _production_app(database_url)
    assert "warnings" not in application.test_client().get("/readyz").get_json()
    with caplog.at_level("WARNING", logger="app.runtime"):
        when_ready(application, 4)
    assert any("REDIS_URL" in r.getMessage() and "4 worker" in r.getMessage()
               for r in caplog.records)
    detail = application.test_client().get("/readyz").get_json()
    assert len(detail["warnings"]) == 1 and "REDIS_URL" in detail["warnings"][0]

    # One worker, or Redis configured, or not production: nothing to say.
    for app_, workers in ((_production_app(database_url), 1),
                          (_production_app(database_url, REDIS_URL="redis://127.0.0.1:1/0"),
                           4)):
        caplog.clear()
        when_ready(app_, workers)
        assert not caplog.records
        assert "warnings" not in app_.test_client().get("/readyz").get_json()
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert _production_app(database_url).config["STARTUP_WARNINGS"]
    db.engine.dispose()
