"""Alembic environment: runs against the engine of the Flask app in context.

Driven by `flask --app wsgi db upgrade` (see app/cli/schema.py and app/migrate.py), never
by a separate alembic.ini, so that migrations always use the same database settings as the
application.

On SQLite, foreign keys are off while migrations run. SQLite cannot alter most of a table,
so `batch_alter_table` rebuilds it: copy, drop the old table, rename the copy. With
`PRAGMA foreign_keys=ON`, dropping the old `submissions` cascaded to every child table
(tags, personal data, answers, notes, keywords), which is how c0ffee000003 emptied them
(issue #14). The pragma is a no-op inside a transaction, so it is set on the raw
connection before the migration's transaction begins; `PRAGMA foreign_key_check` then
proves, before the commit, that no row points nowhere, and the pragma is restored after.
"""
from alembic import context
from flask import current_app

import app.models  # noqa: F401 - registers every table on Base.metadata
from app.db import Base
from app.models.search import include_object

target_metadata = Base.metadata


class ForeignKeyViolation(RuntimeError):
    """A migration left rows that reference missing parents; nothing was committed."""


def _set_sqlite_foreign_keys(connection, on: bool) -> None:
    # The sqlite3 connection runs in autocommit mode (app/db.py), and SQLAlchemy has not
    # begun a transaction yet, so the pragma takes effect.
    raw = connection.connection.driver_connection
    raw.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _check_sqlite_foreign_keys(connection) -> None:
    problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if problems:
        listed = ", ".join(f"{table} row {rowid} -> {parent}"
                           for table, rowid, parent, _fk in problems[:10])
        raise ForeignKeyViolation(
            f"the migration left {len(problems)} rows without their parent ({listed}); "
            "rolled back")


def run_migrations_online() -> None:
    engine = current_app.extensions["database"].engine
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _set_sqlite_foreign_keys(connection, on=False)
        try:
            with connection.begin():
                # Configured inside the transaction begun here, Alembic runs every
                # revision in it (SQLite's DDL is transactional too), so an upgrade is
                # all or nothing and the check below runs before anything is committed.
                context.configure(
                    connection=connection,
                    target_metadata=target_metadata,
                    render_as_batch=sqlite,
                    compare_type=True,
                    include_object=include_object,  # the FTS5 table and GIN index: DDL events
                )
                with context.begin_transaction():
                    context.run_migrations()
                if sqlite:
                    _check_sqlite_foreign_keys(connection)
        finally:
            if sqlite:
                _set_sqlite_foreign_keys(connection, on=True)


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported; run `flask --app wsgi db upgrade`.")
run_migrations_online()
