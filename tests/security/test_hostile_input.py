"""A corpus of hostile payloads through the form and the API.

Each payload is refused with a clear 4xx or stored as inert text: never a 500, never
markup on any page that shows it, never a spreadsheet formula in an export.
"""
from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import select

from app.models import Submission
from app.services.review import moderation, tagging
from tests import factories
from tests.helpers import api_token, bearer, csrf_token, login, make_user, web_form

PAYLOADS = [
    # script and markup vectors
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<a href=\"javascript:alert(1)\">click</a>",
    "javascript:alert(document.cookie)",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<style>body{display:none}</style>",
    "<!--<script>alert(1)</script>-->",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "{{7*7}} {% raw %} ${7*7} #{7*7}",
    "<base href=//evil.example/>",
    "<meta http-equiv=refresh content=0;url=//evil.example>",
    "<form action=//evil.example><button>go</button></form>",
    # bidi, zero-width, control characters and encodings
    "evil\u202egnp.exe",
    "\u202d\u202cspoof",
    "zero\u200bwidth\u200cjoin\u200dered\ufeff",
    "nul\x00byte",
    "bell\x07and\x1bescape",
    "c1 control \x85 next line",
    "line\rbreak\r\nmixed",
    "\ufffd replacement",
    "A" * 100_000,
    # SQL metacharacters
    "'; DROP TABLE submissions; --",
    "\" OR \"1\"=\"1",
    "1; SELECT pg_sleep(10); --",
    "%' OR 1=1 --",
    "\\'; EXEC xp_cmdshell('dir'); --",
    # spreadsheet formulas
    "=HYPERLINK(\"http://evil.example\",\"click\")",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    # header injection
    "value\r\nSet-Cookie: stolen=1",
    "x\nLocation: //evil.example",
    # odd but legitimate text
    "مرحبا <b>بالعالم</b> & \"quotes\"",
    "emoji 👩🏽‍💻🇰🇪 and math 𝔸𝔹",
]


def test_corpus_size():
    assert len(PAYLOADS) >= 40


def _assert_inert(html: str) -> None:
    """Parse the page as a browser would: no tag or attribute came from a payload."""
    from html.parser import HTMLParser

    problems: list[str] = []
    bodies: list[str] = []

    class Checker(HTMLParser):
        def handle_starttag(self, tag, attrs):
            names = dict(attrs)
            if tag == "script" and not (names.get("src") or "").startswith("/static/"):
                problems.append("script")
            if tag in ("iframe", "object", "embed", "base", "math", "style"):
                problems.append(tag)
            # The page's own body may carry its class (staff pages); a second one came
            # from a payload.
            if tag == "body" and (bodies.append(tag) or len(bodies) > 1
                                  or set(names) - {"class"}):
                problems.append(tag)
            if tag == "svg" and names.get("class") != "chart":
                problems.append("svg")
            if tag == "meta" and "http-equiv" in names:
                problems.append("meta refresh")
            for name, value in attrs:
                if name.startswith("on"):
                    problems.append(f"{tag} {name}")
                if name in ("href", "src", "action", "formaction") and value and \
                        value.strip().lower().startswith(("javascript:", "//evil")):
                    problems.append(f"{tag} {name}={value}")

    Checker().feed(html)
    assert problems == []


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_payload_through_the_form(client, session, open_round, payload):
    token = csrf_token(client.get("/en/submit").get_data(as_text=True))
    response = client.post("/en/submit", data={"csrf_token": token, **web_form(
        open_round, title=payload[:300], body=payload)})
    assert response.status_code in (303, 400, 413, 422), response.status_code
    html = response.get_data(as_text=True)
    _assert_inert(html)
    if response.status_code == 303:
        page = client.get(response.headers["Location"])
        assert page.status_code == 200
        _assert_inert(page.get_data(as_text=True))
        stored = session.scalar(select(Submission).order_by(Submission.id.desc()))
        assert "<script" not in stored.body.lower() and "\x00" not in stored.body


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_payload_through_the_api(client, session, open_round, payload):
    response = client.post("/api/v1/submissions", data=json.dumps(
        factories.submission_data(open_round, title=payload[:300], body=payload)),
        content_type="application/json")
    assert response.status_code in (201, 400, 413, 422), response.status_code
    assert response.is_json
    assert "Set-Cookie" not in response.headers and "Location" not in response.headers


@pytest.mark.parametrize("body", [
    b'{"title": ' * 5000,
    b"[" * 50_000,
    json.dumps({"title": "x", "answers": {str(i): "y" for i in range(5000)}}).encode(),
    json.dumps({"technologies": ["T01"] * 100_000}).encode()[:400_000],
    b'{"round_id": 1e999}',
    b'{"round_id": true, "consent_processing": "true"}',
    b"\xef\xbb\xbf{}",
    b"null",
    b'"just a string"',
])
def test_malformed_or_huge_json(client, session, open_round, body):
    response = client.post("/api/v1/submissions", data=body, content_type="application/json")
    assert 400 <= response.status_code < 500, response.status_code
    assert response.is_json


