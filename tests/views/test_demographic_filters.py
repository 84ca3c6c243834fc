"""Demographics row by row (issue #14, item 3): for the reference group, filters on gender,
age range and youth apply to counts only, with each count under MIN_CELL_COUNT shown as
"< 5"; a row-level output so filtered answers 403. Moderators and admins keep them."""
from __future__ import annotations

import pytest

from app.models import Submission
from app.services.review import moderation, tagging
from tests import factories
from tests.helpers import api_token, bearer, login, make_user

HIGHLIGHT = "Les femmes doivent être entendues"


@pytest.fixture()
def people(session, open_round):
    """Six views by women tagged P2 (one of them P1 as well, one highlighted), two by men
    tagged P2; ages: the women 25_34, except one 18_24."""
    moderator = make_user(session, "moderator", "demo-mod@example.org")
    specs = [("female", "25_34", ["P2"])] * 4 + [("female", "18_24", ["P2", "P1"]),
                                                 ("female", "25_34", ["P2"]),
                                                 ("male", "25_34", ["P2"]),
                                                 ("male", "35_49", ["P2"])]
    for number, (gender, age, principles) in enumerate(specs):
        submission, _ = factories.make_submission(
            session, open_round, title=f"View {number}", gender=gender, age_range=age,
            language="fr", body=f"{HIGHLIGHT}, numéro {number}.")
        submission = session.get(Submission, submission.id)
        moderation.decide(session, submission, by=moderator, action="approve",
                          version=submission.version,
                          tags=tagging.TagInput(principles=principles),
                          highlight=HIGHLIGHT if number == 0 else None)
        session.commit()


ROW_URLS = ("/api/v1/exports/submissions.csv", "/api/v1/exports/submissions.jsonl",
            "/api/v1/exports/submissions.xlsx", "/api/v1/exports/summary.docx?code=P2")


@pytest.mark.parametrize("query", ["gender=female", "age_range=18_24", "youth=yes"])
def test_reference_exports_refuse_demographic_filters(client, session, people, query):
    headers = bearer(api_token(session, "reference"))
    name = query.split("=")[0]
    for url in ROW_URLS:
        joined = f"{url}{'&' if '?' in url else '?'}{query}"
        response = client.get(joined, headers=headers)
        assert response.status_code == 403, joined
        message = response.get_json()["errors"][name][0]
        assert "counts only" in message
    french = client.get(f"/api/v1/exports/submissions.csv?{query}",
                        headers={**headers, "Accept-Language": "fr"})
    assert french.status_code == 403
    assert "décomptes" in french.get_json()["errors"][name][0]
    # Without the filter, the same export works.
    assert client.get(ROW_URLS[0], headers=headers).status_code == 200


def test_reference_export_pages_refuse_demographic_filters_in_the_reader_language(
        client, session, people):
    login(client, session, "reference")
    for url in ("/ar/reports/export/submissions.csv?gender=female",
                "/ar/reports/export/submissions.xlsx?age_range=25_34",
                "/ar/reports/summary/P2.docx?youth=no"):
        response = client.get(url)
        assert response.status_code == 403, url
        html = response.get_data(as_text=True)
        assert "لا تنطبق عوامل التصفية حسب نوع الجنس والعمر إلا على الأعداد" in html
        assert "تنزيل دون عاملي التصفية حسب نوع الجنس والعمر" in html
    retry = client.get("/ar/reports/export/submissions.csv?gender=female&language=fr")
    assert 'href="/ar/reports/export/submissions.csv?language=fr"' in retry.get_data(
        as_text=True)


def test_moderators_keep_the_row_filters(client, session, people):
    headers = bearer(api_token(session, "moderator"))
    response = client.get("/api/v1/exports/submissions.csv?gender=male", headers=headers)
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("\r\n") == 1 + 2
    stats = client.get("/api/v1/stats?group_by=principle&gender=female",
                       headers=headers).get_json()
    assert stats["counts"] == {"P2": 6, "P1": 1} and stats["total"] == 6
    assert "min_cell_count" not in stats


def test_reference_stats_suppress_small_cells(client, session, people):
    headers = bearer(api_token(session, "reference"))
    body = client.get("/api/v1/stats?group_by=principle&gender=female",
                      headers=headers).get_json()
    assert body["counts"] == {"P2": 6, "P1": "< 5"}
    assert body["total"] == 6 and body["min_cell_count"] == 5
    men = client.get("/api/v1/stats?group_by=principle&gender=male", headers=headers).get_json()
    assert men["counts"] == {"P2": "< 5"} and men["total"] == "< 5"
    young = client.get("/api/v1/stats?group_by=principle&age_range=18_24",
                       headers=headers).get_json()
    assert young["counts"] == {"P2": "< 5", "P1": "< 5"}
    # Without a demographic filter, nothing is suppressed: no person is singled out by it.
    plain = client.get("/api/v1/stats?group_by=principle", headers=headers).get_json()
    assert plain["counts"] == {"P2": 8, "P1": 1} and "min_cell_count" not in plain
    bad = client.get("/api/v1/stats?age_range=old", headers=headers)
    assert bad.status_code == 400 and "age_range" in bad.get_json()["errors"]


def test_the_threshold_is_the_min_cell_count_setting(app, client, session, people):
    app.config["MIN_CELL_COUNT"] = 2
    headers = bearer(api_token(session, "reference"))
    body = client.get("/api/v1/stats?group_by=principle&gender=male",
                      headers=headers).get_json()
    assert body["counts"] == {"P2": 2} and body["min_cell_count"] == 2
    body = client.get("/api/v1/stats?group_by=principle&age_range=18_24",
                      headers=headers).get_json()
    assert body["counts"] == {"P2": "< 2", "P1": "< 2"}


def test_reference_dashboard_and_summary_show_small_cells_as_fewer_than(client, session,
                                                                         people):
    login(client, session, "reference")
    html = client.get("/en/reports/?gender=female").get_data(as_text=True)
    assert 'id="small-cells"' in html
    assert "<strong>6</strong>" in html  # six women: shown
    assert "&lt; 5" in html  # P1: one woman
    assert 'role="img"' not in html  # no chart: its bars would give the small counts back
    assert "export/submissions.csv" not in html  # no row-level download offered
    summary = client.get("/en/reports/summary/P1?gender=female").get_data(as_text=True)
    assert "&lt; 5" in summary and HIGHLIGHT not in summary
    summary = client.get("/en/reports/summary/P2?gender=female").get_data(as_text=True)
    assert HIGHLIGHT not in summary  # quotes are rows: none with a demographic filter
    plain = client.get("/en/reports/summary/P2").get_data(as_text=True)
    assert HIGHLIGHT in plain and "&lt; 5" not in plain


def test_moderator_dashboard_keeps_exact_counts(client, session, people):
    login(client, session, "moderator")
    html = client.get("/en/reports/?gender=female").get_data(as_text=True)
    assert 'id="small-cells"' not in html and "&lt; 5" not in html
    assert 'role="img"' in html
    assert "export/submissions.csv?gender=female" in html


def test_the_reference_item_list_refuses_demographic_filters(client, session, people):
    headers = bearer(api_token(session, "reference"))
    for name, value in (("gender", "female"), ("age_range", "25_34"), ("youth", "yes")):
        response = client.get(f"/api/v1/submissions?{name}={value}", headers=headers)
        assert response.status_code == 403, name
        assert "counts only" in response.get_json()["errors"][name][0]
    assert client.get("/api/v1/submissions", headers=headers).status_code == 200
