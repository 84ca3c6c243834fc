"""Readiness, fast 503s under overload, and no cookie from the API."""
from __future__ import annotations

import json
import time

import pytest
from alembic import command
from sqlalchemy.exc import OperationalError

from app import create_app
from app.cli import alembic_config
from app.db import db
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
    from app.services import intake

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
