"""Upgrades keep every row: a database filled at each earlier revision, every table and
its children included, is upgraded to head and must still hold each row it held, with the
same values, on SQLite and PostgreSQL (issue #14: on SQLite, c0ffee000003 rebuilt
`submissions` with foreign keys on and the drop cascaded to tags and personal data).

The filler reads the schema of the revision under test, so revisions added later are
covered without changing this file: each table gets a few rows whose values are distinct
per row, foreign keys point at the parent rows made before, and enum columns hold real
values of today's models.
"""
from __future__ import annotations

import datetime as dt
import decimal
import json
from collections import Counter
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, Table, insert, select, text, types

from app.db import Base, db
from app.migrate import alembic_config
from app.models.search import FTS_TABLE

ROWS = 3
BASE_TIME = dt.datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=dt.UTC)


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


EARLIER = _revisions()[:-1]


def _tables(connection) -> list[Table]:
    meta = MetaData()
    meta.reflect(connection)
    return [table for table in meta.sorted_tables
            if table.name != "alembic_version" and not table.name.startswith(FTS_TABLE)]


def _value(table: Table, column: Any, n: int) -> Any:
    """A value for row n of a column, distinct per row, valid for today's model."""
    model_table = Base.metadata.tables.get(table.name)
    model_column = model_table.c.get(column.name) if model_table is not None else None
    if model_column is not None and isinstance(model_column.type, types.Enum):
        choices = model_column.type.enums
        return choices[n % len(choices)]
    kind = column.type
    if isinstance(kind, types.Boolean):
        return n % 2 == 1
    if isinstance(kind, types.Integer):
        return n + 1
    if isinstance(kind, (types.Float, types.Numeric)):
        return 0.25 + n
    if isinstance(kind, types.DateTime):
        return BASE_TIME + dt.timedelta(days=n, minutes=n)
    if isinstance(kind, types.Date):
        return (BASE_TIME + dt.timedelta(days=n)).date()
    if isinstance(kind, types.JSON):
        return {"row": n}
    if isinstance(kind, types.LargeBinary):
        return bytes([n]) * 4
    if isinstance(kind, types.String):
        length = getattr(kind, "length", None) or 64
        if column.name in {"language", "detected_language", "locale"}:
            return ["ar", "zh", "en", "fr", "ru", "es"][n % 6][:length]
        if column.name == "country":
            return ["EG", "CN", "KE"][n % 3][:length]
        return f"{column.name[:8]}{n}é"[:length]
    return None  # a type the filler does not know (PostgreSQL's tsvector): left to default


def _fill(connection) -> None:
    made: dict[str, list[dict[str, Any]]] = {}
    for table in _tables(connection):
        rows = []
        for n in range(ROWS):
            row: dict[str, Any] = {}
            for column in table.columns:
                foreign = next(iter(column.foreign_keys), None)
                if foreign is not None:
                    parent = foreign.column.table.name
                    if parent == table.name or not made.get(parent):
                        row[column.name] = None
                        continue
                    parents = made[parent]
                    row[column.name] = parents[n % len(parents)][foreign.column.name]
                    continue
                if column.primary_key and isinstance(column.type, types.Integer) \
                        and len(table.primary_key.columns) == 1:
                    continue  # the database numbers it (and its sequence stays right)
                value = _value(table, column, n)
                if value is not None:
                    row[column.name] = value
            result = connection.execute(insert(table).values(**row))
            if result.inserted_primary_key:
                for key_column, key in zip(table.primary_key.columns,
                                           result.inserted_primary_key, strict=True):
                    row[key_column.name] = key
            rows.append(row)
        made[table.name] = rows


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, str):
        # SQLite hands back a datetime column reflected as text in the same form.
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        return _plain(parsed) if ":" in value else value
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def _dump(connection) -> dict[str, tuple[list[str], Counter]]:
    dumped = {}
    for table in _tables(connection):
        names = [c.name for c in table.columns]
        rows = connection.execute(select(table)).all()
        dumped[table.name] = (names, rows)
    return dumped


def _project(names: list[str], rows: list, keep: list[str]) -> Counter:
    index = [names.index(name) for name in keep]
    return Counter(tuple(_plain(row[i]) for i in index) for row in rows)


def filled_at(revision: str) -> dict[str, tuple[list[str], Counter]]:
    """Upgrade the app's empty database to `revision`, fill it with a row of every kind, and
    return its dump (for `same_rows` after the revision under test). In an app context."""
    command.upgrade(alembic_config(), revision)
    with db.engine.begin() as connection:
        _fill(connection)
    with db.engine.connect() as connection:
        before = _dump(connection)
    assert any(rows for _names, rows in before.values())
    return before


def same_rows(before: dict, after: dict) -> None:
    """Every row of every table of `before` is in `after`, its values unchanged (columns a
    revision added are left out of the comparison)."""
    for table, (names, rows) in before.items():
        new_names, new_rows = after[table]
        kept = [name for name in names if name in new_names]
        assert kept == names, table
        assert len(new_rows) == len(rows), table
        assert _project(names, rows, kept) == _project(new_names, new_rows, kept), table


@pytest.mark.parametrize("revision", EARLIER)
def test_a_filled_database_upgrades_to_head_without_losing_a_row(fresh_app, revision):
    with fresh_app.app_context():
        command.upgrade(alembic_config(), revision)
        with db.engine.begin() as connection:
            _fill(connection)
        with db.engine.connect() as connection:
            before = _dump(connection)
        command.upgrade(alembic_config(), "head")
        with db.engine.connect() as connection:
            after = _dump(connection)
            if connection.dialect.name == "sqlite":
                assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
                assert connection.execute(text("PRAGMA foreign_key_check")).all() == []

    assert any(rows for _names, rows in before.values())
    for table, (names, rows) in before.items():
        assert table in after, f"{table} was dropped by the upgrade from {revision}"
        new_names, new_rows = after[table]
        kept = [name for name in names if name in new_names]
        assert len(new_rows) >= len(rows), (
            f"{table}: {len(rows)} rows at {revision}, {len(new_rows)} at head")
        assert _project(names, rows, kept) <= _project(new_names, new_rows, kept), (
            f"{table}: rows changed or lost between {revision} and head")
