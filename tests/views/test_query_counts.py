"""No query per row: each page or download costs the same number of queries for 3 rows as
for 30 (an N+1 would grow with the rows and sink the pages at a million submissions)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from app.db import db
from app.models import (
    ItemKind,
    Submission,
    SubmissionSuggestion,
    TagSource,
    TaxonomyItem,
    User,
)
from app.services.review import moderation, tagging
from tests import factories
from tests.helpers import api_token, bearer, login, make_user


@contextmanager
def counted() -> Iterator[list[str]]:
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)
    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def add_rows(session, round_, moderator, count: int) -> None:
    for n in range(count):
        submission, _ = factories.make_submission(
            session, round_, title=f"View {n}", email=f"p{n}@example.org",
            principles=["P1", "P2"], age_range="25_34")
        if n % 2:
            submission = session.get(Submission, submission.id)
            moderation.decide(session, submission, by=moderator, action="approve",
                              version=submission.version,
                              tags=tagging.TagInput(principles=["P2"], commitments=["C1"],
                                                       keywords=[f"kw{n % 3}"]))
            session.commit()


STAFF_PAGES = [
    "/en/moderate",
    "/en/moderate?status=approved",
    "/en/moderate?status=all&language=en&q=view",
]
REFERENCE_DOWNLOADS = [
    "/api/v1/exports/submissions.csv",
    "/api/v1/exports/submissions.jsonl",
    "/api/v1/exports/submissions.xlsx",
    "/api/v1/submissions?status=approved",
]


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_pages_do_not_query_per_row(client, session, open_round, taxonomy, url):
    moderator = make_user(session, "moderator", "rows-mod@example.org")
    login(client, session, "moderator")
    add_rows(session, open_round, moderator, 4)
    client.get(url)  # the worker's copies of the rounds and the taxonomy are built once
    with counted() as few:
        assert client.get(url).status_code == 200
    add_rows(session, open_round, moderator, 30)
    with counted() as many:
        html = client.get(url).get_data(as_text=True)
    assert ("View 29" if "status=approved" in url else "View 28") in html  # the new rows show
    assert len(many) == len(few), "\n".join(many)


@pytest.mark.parametrize("url", REFERENCE_DOWNLOADS)
def test_downloads_do_not_query_per_row(client, session, open_round, taxonomy, url):
    moderator = make_user(session, "moderator", "rows-mod@example.org")
    token = api_token(session, "moderator", "rows-token@example.org")
    add_rows(session, open_round, moderator, 4)
    client.get(url, headers=bearer(token)).get_data()  # copies of the reference data built
    with counted() as few:
        response = client.get(url, headers=bearer(token))
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        response.get_data()
    add_rows(session, open_round, moderator, 30)
    with counted() as many:
        response = client.get(url, headers=bearer(token))
        body = response.get_data()
    assert len(body) > 0
    assert len(many) == len(few), "\n".join(many)


@pytest.mark.parametrize("path", ["", "?principle=P2", "/feed.atom",
                                  "/open-data/views.csv", "/open-data/views.jsonl"])
def test_public_round_pages_do_not_query_per_row(client, session, open_round, taxonomy, path):
    moderator = make_user(session, "moderator", "rows-mod@example.org")
    url, moderator_id = f"/en/rounds/{open_round.id}{path}", moderator.id
    add_rows(session, open_round, moderator, 4)
    # Each counted request starts as in production, from nothing the test's session holds
    # (here the requests share it: what the test loaded, a request would not load again).
    session.expire_all()
    with counted() as few:
        assert client.get(url).status_code == 200
    add_rows(session, open_round, session.get(User, moderator_id), 30)
    session.expire_all()
    with counted() as many:
        body = client.get(url).get_data(as_text=True)
    assert "View 29" in body  # the new published views are there
    assert len(many) == len(few), "\n".join(many)


def test_a_new_view_reads_its_round_and_taxonomy_from_the_workers_copies(
        client, session, open_round, taxonomy):
    """A post validates its round, questions and codes against the copies kept per worker
    (app.reference), and stores its top suggestions without asking for the items again
    or deleting suggestions a brand-new view cannot have."""
    def post(title: str):
        return client.post("/api/v1/submissions", content_type="application/json", json={
            "round_id": open_round.id, "language": "en", "title": title,
            "body": "Drones could deliver medicine to refugee camps in the rainy season.",
            "actor_type": "civil_society", "country": "PE", "principles": ["P2"],
            "consent_processing": True})

    assert post("Warm-up").status_code == 201  # the copies are built once
    with counted() as statements:
        response = post("Drones for the camps")
    assert response.status_code == 201, response.get_data(as_text=True)
    joined = "\n".join(statements)
    for read in ("SELECT rounds.", "SELECT questions.", "SELECT taxonomy_items.",
                 "DELETE FROM submission_suggestions"):
        assert not any(s.startswith(read) for s in statements), joined
    submission = session.scalar(select(Submission).where(
        Submission.title == "Drones for the camps"))
    assert submission.tag_codes(TagSource.CONTRIBUTOR, ItemKind.PRINCIPLE) == ["P2"]
    stored = set(session.scalars(
        select(TaxonomyItem.code)
        .join(SubmissionSuggestion, SubmissionSuggestion.item_id == TaxonomyItem.id)
        .where(SubmissionSuggestion.submission_id == submission.id)))
    assert stored  # its top suggestions are kept for the queue, with the right items
    assert stored <= {item.code for item in session.scalars(
        select(TaxonomyItem).where(TaxonomyItem.strategy_version_id
                                   == open_round.strategy_version_id))}
