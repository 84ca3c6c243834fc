"""Sanitizing what strangers type, secrets in links, and the HTTP security headers.

This is the only module that imports bleach: swapping it for nh3 is a change here alone.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import logging
import re
import secrets
import time
import unicodedata
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import bleach
from flask import Flask, Response, abort, current_app, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wsgi import host_is_trusted

from app.extensions import client_address, limiter

# Characters that are never part of a view: C0/C1 controls other than tab and newline,
# and the bidi embedding/override controls that can make text display as something else
# (the isolates U+2066-2069 and the marks LRM/RLM are kept: they have honest uses in
# mixed Arabic/Latin text).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BIDI_OVERRIDE = re.compile(r"[\u202a-\u202e]")
# Invisible characters with no use in stored text: zero-width space, word joiner and the
# invisible operators, the byte-order mark, the soft hyphen, the Mongolian vowel separator
# and the variation selectors. They hide a word from search and a copy from campaign
# folding ("pri\u200bvacy"). ZWNJ and ZWJ (U+200C, U+200D) are kept: Persian, Indic scripts
# and emoji sequences need them.
STORED_INVISIBLE = ("\u00ad\u180e\u200b\u2060-\u2064\ufe00-\ufe0f\ufeff"
                    "\U000e0100-\U000e01ef")
_INVISIBLE = re.compile(f"[{STORED_INVISIBLE}]")


class UnsafeText(ValueError):
    """Raised by `clean_text` for input that must be refused rather than repaired."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "control" or "encoding"


def clean_text(value: str, *, multiline: bool = True) -> str:
    """Return `value` as plain text: NFC, no markup, no control characters.

    Markup is removed with bleach (nothing is kept), then entities are turned back into
    characters: we store what was typed, as text, and templates escape it on output.
    Invisible characters no script needs are dropped (`STORED_INVISIBLE`).
    Raises `UnsafeText` for NUL and other control characters, and for U+FFFD, which is
    what undecodable bytes become: the contributor should see and fix that, not lose it.
    """
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if "\ufffd" in value:
        raise UnsafeText("encoding")
    if _CONTROL.search(value):
        raise UnsafeText("control")
    value = _INVISIBLE.sub("", _BIDI_OVERRIDE.sub("", value))
    if "<" in value:
        # Escape "&" first so that entities the person typed ("&lt;") come back as typed:
        # bleach leaves valid entities alone and unescape would otherwise decode them.
        value = html.unescape(bleach.clean(value.replace("&", "&amp;"), tags=set(),
                                           attributes={}, strip=True, strip_comments=True))
    value = unicodedata.normalize("NFC", value)
    if not multiline:
        value = " ".join(value.split())
    return value.strip()


def undecodable_form_fields(raw: bytes) -> set[str]:
    """Names of urlencoded form fields whose values are not valid UTF-8.

    Werkzeug keeps such values as their percent-escapes, which would store garbage
    silently; finding them in the raw body lets the form say which field to fix.
    """
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        return {"form"}
    bad: set[str] = set()
    for key, value in parse_qsl(text, keep_blank_values=True, encoding="latin-1"):
        try:
            value.encode("latin-1").decode("utf-8")
        except UnicodeDecodeError:
            bad.add(key.encode("latin-1").decode("utf-8", "replace"))
    return bad


def new_token() -> str:
    """A secret for a private link: 192 bits, URL-safe."""
    return secrets.token_urlsafe(24)


def hash_token(token: str) -> str:
    """Tokens are long random strings, so one round of SHA-256 is enough to store them."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def idempotent_token(secret: str, key: str) -> str:
    """The private-link secret of a submission made with this Idempotency-Key: the same on
    every retry, so the retried answer carries the same link. Only the client that chose
    the (random) key can derive it."""
    digest = hmac.new(secret.encode(), b"idempotency:" + key.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")



def body_digest(payload: Any) -> str:
    """A hash of a JSON body's content: the same whatever the key order or spacing."""
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
])


