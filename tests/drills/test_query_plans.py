"""The queries that must stay fast at a million rows use an index (EXPLAIN on SQLite)."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.dialects import sqlite

from app.db import db
from app.models import Status, Submission
from app.services.reporting.reports import ReportFilter, conditions
from app.services.review import moderation


def plan(session, statement) -> str:
    compiled = statement.compile(dialect=sqlite.dialect(),
                                 compile_kwargs={"literal_binds": True})
    rows = session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
    return " | ".join(row[-1] for row in rows)


@pytest.fixture()
def sqlite_session(session, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's; PostgreSQL plans depend on statistics")
    return session


def test_export_batches_walk_an_index(sqlite_session):
    from sqlalchemy import select
    query = (select(Submission.id).where(*conditions(ReportFilter()), Submission.id > 10)
             .order_by(Submission.id).limit(1000))
    found = plan(sqlite_session, query)
    assert "ix_submissions_status_id" in found and "TEMP B-TREE" not in found, found


def test_default_queue_page_walks_an_index(sqlite_session):
    from sqlalchemy import select
    f = moderation.QueueFilter(status=Status.PENDING)
    query = (select(Submission.id).where(*moderation._conditions(sqlite_session, f))
             .order_by(Submission.created_at, Submission.id).limit(51))
    found = plan(sqlite_session, query)
    assert "ix_submissions_status_created_at_id" in found and "TEMP B-TREE" not in found, found


def test_queue_of_every_status_walks_an_index(sqlite_session):
    from sqlalchemy import select
    f = moderation.QueueFilter(status=None)
    query = (select(Submission.id).where(*moderation._conditions(sqlite_session, f))
             .order_by(Submission.created_at, Submission.id).limit(51))
    found = plan(sqlite_session, query)
    assert "ix_submissions_created_at_id" in found and "TEMP B-TREE" not in found, found
    assert db.engine is not None


def test_report_counts_read_the_covering_index(sqlite_session):
    """The dashboard's counts scan a covering index (ix_submissions_report, or the queue's
    for the columns it carries too), never the wide rows."""
    from sqlalchemy import func, select
    for column in (Submission.language, Submission.actor_type, Submission.country,
                   Submission.channel):
        query = (select(column, func.count()).where(*conditions(ReportFilter()))
                 .group_by(column))
        found = plan(sqlite_session, query)
        assert "USING COVERING INDEX ix_submissions_" in found, found


def test_a_themed_count_reads_the_code_s_tags_once(sqlite_session):
    """Counting the views of one code materializes that code's tags (item_id index) rather
    than probing the tags once per approved row; a page keeps the row-by-row check."""
    from sqlalchemy import func, select
    f = ReportFilter(code="P2")
    counting = plan(sqlite_session, select(func.count()).select_from(Submission)
                    .where(*conditions(f, counting=True)))
    assert "LIST SUBQUERY" in counting and "CORRELATED" not in counting, counting
    batch = plan(sqlite_session, select(Submission.id).where(*conditions(f), Submission.id > 0)
                 .order_by(Submission.id).limit(1000))
    assert "CORRELATED" in batch and "TEMP B-TREE" not in batch, batch
