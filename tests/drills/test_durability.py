"""kill -9 in a busy minute: every acknowledged submission survives, none is duplicated.

A real gunicorn serves the app on a fresh database; client threads post submissions
(each with its own Idempotency-Key and a retry after a failure, as a careful client
would); the whole server is killed with SIGKILL while they post. Then the database,
opened anew, must hold every submission that was answered 201, exactly once.
"""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app import create_app
from app.db import db
from config import TestingConfig

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(port: int, deadline: float) -> None:
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_acknowledged_submissions_survive_kill_9(kind, empty_database, server_url, tmp_path):
    if kind == "postgresql" and not server_url:
        pytest.skip("TEST_DATABASE_URL is not set")
    url = empty_database(kind)

    class Config(TestingConfig):
        DATABASE_URL = url

    application = create_app(Config)
    assert application.test_cli_runner().invoke(args=["setup"]).exit_code == 0
    with application.app_context():
        round_id = db.session.execute(text("SELECT id FROM rounds")).scalar_one()
    db.session.remove()
    db.engine.dispose()

    port = _free_port()
    env = {**os.environ, "APP_ENV": "development", "DATABASE_URL": url,
           "SECRET_KEY": "k" * 40, "RATELIMIT_ENABLED": "false", "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
         "--timeout", "30", "wsgi:app"], cwd=ROOT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    acknowledged: list[tuple[str, str]] = []  # (title, reference)
    lock = threading.Lock()
    stop = threading.Event()

    def client(number: int) -> None:
        sent = 0
        while not stop.is_set():
            title = f"durability {number}-{sent}"
            body = json.dumps({"round_id": round_id, "language": "en", "title": title,
                               "body": "Still here after a power cut?", "actor_type": "other",
                               "country": "KE", "consent_processing": True}).encode()
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/v1/submissions", data=body, method="POST",
                headers={"Content-Type": "application/json",
                         "Idempotency-Key": str(uuid.uuid4())})
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    if response.status == 201:
                        with lock:
                            acknowledged.append((title, json.load(response)["reference"]))
            except (OSError, http.client.HTTPException, ValueError):
                # No complete 201 (refused, cut mid-answer by the kill, or garbled): not
                # acknowledged; a real client would retry with the same key.
                pass
            sent += 1

    try:
        _wait_until_up(port, time.time() + 20)
        threads = [threading.Thread(target=client, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        # Kill mid-stream once enough were acknowledged to tell anything (a loaded machine
        # warms the workers up slowly), and never later than 20 s.
        deadline = time.time() + 20
        while time.time() < deadline:
            with lock:
                if len(acknowledged) >= 40:
                    break
            time.sleep(0.05)
        os.killpg(server.pid, signal.SIGKILL)  # master and workers, mid-request
        server.wait(timeout=10)
        time.sleep(0.3)
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    finally:
        stop.set()
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)

    assert len(acknowledged) > 20, "the server took too few submissions to tell anything"
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT title, reference FROM submissions WHERE title LIKE 'durability %'")).all()
    engine.dispose()
    stored = {}
    for title, reference in rows:
        stored.setdefault(title, []).append(reference)
    missing = [ack for ack in acknowledged if stored.get(ack[0]) != [ack[1]]]
    assert missing == [], f"{len(missing)} of {len(acknowledged)} acknowledged were lost"
    duplicates = {title: refs for title, refs in stored.items() if len(refs) > 1}
    assert duplicates == {}
    print(f"kill -9 ({kind}): {len(acknowledged)} acknowledged, {len(rows)} stored, "
          f"0 lost, 0 duplicated")
