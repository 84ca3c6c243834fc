"""The per-process cache of the open rounds and the taxonomy (app.reference)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app import cache
from app.models import Submission, SubmissionTag
from tests.factories import submission_data
from tests.helpers import form_post, login, web_form
from tests.views.test_admin import edit_form


@pytest.fixture()
def cached(app):
    app.config["REFERENCE_CACHE_SECONDS"] = 60
    cache.forget_local()
    yield app
    cache.forget_local()


def test_cached_round_and_taxonomy_serve_form_and_api(cached, client, session, open_round,
                                                     taxonomy):
    for title in ("First", "Second"):  # the second request uses the cached, detached objects
        response = form_post(client, "/en/submit", web_form(open_round, title=title))
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]
        response = client.post("/api/v1/submissions",
                               json=submission_data(open_round, title=title + " API",
                                                    principles=["P1"]))
        assert response.status_code == 201, response.get_json()
    assert session.scalar(select(func.count()).select_from(Submission)) == 4
    # Two codes each.
    assert session.scalar(select(func.count()).select_from(SubmissionTag)) == 4 * 2
    assert "How should the UN use new technologies?" in client.get("/en/").get_data(
        as_text=True)


def test_an_admin_change_shows_at_once_in_the_same_process(cached, client, session,
                                                           open_round, taxonomy):
    assert "Question 1?" in client.get("/en/submit").get_data(as_text=True)
    login(client, session, "admin")
    page = f"/en/admin/rounds/{open_round.id}"
    form = edit_form(open_round, **{"questions-0-en": "A reworded first question?"})
    assert form_post(client, page, form, page=page).status_code == 303
    html = client.get("/en/submit").get_data(as_text=True)
    assert "A reworded first question?" in html and "Question 1?" not in html


def test_cached_queue_filters_follow_the_query_string(cached, client, session, open_round,
                                                      taxonomy):
    """The queue's filter form is rendered once per query string and language: each
    filter shows its own selection, and the second moderator's page its own CSRF token."""
    login(client, session, "moderator")

    def selected(html: str, name: str) -> str:
        import re
        select_html = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)
        found = re.search(r'<option value="([^"]*)" selected', select_html)
        return found.group(1) if found else ""

    for _ in range(2):  # the second round of requests is served from the cache
        for language in ("fr", "es", ""):
            html = client.get(f"/en/moderate?language={language}&status=all").get_data(
                as_text=True)
            assert selected(html, "language") == language
            assert selected(html, "status") == "all"
    assert "Langue" in client.get("/fr/moderate?language=fr").get_data(as_text=True)


def test_local_cache_stays_bounded(cached, monkeypatch):
    monkeypatch.setattr(cache, "LOCAL_MAX_ENTRIES", 5)
    with cached.app_context():
        for n in range(12):
            assert cache.local("bounded", [n], lambda n=n: n * 2) == n * 2
            assert len(cache._local) <= 5
        assert cache.local("bounded", [11], lambda: "recomputed") == 22  # still held
