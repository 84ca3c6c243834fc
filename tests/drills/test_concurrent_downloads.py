"""Downloads never refuse each other (issue #15, item 4).

An export read its row count, then wrote its audit row in the same transaction; on SQLite a
transaction that has read cannot start writing once another connection has written since,
so a submission or another download landing in between turned the download into a 503.
These tests run the app on a file database of each kind (not the per-test savepoint of the
other tests: each request needs its own connection, as in production)."""
from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import func, select

from app import create_app
from app.db import db
from app.models import AuditEvent, Round, Submission
from app.services.reporting import reports
from app.services.review import moderation, tagging
from config import TestingConfig
from tests import factories
from tests.helpers import api_token, bearer, make_user

EXPORTS = ("/api/v1/exports/submissions.csv", "/api/v1/exports/submissions.jsonl",
           "/api/v1/exports/submissions.xlsx?lang=ar",
           "/api/v1/exports/summary.docx?code=P2&lang=ar")


@pytest.fixture(params=["sqlite", "postgresql"])
def live(request, empty_database, server_url, tmp_path):
    """An app on a migrated file database with eight approved views; yields (app, round id,
    a reference token)."""
    if request.param == "postgresql" and not server_url:
        pytest.skip("TEST_DATABASE_URL is not set")

    class Config(TestingConfig):
        DATABASE_URL = empty_database(request.param)

    application = create_app(Config)
    application.instance_path = str(tmp_path)
    assert application.test_cli_runner().invoke(args=["setup"]).exit_code == 0
    with application.app_context():
        session = db.session
        round_ = session.scalars(select(Round)).first()
        moderator = make_user(session, "moderator", "concurrency-mod@example.org")
        for number in range(8):
            submission, _ = factories.make_submission(session, round_, title=f"View {number}")
            moderation.decide(session, session.get(Submission, submission.id), by=moderator,
                              action="approve", version=submission.version,
                              tags=tagging.TagInput(principles=["P2"]))
            session.commit()
        token = api_token(session, "reference")
        round_id = round_.id
    db.session.remove()
    yield application, round_id, token
    db.session.remove()
    db.engine.dispose()


def _submit(application, round_id: int, title: str) -> int:
    payload = factories.submission_data(Round(id=round_id), title=title)
    response = application.test_client().post(
        "/api/v1/submissions", json=payload, headers={"Idempotency-Key": str(uuid.uuid4())})
    return response.status_code


def test_a_submission_between_the_read_and_the_audit_row_refuses_nothing(live, monkeypatch):
    """The exact interleaving of the 503s: the export has read its count, a submission
    commits on another connection, then the export records itself."""
    application, round_id, token = live
    counted = reports.total
    statuses: list[int] = []

    def total_then_someone_writes(session, f):
        rows = counted(session, f)
        writer = threading.Thread(target=lambda: statuses.append(
            _submit(application, round_id, "landed between")))
        writer.start()
        writer.join()
        return rows

    monkeypatch.setattr(reports, "total", total_then_someone_writes)
    client = application.test_client()
    for url in EXPORTS[:3]:
        response = client.get(url, headers=bearer(token))
        assert response.status_code == 200, (url, response.status_code)
        response.get_data()
    assert statuses == [201, 201, 201]
    with application.app_context():
        events = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                   .where(AuditEvent.action == "export.submissions"))
    assert events == 3


def test_four_downloads_and_a_stream_of_submissions_all_succeed(live):
    application, round_id, token = live
    results: list[tuple[str, int]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def download(url: str) -> None:
        client = application.test_client()
        for _ in range(3):
            response = client.get(url, headers=bearer(token))
            body = response.get_data()
            with lock:
                results.append((url, response.status_code if body else 0))

    def submit(number: int) -> None:
        sent = 0
        while not stop.is_set() and sent < 40:
            status = _submit(application, round_id, f"stream {number}-{sent}")
            with lock:
                results.append(("submit", status))
            sent += 1

    writers = [threading.Thread(target=submit, args=(n,)) for n in range(2)]
    readers = [threading.Thread(target=download, args=(url,)) for url in EXPORTS]
    for thread in (*writers, *readers):
        thread.start()
    for thread in readers:
        thread.join(timeout=120)
    stop.set()
    for thread in writers:
        thread.join(timeout=60)
    downloads = [status for url, status in results if url != "submit"]
    submissions = [status for url, status in results if url == "submit"]
    assert downloads == [200] * 12, results
    assert submissions and set(submissions) == {201}, results
    with application.app_context():
        events = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                   .where(AuditEvent.action.like("export.%")))
    assert events == 12
