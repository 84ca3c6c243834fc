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
