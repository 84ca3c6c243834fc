"""Who may do what: staff pages and the staff API check the caller's role here.

Pages identify staff by the Flask-Login session; `/api/` by a personal bearer token. It
lives in the auth package, not in `app.security`, because it looks users up through the
accounts service, and `security` is a seam that imports no services.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Response, abort, g, jsonify, redirect, request, url_for
from flask_login import current_user

from app.db import db
from app.i18n import lazy_gettext as _l
from app.models.user import Role
from app.services.accounts import users


def role_required(*roles: Role) -> Callable:
    """Allow only signed-in staff with one of `roles`.

    Under /api/ the caller is identified by `Authorization: Bearer <token>` and gets JSON
    401/403; on pages an anonymous visitor is sent to the sign-in page and a signed-in
    user without the role gets the 403 page.
    """
    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if request.path.startswith("/api/"):
                user = api_user()
                if user is None:
                    return _api_error(401, _l("Sign in with a valid API token: "
                                              "Authorization: Bearer <token>."),
                                      {"WWW-Authenticate": 'Bearer realm="api"'})
                if user.role not in roles:
                    return _api_error(403, _l("Your role does not allow this."))
                g.staff_user = user
                return view(*args, **kwargs)
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if current_user.role not in roles:
                abort(403)
            g.staff_user = current_user._get_current_object()
            return view(*args, **kwargs)
        return wrapped
    return decorator


def api_user() -> Any:
    """The active staff user of a bearer token, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    owner = users.token_owner(db.session, token.strip())
    if owner is None:
        return None
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        users.note_token_use(owner[1])
    return owner[0]


def _api_error(status: int, message: Any, headers: dict[str, str] | None = None) -> Response:
    response = jsonify({"errors": {"request": [str(message)]}})
    response.status_code = status
    response.headers.update(headers or {})
    return response
