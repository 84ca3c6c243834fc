"""c0ffee000008 (issue #14): a database filled at c0ffee000007 upgrades with its rows as
they were, accounts not asked for a new password, and old Idempotency-Keys never replayed
(their bodies were not recorded)."""
from __future__ import annotations

from alembic import command
from sqlalchemy import text

from app.db import db
from app.migrate import alembic_config
from tests.migrations.test_migration_upgrades import (
    _dump,
    _fill,
    _project,
)


def test_filled_c0ffee000007_upgrades_to_c0ffee000008(fresh_app):
    with fresh_app.app_context():
        command.upgrade(alembic_config(), "c0ffee000007")
        with db.engine.begin() as connection:
            _fill(connection)
        with db.engine.connect() as connection:
            before = _dump(connection)
        command.upgrade(alembic_config(), "c0ffee000008")
        with db.engine.connect() as connection:
            after = _dump(connection)
            users = connection.execute(text(
                "SELECT must_change_password FROM users")).scalars().all()
            hashes = connection.execute(text(
                "SELECT idempotency_key_hash, idempotency_body_hash FROM submissions")).all()
            key_hash = hashes[0][0]
    for table, (names, rows) in before.items():
        new_names, new_rows = after[table]
        assert len(new_rows) == len(rows), table
        assert _project(names, rows, names) == _project(new_names, new_rows, names), table
    assert users and set(users) == {False}
    assert hashes and all(body is None for _key, body in hashes)
    assert key_hash is not None  # the filler made keyed rows: they kept their key

