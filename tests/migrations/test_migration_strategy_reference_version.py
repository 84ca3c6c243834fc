"""c0ffee190002 (issue #19): a database filled at c0ffee210001 upgrades with every row and
value kept (the versions of rounds and taxonomy included, wherever they had moved to) and
gains the version of the strategy's text at 1; it downgrades back, on SQLite and
PostgreSQL."""
from __future__ import annotations

from alembic import command
from sqlalchemy import text

from app.db import db
from app.migrate import alembic_config
from tests.migrations.test_migration_upgrades import _dump, filled_at, same_rows

FILLED_AT, REVISION = "c0ffee210001", "c0ffee190002"
VERSIONS = "SELECT kind, version FROM reference_versions ORDER BY kind"


def test_strategy_reference_version_revision_upgrades_a_filled_database(fresh_app):
    with fresh_app.app_context():
        filled_at(FILLED_AT)
        with db.engine.begin() as connection:  # a version that has moved since it was made
            connection.execute(text("UPDATE reference_versions SET version = 7 "
                                    "WHERE kind = 'taxonomy'"))
            before = _dump(connection)
            versions = connection.execute(text(VERSIONS)).all()
        assert ("taxonomy", 7) in versions and all(kind != "strategy" for kind, _v in versions)
        command.upgrade(alembic_config(), REVISION)
        with db.engine.connect() as connection:
            after = _dump(connection)
            assert connection.execute(text(VERSIONS)).all() == sorted(
                [*versions, ("strategy", 1)])
        # The one row the revision adds; every other row of every table as it was.
        del before["reference_versions"], after["reference_versions"]
        same_rows(before, after)
        command.downgrade(alembic_config(), FILLED_AT)
        with db.engine.connect() as connection:
            assert connection.execute(text(VERSIONS)).all() == versions
            after_downgrade = _dump(connection)
        del after_downgrade["reference_versions"]
        same_rows(before, after_downgrade)
