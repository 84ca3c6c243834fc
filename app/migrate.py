"""The Alembic helpers the app needs at run time: the configuration (there is no alembic.ini;
`migrations/env.py` is driven from here) and whether a database is at the head."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.config import Config as AlembicConfig

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("file_template",
                        "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    return cfg


def schema_is_current(engine: Any) -> tuple[bool, set[str]]:
    """Whether the database is at every head of the migration scripts."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == heads, heads
