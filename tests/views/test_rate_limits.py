"""Rate limits: 429 with Retry-After, the form kept, per-address counting, and config."""
from __future__ import annotations

import json

import pytest

from app import create_app
from app.db import db
from tests import factories
from tests.helpers import csrf_token, web_form


@pytest.fixture()
def limited_app(app):
    """The test app with limits on and tight, so that a test can reach them."""
    app.config.update(SUBMIT_RATE_LIMIT="3 per minute", LOGIN_RATE_LIMIT="2 per minute",
                      RECEIPT_RATE_LIMIT="5 per minute", API_RATE_LIMIT="1000 per minute")
    return app


def test_form_over_the_limit_gets_429_with_text_kept(limited_app, session, open_round):
    client = limited_app.test_client()
    html = client.get("/en/submit").get_data(as_text=True)
    token = csrf_token(html)
    for _ in range(3):
        response = client.post("/en/submit", data={"csrf_token": token,
                                                   **web_form(open_round)})
        assert response.status_code == 303
    response = client.post("/en/submit", data={"csrf_token": token,
                                               **web_form(open_round, body="Keep me please")})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    html = response.get_data(as_text=True)
    assert "Keep me please" in html and "Wait a minute" in html


def test_another_address_is_not_limited(limited_app, session, open_round):
    client = limited_app.test_client()
    token = csrf_token(client.get("/en/submit").get_data(as_text=True))
    for _ in range(3):
        client.post("/en/submit", data={"csrf_token": token, **web_form(open_round)})
    other = client.post("/en/submit", data={"csrf_token": token, **web_form(open_round)},
                        environ_base={"REMOTE_ADDR": "10.0.0.99"})
    assert other.status_code == 303


def test_api_submission_limit_is_json_429(limited_app, session, open_round):
    client = limited_app.test_client()
    payload = json.dumps(factories.submission_data(open_round))
    statuses = [client.post("/api/v1/submissions", data=payload,
                            content_type="application/json").status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]
    response = client.post("/api/v1/submissions", data=payload,
                           content_type="application/json", headers={"Accept-Language": "ar"})
    assert response.status_code == 429
    assert response.headers["Retry-After"]
    assert response.get_json()["errors"]["request"]


def test_login_is_throttled_per_address(limited_app, session):
    client = limited_app.test_client()
    token = csrf_token(client.get("/en/login").get_data(as_text=True))
    codes = [client.post("/en/login", data={"csrf_token": token, "email": "x@example.org",
                                            "password": "whatever whatever"}).status_code
             for _ in range(3)]
    assert codes == [401, 401, 429]
    assert "Too many requests" in client.post("/en/login", data={"csrf_token": token}
                                              ).get_data(as_text=True)


def test_limits_can_be_turned_off(tmp_path, database_url):
    from config import TestingConfig

    class Config(TestingConfig):
        DATABASE_URL = database_url
        RATELIMIT_ENABLED = False

    application = create_app(Config)
    from app.extensions import limiter
    assert limiter.enabled is False
    db.engine.dispose()
    assert application.config["RATELIMIT_ENABLED"] is False


def test_a_client_that_keeps_going_gets_the_short_page(limited_app, session, open_round):
    """The form with the typed text is for people; a flood gets the cheap error page."""
    client = limited_app.test_client()
    token = csrf_token(client.get("/en/submit").get_data(as_text=True))
    for _ in range(3):
        client.post("/en/submit", data={"csrf_token": token, **web_form(open_round)})
    pages = [client.post("/en/submit", data={"csrf_token": token,
                                             **web_form(open_round, body="Flood text")})
             for _ in range(5)]
    assert [p.status_code for p in pages] == [429] * 5
    assert all(int(p.headers["Retry-After"]) > 0 for p in pages)
    assert ["Flood text" in p.get_data(as_text=True) for p in pages] == [True] * 3 + [False] * 2
    other = limited_app.test_client()  # another address still gets the full page once over
    token = csrf_token(other.get("/en/submit", environ_base={"REMOTE_ADDR": "10.0.0.7"})
                       .get_data(as_text=True))
    for _ in range(4):
        last = other.post("/en/submit", data={"csrf_token": token,
                                              **web_form(open_round, body="Mine")},
                          environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert last.status_code == 429 and "Mine" in last.get_data(as_text=True)


def test_open_data_downloads_are_limited_per_address(limited_app, session, open_round):
    limited_app.config["DOWNLOAD_RATE_LIMIT"] = "2 per minute"
    client = limited_app.test_client()
    url = f"/en/rounds/{open_round.id}/open-data/views.csv"
    statuses = [client.get(url).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert client.get(f"/en/rounds/{open_round.id}/open-data").status_code == 200
