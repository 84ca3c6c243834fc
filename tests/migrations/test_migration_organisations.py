"""c0ffee210002 (issue #21, organisations): a database filled at c0ffee200001 upgrades with
every row and value kept, gains `submission_organisations` (empty: no existing view was
sent on behalf of an organisation), takes a row there, and downgrades back, on SQLite and
PostgreSQL."""
from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from app.db import db
from app.migrate import alembic_config
from tests.migrations.test_migration_upgrades import _dump, filled_at, same_rows

FILLED_AT, REVISION = "c0ffee200001", "c0ffee210002"


def test_organisations_revision_upgrades_a_filled_database(fresh_app):
    with fresh_app.app_context():
        before = filled_at(FILLED_AT)
        command.upgrade(alembic_config(), REVISION)
        with db.engine.connect() as connection:
            after = _dump(connection)
            assert "submission_organisations" in inspect(connection).get_table_names()
            assert connection.execute(text(
                "SELECT count(*) FROM submission_organisations")).scalar() == 0
            if connection.dialect.name == "sqlite":
                assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
        same_rows(before, after)
        with db.engine.begin() as connection:
            submission_id = connection.execute(text("SELECT min(id) FROM submissions")).scalar()
            connection.execute(text(
                "INSERT INTO submission_organisations (submission_id, name, name_key, website, "
                "publish) VALUES (:s, 'Réseau Sahel', 'réseau sahel', 'https://example.org', "
                ":p)"), {"s": submission_id, "p": True})
        with db.engine.connect() as connection:
            assert connection.execute(text(
                "SELECT name, publish FROM submission_organisations")).one() == (
                    "Réseau Sahel", True)
        command.downgrade(alembic_config(), FILLED_AT)
        with db.engine.connect() as connection:
            assert "submission_organisations" not in inspect(connection).get_table_names()
            dumped = _dump(connection)
        same_rows(before, dumped)
