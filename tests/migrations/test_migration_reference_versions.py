"""c0ffee190001 (issue #19): a database filled at c0ffee210002 upgrades with every row and
value kept, gains `reference_versions` with both kinds at 1, and downgrades back, on
SQLite and PostgreSQL."""
from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from app.db import db
from app.migrate import alembic_config
from tests.migrations.test_migration_upgrades import _dump, filled_at, same_rows

FILLED_AT, REVISION = "c0ffee210002", "c0ffee190001"


def test_reference_versions_revision_upgrades_a_filled_database(fresh_app):
    with fresh_app.app_context():
        before = filled_at(FILLED_AT)
        command.upgrade(alembic_config(), REVISION)
        with db.engine.connect() as connection:
            after = _dump(connection)
            assert connection.execute(text(
                "SELECT kind, version FROM reference_versions ORDER BY kind")).all() == [
                ("rounds", 1), ("taxonomy", 1)]
            if connection.dialect.name == "sqlite":
                assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
        same_rows(before, after)
        command.downgrade(alembic_config(), FILLED_AT)
        with db.engine.connect() as connection:
            assert "reference_versions" not in inspect(connection).get_table_names()
            same_rows(before, _dump(connection))
