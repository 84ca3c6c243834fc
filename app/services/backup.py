"""Backups: SQLite's online backup API, or pg_dump/pg_restore for PostgreSQL."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3

# pg_dump and pg_restore run with fixed argument lists and no shell.
import subprocess  # nosec B404
from pathlib import Path

from sqlalchemy.engine import Engine, make_url


class BackupError(RuntimeError):
    pass


def default_path(directory: Path, engine: Engine) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    suffix = "db" if engine.dialect.name == "sqlite" else "dump"
    return directory / f"backup-{stamp}.{suffix}"


def _libpq(engine: Engine) -> tuple[str, dict[str, str]]:
    """The engine's URL for libpq tools, without its password, and an environment that
    carries the password instead (a command line is visible to every user in `ps`)."""
    url = make_url(engine.url.render_as_string(hide_password=False))
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    bare = url.set(drivername="postgresql", password=None)
    return bare.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: postgresql-client).")
    return path


def create(engine: Engine, target: Path) -> Path:
    """Write a consistent copy of the live database to `target`, while it keeps serving."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(engine.url.database)
        destination = sqlite3.connect(target)
        try:
            with destination:
                source.backup(destination)
        finally:
            destination.close()
            source.close()
        return target
    url, env = _libpq(engine)
    result = subprocess.run(  # noqa: S603  # nosec B603
        [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), url],
        capture_output=True, text=True, check=False, env=env)
    if result.returncode != 0:
        raise BackupError(result.stderr.strip() or "pg_dump failed")
    return target


def restore(engine: Engine, source: Path) -> None:
    """Replace the database's content with the backup at `source`."""
    if not source.is_file():
        raise BackupError(f"No backup file at {source}.")
    engine.dispose()  # no pooled connection keeps the old content or a lock
    if engine.dialect.name == "sqlite":
        backup = sqlite3.connect(source)
        live = sqlite3.connect(engine.url.database)
        try:
            if backup.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("The backup file is damaged (integrity check failed).")
            with live:
                backup.backup(live)
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"This is not a usable SQLite backup: {exc}.") from None
        finally:
            live.close()
            backup.close()
        return
    url, env = _libpq(engine)
    result = subprocess.run(  # noqa: S603  # nosec B603
        [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
         "--dbname", url, str(source)], capture_output=True, text=True, check=False, env=env)
    if result.returncode != 0:
        raise BackupError(result.stderr.strip() or "pg_restore failed")
