"""Low bandwidth: compressed responses and fingerprinted, long-cached static files."""
from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import brotli
import pytest
from flask import Response, url_for

from app.assets import IMMUTABLE, SHORT
from tests.helpers import form_post, login, web_form

STATIC = Path(__file__).resolve().parents[2] / "static"
CSS = (STATIC / "css" / "site.css").read_bytes()


def css_url(app) -> str:
    with app.test_request_context():
        return url_for("static", filename="css/site.css")


def test_static_url_carries_content_hash(app):
    url = css_url(app)
    assert url == f"/static/css/site.css?v={hashlib.sha256(CSS).hexdigest()[:12]}"
    with app.test_request_context():
        # A file that does not exist gets no version rather than an error.
        assert url_for("static", filename="css/missing.css") == "/static/css/missing.css"


def test_fingerprinted_static_file_is_cached_for_a_year(client, app):
    with client.get(css_url(app)) as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == IMMUTABLE \
            == "public, max-age=31536000, immutable"
        assert "Expires" not in response.headers
        assert response.data == CSS


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "staff"])
def test_static_files_do_not_vary_on_the_cookie(client, app, session, signed_in):
    # The stylesheet is the same for everyone: a shared cache keeps one copy, and staff
    # keep it for a year like everyone else (their pages, not their CSS, are no-store).
    if signed_in:
        login(client, session, "moderator")
    with client.get(css_url(app), headers={"Accept-Encoding": "gzip"}) as response:
        assert response.status_code == 200
        assert "cookie" not in {value.lower() for value in response.vary}
        assert "Set-Cookie" not in response.headers
        assert response.headers["Cache-Control"] == IMMUTABLE
    if signed_in:
        page = client.get("/en/account")
        assert page.headers["Cache-Control"] == "no-store"
        assert "cookie" in {value.lower() for value in page.vary}


@pytest.mark.parametrize("query", ["", "?v=0123456789ab", "?v="])
def test_other_static_requests_keep_a_short_cache(client, query):
    with client.get(f"/static/css/site.css{query}") as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == SHORT
        assert response.data == CSS


def test_pages_link_the_fingerprinted_stylesheet(client, app):
    html = client.get("/en/privacy").get_data(as_text=True)
    assert f'href="{css_url(app)}"' in html


@pytest.mark.parametrize("encoding,decompress", [("gzip", gzip.decompress),
                                                 ("br", brotli.decompress)])
def test_pages_are_compressed_when_the_client_accepts_it(client, encoding, decompress):
    plain = client.get("/en/privacy")
    assert "Content-Encoding" not in plain.headers
    assert len(plain.data) > 500
    response = client.get("/en/privacy", headers={"Accept-Encoding": encoding})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert int(response.headers["Content-Length"]) == len(response.data) < len(plain.data)
    assert decompress(response.data) == plain.data


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_error_pages_are_compressed_too(client, open_round, lang):
    # The form sent back with its errors is as heavy as the form.
    response = form_post(client, f"/{lang}/submit", {}, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 422
    assert response.headers["Content-Encoding"] == "gzip"
    html = gzip.decompress(response.data).decode("utf-8")
    assert 'id="error-summary"' in html
    assert len(response.data) < len(html.encode("utf-8")) / 3
    response = client.get(f"/{lang}/no-such-page", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 404
    assert response.headers["Content-Encoding"] == "gzip"
    assert f'lang="{lang}"' in gzip.decompress(response.data).decode("utf-8")


def test_client_preference_is_respected(client):
    response = client.get("/en/privacy", headers={"Accept-Encoding": "gzip;q=1.0, br;q=0.5"})
    assert response.headers["Content-Encoding"] == "gzip"
    response = client.get("/en/privacy", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in response.headers


def test_tiny_responses_are_not_compressed(client):
    response = client.get("/healthz", headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert int(response.headers["Content-Length"]) == len(response.data) < 500


def test_static_file_is_compressed_and_revalidates(client, app):
    url = css_url(app)
    with client.get(url, headers={"Accept-Encoding": "gzip"}) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert response.headers["Cache-Control"] == IMMUTABLE
        # Streamed from disk: no Content-Length of the uncompressed file may remain.
        assert response.headers.get("Content-Length") in (None, str(len(response.data)))
        assert gzip.decompress(response.data) == CSS
        etag = response.headers["ETag"]
    assert etag.endswith(':gzip"')
    headers = {"Accept-Encoding": "gzip", "If-None-Match": etag}
    with client.get(url, headers=headers) as again:
        assert again.status_code == 304
        assert again.data == b""


def test_byte_ranges_are_never_compressed(client, app):
    headers = {"Accept-Encoding": "gzip", "Range": "bytes=0-99"}
    with client.get(css_url(app), headers=headers) as response:
        assert response.status_code == 206
        assert "Content-Encoding" not in response.headers
        assert response.data == CSS[:100]


def test_compressed_or_binary_responses_are_left_alone(app):
    payload = gzip.compress(b"x" * 5000)

    @app.get("/test-precompressed")
    def precompressed() -> Response:
        return Response(payload, mimetype="application/json", headers={"Content-Encoding": "gzip"})

    @app.get("/test-image")
    def image() -> Response:
        return Response(b"\x89PNG" + bytes(5000), mimetype="image/png")

    client = app.test_client()
    response = client.get("/test-precompressed", headers={"Accept-Encoding": "gzip, br"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.data == payload
    response = client.get("/test-image", headers={"Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in response.headers
    assert len(response.data) == 5004


def test_private_pages_stay_uncacheable_when_compressed(client, open_round):
    response = form_post(client, "/en/submit", web_form(open_round))
    token = re.search(r"/manage/([A-Za-z0-9_-]+)", response.headers["Location"]).group(1)
    page = client.get(f"/en/manage/{token}", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    assert page.headers["Cache-Control"] == "no-store"
