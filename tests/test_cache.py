"""The counts cache: memory or Redis, and never a reason for a request to fail."""
from __future__ import annotations

import socket

import pytest

from app import cache
from app.cache import FileBackend, MemoryBackend, RedisBackend
from tests import factories
from tests.helpers import api_token, bearer


def redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.2):
            return True
    except OSError:
        return False


def test_memory_backend_expires_and_bounds():
    backend = MemoryBackend(max_entries=3)
    backend.set("a", "1", ttl=60)
    assert backend.get("a") == "1"
    backend.set("b", "2", ttl=-1)
    assert backend.get("b") is None
    for key in "cdef":
        backend.set(key, key, ttl=60)
    assert len(backend._data) <= 3


def test_file_backend_is_shared_by_processes_expires_and_bounds(tmp_path):
    """Two backends on one folder stand for two gunicorn workers of one machine."""
    first, second = FileBackend(tmp_path), FileBackend(tmp_path)
    first.set("unu:cache:dashboard:x", '{"total": 5}', ttl=60)
    assert second.get("unu:cache:dashboard:x") == '{"total": 5}'
    second.set("unu:cache:dashboard:x", '{"total": 6}', ttl=60)  # replaced whole
    assert first.get("unu:cache:dashboard:x") == '{"total": 6}'
    first.set("gone", "1", ttl=-1)
    assert second.get("gone") is None and second.get("never set") is None
    first._path("damaged").write_bytes(b"not a number\n{}")  # a damaged file: a miss
    assert first.get("damaged") is None
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporaries
    small = FileBackend(tmp_path / "small", max_entries=10)
    for n in range(600):
        small.set(f"k{n}", str(n), ttl=60)
    assert len(list((tmp_path / "small").iterdir())) <= 10 + 256
    small.clear()
    assert small.get("k599") is None


def test_cache_backend_by_setting(app, tmp_path):
    from app import create_app
    from config import TestingConfig

    assert isinstance(app.extensions["cache"], MemoryBackend)  # the tests' choice

    class Files(TestingConfig):
        CACHE_BACKEND = ""  # the default without REDIS_URL

    shared = create_app(Files).extensions["cache"]
    assert isinstance(shared, FileBackend)
    assert shared._dir == create_app(Files).extensions["cache"]._dir  # a second worker

    class OtherDatabase(Files):
        DATABASE_URL = "sqlite:///" + str(tmp_path / "other.db")

    assert create_app(OtherDatabase).extensions["cache"]._dir != shared._dir

    blocker = tmp_path / "a-file"
    blocker.write_text("")

    class Unwritable(Files):
        CACHE_DIR = str(blocker / "cache")  # under a file: the folder cannot be made

    assert isinstance(create_app(Unwritable).extensions["cache"], MemoryBackend)


@pytest.mark.skipif(not redis_available(), reason="no Redis on 127.0.0.1:6379")
def test_redis_backend_round_trip():
    backend = RedisBackend("redis://127.0.0.1:6379/15")
    backend.set("unu:cache:test:x", '{"n": 1}', ttl=5)
    assert backend.get("unu:cache:test:x") == '{"n": 1}'
    backend.clear("unu:cache:test")
    assert backend.get("unu:cache:test:x") is None


def test_stats_are_cached_for_their_ttl(app, client, session, open_round):
    app.config["REPORTS_CACHE_SECONDS"] = 60
    token = api_token(session, "reference")
    first = client.get("/api/v1/stats", headers=bearer(token)).get_json()
    from app.models import Submission
    from app.services.review import moderation, tagging
    from tests.helpers import make_user
    moderator = make_user(session, "moderator", "cache-mod@example.org")
    submission, _ = factories.make_submission(session, open_round)
    submission = session.get(Submission, submission.id)
    moderation.decide(session, submission, by=moderator, action="approve",
                      version=submission.version, tags=tagging.TagInput(principles=["P1"]))
    session.commit()
    cached = client.get("/api/v1/stats", headers=bearer(token)).get_json()
    assert cached == first  # within the TTL
    app.config["REPORTS_CACHE_SECONDS"] = 0
    fresh = client.get("/api/v1/stats", headers=bearer(token)).get_json()
    assert fresh["total"] == first["total"] + 1


def test_a_broken_cache_does_not_fail_the_request(app, client, session, open_round):
    class Broken:
        def get(self, key):
            raise ConnectionError("redis down")

        def set(self, key, value, ttl):
            raise ConnectionError("redis down")

    app.config["REPORTS_CACHE_SECONDS"] = 60
    app.extensions["cache"] = Broken()
    token = api_token(session, "reference")
    response = client.get("/api/v1/stats", headers=bearer(token))
    assert response.status_code == 200
    with app.app_context():
        assert cache.remember("x", [1], 60, lambda: {"a": (1, 2)}) == {"a": [1, 2]}


def test_one_computation_per_key_at_a_time(app):
    import threading
    import time

    app.extensions["cache"] = MemoryBackend()
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return {"n": 42}

    results = []

    def ask():
        with app.app_context():
            results.append(cache.remember("stampede", ["same"], 60, slow))

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [{"n": 42}] * 6
    assert len(calls) == 1


def test_a_value_expires_with_its_ttl_and_is_computed_again(app, monkeypatch):
    """No stale-while-recompute: past its TTL a value is gone, and the next reader
    computes it (in its own thread)."""
    app.extensions["cache"] = MemoryBackend()
    clock = [1000.0]
    monkeypatch.setattr(cache.time, "monotonic", lambda: clock[0])
    with app.app_context():
        assert cache.remember("ttl", [1], 60, lambda: {"n": 1}) == {"n": 1}
        clock[0] += 59
        assert cache.remember("ttl", [1], 60, lambda: {"n": 2}) == {"n": 1}
        clock[0] += 2
        assert cache.remember("ttl", [1], 60, lambda: {"n": 2}) == {"n": 2}
