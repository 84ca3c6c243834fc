"""Retention: `flask privacy purge`, and admin erasure."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.db import utcnow
from app.models import AuditEvent, PersonalData, Submission
from app.services.contributions import privacy
from tests import factories
from tests.helpers import csrf_token, login


def test_purge_drops_old_emails_of_closed_rounds_only(runner, session, taxonomy):
    closed = factories.make_round(session, opens_at=utcnow() - dt.timedelta(days=800),
                                  closes_at=utcnow() - dt.timedelta(days=400))
    open_now = factories.make_round(session)
    old, _ = factories.make_submission(session, open_now, email="keep@example.org")
    purged, _ = factories.make_submission(session, open_now, email="old@example.org",
                                          age_range="18_24")
    # Move one submission into the closed round, long ago.
    stored = session.get(Submission, purged.id)
    stored.round_id = closed.id
    stored.created_at = utcnow() - dt.timedelta(days=500)
    session.commit()

    result = runner.invoke(args=["privacy", "purge", "--older-than", "365d"])
    assert result.exit_code == 0, result.output
    assert "Removed 1 email address(es)." in result.output
    session.expire_all()
    assert session.get(PersonalData, purged.id).email is None
    assert session.get(PersonalData, purged.id).age_range.value == "18_24"
    assert session.get(PersonalData, old.id).email == "keep@example.org"
    assert session.scalar(select(AuditEvent).where(
        AuditEvent.action == "privacy.purge_emails")).details["count"] == 1
    assert runner.invoke(args=["privacy", "purge", "--older-than", "soon"]).exit_code != 0


def test_parse_age():
    assert privacy.parse_age("365d") == dt.timedelta(days=365)
    assert privacy.parse_age("2w") == dt.timedelta(days=14)
    assert privacy.parse_age("30") == dt.timedelta(days=30)


def test_admin_erasure_removes_text_everywhere(client, session, open_round):
    submission, token = factories.make_submission(session, open_round,
                                                  title="Please erase me",
                                                  email="erase@example.org")
    login(client, session, "admin")
    html = client.get(f"/en/moderate/submissions/{submission.id}").get_data(as_text=True)
    refused = client.post(f"/en/moderate/submissions/{submission.id}/erase",
                          data={"csrf_token": csrf_token(html)})
    assert refused.status_code == 303
    assert session.get(Submission, submission.id).erased_at is None
    client.post(f"/en/moderate/submissions/{submission.id}/erase",
                data={"csrf_token": csrf_token(html), "confirm": "yes"})
    session.expire_all()
    stored = session.get(Submission, submission.id)
    assert stored.erased_at is not None and stored.title == "" and stored.personal is None
    assert "Please erase me" not in client.get(
        f"/en/moderate/submissions/{submission.id}").get_data(as_text=True)
    assert "Please erase me" not in client.get(f"/en/manage/{token}").get_data(as_text=True)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "submission.erase"))
    assert event.target_id == submission.id


def test_moderators_cannot_erase(client, session, open_round):
    submission, _ = factories.make_submission(session, open_round)
    login(client, session, "moderator")
    html = client.get(f"/en/moderate/submissions/{submission.id}").get_data(as_text=True)
    response = client.post(f"/en/moderate/submissions/{submission.id}/erase",
                           data={"csrf_token": csrf_token(html), "confirm": "yes"})
    assert response.status_code == 403


def test_purge_drops_withheld_attachments_of_old_closed_rounds_and_orphan_files(
        app, runner, session, taxonomy):
    import os
    import time

    from app import storage
    from app.models import Attachment
    from app.services.contributions.attachments import Upload

    closed = factories.make_round(session, opens_at=utcnow() - dt.timedelta(days=800),
                                  closes_at=utcnow() - dt.timedelta(days=400))
    open_now = factories.make_round(session)
    with app.app_context():
        old, _ = factories.make_submission(session, open_now, files=[
            Upload("withheld.txt", b"my phone number is in this old paper"),
            Upload("public.txt", b"a paper the moderators published")])
        recent, _ = factories.make_submission(session, open_now, files=[
            Upload("recent.txt", b"a recent paper")])
        store = storage.store()
        orphan = store.put(b"left by a crash between storing and committing")
        os.utime(store.path(orphan), (time.time() - 7200, time.time() - 7200))
        young_orphan = store.put(b"a request still in flight")
    stored = session.get(Submission, old.id)
    stored.round_id = closed.id
    stored.created_at = utcnow() - dt.timedelta(days=500)
    next(a for a in stored.attachments if a.filename == "public.txt").public = True
    session.commit()

    result = runner.invoke(args=["privacy", "purge", "--older-than", "365d"])
    assert result.exit_code == 0, result.output
    assert "Removed 1 withheld attached file(s) and 1 stored file(s) no view names." \
        in result.output
    session.expire_all()
    assert sorted(session.scalars(select(Attachment.filename))) == ["public.txt", "recent.txt"]
    with app.app_context():
        names = set(storage.store().names())
    assert names == set(session.scalars(select(Attachment.sha256))) | {young_orphan}
    assert session.scalar(select(AuditEvent).where(
        AuditEvent.action == "privacy.purge_attachments")).details["count"] == 1
    assert recent.id
