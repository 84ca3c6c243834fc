"""c0ffee200001 (issue #20): a database filled at c0ffee160001 upgrades with every row and
value kept, gains the strategy's text tables and `submissions.paragraph_key` (NULL for
every existing view), and downgrades back, on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import inspect, text

from app.db import db
from app.migrate import alembic_config
from tests.migrations.test_migration_upgrades import _dump, _fill, _project

FILLED_AT, REVISION = "c0ffee160001", "c0ffee200001"
NEW_TABLES = {"strategy_editions", "strategy_paragraphs", "strategy_changes",
              "strategy_change_views"}


def test_strategy_text_revision_upgrades_a_filled_database(fresh_app):
    with fresh_app.app_context():
        command.upgrade(alembic_config(), FILLED_AT)
        with db.engine.begin() as connection:
            _fill(connection)
        with db.engine.connect() as connection:
            before = _dump(connection)
        command.upgrade(alembic_config(), REVISION)
        with db.engine.connect() as connection:
            after = _dump(connection)
            inspector = inspect(connection)
            assert NEW_TABLES <= set(inspector.get_table_names())
            assert "paragraph_key" in {c["name"] for c in inspector.get_columns("submissions")}
            assert connection.execute(text(
                "SELECT count(*) FROM submissions WHERE paragraph_key IS NOT NULL")).scalar() == 0
            if connection.dialect.name == "sqlite":
                assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
        for table, (names, rows) in before.items():
            new_names, new_rows = after[table]
            kept = [name for name in names if name in new_names]
            assert len(new_rows) == len(rows), table
            assert _project(names, rows, kept) == _project(new_names, new_rows, kept), table
        # The new tables take rows that point at the old ones.
        now = dt.datetime(2027, 3, 2, 9, 0)
        with db.engine.begin() as connection:
            submission_id = connection.execute(text("SELECT min(id) FROM submissions")).scalar()
            connection.execute(text(
                "INSERT INTO strategy_editions (label, title, sections, status, created_at, "
                "updated_at) VALUES ('2018', '{}', '[]', 'published', :t, :t)"), {"t": now})
            edition_id = connection.execute(text("SELECT id FROM strategy_editions")).scalar()
            connection.execute(text(
                "INSERT INTO strategy_changes (edition_id, paragraph_key, explanation, codes) "
                "VALUES (:e, 'principles.p2', '{}', '[]')"), {"e": edition_id})
            change_id = connection.execute(text("SELECT id FROM strategy_changes")).scalar()
            connection.execute(text(
                "INSERT INTO strategy_change_views (change_id, submission_id) VALUES (:c, :s)"),
                {"c": change_id, "s": submission_id})
            connection.execute(text("UPDATE submissions SET paragraph_key = 'principles.p2' "
                                    "WHERE id = :s"), {"s": submission_id})
        command.downgrade(alembic_config(), FILLED_AT)
        with db.engine.connect() as connection:
            inspector = inspect(connection)
            assert not NEW_TABLES & set(inspector.get_table_names())
            assert "paragraph_key" not in {c["name"] for c in
                                           inspector.get_columns("submissions")}
            dumped = _dump(connection)
            for table, (names, rows) in before.items():
                new_names, new_rows = dumped[table]
                kept = [name for name in names if name in new_names]
                assert _project(names, rows, kept) == _project(new_names, new_rows, kept), table
