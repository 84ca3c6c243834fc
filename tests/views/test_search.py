"""Search and detected language through the pages and the API (issue #8)."""
from __future__ import annotations

import pytest

from app.services.review import moderation, tagging
from tests import factories
from tests.helpers import api_token, bearer, login, make_user

SPANISH = "La ONU debería ayudar a los gobiernos a regular la inteligencia artificial."
ARABIC = "ينبغي للأمم المتحدة أن تساعد الحكومات على تنظيم الذَّكاء الاصطناعي."


@pytest.fixture()
def corpus(session, open_round, taxonomy):
    """A pending English text written in Spanish, an approved Arabic one, an approved
    English one."""
    moderator = make_user(session, "moderator", "coder@example.org")
    spanish, _ = factories.make_submission(session, open_round, language="en",
                                           title="Reglas", body=SPANISH)
    arabic, _ = factories.make_submission(session, open_round, language="ar",
                                          title="تنظيم", body=ARABIC)
    english, _ = factories.make_submission(session, open_round, language="en",
                                           title="Connectivity",
                                           body="Affordable internet is the first step.")
    for submission in (arabic, english):
        moderation.decide(session, submission, by=moderator, action="approve",
                          version=submission.version,
                          tags=tagging.TagInput(principles=["P2"]))
    session.commit()
    return {"es": spanish, "ar": arabic, "en": english}


def test_queue_search_shows_highlighted_snippets(client, session, corpus):
    login(client, session, "moderator")
    html = client.get("/en/moderate?status=all&q=الذكاء").get_data(as_text=True)
    assert corpus["ar"].reference in html and corpus["en"].reference not in html
    assert '<p class="snippet" dir="auto" lang="ar">' in html
    assert "<mark>الذَّكاء</mark>" in html
    # Without a search, rows show how their texts begin (issue #16), with nothing marked.
    plain = client.get("/en/moderate?status=all").get_data(as_text=True)
    assert 'class="snippet"' in plain and "<mark>" not in plain


@pytest.mark.parametrize("q", ['"', "NEAR(", "a*", "-(", "x" * 5000, "%", "'"])
def test_queue_survives_hostile_queries(client, session, corpus, q):
    login(client, session, "moderator")
    assert client.get("/en/moderate", query_string={"q": q, "status": "all"}).status_code == 200


def test_queue_filter_and_review_note_for_detected_language(client, session, corpus):
    login(client, session, "moderator")
    html = client.get("/en/moderate?status=all&detected=differs").get_data(as_text=True)
    assert corpus["es"].reference in html
    assert corpus["ar"].reference not in html and corpus["en"].reference not in html
    assert 'name="detected"' in html and "Differs from the declared language" in html
    review = client.get(f"/en/moderate/submissions/{corpus['es'].id}").get_data(as_text=True)
    assert "the text reads as" in review
    same = client.get(f"/en/moderate/submissions/{corpus['en'].id}").get_data(as_text=True)
    assert "the text reads as" not in same


def test_reports_search_filters_the_dashboard(client, session, corpus):
    login(client, session, "reference")
    html = client.get("/en/reports/?q=internet").get_data(as_text=True)
    assert 'name="q"' in html
    assert "Approved submissions matching the filters: <strong>1</strong>" in html
    none = client.get("/en/reports/?q=reglas").get_data(as_text=True)  # pending: not reported
    assert "Approved submissions matching the filters: <strong>0</strong>" in none
    both = client.get("/en/reports/").get_data(as_text=True)
    assert "Approved submissions matching the filters: <strong>2</strong>" in both


def test_api_q_uses_full_text_search_and_items_carry_detected_language(client, session,
                                                                        corpus):
    token = api_token(session, "moderator")
    response = client.get("/api/v1/submissions?q=اَلذكاء", headers=bearer(token))
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [i["reference"] for i in items] == [corpus["ar"].reference]
    assert items[0]["detected_language"] == "ar"
    by_reference = client.get("/api/v1/submissions",
                              query_string={"q": corpus["es"].reference.replace("-", "")},
                              headers=bearer(token)).get_json()["items"]
    assert [i["detected_language"] for i in by_reference] == ["es"]
    differs = client.get("/api/v1/submissions?detected=differs",
                         headers=bearer(token)).get_json()["items"]
    assert [i["reference"] for i in differs] == [corpus["es"].reference]
    bad = client.get("/api/v1/submissions?detected=nl", headers=bearer(token))
    assert bad.status_code == 400 and "detected" in bad.get_json()["errors"]
    hostile = client.get("/api/v1/submissions", query_string={"q": 'NEAR("a" *'},
                         headers=bearer(token))
    assert hostile.status_code == 200 and hostile.get_json()["items"] == []


def test_reference_role_searches_approved_texts_only(client, session, corpus):
    token = api_token(session, "reference")
    found = client.get("/api/v1/submissions?q=reglas", headers=bearer(token)).get_json()
    assert found["items"] == []  # pending, so invisible to this role
    found = client.get("/api/v1/submissions?q=internet", headers=bearer(token)).get_json()
    assert [i["reference"] for i in found["items"]] == [corpus["en"].reference]


def test_stats_api_by_detected_language_and_q(client, session, corpus):
    token = api_token(session, "reference")
    body = client.get("/api/v1/stats?group_by=detected_language",
                      headers=bearer(token)).get_json()
    assert body["counts"] == {"ar": 1, "en": 1}
    searched = client.get("/api/v1/stats?group_by=language&q=internet",
                          headers=bearer(token)).get_json()
    assert searched["counts"] == {"en": 1} and searched["filter"]["q"] == "internet"
