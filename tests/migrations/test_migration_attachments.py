"""c0ffee210001 (issue #21): a database filled at c0ffee190001 upgrades with every row and
value kept, gains the `attachments` table (empty), takes attachment rows that point at
existing views, and downgrades back, on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import inspect, text

from app.db import db
from app.migrate import alembic_config
from tests.migrations.test_migration_upgrades import _dump, filled_at, same_rows

FILLED_AT, REVISION = "c0ffee190001", "c0ffee210001"


def test_attachments_revision_upgrades_a_filled_database(fresh_app):
    with fresh_app.app_context():
        before = filled_at(FILLED_AT)
        command.upgrade(alembic_config(), REVISION)
        with db.engine.connect() as connection:
            after = _dump(connection)
            inspector = inspect(connection)
            assert "attachments" in inspector.get_table_names()
            assert {c["name"] for c in inspector.get_columns("attachments")} >= {
                "submission_id", "sha256", "size", "content_type", "filename", "text",
                "page_count", "language", "public", "created_at"}
            assert connection.execute(text("SELECT count(*) FROM attachments")).scalar() == 0
            if connection.dialect.name == "sqlite":
                assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
        same_rows(before, after)

        now = dt.datetime(2027, 3, 2, 9, 0, tzinfo=dt.UTC)
        with db.engine.begin() as connection:
            submission_id = connection.execute(text("SELECT min(id) FROM submissions")).scalar()
            connection.execute(text(
                "INSERT INTO attachments (submission_id, position, sha256, size, content_type, "
                "filename, text, page_count, language, public, created_at) VALUES "
                "(:s, 0, :h, 12, 'application/pdf', 'paper.pdf', 'text', 2, 'en', :f, :t)"),
                {"s": submission_id, "h": "a" * 64, "f": False, "t": now})
            row = connection.execute(text(
                "SELECT submission_id, public FROM attachments")).one()
            assert row[0] == submission_id and not row[1]
        command.downgrade(alembic_config(), FILLED_AT)
        with db.engine.connect() as connection:
            assert "attachments" not in inspect(connection).get_table_names()
            same_rows(before, _dump(connection))
