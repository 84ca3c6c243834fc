"""c0ffee00000a (issue #18): a database filled at c0ffee000007 upgrades with every row
and value kept, gains the workshops table and the outbox's last attempt, and downgrades
back, on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import inspect, text

from app.db import db
from app.migrate import alembic_config
from tests.migrations.test_migration_upgrades import _dump, _fill, _project

PREVIOUS, REVISION = "c0ffee000007", "c0ffee00000a"


def test_workshop_links_revision_upgrades_a_filled_database(fresh_app):
    with fresh_app.app_context():
        command.upgrade(alembic_config(), PREVIOUS)
        with db.engine.begin() as connection:
            _fill(connection)
        with db.engine.connect() as connection:
            before = _dump(connection)
        command.upgrade(alembic_config(), REVISION)
        with db.engine.connect() as connection:
            after = _dump(connection)
            columns = {c["name"] for c in inspect(connection).get_columns("outbox")}
            assert "last_attempt_at" in columns
            assert connection.execute(text(
                "SELECT count(*) FROM outbox WHERE last_attempt_at IS NOT NULL")).scalar() == 0
        with db.engine.begin() as connection:
            round_id = connection.execute(text("SELECT min(id) FROM rounds")).scalar()
            now = dt.datetime(2027, 3, 2, 9, 0)
            connection.execute(text(
                "INSERT INTO workshops (code, round_id, name, facilitator, participants, "
                "starts_at, ends_at, used, created_at) VALUES ('abc', :r, 'W', 'F', 10, "
                ":s, :e, 0, :s)"), {"r": round_id, "s": now, "e": now + dt.timedelta(hours=2)})
        for table, (names, rows) in before.items():
            new_names, new_rows = after[table]
            kept = [name for name in names if name in new_names]
            assert _project(names, rows, kept) == _project(new_names, new_rows, kept), table
        command.downgrade(alembic_config(), PREVIOUS)
        with db.engine.connect() as connection:
            assert "workshops" not in inspect(connection).get_table_names()
            columns = {c["name"] for c in inspect(connection).get_columns("outbox")}
            assert "last_attempt_at" not in columns
            assert _dump(connection)["outbox"][1] == before["outbox"][1]
