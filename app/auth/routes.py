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

from app.auth.forms import CodeForm, EmptyForm, LoginForm, PasswordForm
from app.db import db
from app.forms import CSRF_ERROR
from app.i18n import gettext as _
from app.models import Role, User
from app.security import limit, safe_next
from app.services import ValidationFailed
from app.services.accounts import users as users_service

bp = Blueprint("auth", __name__)

PENDING_KEY = "pending_sign_in"
PENDING_SECONDS = 300


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
    session["seen"] = session["signed_in_at"] = time.time()
    users_service.record_sign_in(db.session, user, method=method)
    db.session.commit()
    if user.must_change_password:
        flash(_("Choose a new password before you continue."), "info")
        return redirect(url_for("auth.change_password"), code=303)
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
            except users_service.LoginFailed as exc:
                db.session.commit()  # keep the failure count
                error, status = str(exc.message), 401
            else:
                db.session.commit()
                if user.has_2fa or _needs_2fa(user):
                    session[PENDING_KEY] = {"uid": user.get_id(), "at": time.time(),
                                            "next": safe_next(request.args.get("next"))}
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
    if users_service.is_locked(user):
        # Wrong codes are counted on the account, in the database: a replayed cookie of
        # the half-signed-in state gets no more tries than the first one had.
        return _too_many_codes()
    form = CodeForm(request.form if request.method == "POST" else None)
    error, status = None, 200
    if request.method == "POST":
        if form.csrf_failed():
            error, status = str(CSRF_ERROR), 400
        elif users_service.verify_totp(db.session, user, form.code.data or ""):
            return _finish_sign_in(user, "totp")
        else:
            db.session.rollback()
            config = current_app.config
            locked = users_service.count_failure(
                db.session, user, max_failures=config["LOGIN_MAX_FAILURES"],
                lock_minutes=config["LOGIN_LOCK_MINUTES"])
            db.session.commit()
            if locked:
                return _too_many_codes()
            error, status = _("This code is not right. Check the time on your phone and try "
                              "the newest code."), 401
    return render_template("auth/verify.html", form=form, error=error), status


def _too_many_codes() -> Any:
    session.pop(PENDING_KEY, None)
    flash(_("Too many wrong codes. Please sign in again."), "error")
    return redirect(url_for("auth.login"), code=303)


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
        if current_user.is_authenticated:
            users_service.sign_out(db.session, current_user._get_current_object())
            db.session.commit()
        logout_user()
        session.clear()
        flash(_("You have signed out."), "success")
    return redirect(url_for("auth.login"), code=303)


@bp.get("/<lang:lang>/account")
@login_required
def account(lang: str) -> Any:
    return render_template("auth/account.html", form=EmptyForm())


@bp.route("/<lang:lang>/account/password", methods=["GET", "POST"])
@login_required
@limit("LOGIN_RATE_LIMIT", methods=["POST"])
def change_password(lang: str) -> Any:
    form = PasswordForm(request.form if request.method == "POST" else None)
    error, status = None, 200
    if request.method == "POST":
        user = current_user._get_current_object()
        if form.csrf_failed():
            error, status = str(CSRF_ERROR), 400
        elif (form.new_password.data or "") != (form.confirm.data or ""):
            form.confirm.errors = [_("The two new passwords are not the same.")]
            status = 422
        else:
            try:
                users_service.change_password(db.session, user, form.current_password.data
                                              or "", form.new_password.data or "")
            except ValidationFailed as exc:
                db.session.rollback()
                for name, messages in exc.errors.items():
                    form[name].errors = [str(m) for m in messages]
                status = 422
            else:
                db.session.commit()
                # The new nonce ended every other session; this one carries on with it.
                signed_in_at = session.get("signed_in_at")
                login_user(user)
                session["signed_in_at"] = signed_in_at
                flash(_("Your password has been changed. Your other sessions were signed "
                        "out."), "success")
                return redirect(url_for("auth.account"), code=303)
    form.current_password.data = form.new_password.data = form.confirm.data = ""
    return render_template("auth/password.html", form=form, error=error), status


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
