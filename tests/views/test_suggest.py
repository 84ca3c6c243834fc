"""Suggested tags on the review page, in the admin panel and in the API."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.models import AuditEvent, LexiconEntry, Submission, TagSource, TaxonomyItem
from tests import factories
from tests.helpers import api_token, bearer, csrf_token, form_post, login

BODY = "Drones carry medicine to the refugee camps; artificial intelligence plans the routes."


@pytest.fixture()
def pending(session, open_round):
    submission, _ = factories.make_submission(session, open_round, title="Camps", body=BODY,
                                              principles=[], technologies=[])
    return submission


def _panel(html: str) -> str:
    match = re.search(r'<section aria-labelledby="suggestions-heading".*?</section>', html,
                      re.S)
    assert match, "no suggestions panel"
    return match.group()


def test_review_page_shows_suggestions_with_confidence_and_evidence(client, session,
                                                                    pending):
    login(client, session, "moderator")
    panel = _panel(client.get(f"/en/moderate/submissions/{pending.id}").get_data(as_text=True))
    assert "Suggested tags" in panel
    # A plain checkbox of the decision form: accepting works without JavaScript.
    assert re.search(r'<input type="checkbox" form="decision-form" name="suggested" '
                     r'value="T06" id="suggested-T06" data-group="technologies"', panel)
    # Best first (equal confidence: by code); the first of each group is the "top" one.
    assert re.search(r'value="T01" id="suggested-T01" data-group="technologies" data-top="1"',
                     panel)
    assert 'value="T06" id="suggested-T06" data-group="technologies" data-top' not in panel
    assert 'name="suggestion_shown" value="TH14"' in panel
    assert "T06 · Drones (unmanned aerial vehicles)" in panel
    assert "55%" in panel  # one keyword: 55 %, in the locale's format
    assert re.search(r"Because of:.*Drones", panel, re.S)
    assert 'aria-keyshortcuts="s"' in panel

    french = _panel(client.get(f"/fr/moderate/submissions/{pending.id}").get_data(as_text=True))
    assert "55\u00a0%" in french or "55\u202f%" in french


def test_accepting_a_suggestion_tags_and_is_audited(client, session, pending):
    login(client, session, "moderator")
    url = f"/en/moderate/submissions/{pending.id}"
    response = form_post(client, f"{url}/decision", {
        "version": str(pending.version), "action": "approve", "principles": ["P3"],
        "suggested": ["T06", "TH14"], "suggestion_shown": ["T06", "T01", "TH14"],
    }, page=url)
    assert response.status_code == 303, response.get_data(as_text=True)
    submission = session.get(Submission, pending.id)
    assert submission.tag_codes(TagSource.MODERATOR) == ["P3", "T06", "TH14"]
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "submission.approve",
                                                    AuditEvent.target_id == pending.id))
    assert event.details["suggestions"] == {
        "shown": {"technologies": ["T06", "T01"], "themes": ["TH14"]},
        "accepted": {"technologies": ["T06"], "themes": ["TH14"]}}


def test_a_refused_decision_keeps_the_accepted_suggestions_ticked(client, session, pending):
    login(client, session, "moderator")
    url = f"/en/moderate/submissions/{pending.id}"
    response = form_post(client, f"{url}/decision", {
        "version": str(pending.version), "action": "approve", "suggested": ["T06"],
        "suggestion_shown": ["T06"]}, page=url)
    assert response.status_code == 422  # no principle or commitment
    panel = _panel(response.get_data(as_text=True))
    assert re.search(r'value="T06" id="suggested-T06"[^>]* checked', panel)
    assert session.scalar(select(AuditEvent).where(
        AuditEvent.action == "submission.approve")) is None


def test_admin_sees_acceptance_rates(client, session, pending):
    login(client, session, "admin")
    url = f"/en/moderate/submissions/{pending.id}"
    form_post(client, f"{url}/decision", {
        "version": str(pending.version), "action": "approve", "principles": ["P3"],
        "suggested": ["T06"], "suggestion_shown": ["T06", "T01", "TH14"]}, page=url)
    html = client.get("/en/admin/suggestions").get_data(as_text=True)
    row = re.search(r'<th scope="row">Technology areas</th>(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'<td class="num">([^<]*)</td>', row) == ["2", "1", "50%", "50%"]
    assert "No classifier has been trained yet" in html
    assert client.get("/en/admin/suggestions?days=7").status_code == 200
    assert client.get("/en/admin/suggestions?days=abc").status_code == 200


def test_admin_edits_the_lexicon_on_the_item_page(client, session, taxonomy):
    login(client, session, "admin")
    item = session.scalar(select(TaxonomyItem).where(TaxonomyItem.code == "T06"))
    page = client.get(f"/en/admin/taxonomy/{item.id}").get_data(as_text=True)
    assert re.search(r'<textarea[^>]*name="lexicon_ar"[^>]*>\s*الطائرات المسيرة', page)
    data = {f"label_{lang}": label for lang, label in item.labels.items()}
    data.update({f"description_{lang}": "" for lang in item.labels})
    data.update({f"official_{lang}": "y" for lang, flag in item.official.items() if flag})
    data.update({"lexicon_en": "drone*\nquadcopter", "lexicon_fr": "x" * 81})
    response = form_post(client, f"/en/admin/taxonomy/{item.id}", data)
    assert response.status_code == 422
    assert "Keep each term under 80 characters." in response.get_data(as_text=True)

    data["lexicon_fr"] = "drone*"
    response = form_post(client, f"/en/admin/taxonomy/{item.id}", data)
    assert response.status_code == 303
    terms = session.get(LexiconEntry, item.id).terms
    assert terms["en"] == ["drone*", "quadcopter"] and terms["fr"] == ["drone*"]
    assert terms["ar"][0] == "الطائرات المسيرة"  # not sent: kept


# The API.

def test_api_answers_the_documented_shape(client, session, pending):
    headers = bearer(api_token(session, "moderator"))
    response = client.get(f"/api/v1/submissions/{pending.id}/suggestions", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"principles", "commitments", "technologies", "themes"}
    assert [s["code"] for s in body["technologies"]] == ["T01", "T06"]
    for group in body.values():
        assert [s["confidence"] for s in group] == sorted(
            (s["confidence"] for s in group), reverse=True)
        for suggestion in group:
            assert set(suggestion) == {"code", "confidence", "evidence", "low_confidence"}
            assert 0 <= suggestion["confidence"] <= 1
    assert {"code": "TH14", "confidence": 0.55, "evidence": ["refugee"],
            "low_confidence": False} in body["themes"]
    # A decision needs a principle and a commitment: both groups are ranked in full.
    assert len(body["principles"]) == 5 and len(body["commitments"]) == 4
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/submissions/{id}/suggestions" in spec["paths"]
    assert set(spec["components"]["schemas"]["Suggestions"]["required"]) == set(body)


@pytest.mark.parametrize(("role", "status"), [
    ("none", 401), ("reference", 403), ("moderator", 200), ("admin", 200)])
def test_api_access(client, session, pending, role, status):
    headers = {} if role == "none" else bearer(api_token(session, role))
    url = f"/api/v1/submissions/{pending.id}/suggestions"
    assert client.get(url, headers=headers).status_code == status
    missing = client.get("/api/v1/submissions/999999/suggestions", headers=headers)
    assert missing.status_code == {200: 404}.get(status, status)
    if status == 200:
        assert "errors" in missing.get_json()


def test_the_page_works_with_no_suggestion(client, session, open_round):
    submission, _ = factories.make_submission(session, open_round, title="Hello",
                                              body="Nothing to see.", principles=[],
                                              technologies=[])
    login(client, session, "moderator")
    html = client.get(f"/en/moderate/submissions/{submission.id}").get_data(as_text=True)
    panel = _panel(html)
    # No keyword fires: principles and commitments are still ranked, marked low
    # confidence, and S ticks none of them.
    assert panel.count('<span class="badge">low confidence</span>') == 9
    assert "data-top" not in panel
    assert "No suggestion for this text." not in panel
    assert csrf_token(html)
