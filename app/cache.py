"""A small cache for counts that are costly to compute at a million rows.

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
    return f"{prefix}:{namespace}:{digest.hexdigest()[:32]}"


# A value stays in the backend STALE_FACTOR times its freshness: once stale it is still
# served while one thread of the process recomputes it in the background, so the reader who
# happens to come after the expiry does not wait for a million-row count (a cold dashboard
# took 8 s at a million rows on SQLite); only a key never computed, or unused for that long,
# is computed while the reader waits.
STALE_FACTOR = 10
_refreshing: set[str] = set()
_refreshing_lock = threading.Lock()


def _read(backend: Any, key: str, namespace: str) -> tuple[Any, bool] | None:
    """(value, fresh) from the backend, or None when missing or unreadable."""
    try:
        cached = backend.get(key)
    except Exception:  # noqa: BLE001 - the cache must never fail a request
        log.warning("cache read failed for %s", namespace)
        return None
    if cached is None:
        return None
    entry = json.loads(cached)
    if isinstance(entry, dict) and "fresh_until" in entry and "value" in entry:
        return entry["value"], entry["fresh_until"] > time.time()
    return entry, True  # written by an earlier version: fresh until it expires


def _write(backend: Any, key: str, namespace: str, value: Any, ttl: int) -> Any:
    """Store `value` (made JSON-shaped) fresh for `ttl` seconds; return it as read back."""
    encoded = json.dumps({"fresh_until": time.time() + ttl, "value": value}, default=str)
    try:
        backend.set(key, encoded, ttl * STALE_FACTOR)
    except Exception:  # noqa: BLE001
        log.warning("cache write failed for %s", namespace)
    return json.loads(encoded)["value"]


def _refresh_in_background(backend: Any, key: str, namespace: str, ttl: int,
                           compute: Callable[[], Any]) -> None:
    with _refreshing_lock:
        if key in _refreshing:
            return
        _refreshing.add(key)
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def run() -> None:
        try:
            with app.app_context():  # its own database session, removed at the end
                _write(backend, key, namespace, compute(), ttl)
        except Exception:  # the stale value stays; the next reader tries again
            log.exception("background refresh of %s failed", namespace)
        finally:
            with _refreshing_lock:
                _refreshing.discard(key)

    threading.Thread(target=run, name=f"refresh {namespace}", daemon=True).start()


def remember(namespace: str, parts: Any, ttl: int, compute: Callable[[], Any]) -> Any:
    """The cached JSON value for (namespace, parts): computed and stored when missing,
    recomputed in the background when stale (see STALE_FACTOR). `compute` must only use
    the database sessions and plain values: it may run in another thread."""
    backend = current_app.extensions.get("cache")
    if backend is None or ttl <= 0:
        return json.loads(json.dumps(compute(), default=str))  # same shape either way
    key = _key(namespace, parts)
    found = _read(backend, key, namespace)
    if found is not None:
        value, fresh = found
        if not fresh:
            _refresh_in_background(backend, key, namespace, ttl, compute)
        return value
    with _STRIPES[hash(key) % len(_STRIPES)]:
        found = _read(backend, key, namespace)  # computed while this thread waited?
        if found is not None:
            return found[0]
        return _write(backend, key, namespace, compute(), ttl)


# Reference data read on every public and staff request (the open round with its questions,
# the taxonomy): loaded once per process for a few seconds instead of on every request (a
# third of the submission POST's cost at a million rows, measured by make bench). The
# objects are detached from any session, so callers read them and never hand them to one:
# link rows by id (`round_id=`, `item_id=`), not by relationship. An admin's change shows
# at once in the process that made it (`forget_local`) and within the TTL everywhere else.
_local: dict[str, tuple[float, Any]] = {}
LOCAL_MAX_ENTRIES = 4096


def local(namespace: str, parts: Any, compute: Callable[[], Any]) -> Any:
    """A per-process memo of `compute()` for REFERENCE_CACHE_SECONDS (0: no memo)."""
    ttl = current_app.config.get("REFERENCE_CACHE_SECONDS", 0)
    if ttl <= 0:
        return compute()
    key = f"{namespace}:{json.dumps(parts, sort_keys=True, default=str)}"
    hit = _local.get(key)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    with _STRIPES[hash(key) % len(_STRIPES)]:
        hit = _local.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        value = compute()
        if len(_local) >= LOCAL_MAX_ENTRIES:  # keys may come from query strings: bound them
            now = time.monotonic()
            for stale in [k for k, (expires, _v) in list(_local.items()) if expires <= now]:
                _local.pop(stale, None)
            if len(_local) >= LOCAL_MAX_ENTRIES:
                _local.clear()
        _local[key] = (time.monotonic() + ttl, value)
        return value


def forget_local() -> None:
    """Drop every per-process memo (after an admin changes rounds or the taxonomy)."""
    _local.clear()