def set_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    return response


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site (no scheme, host or protocol-relative //)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(ch) < 32 for ch in target):
        return None
    return target


def no_store_when_signed_in(response: Response) -> Response:
    """Pages for signed-in staff carry personal data: never cache them anywhere.

    Static files are the same for everyone and are skipped: reading `current_user` reads
    the session, which adds `Vary: Cookie` and would keep them out of shared caches.
    """
    if request.endpoint == "static":
        return response
    if current_user and current_user.is_authenticated and \
            "no-store" not in response.headers.get("Cache-Control", ""):
        response.headers["Cache-Control"] = "no-store"
    return response


class SessionInterface(SecureCookieSessionInterface):
    """The API never sets a cookie: it is for programs, and a cookie there could only leak.

    Static files neither: they are the same for everyone and never change the session,
    and a `Set-Cookie` or a `Vary: Cookie` (added once anything, Flask-Login's own
    after-request hook included, reads the session) would keep them out of shared caches.
    """

    @staticmethod
    def _without_cookie() -> bool:
        return request.path.startswith("/api/") or request.endpoint == "static"

    def should_set_cookie(self, app: Flask, session: Any) -> bool:
        if self._without_cookie():
            return False
        return super().should_set_cookie(app, session)

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        if self._without_cookie():
            return
        super().save_session(app, session, response)


def limit(config_key: str, **kwargs: Any) -> Callable:
    """A rate limit read from the config at request time (so tests and deployments set it)."""
    return limiter.limit(lambda: current_app.config[config_key], **kwargs)


def token_or_address() -> str:
    """Staff API calls are limited per token (hashed), others per address."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return "token:" + hash_token(header[7:].strip())[:16]
    return client_address()


def shed_stale_requests() -> Any:
    """Answer 503 at once to a write that waited too long in the proxy's queue.

    nginx stamps `X-Request-Start: t=<seconds>` (see deploy/nginx.conf); a request that
    already waited OVERLOAD_QUEUE_SECONDS is answered "come back later" in a millisecond
    instead of joining a backlog that would make everyone time out (the FCC failure)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    stamp = request.headers.get("X-Request-Start", "")
    try:
        started = float(stamp.removeprefix("t="))
    except ValueError:
        return None
    if started > 1e11:  # milliseconds or microseconds, as some proxies send
        started /= 1000 if started < 1e14 else 1_000_000
    if time.time() - started > current_app.config["OVERLOAD_QUEUE_SECONDS"]:
        from app.errors import render_error
        return render_error(503, [("Retry-After", "30")])
    return None


class RedactSecrets(logging.Filter):
    """Log lines carry URLs and error messages; the secrets in them must not reach a log:
    private links (/manage/<token>), personal API tokens (unu_...), bearer headers and
    secrets passed as query parameters (token=, secret=, key=, code=, password=...)."""

    PATTERNS = (
        (re.compile(r"(/manage/)[A-Za-z0-9_-]{8,}"), r"\1[redacted]"),
        (re.compile(r"\b(unu_)[A-Za-z0-9_-]{8,}"), r"\1[redacted]"),
        (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"), r"\1[redacted]"),
        (re.compile(r"(?i)([?&;](?:token|secret|key|code|password|reset|otp)=)[^&\s\"']+"),
         r"\1[redacted]"),
    )

    def filter(self, record: logging.LogRecord) -> bool:
        # The message is formatted first (a secret can be an argument, or a pattern can
        # span the format and an argument), then redacted and kept formatted.
        try:
            message = record.getMessage()
        except (TypeError, ValueError, KeyError):  # a broken format: clean the parts
            record.msg = self._clean(record.msg)
        else:
            record.msg, record.args = self._clean(message), None
        if record.exc_info and not record.exc_text:
            # Formatters print exc_text when it is set: the traceback, redacted, once.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.exc_text = self._clean(record.exc_text)
        record.stack_info = self._clean(record.stack_info)
        return True

    @classmethod
    def _clean(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        for pattern, replacement in cls.PATTERNS:
            value = pattern.sub(replacement, value)
        return value


def redact_log_handlers() -> None:
    """Put `RedactSecrets` on every handler a record of this app can reach: the root
    logger's (which every module logger propagates to), Flask's and gunicorn's own, and
    the last-resort handler Python uses when none is configured. A filter on a logger
    would miss the records its children propagate; one on each handler sees them all."""
    handlers = list(logging.getLogger().handlers)
    for name in ("app", "werkzeug", "gunicorn.error", "gunicorn.access"):
        handlers += logging.getLogger(name).handlers
    if logging.lastResort is not None:
        handlers.append(logging.lastResort)
    for handler in handlers:
        if not any(isinstance(f, RedactSecrets) for f in handler.filters):
            handler.addFilter(RedactSecrets())
    for name in ("werkzeug", "gunicorn.access"):  # records logged there directly
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL for `endpoint`, on PUBLIC_BASE_URL: never built from the request's
    Host header, which a stranger chooses."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base:
        return url_for(endpoint, _external=True, **values)
    return base.rstrip("/") + url_for(endpoint, **values)


def public_host() -> str:
    """The site's host name, from PUBLIC_BASE_URL."""
    from config import base_url_host

    return base_url_host(current_app.config.get("PUBLIC_BASE_URL")) or "localhost"


def refuse_unknown_hosts() -> Any:
    """400 for a Host header that is not one of ALLOWED_HOSTS (ports ignored).

    Done here rather than with Flask's TRUSTED_HOSTS, which refuses before routing and
    leaves the error page without a URL adapter."""
    allowed = current_app.config.get("ALLOWED_HOST_NAMES")
    if allowed and not host_is_trusted(request.host, allowed):
        abort(400)
    return None


def refuse_nul_bytes() -> Any:
    """400 for a NUL byte in the query string, before any view runs.

    Query arguments are filters and ids: no value of them can hold a NUL (typing cannot
    produce one), and PostgreSQL refuses it in any string, so it would otherwise surface as
    a 500 wherever a filter reaches a query. Form and JSON fields are checked field by
    field instead (clean_text and the services), so a form keeps what was typed."""
    if b"%00" in request.query_string or b"\x00" in request.query_string:
        abort(400)
    return None


UPLOADS_ENVIRON_KEY = "unu.accepts_files"
# Room for the form's own fields beside the files (answers of 5 000 characters each).
FORM_ROOM_BYTES = 2 * 1024 * 1024


def accept_files() -> None:
    """Let this request carry attached files (issue #21): its body may be as large as
    ATTACHMENT_TOTAL_MB plus room for the form (Flask 3.1: per request), instead of the
    site's MAX_CONTENT_LENGTH. Called before the body is read; a larger body gets the 413
    page that names the limit for files (app.errors)."""
    total = int(float(current_app.config["ATTACHMENT_TOTAL_MB"]) * 1024 * 1024)
    request.max_content_length = max(total + FORM_ROOM_BYTES,
                                     current_app.config["MAX_CONTENT_LENGTH"] or 0)
    request.environ[UPLOADS_ENVIRON_KEY] = True


def init_app(app: Flask) -> None:
    from config import trusted_hosts

    app.config["ALLOWED_HOST_NAMES"] = trusted_hosts(app.config.get("PUBLIC_BASE_URL"),
                                                     app.config.get("ALLOWED_HOSTS", ""))
    # First of all: nothing else runs for a request to a host that is not this site's.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_unknown_hosts)
    app.before_request(refuse_nul_bytes)
    app.logger.debug("logging set up")  # Flask adds its handler on first use: before ours
    redact_log_handlers()
    app.before_request(shed_stale_requests)
    if app.config["TRUSTED_PROXIES"] > 0:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.session_interface = SessionInterface()
    app.jinja_env.globals["external_url"] = external_url
    limiter.init_app(app)
    app.after_request(set_security_headers)
    app.after_request(no_store_when_signed_in)
