"""Staff sign-in: email and password, then a TOTP second factor; sign-out (everywhere)."""
from __future__ import annotations

import time
from typing import Any

import segno
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from markupsafe import Markup

from app.auth.forms import CodeForm, EmptyForm, LoginForm
from app.db import db
from app.forms import CSRF_ERROR
from app.i18n import gettext as _
from app.models import Role, User
from app.security import limit, safe_next
from app.services import ValidationFailed
from app.services import users as users_service

bp = Blueprint("auth", __name__)

PENDING_KEY = "pending_sign_in"
PENDING_SECONDS = 300
MAX_CODE_ATTEMPTS = 5


def landing_url(user: User) -> str:
    if user.role == Role.ADMIN:
        return url_for("admin.index")
    if user.role == Role.MODERATOR:
        return url_for("moderation.queue")
    return url_for("reports.dashboard")


def _needs_2fa(user: User) -> bool:
    return current_app.config["REQUIRE_2FA"] and user.role in (Role.ADMIN, Role.MODERATOR)


def _finish_sign_in(user: User, method: str) -> Any:
    target = safe_next(session.get(PENDING_KEY, {}).get("next"))
    session.clear()  # a new session on privilege change (no fixation)
    login_user(user)
    session.permanent = True
    session["seen"] = time.time()
    users_service.record_sign_in(db.session, user, method=method)
    db.session.commit()
    return redirect(target or landing_url(user), code=303)


def _pending_user() -> User | None:
    pending = session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        session.pop(PENDING_KEY, None)
        return None
    return users_service.load_session_user(db.session, pending.get("uid", ""))


@bp.route("/<lang:lang>/login", methods=["GET", "POST"])
@limit("LOGIN_RATE_LIMIT", methods=["POST"])
def login(lang: str) -> Any:
    if current_user.is_authenticated:
        return redirect(landing_url(current_user))
    form = LoginForm(request.form if request.method == "POST" else None)
    error = None
    status = 200
    if request.method == "POST":
        if form.csrf_failed():
            error, status = str(CSRF_ERROR), 400
        else:
            config = current_app.config
            try:
                user = users_service.authenticate(
                    db.session, form.email.data or "", form.password.data or "",
                    max_failures=config["LOGIN_MAX_FAILURES"],
                    lock_minutes=config["LOGIN_LOCK_MINUTES"])
            except (users_service.LoginFailed, users_service.AccountLocked) as exc:
                db.session.commit()  # keep the failure count
                error, status = str(exc.message), 401
            else:
                db.session.commit()
                if user.has_2fa or _needs_2fa(user):
                    session[PENDING_KEY] = {"uid": user.get_id(), "at": time.time(),
                                            "next": safe_next(request.args.get("next")),
                                            "tries": 0}
                    endpoint = "auth.verify" if user.has_2fa else "auth.setup_2fa"
                    return redirect(url_for(endpoint), code=303)
                session[PENDING_KEY] = {"next": safe_next(request.args.get("next"))}
                return _finish_sign_in(user, "password")
    form.password.data = ""
    return render_template("auth/login.html", form=form, error=error), status


@bp.route("/<lang:lang>/login/verify", methods=["GET", "POST"])
@limit("LOGIN_RATE_LIMIT", methods=["POST"])
def verify(lang: str) -> Any:
    user = _pending_user()
    if user is None or not user.has_2fa:
        flash(_("Please sign in again."), "error")
        return redirect(url_for("auth.login"), code=303)
    form = CodeForm(request.form if request.method == "POST" else None)
    error, status = None, 200
    if request.method == "POST":
        pending = session[PENDING_KEY]
        if form.csrf_failed():
            error, status = str(CSRF_ERROR), 400
        elif users_service.verify_totp(db.session, user, form.code.data or ""):
            return _finish_sign_in(user, "totp")
        else:
            db.session.rollback()
            pending["tries"] = pending.get("tries", 0) + 1
            session[PENDING_KEY] = pending
            if pending["tries"] >= MAX_CODE_ATTEMPTS:
                session.pop(PENDING_KEY, None)
                flash(_("Too many wrong codes. Please sign in again."), "error")
                return redirect(url_for("auth.login"), code=303)
            error, status = _("This code is not right. Check the time on your phone and try "
                              "the newest code."), 401
    return render_template("auth/verify.html", form=form, error=error), status


@bp.route("/<lang:lang>/login/setup-2fa", methods=["GET", "POST"])
def setup_2fa(lang: str) -> Any:
    user = _pending_user()
    if user is None or user.has_2fa:
        flash(_("Please sign in again."), "error")
        return redirect(url_for("auth.login"), code=303)
    pending = session[PENDING_KEY]
    secret = pending.get("secret") or users_service.new_totp_secret()
    pending["secret"] = secret
    session[PENDING_KEY] = pending
    form = CodeForm(request.form if request.method == "POST" else None)
    error, status = None, 200
    if request.method == "POST":
        if form.csrf_failed():
            error, status = str(CSRF_ERROR), 400
        else:
            try:
                users_service.enable_totp(db.session, user, secret, form.code.data or "")
            except ValidationFailed as exc:
                db.session.rollback()
                error, status = str(exc.errors["code"][0]), 422
            else:
                return _finish_sign_in(user, "totp-enrolment")
    uri = users_service.totp_uri(user, secret)
    # segno writes the SVG itself from the URI; the title is escaped by segno.
    svg = segno.make(uri, error="m").svg_inline(scale=4, title=_("QR code to scan"))
    qr = Markup(svg)  # noqa: S704  # nosec B704
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return render_template("auth/setup_2fa.html", form=form, error=error, qr=qr,
                           secret=grouped), status


@bp.post("/<lang:lang>/logout")
def logout(lang: str) -> Any:
    form = EmptyForm(request.form)
    if not form.csrf_failed():
        logout_user()
        session.clear()
        flash(_("You have signed out."), "success")
    return redirect(url_for("auth.login"), code=303)


@bp.get("/<lang:lang>/account")
@login_required
def account(lang: str) -> Any:
    return render_template("auth/account.html", form=EmptyForm())


@bp.post("/<lang:lang>/account/sign-out-everywhere")
@login_required
def sign_out_everywhere(lang: str) -> Any:
    form = EmptyForm(request.form)
    if form.csrf_failed():
        flash(str(CSRF_ERROR), "error")
        return redirect(url_for("auth.account"), code=303)
    users_service.sign_out_everywhere(db.session, current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have been signed out on every device."), "success")
    return redirect(url_for("auth.login"), code=303)
