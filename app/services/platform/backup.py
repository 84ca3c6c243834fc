"""Backups: SQLite's online backup API, or pg_dump/pg_restore for PostgreSQL; the attached
files are copied beside them (issue #21)."""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import sqlite3

# pg_dump and pg_restore run with fixed argument lists and no shell.
import subprocess  # nosec B404
from pathlib import Path

from sqlalchemy.engine import Engine, make_url

from app.storage import FileStore


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


def _is_live_database(engine: Engine, target: Path) -> bool:
    """Whether `target` is the SQLite database file itself (or its journal or WAL)."""
    if engine.dialect.name != "sqlite" or not engine.url.database:
        return False
    live = Path(engine.url.database).resolve()
    candidate = target.resolve()
    return candidate in {live, Path(f"{live}-wal"), Path(f"{live}-shm"),
                         Path(f"{live}-journal")} or (
        candidate.exists() and live.exists() and os.path.samefile(candidate, live))


def _private_folder(folder: Path) -> None:
    """Make `folder` (and missing parents) readable by its owner only (0700), whatever the
    umask: backups hold emails, password hashes and second-factor secrets."""
    missing = []
    for parent in [folder, *folder.parents]:
        if parent.exists():
            break
        missing.append(parent)
    folder.mkdir(parents=True, exist_ok=True)
    for made in missing:
        os.chmod(made, 0o700)  # mkdir's mode is filtered by the umask; chmod is not


def _private_file(target: Path) -> None:
    """Create `target` empty with mode 0600 (or make an existing one 0600) before anything
    is written to it, so no other user can read it at any moment."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0),
                 0o600)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def create(engine: Engine, target: Path, *, private_folder: bool = False) -> Path:
    """Write a consistent copy of the live database to `target`, while it keeps serving.

    The file is 0600 whatever the umask; the folder is made 0700 when this creates it (or
    always, with `private_folder`: the default backups folder). Refuses to write over the
    live database (SQLite would answer the backup of a file onto itself with nothing)."""
    if _is_live_database(engine, target):
        raise BackupError(f"{target} is the live database: choose another file.")
    if private_folder:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(target.parent, 0o700)
    else:
        _private_folder(target.parent)
    _private_file(target)
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


# Attached files (issue #21): kept beside the database's backup, in `<backup>.files/`,
# laid out as the store is (`ab/abcdef...`), each file once.

def files_folder(target: Path) -> Path:
    """Where the attached files of the backup at `target` are kept."""
    return target.with_name(target.name + ".files")


def back_up_files(store: FileStore, target: Path) -> int:
    """Copy every stored file into `files_folder(target)` (0700 folders, 0600 files);
    return how many. Run after the database's copy: a file stored in between is one no
    row of that copy names, which a restore leaves out."""
    copy = FileStore(files_folder(target))
    copy.root.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(copy.root, 0o700)
    done = 0
    for sha256 in store.names():
        if not copy.exists(sha256):
            try:
                with store.open(sha256) as source:
                    copy.put(source)
            except FileNotFoundError:  # removed since it was listed
                continue
        done += 1
    return done


def restore_files(store: FileStore, source: Path, named: set[str]) -> tuple[int, list[str]]:
    """Make the store hold the files the restored database names (`named`): copied from
    the backup's files (each checked against its name), and no others. Returns how many
    were restored, and the names of those the backup lacks or holds damaged."""
    copy = FileStore(files_folder(source))
    restored, missing = 0, []
    for sha256 in sorted(named):
        if store.exists(sha256) and _intact(store, sha256):
            continue
        if not copy.exists(sha256) or not _intact(copy, sha256):
            missing.append(sha256)
            continue
        with copy.open(sha256) as data:
            store.put(data)
        restored += 1
    for sha256 in list(store.names()):
        if sha256 not in named:
            store.delete(sha256)
    return restored, missing


def _intact(store: FileStore, sha256: str) -> bool:
    digest = hashlib.sha256()
    with store.open(sha256) as data:
        while chunk := data.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest() == sha256
