"""The application factory: it only wires pieces together (no queries, no network)."""
from __future__ import annotations

import time

from flask import Flask, flash, g, redirect, request, session, url_for
from flask_login import current_user, logout_user

import config as config_module
from app import assets, cache, cli, errors, i18n, runtime, security

# Imported under another name: `app.db` must stay the module (migrations use app.db.*).
from app.db import db as database
from app.db import utcnow, write_intent
from app.extensions import babel, login_manager
from app.i18n import lazy_gettext as _l
from app.labels import ROLES, file_type_label
from app.services.accounts import users


def create_app(config_class: type[config_module.Config] | None = None) -> Flask:
    config_class = config_class or config_module.from_env()
    config_class.check()
    app = Flask(__name__, template_folder="../templates", static_folder="../static")
    app.config.from_object(config_class)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config_module.instance_secret(app.instance_path)

    assets.init_app(app)
    init_database(app)
    cache.init_app(app)
    init_i18n(app)
    init_auth(app)
    security.init_app(app)
    errors.init_app(app)
    register_blueprints(app)
    cli.init_app(app)
    runtime.init_app(app)
    return app


def init_database(app: Flask) -> None:
    database.init_app(app)

    @app.before_request
    def _mark_writes() -> None:
        # SQLite then takes the write lock when the transaction begins (see app.db).
        write_intent.set(request.method not in ("GET", "HEAD", "OPTIONS"))


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(now_utc=utcnow, file_type_label=file_type_label)


def init_auth(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load_user(session_id: str) -> object:
        return users.load_session_user(database.session, session_id)

    def staff_csrf_token() -> str:
        # One token per request: a page has several small forms, and a token (an HMAC of
        # the session's secret and an expiry) is valid for any of them.
        token = g.get("staff_csrf_token")
        if token is None:
            from app.auth.forms import EmptyForm
            token = g.staff_csrf_token = EmptyForm().csrf_token.current_token
        return token

    app.jinja_env.globals.update(staff_csrf_token=staff_csrf_token, role_labels=ROLES)

    @app.before_request
    def _expire_idle_staff_sessions() -> object:
        # Staff sessions end after STAFF_IDLE_MINUTES without a request, and
        # STAFF_SESSION_HOURS after signing in.
        if request.path.startswith(("/static/", "/api/")) or not current_user.is_authenticated:
            return None
        now = time.time()
        seen = session.get("seen", 0)
        message = None
        if now - seen > app.config["STAFF_IDLE_MINUTES"] * 60:
            message = _l("You were signed out after a period without activity. Please sign "
                         "in again.")
        elif now - session.get("signed_in_at", 0) > app.config["STAFF_SESSION_HOURS"] * 3600:
            # However active, a session (and any copy of its cookie) ends this long after
            # signing in: the time is in the signed cookie, set at sign-in.
            message = _l("Your session has reached its maximum length. Please sign in again.")
        if message is not None:
            logout_user()
            session.clear()
            flash(message, "info")
            return redirect(url_for("auth.login", lang=i18n.current_language()))
        session["seen"] = now
        if current_user.must_change_password and request.endpoint not in (
                "auth.change_password", "auth.logout"):
            # An admin asked for a new password: nothing else until it is chosen.
            return redirect(url_for("auth.change_password", lang=i18n.current_language()))
        return None


def register_blueprints(app: Flask) -> None:
    """Every blueprint, in one place. Each package's `__init__` imports the modules that add
    routes to its `bp` (defined in its `routes.py`, which imports none of them back)."""
    from app.admin import bp as admin_bp
    from app.api import bp as api_bp
    from app.api import health_bp
    from app.auth import bp as auth_bp
    from app.moderation import bp as moderation_bp
    from app.public import bp as public_bp
    from app.reports import bp as reports_bp
    from app.strategy.public import bp as strategy_bp
    from app.strategy.revision import bp as revision_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(strategy_bp)
    app.register_blueprint(revision_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(health_bp)
