"""Error pages for people and JSON errors for the API, localized, never a stack trace."""
from __future__ import annotations

import logging
import time
from typing import Any

from flask import Flask, current_app, jsonify, make_response, render_template, request
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.i18n import lazy_gettext as _l

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Bad request"), _l("We could not understand what was sent. Go back and try again.")),
    403: (_l("Access denied"), _l("You do not have access to this page.")),
    404: (_l("Page not found"), _l("We could not find this page. Check the address, or start "
                                   "again from the home page.")),
    405: (_l("Not allowed"), _l("This address does not accept this kind of request.")),
    409: (_l("Changed in the meantime"), _l("Someone else changed this in the meantime. "
                                            "Reload the page and try again.")),
    410: (_l("No longer available"), _l("This is no longer available.")),
    413: (_l("Too large"), _l("What you sent is too large. Shorten it and try again.")),
    415: (_l("Unsupported format"), _l("Send the data as JSON, with the header "
                                       "Content-Type: application/json.")),
    422: (_l("Check your input"), _l("Some of what was sent is not valid.")),
    429: (_l("Too many requests"), _l("Too many requests in a short time. Wait a moment "
                                      "and try again.")),
    500: (_l("Something went wrong"), _l("Something went wrong on our side. What you had "
                                         "already sent is safe. Please try again later.")),
    503: (_l("Busy right now"), _l("The platform is very busy right now. Nothing was lost: "
                                   "please try again in a minute.")),
}


def wants_json() -> bool:
    if request.path.startswith("/api/") or request.path in ("/healthz", "/readyz"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > \
        request.accept_mimetypes["text/html"]


def json_errors(errors: dict[str, list[Any]], status: int) -> Any:
    body = {"errors": {field: [str(m) for m in messages] for field, messages in errors.items()}}
    return jsonify(body), status


def render_error(status: int, headers: Any = None) -> Any:
    title, message = MESSAGES.get(status, MESSAGES[500] if status >= 500 else MESSAGES[400])
    if status == 413 and request.environ.get("unu.accepts_files"):  # security.accept_files
        message = _l("What you sent is too large: the files attached to a view may come to "
                     "at most %(size)s MB together. Go back, attach fewer or smaller files, "
                     "and send again.", size=f"{current_app.config['ATTACHMENT_TOTAL_MB']:g}")
    if wants_json():
        response = json_errors({"request": [message]}, status)[0]
    else:
        response = make_response(render_template("errors/error.html", status=status,
                                                 title=title, message=message))
    response.status_code = status
    for name, value in (headers or []):
        if name.lower() in ("retry-after", "allow", "www-authenticate"):
            response.headers[name] = value
    return response


def _retry_after(exc: HTTPException) -> int:
    """Seconds until the breached rate limit's window lets this client in again."""
    from app.extensions import limiter

    current = limiter.current_limit
    if current is not None:
        return max(1, int(current.reset_at - time.time()) + 1)
    limit = getattr(exc, "limit", None)
    return int(limit.limit.get_expiry()) if limit is not None else 60


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        if exc.response is not None:  # a response made for this case (rate-limited form)
            response = exc.response
        else:
            response = render_error(status, exc.get_headers())
        if status == 429 and "Retry-After" not in response.headers:
            response.headers["Retry-After"] = str(_retry_after(exc))
        return response

    @app.errorhandler(OperationalError)
    @app.errorhandler(SQLAlchemyTimeoutError)
    def _database_busy(exc: Exception) -> Any:
        # A lock or pool wait ran out under load: a fast, honest 503 beats a hung request,
        # and the transaction was rolled back, so nothing was half-written.
        log.warning("Database busy on %s %s: %s", request.method, request.path,
                    type(exc).__name__)
        return render_error(503, [("Retry-After", "10")])

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        if isinstance(exc, HTTPException):
            return _http_error(exc)
        log.exception("Unhandled error on %s %s", request.method, request.path)
        return render_error(InternalServerError.code)
