"""No query per row: each page or download costs the same number of queries for 3 rows as
for 30 (an N+1 would grow with the rows and sink the pages at a million submissions)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from app.db import db
from app.models import Submission
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
    url = f"/en/rounds/{open_round.id}{path}"
    add_rows(session, open_round, moderator, 4)
    with counted() as few:
        assert client.get(url).status_code == 200
    add_rows(session, open_round, moderator, 30)
    with counted() as many:
        body = client.get(url).get_data(as_text=True)
    assert "View 29" in body  # the new published views are there
    assert len(many) == len(few), "\n".join(many)
