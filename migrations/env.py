"""Alembic environment: runs against the engine of the Flask app in context.

Driven by `flask --app wsgi db upgrade` (see app/cli.py), never by a separate alembic.ini,
so that migrations always use the same database settings as the application.
"""
from alembic import context
from flask import current_app

import app.models  # noqa: F401 - registers every table on Base.metadata
from app.db import Base
from app.models.search import include_object

target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = current_app.extensions["database"].engine
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_object=include_object,  # the FTS5 table and GIN index: DDL events
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported; run `flask --app wsgi db upgrade`.")
run_migrations_online()
