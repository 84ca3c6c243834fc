"""The publication service: what is published, keyset pages, open data rows and counts."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text
from sqlalchemy.dialects import sqlite

from app.models import Submission
from app.services import ValidationFailed
from app.services.contributions import intake
from app.services.platform import taxonomy as taxonomy_service
from app.services.publishing import publication
from tests import publication_data
from tests.publication_data import REDACTED, SECRET


@pytest.fixture()
def mixed(session):
    return publication_data.build(session)


def test_only_approved_consented_unerased_views_of_the_round_are_published(session, mixed):
    found = publication.page(session, mixed.round.id)
    assert {v.reference for v in found.views} == {s.reference for s in mixed.published.values()}
    assert found.next_cursor is None
    assert publication.count_published(session, mixed.round.id) == 2
    for name, submission in mixed.hidden.items():
        if name != "elsewhere":
            assert publication.get(session, submission.reference) is None
    assert publication.get(session, "") is None and publication.get(session, "é" * 40) is None


def test_a_redacted_view_shows_its_public_text_and_no_title(session, mixed):
    view = publication.get(session, mixed.published["redacted"].reference.lower())
    assert view.text == REDACTED and view.title is None
    assert view.region == "002" and view.tags == {"principles": ["P2"], "commitments": ["C1"],
                                                 "technologies": ["T15"], "themes": ["TH01"]}
    record = view.record()
    assert set(record) == set(publication.COLUMNS)
    assert SECRET not in str(record)


def test_search_never_finds_a_view_by_redacted_out_words(session, mixed):
    items = taxonomy_service.items_by_kind(session, mixed.round.strategy_version_id)
    for q, expected in ((SECRET, set()), ("SECRET-TITLE", set()), ("teacher", {"redacted"}),
                        ("floods", {"plain"})):
        f = publication.PublicFilter.from_args({"q": q}, items)
        found = {v.reference for v in publication.page(session, mixed.round.id, f).views}
        assert found == {mixed.published[name].reference for name in expected}, q


def test_filter_arguments_are_checked_against_the_round_taxonomy(session, mixed):
    items = taxonomy_service.items_by_kind(session, mixed.round.strategy_version_id)
    f = publication.PublicFilter.from_args({"principle": " p2 ", "theme": "th01"}, items)
    assert f.to_args() == {"principle": "P2", "theme": "TH01"}
    with pytest.raises(ValidationFailed) as caught:
        publication.PublicFilter.from_args({"principle": "C1", "technology": "T999",
                                            "q": "x" * 201}, items)
    assert set(caught.value.errors) == {"principle", "technology", "q"}


def test_keyset_pages_cover_everything_once_newest_first(session, mixed):
    for i in range(7):
        submission, _token = publication_data.factories.make_submission(
            session, mixed.round, title=f"View {i}", body="Text")
        publication_data.approve(session, mixed.moderator, submission)
    seen, cursor = [], None
    while True:
        found = publication.page(session, mixed.round.id, cursor=cursor, limit=3)
        seen += found.views
        if not found.next_cursor:
            break
        cursor = found.next_cursor
    assert len(seen) == len({v.reference for v in seen}) == 9
    stamps = [(v.decided_at, v.reference) for v in seen]
    assert [s for s, _r in stamps] == sorted((s for s, _r in stamps), reverse=True)
    with pytest.raises(ValidationFailed):
        publication.page(session, mixed.round.id, cursor="bm9wZQ")


def test_open_data_rows_walk_in_batches_and_drop_erased_views(session, mixed):
    rows = list(publication.iter_published(session, mixed.round.id, batch=1))
    assert [r["reference"] for r in rows] == sorted(
        (s.reference for s in mixed.published.values()),
        key=lambda ref: next(s.id for s in mixed.published.values() if s.reference == ref))
    intake.erase(session, mixed.published["plain"])
    session.commit()
    rows = list(publication.iter_published(session, mixed.round.id))
    assert [r["reference"] for r in rows] == [mixed.published["redacted"].reference]


def test_moderation_counts(session, mixed):
    counts = publication.moderation_counts(session, mixed.round.id)
    assert counts["received"] == 6
    assert (counts["published"], counts["not_published_no_consent"]) == (2, 1)
    assert counts["approved"] == 3 and counts["pending"] == 1 and counts["withdrawn"] == 1
    assert counts["rejected_by_reason"]["spam"] == 1 and counts["rejected"] == 1
    assert sum(counts["rejected_by_reason"].values()) == 1


def test_aggregate_counts_cover_every_approved_view(session, mixed):
    data = publication.aggregate_counts(session, mixed.round.id)
    assert data["total"] == 3
    assert data["counts"]["principles"] == {"P2": 2, "P3": 1}
    assert data["counts"]["actor_types"] == {"youth": 2, "academia": 1}
    assert data["counts"]["languages"] == {"en": 3}


# Query plans: a published page must walk the index at any depth, never sort the round.

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


def test_published_pages_walk_the_index(sqlite_session):
    deep = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    from sqlalchemy import tuple_
    for with_cursor in (False, True):
        query = (select(Submission.id).where(*publication.published(1))
                 .order_by(Submission.decided_at.desc(), Submission.id.desc()).limit(21))
        if with_cursor:
            query = query.where(tuple_(Submission.decided_at, Submission.id) < tuple_(deep, 5))
        found = plan(sqlite_session, query)
        assert "ix_submissions_published" in found and "TEMP B-TREE" not in found, found


def test_open_data_batches_walk_an_index(sqlite_session):
    query = (select(Submission.id).where(*publication.published(1), Submission.id > 10)
             .order_by(Submission.id).limit(1000))
    found = plan(sqlite_session, query)
    assert "TEMP B-TREE" not in found and "INDEX" in found, found

