"""The application factory: it only wires pieces together (no queries, no network)."""
from __future__ import annotations

from flask import Flask, request

import config as config_module
from app import cli, errors, i18n, security
# Imported under another name: `app.db` must stay the module (migrations use app.db.*).
from app.db import db as database
from app.db import utcnow, write_intent
from app.extensions import babel


def create_app(config_class: type[config_module.Config] | None = None) -> Flask:
    config_class = config_class or config_module.from_env()
    config_class.check()
    app = Flask(__name__, template_folder="../templates", static_folder="../static")
    app.config.from_object(config_class)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config_module.instance_secret(app.instance_path)

    init_database(app)
    init_i18n(app)
    security.init_app(app)
    errors.init_app(app)
    register_blueprints(app)
    cli.init_app(app)
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
    app.jinja_env.globals["now_utc"] = utcnow


def register_blueprints(app: Flask) -> None:
    from app.api.routes import bp as api_bp
    from app.api.routes import health_bp
    from app.public.routes import bp as public_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(health_bp)
