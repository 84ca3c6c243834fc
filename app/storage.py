"""The attachment store (issue #21): where the files contributors attach are kept.

A seam, like `app.db` for the database: everything that reads or writes an attachment's
bytes goes through `store()`, so that another backend (an object store) is a change to
this module only. The filesystem backend keeps each file once, named by its SHA-256
(`<root>/ab/abcdef...`), readable by the app's own user only (0600, folders 0700), in
`ATTACHMENT_DIR` (default `instance/attachments`), which nothing serves statically.
Several nodes share it as one mounted volume (docs/deploy.md): names are content hashes
and a file is written to a temporary name and renamed into place, so two nodes storing
the same file at once write the same bytes and readers never see half a file.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from flask import Flask, current_app

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 1 << 16


class FileStore:
    """Files named by their SHA-256 under one folder."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        if not _SHA256.match(sha256 or ""):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes | BinaryIO) -> str:
        """Store bytes (or a readable binary stream, copied in chunks); return their SHA-256.
        Storing a file that is already there changes nothing."""
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        digest = hashlib.sha256()
        fd, temporary = tempfile.mkstemp(dir=self.root, prefix=".put-")
        try:
            with os.fdopen(fd, "wb") as out:
                if isinstance(data, bytes | bytearray | memoryview):
                    digest.update(data)
                    out.write(data)
                else:
                    while chunk := data.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o600)
            sha256 = digest.hexdigest()
            target = self.path(sha256)
            target.parent.mkdir(mode=0o700, exist_ok=True)
            if target.exists():
                os.unlink(temporary)
            else:
                os.replace(temporary, target)
            return sha256
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise

    def open(self, sha256: str) -> BinaryIO:
        """The file for reading; FileNotFoundError when it is not there."""
        return self.path(sha256).open("rb")

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def delete(self, sha256: str) -> bool:
        """Remove the file; False when it was not there."""
        try:
            self.path(sha256).unlink()
        except FileNotFoundError:
            return False
        return True

    def names(self) -> Iterator[str]:
        """Every stored file's SHA-256 (for backups)."""
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if folder.is_dir() and len(folder.name) == 2:
                for item in sorted(folder.iterdir()):
                    if _SHA256.match(item.name) and item.name.startswith(folder.name):
                        yield item.name


def folder(app: Flask) -> Path:
    """ATTACHMENT_DIR, or `attachments` in the instance folder (read when used, so that
    an instance folder chosen after the app was made counts)."""
    return Path(app.config.get("ATTACHMENT_DIR") or Path(app.instance_path) / "attachments")


def store(app: Flask | None = None) -> FileStore:
    """The attachment store of `app` (the current app by default)."""
    return FileStore(folder(app or current_app._get_current_object()))  # type: ignore[attr-defined]
