"""The attachment store (app.storage): files named by their SHA-256, 0600, written
atomically, kept once however often they are stored."""
from __future__ import annotations

import hashlib
import io
import stat

import pytest

from app import storage
from app.storage import FileStore


def test_put_names_the_file_by_its_sha256_and_keeps_it_private(tmp_path):
    store = FileStore(tmp_path / "attachments")
    data = "ورقة موقف 立场文件".encode()
    sha = store.put(data)
    assert sha == hashlib.sha256(data).hexdigest()
    path = store.path(sha)
    assert path == tmp_path / "attachments" / sha[:2] / sha
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "attachments").stat().st_mode) == 0o700
    with store.open(sha) as fh:
        assert fh.read() == data
    assert store.exists(sha)
    assert list(store.names()) == [sha]
    # No temporary file is left behind.
    assert [p.name for p in (tmp_path / "attachments").iterdir()] == [sha[:2]]


def test_put_from_a_stream_and_twice_keeps_one_file(tmp_path):
    store = FileStore(tmp_path)
    data = bytes(range(256)) * 1000
    first = store.put(io.BytesIO(data))
    second = store.put(data)
    assert first == second
    assert list(store.names()) == [first]
    assert store.delete(first) is True
    assert store.delete(first) is False
    assert not store.exists(first)
    with pytest.raises(FileNotFoundError):
        store.open(first)


@pytest.mark.parametrize("name", ["../../etc/passwd", "ab", "A" * 64, "", "0" * 63 + "/"])
def test_only_sha256_names_are_accepted(tmp_path, name):
    with pytest.raises(ValueError):
        FileStore(tmp_path).path(name)


def test_the_default_folder_is_in_the_instance_folder(app, tmp_path):
    with app.app_context():
        assert storage.store().root == tmp_path / "attachments"
    app.config["ATTACHMENT_DIR"] = str(tmp_path / "shared")
    with app.app_context():
        assert storage.store().root == tmp_path / "shared"
