"""Text sanitizing and security headers."""
from __future__ import annotations

import unicodedata

import pytest

from app.security import UnsafeText, clean_text, hash_token, new_token, undecodable_form_fields


@pytest.mark.parametrize("raw,expected", [
    ("plain", "plain"),
    ("<b>bold</b>", "bold"),
    ("<script>alert(1)</script>after", "alert(1)after"),
    ('<img src=x onerror="alert(1)">text', "text"),
    ("5 < 6 & 7 > 3", "5 < 6 & 7 > 3"),
    ("a <3 b", "a <3 b"),
    ("&lt;script&gt; typed as text", "&lt;script&gt; typed as text"),
    ("<i>x</i> &amp; y", "x &amp; y"),
    ("line1\r\nline2\rline3", "line1\nline2\nline3"),
    ("  trimmed  ", "trimmed"),
    ("evil\u202egnp.exe", "evilgnp.exe"),
    ("مرحبا \u200fبالعالم", "مرحبا \u200fبالعالم"),
    ("emoji 👩🏽‍💻 kept", "emoji 👩🏽‍💻 kept"),
    # Invisible characters no script needs go; ZWNJ (Persian) and ZWJ (emoji) stay.
    ("pri\u200bva\u00adcy\u2060 \ufeffdata", "privacy data"),
    ("love \u2764\ufe0f and \u845b\U000e0100", "love \u2764 and \u845b"),
    ("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
     "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"),
])
def test_clean_text(raw, expected):
    assert clean_text(raw) == expected


def test_clean_text_is_nfc():
    decomposed = unicodedata.normalize("NFD", "café إ")
    assert clean_text(decomposed) == unicodedata.normalize("NFC", "café إ")


def test_single_line_folds_whitespace():
    assert clean_text("a\n\tb   c", multiline=False) == "a b c"


@pytest.mark.parametrize("raw,reason", [
    ("nul\x00", "control"), ("bell\x07", "control"), ("c1\x85", "control"),
    ("broken \ufffd", "encoding"),
])
def test_clean_text_refuses(raw, reason):
    with pytest.raises(UnsafeText) as caught:
        clean_text(raw)
    assert caught.value.reason == reason


def test_tokens():
    token = new_token()
    assert len(token) >= 32 and new_token() != token
    assert hash_token(token) == hash_token(token) and hash_token(token) != token


def test_undecodable_form_fields():
    assert undecodable_form_fields(b"a=ok&b=%FF%FE&c=%D8%B9") == {"b"}
    assert undecodable_form_fields("a=é".encode()) == {"form"}


def test_security_headers_on_pages_and_api(client, open_round):
    for path in ("/en/", "/en/submit", "/api/v1/rounds", "/does-not-exist"):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
        assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_access_logs_never_carry_a_private_link():
    import logging

    from app.security import RedactSecrets

    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1,
                               '%s - - "%s" %s', ("127.0.0.1",
                               "GET /ar/manage/AbC_dEf-123456789xyz/edit HTTP/1.1", "200"),
                               None)
    assert RedactSecrets().filter(record)
    assert "AbC_dEf" not in record.getMessage()
    assert "/ar/manage/[redacted]/edit" in record.getMessage()


def test_gunicorn_access_log_atoms_are_redacted():
    import logging

    from app.security import RedactSecrets

    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, "%(r)s %(s)s",
                               ({"r": "GET /en/manage/AbCdEfGhIjKl HTTP/1.1", "s": "200"},),
                               None)
    assert RedactSecrets().filter(record)
    assert record.getMessage() == "GET /en/manage/[redacted] HTTP/1.1 200"


# Secrets in the error log (#14 item 11).

def test_secrets_are_redacted_on_every_root_handler(database_url, tmp_path):
    """#14 item 11: the "Database busy" warning and the unhandled-error traceback carried
    the private link's token; every handler of the root logger now redacts it, as it does
    API tokens and secrets in query strings."""
    import io
    import logging

    from sqlalchemy.exc import OperationalError

    from app import create_app
    from app.db import db
    from config import TestingConfig

    class Config(TestingConfig):
        DATABASE_URL = database_url

    token, bearer = new_token(), new_token()
    api_token = "unu_" + new_token()
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        application = create_app(Config)

        def busy(token):
            raise OperationalError("UPDATE submissions", {}, Exception("database is locked"))

        def broken(token):
            raise RuntimeError(f"failed on /en/manage/{token}/erase with {api_token}")

        application.add_url_rule("/t/manage/<token>/erase", "busy", busy, methods=["POST"])
        application.add_url_rule("/t/manage/<token>/boom", "boom", broken)
        client = application.test_client()
        assert client.post(f"/t/manage/{token}/erase").status_code == 503
        assert client.get(f"/t/manage/{token}/boom").status_code == 500
        logging.getLogger("app.services.publishing.outbox").warning(
            "reset link /en/reset?token=%s for %s, Authorization: Bearer %s, key %s", token,
            "someone", bearer, api_token)
    finally:
        root.removeHandler(handler)
        db.engine.dispose()
    log = written.getvalue()
    assert "Database busy on POST /t/manage/[redacted]/erase" in log
    assert "Unhandled error on GET /t/manage/[redacted]/boom" in log
    assert "Traceback" in log and "RuntimeError: failed on /en/manage/[redacted]/erase" in log
    assert "token=[redacted]" in log and "Bearer [redacted]" in log
    assert "key unu_[redacted]" in log
    assert token not in log and bearer not in log and api_token[4:] not in log


