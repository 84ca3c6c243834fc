"""REPORTS_DATABASE_URL: reports and exports read the replica, writes go to the primary."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app import create_app
from app.db import db
from app.models import AuditEvent
from config import TestingConfig
from tests import factories
from tests.helpers import api_token, bearer


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_reports_read_the_replica(kind, empty_database, server_url, tmp_path):
    if kind == "postgresql" and not server_url:
        pytest.skip("TEST_DATABASE_URL is not set")
    primary, replica = empty_database(kind), empty_database(kind)
    # The "replica" is a separate database with the schema and the taxonomy but none of
    # the primary's submissions: what a report shows tells which database it read.
    for url in (replica, primary):
        class Setup(TestingConfig):
            DATABASE_URL = url
        setup_app = create_app(Setup)
        assert setup_app.test_cli_runner().invoke(args=["setup"]).exit_code == 0
        db.session.remove()
        db.engine.dispose()

    class Config(TestingConfig):
        DATABASE_URL = primary
        REPORTS_DATABASE_URL = replica

    application = create_app(Config)
    try:
        with application.app_context():
            round_ = factories.make_round(db.session)
            from app.services.review import moderation, tagging
            from tests.helpers import make_user
            moderator = make_user(db.session, "moderator", "replica-mod@example.org")
            submission, _ = factories.make_submission(db.session, round_)
            moderation.decide(db.session, submission, by=moderator, action="approve",
                              version=submission.version,
                              tags=tagging.TagInput(principles=["P2"]))
            db.session.commit()
            token = api_token(db.session, "reference", "replica-ref@example.org")
            db.session.remove()
        client = application.test_client()
        stats = client.get("/api/v1/stats", headers=bearer(token)).get_json()
        assert stats["total"] == 0  # the replica has not received it (no replication here)
        csv = client.get("/api/v1/exports/submissions.csv", headers=bearer(token))
        assert csv.status_code == 200
        with application.app_context():
            # `flask setup` audit-logs loading the sample strategy on both databases; the
            # export's own event must be written to the primary, never to the replica.
            assert db.reports_session.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.action == "export.submissions")) == 0
            exported = db.session.scalar(select(AuditEvent).where(
                AuditEvent.action == "export.submissions"))
            assert exported is not None and exported.details["rows"] == 0
            db.session.remove()
        assert client.get("/healthz").status_code == 200
    finally:
        db.session.remove()
        db.engine.dispose()
        db.reports_engine.dispose()
