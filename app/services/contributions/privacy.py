"""Retention and erasure of personal data."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app import storage
from app.db import utcnow
from app.models import Attachment, PersonalData, Round, Submission, User
from app.services.accounts import audit
from app.services.assist import search
from app.services.contributions import attachments, intake


def purge_emails(session: Session, *, older_than: dt.timedelta,
                 now: dt.datetime | None = None) -> int:
    """Drop the emails of submissions older than `older_than` whose round has closed.

    Emails exist only to tell contributors about the outcome; once the round is over and
    the retention period has passed, they go. Age range and gender stay (they are
    aggregated in reports and identify no one alone)."""
    now = now or utcnow()
    closed_and_old = (select(Submission.id).join(Round, Round.id == Submission.round_id)
                      .where(Round.closes_at <= now, Submission.created_at < now - older_than))
    result = session.execute(
        update(PersonalData).where(PersonalData.submission_id.in_(closed_and_old),
                                   PersonalData.email.is_not(None))
        .values(email=None).execution_options(synchronize_session=False))
    count = result.rowcount or 0
    audit.record(session, "privacy.purge_emails", days=older_than.days, count=count)
    session.flush()
    return count


def purge_attachments(session: Session, *, older_than: dt.timedelta,
                      now: dt.datetime | None = None) -> int:
    """Drop the attached files that moderators did not mark public (they may hold personal
    data) of views older than `older_than` whose round has closed: the row, its text, and
    the file on disk once no other view names it (after the commit). Public ones stay:
    they are part of the published record."""
    now = now or utcnow()
    closed_and_old = (select(Submission.id).join(Round, Round.id == Submission.round_id)
                      .where(Round.closes_at <= now, Submission.created_at < now - older_than))
    found = session.execute(
        select(Attachment.id, Attachment.submission_id, Attachment.sha256)
        .where(Attachment.submission_id.in_(closed_and_old), Attachment.public.is_(False))
    ).all()
    if found:
        session.execute(delete(Attachment).where(Attachment.id.in_([r.id for r in found]))
                        .execution_options(synchronize_session=False))
        session.flush()
        attachments.forget_unused(session, [r.sha256 for r in found])
        for submission_id in sorted({r.submission_id for r in found}):
            submission = session.get(Submission, submission_id)
            if submission is not None:
                session.expire(submission, ["attachments"])
                if submission.erased_at is None:
                    search.index(session, submission)
    audit.record(session, "privacy.purge_attachments", days=older_than.days, count=len(found))
    session.flush()
    return len(found)


def purge_orphan_files(session: Session) -> int:
    """Remove stored files that no view names and that are older than an hour (a request
    that crashed between storing a file and its commit leaves one)."""
    store = storage.store()
    gone = attachments.orphans(session)
    for sha256 in gone:
        store.delete(sha256)
    return len(gone)


def erase_by_admin(session: Session, submission: Submission, *, by: User) -> Submission:
    """An administrator's erasure (for example at the contributor's request by email)."""
    intake.erase(session, submission)
    audit.record(session, "submission.erase", actor=by, target=submission)
    return submission


def parse_age(value: str) -> dt.timedelta:
    """'365d', '12w' or '30' (days) as a timedelta; ValueError otherwise."""
    value = value.strip().lower()
    units = {"d": 1, "w": 7}
    if value and value[-1] in units:
        return dt.timedelta(days=int(value[:-1]) * units[value[-1]])
    return dt.timedelta(days=int(value))