# Absolute links and the Host header (#14 item 12).

BASE = "https://consult.example.org"


@pytest.fixture()
def public_app(app):
    from config import trusted_hosts

    app.config["PUBLIC_BASE_URL"] = BASE
    app.config["ALLOWED_HOST_NAMES"] = trusted_hosts(BASE, "localhost")
    return app


def test_unknown_host_is_refused(client, open_round):
    """#14 item 12: a Host not in ALLOWED_HOSTS gets a 400; the port does not matter."""
    import json as json_module

    from tests import factories

    assert client.get("/en/", headers={"Host": "localhost:8080"}).status_code == 200
    assert client.get("/en/", headers={"Host": "127.0.0.1"}).status_code == 200
    for host in ("evil.example", "localhost.evil.example", "evil.example:80"):
        assert client.get("/en/", headers={"Host": host}).status_code == 400, host
        response = client.post("/api/v1/submissions", headers={"Host": host},
                               content_type="application/json",
                               data=json_module.dumps(factories.submission_data(open_round)))
        assert response.status_code == 400, host
        assert "evil" not in response.get_data(as_text=True)


def test_trusted_hosts_always_include_the_public_base_url():
    from config import trusted_hosts

    assert trusted_hosts("https://Consult.Example.org:8443/", "a.example:80, b.example") == [
        "a.example", "b.example", "consult.example.org"]
    assert trusted_hosts(None, "") is None


def test_production_requires_public_base_url():
    from config import ProductionConfig

    class Config(ProductionConfig):
        SECRET_KEY = "x" * 40
        DATABASE_URL = "sqlite://"
        PUBLIC_BASE_URL = None

    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        Config.check()
    Config.PUBLIC_BASE_URL = "https://consult.example.org"
    Config.check()


def test_absolute_links_come_from_public_base_url(public_app, client, session):
    """#14 item 12: feeds, the API's manage_url, the manage page and the "you said, we did"
    emails link to PUBLIC_BASE_URL, not to the request's Host."""
    import json as json_module
    import re
    import xml.etree.ElementTree as ET

    from sqlalchemy import select

    from app.models import OutboxMessage
    from tests import factories
    from tests import outreach_data as data
    from tests.helpers import csrf_token, login
    from tests.views.test_outreach import _response_form

    with public_app.test_request_context("/en/"):
        views = data.round_with_views(session)
    round_ = views["round"]
    response = client.post("/api/v1/submissions", content_type="application/json",
                           data=json_module.dumps(factories.submission_data(
                               factories.make_round(session))))
    manage_url = response.get_json()["manage_url"]
    assert manage_url.startswith(f"{BASE}/en/manage/")
    page = client.get(manage_url.removeprefix(BASE)).get_data(as_text=True)
    assert f'href="{manage_url}"' in page

    links = []
    for feed in ("feed.atom", "responses.atom"):
        xml = ET.fromstring(client.get(f"/fr/rounds/{round_.id}/{feed}").get_data())
        links += [link.get("href") for link in xml.iter("{http://www.w3.org/2005/Atom}link")]
        assert xml.find("{http://www.w3.org/2005/Atom}id").text.startswith(
            "tag:consult.example.org,")
    assert len(links) >= 3 and all(link.startswith(f"{BASE}/fr/") for link in links), links

    login(client, session, "admin")
    edit_url = f"/en/admin/rounds/{round_.id}/response"
    token = csrf_token(client.get(edit_url).get_data(as_text=True))
    assert client.post(edit_url, data={**_response_form(round_), "csrf_token": token}
                       ).status_code == 303
    page = client.get(edit_url).get_data(as_text=True)
    assert client.post(f"{edit_url}/publish",
                       data={"csrf_token": csrf_token(page)}).status_code == 303
    bodies = [m.body for m in session.scalars(select(OutboxMessage))]
    assert bodies
    for body in bodies:
        found = re.findall(r"https?://[^\s]+", body)
        assert found and all(url.startswith(f"{BASE}/") for url in found), body