def test_stored_payloads_are_inert_on_staff_pages_and_exports(client, session, open_round):
    moderator = make_user(session, "moderator", "hostile-mod@example.org")
    stored = []
    for payload in PAYLOADS:
        try:
            submission, _ = factories.make_submission(session, open_round,
                                                      title=payload[:200], body=payload[:5000])
        except Exception:  # noqa: BLE001 - refused payloads are covered above
            session.rollback()
            continue
        submission = session.get(Submission, submission.id)
        moderation.decide(session, submission, by=moderator, action="approve",
                          version=submission.version,
                          tags=tagging.TagInput(principles=["P1"], keywords=[payload[:60]]),
                          highlight=submission.full_text[:200] or None)
        session.commit()
        stored.append(submission.id)
    assert len(stored) >= 30

    login(client, session, "moderator", "hostile-viewer@example.org")
    pages = ["/en/moderate?status=approved", "/en/reports/", "/en/reports/summary/P1",
             *[f"/en/moderate/submissions/{sid}" for sid in stored]]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_inert(response.get_data(as_text=True))

    token = api_token(session, "reference", "hostile-ref@example.org")
    raw = client.get("/api/v1/exports/submissions.csv", headers=bearer(token)).get_data()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    from openpyxl import load_workbook
    xlsx = client.get("/api/v1/exports/submissions.xlsx", headers=bearer(token)).get_data()
    workbook = load_workbook(io.BytesIO(xlsx), read_only=True)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for cell in row:
                if isinstance(cell, str):
                    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


ODD_IDS = ["99999999999", "2147483648", "²", "٣", "-1", "1e5", "0x10", " 7 "]


@pytest.mark.parametrize("value", ODD_IDS)
def test_odd_ids_never_reach_the_database_as_errors(client, session, open_round, value):
    assert client.get(f"/en/submit?round={value}").status_code in (200, 404)
    response = client.post("/api/v1/submissions", data=json.dumps(
        factories.submission_data(open_round, round_id=value)), content_type="application/json")
    assert response.status_code in (201, 422)
    big = client.post("/api/v1/submissions", data=json.dumps(
        factories.submission_data(open_round, round_id=99999999999)),
        content_type="application/json")
    assert big.status_code == 422
    token = api_token(session, "moderator", f"odd-{ODD_IDS.index(value)}@example.org")
    for url in (f"/api/v1/submissions?round_id={value}", f"/api/v1/submissions?limit={value}",
                f"/api/v1/stats?round_id={value}"):
        assert client.get(url, headers=bearer(token)).status_code in (200, 400), url
    assert client.get("/api/v1/submissions/99999999999", headers=bearer(token)
                      ).status_code == 404


NUL_PAGES = ["/en/moderate?q=a%00b", "/en/moderate?country=%00", "/en/moderate?language=%00x",
             "/en/admin/audit?action=%00", "/en/admin/audit?actor=%00",
             "/en/reports/?language=%00", "/en/submit?round=%00"]
NUL_API = ["/api/v1/submissions?q=a%00b", "/api/v1/submissions?language=%00",
           "/api/v1/stats?language=%00", "/api/v1/submissions?principle=%00",
           "/api/v1/exports/summary.docx?code=P%002"]


def test_nul_bytes_in_queries_and_forms_are_400_not_500(app, client, session, open_round):
    """PostgreSQL refuses NUL in any string: it must never reach a query."""
    token = api_token(session, "admin", "nul-api@example.org")
    for url in NUL_API:
        assert client.get(url, headers=bearer(token)).status_code == 400, url
    login(client, session, "admin", "nul-admin@example.org")
    for url in NUL_PAGES:
        assert client.get(url).status_code == 400, url
    visitor = app.test_client()
    response = visitor.post("/en/login", data={"csrf_token": csrf_token(
        visitor.get("/en/login").get_data(as_text=True)), "email": "a\x00@example.org",
        "password": "whatever whatever"})
    assert response.status_code == 401  # an unknown account, not a database error


def test_nul_in_sign_in_and_keywords_is_handled(client, session, open_round):
    from app.services.text.textnorm import normalize_email
    assert normalize_email("a\x00@example.org") == "a@example.org"
    submission, _ = factories.make_submission(session, open_round)
    seen = submission.version
    token = api_token(session, "moderator", "nul-mod@example.org")
    response = client.post(f"/api/v1/submissions/{submission.id}/decision",
                           data=json.dumps({"action": "approve", "version": seen,
                                            "tags": {"principles": ["P1"],
                                                     "keywords": ["bad\u0000word"]}}),
                           content_type="application/json", headers=bearer(token))
    assert response.status_code == 200
    assert response.get_json()["tags"]["keywords"] == ["badword"]
