"""The cache for counts that are costly to compute at a million rows (the one cache of
computed values: reference data, the rounds and the taxonomy, follows its version in the
database instead, see app.reference).

Redis when REDIS_URL is set (shared by every worker and node); otherwise files in the
instance folder (shared by the workers of one machine: CACHE_BACKEND=files, the default),
or a per-process dictionary (CACHE_BACKEND=memory, the tests' choice). Values are JSON.
The cache is an optimisation only: if the backend fails, the value
is computed as if there were no cache, and no request fails because of it.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app

log = logging.getLogger(__name__)


class MemoryBackend:
    def __init__(self, max_entries: int = 2048) -> None:
        self._data: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()
        self._max = max_entries

    def get(self, key: str) -> str | None:
        item = self._data.get(key)
        if item is None or item[0] < time.monotonic():
            return None
        return item[1]

    def set(self, key: str, value: str, ttl: int) -> None:
        with self._lock:
            if len(self._data) >= self._max:
                now = time.monotonic()
                self._data = {k: v for k, v in self._data.items() if v[0] >= now}
                if len(self._data) >= self._max:
                    self._data.clear()
            self._data[key] = (time.monotonic() + ttl, value)

    def clear(self, prefix: str = "") -> None:
        with self._lock:
            self._data.clear()


class FileBackend:
    """One file per entry in a folder: the workers of one machine share what any of them
    computed, without Redis. With a dictionary per process, each gunicorn worker computed
    every count itself, and a reader of the dashboard waited 6-8 s at a million rows on
    each worker's first visit (measured by make bench). A file holds the expiry time and
    the value; it is written beside its final name and renamed into place, so a reader
    never sees half of one."""

    def __init__(self, directory: str | os.PathLike[str], max_entries: int = 4096) -> None:
        self._dir = Path(directory)
        self._dir.mkdir(parents=True, exist_ok=True)
        self._max = max_entries
        self._writes = 0

    def _path(self, key: str) -> Path:
        return self._dir / hashlib.sha256(key.encode("utf-8")).hexdigest()

    def get(self, key: str) -> str | None:
        try:
            data = self._path(key).read_bytes()
        except OSError:  # missing, or removed by a clear() in another process
            return None
        expires, _sep, value = data.partition(b"\n")
        try:
            if float(expires) < time.time():
                return None
        except ValueError:
            return None
        return value.decode("utf-8")

    def set(self, key: str, value: str, ttl: int) -> None:
        path = self._path(key)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        temporary.write_bytes(f"{time.time() + ttl}\n".encode() + value.encode("utf-8"))
        os.replace(temporary, path)
        self._writes += 1
        if self._writes % 256 == 0:
            self._prune()

    def _entries(self) -> list[Path]:
        return [p for p in self._dir.iterdir() if not p.name.startswith(".")]

    def _prune(self) -> None:
        """Drop expired entries when there are too many; all of them if still too many."""
        entries = self._entries()
        if len(entries) < self._max:
            return
        now = time.time()
        for path in entries:
            with contextlib.suppress(OSError, ValueError), path.open("rb") as fh:
                if float(fh.readline()) < now:
                    path.unlink()
        if len(self._entries()) >= self._max:
            self.clear()

    def clear(self, prefix: str = "") -> None:
        for path in self._entries():
            with contextlib.suppress(OSError):
                path.unlink()


class RedisBackend:
    def __init__(self, url: str) -> None:
        import redis

        self._client = redis.Redis.from_url(url, socket_timeout=0.5,
                                            socket_connect_timeout=0.5)

    def get(self, key: str) -> str | None:
        value = self._client.get(key)
        return value.decode("utf-8") if value is not None else None

    def set(self, key: str, value: str, ttl: int) -> None:
        self._client.set(key, value, ex=ttl)

    def clear(self, prefix: str) -> None:
        for key in self._client.scan_iter(f"{prefix}:*"):
            self._client.delete(key)


# One computation per key at a time in a process (striped locks, bounded): when a popular
# count expires, the threads asking for it wait for the first one instead of all scanning
# the table at once (a stampede measured by make bench at a million rows).
_STRIPES = [threading.Lock() for _ in range(64)]


def init_app(app: Flask) -> None:
    url = app.config.get("REDIS_URL")
    kind = app.config.get("CACHE_BACKEND") or ("redis" if url else "files")
    if kind == "redis" and url:
        app.extensions["cache"] = RedisBackend(url)
    elif kind == "files":
        # A folder per database: a development server and the bench may share a machine.
        database = hashlib.sha256(str(app.config.get("DATABASE_URL")).encode()).hexdigest()
        folder = app.config.get("CACHE_DIR") or Path(app.instance_path) / "cache" / database[:16]
        try:
            app.extensions["cache"] = FileBackend(folder)
        except OSError:  # a read-only instance folder must not stop the site
            log.warning("cache folder %s cannot be made: counts are cached per process",
                        folder)
            app.extensions["cache"] = MemoryBackend()
    else:
        app.extensions["cache"] = MemoryBackend()


def _key(namespace: str, parts: Any) -> str:
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode())
    prefix = current_app.config.get("CACHE_KEY_PREFIX", "unu:cache")
    # "v2": entries are the plain value (earlier releases wrapped it with a freshness time).
    return f"{prefix}:v2:{namespace}:{digest.hexdigest()[:32]}"


def _read(backend: Any, key: str, namespace: str) -> Any:
    """The stored value, or _MISSING when absent, expired or unreadable."""
    try:
        cached = backend.get(key)
    except Exception:  # noqa: BLE001 - the cache must never fail a request
        log.warning("cache read failed for %s", namespace)
        return _MISSING
    return _MISSING if cached is None else json.loads(cached)


_MISSING = object()


def remember(namespace: str, parts: Any, ttl: int, compute: Callable[[], Any]) -> Any:
    """The cached JSON value for (namespace, parts): computed and stored for `ttl` seconds
    when missing. The value comes back as JSON made it (tuples become lists), cached or
    not."""
    backend = current_app.extensions.get("cache")
    if backend is None or ttl <= 0:
        return json.loads(json.dumps(compute(), default=str))  # same shape either way
    key = _key(namespace, parts)
    found = _read(backend, key, namespace)
    if found is not _MISSING:
        return found
    with _STRIPES[hash(key) % len(_STRIPES)]:
        found = _read(backend, key, namespace)  # computed while this thread waited?
        if found is not _MISSING:
            return found
        encoded = json.dumps(compute(), default=str)
        try:
            backend.set(key, encoded, ttl)
        except Exception:  # noqa: BLE001
            log.warning("cache write failed for %s", namespace)
        return json.loads(encoded)
