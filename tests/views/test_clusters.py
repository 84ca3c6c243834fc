"""Campaign pages, the cluster API, and counts of unique voices in the reports."""
from __future__ import annotations

import csv
import io
import random
import re

import pytest
from sqlalchemy import event, select

from app.db import db
from app.models import AuditEvent, Status, Submission
from app.models.cluster import Cluster
from app.services.review import moderation, tagging
from tests import factories
from tests.helpers import api_token, bearer, csrf_token, login, make_user

CAMPAIGN = ("We call on the United Nations to guarantee universal, affordable and meaningful "
            "connectivity for every young person by 2030. Include youth in every decision "
            "about digital technologies. My name is {name}.")
NAMES = ["Amina", "John Otieno", "Maria Fernanda", "Li Wei", "Olga Petrova", "Kwame Mensah"]


def _campaign(session, round_, copies, *, language="en", names=NAMES):
    return [factories.make_submission(session, round_, language=language, title="Connectivity",
                                      body=CAMPAIGN.format(name=names[i % len(names)]))[0]
            for i in range(copies)]


def _cluster_id(session, submission):
    return session.scalar(select(Submission.cluster_id).where(Submission.id == submission.id))


@pytest.fixture()
def campaign(session, open_round):
    members = _campaign(session, open_round, 4)
    loner, _ = factories.make_submission(
        session, open_round, title="Drones",
        body="Drones could deliver medicine to remote clinics in the rainy season.")
    return {"members": members, "loner": loner,
            "cluster": _cluster_id(session, members[0])}


@pytest.mark.parametrize("role, expected", [("anonymous", 302), ("reference", 403),
                                            ("moderator", 200), ("admin", 200)])
def test_campaign_pages_access(client, session, campaign, role, expected):
    if role != "anonymous":
        login(client, session, role)
    for url in ("/en/moderate/clusters", f"/en/moderate/clusters/{campaign['cluster']}",
                "/ar/moderate/clusters"):
        assert client.get(url).status_code == expected, (role, url)


def test_cluster_list_and_page_show_size_span_and_languages(client, session, open_round,
                                                             campaign):
    _campaign(session, open_round, 2, language="fr", names=["Amina", "Olga Petrova"])
    login(client, session, "moderator")
    html = client.get("/en/moderate/clusters").get_data(as_text=True)
    assert "1 campaigns, 6 submissions in them" in html
    assert "We call on the United Nations" in html
    page = client.get(f"/en/moderate/clusters/{campaign['cluster']}").get_data(as_text=True)
    assert "Campaign of 6 submissions" in page
    assert "English" in page and "French" in page
    assert page.count('name="selected"') == 6
    assert client.get("/en/moderate/clusters/999999").status_code == 404
    assert client.get("/en/moderate/clusters?cursor=nonsense").status_code == 400


def test_one_decision_for_the_cluster_except_the_unticked(client, session, campaign):
    login(client, session, "moderator")
    url = f"/en/moderate/clusters/{campaign['cluster']}"
    html = client.get(url).get_data(as_text=True)
    ticked = re.findall(r'name="selected" value="(\d+:\d+)"', html)
    exception = ticked.pop(1)
    response = client.post(url + "/decision", data={
        "csrf_token": csrf_token(html), "action": "reject", "reason": "spam",
        "selected": ticked})
    assert response.status_code == 303
    statuses = dict(session.execute(select(Submission.id, Submission.status).where(
        Submission.cluster_id == campaign["cluster"])).all())
    excepted = int(exception.split(":")[0])
    assert statuses.pop(excepted) == Status.PENDING
    assert set(statuses.values()) == {Status.REJECTED}
    assert session.scalar(select(Submission.status)
                          .where(Submission.id == campaign["loner"].id)) == Status.PENDING
    audit = session.scalar(select(AuditEvent).where(AuditEvent.action == "cluster.decide"))
    assert audit.details["exceptions"] == [excepted]
    # A stale version is skipped, not overwritten.
    html = client.get(url).get_data(as_text=True)
    assert html.count('name="selected"') == 1
    response = client.post(url + "/decision", data={
        "csrf_token": csrf_token(html), "action": "approve", "principles": ["P2"],
        "selected": [f"{excepted}:99"]}, follow_redirects=True)
    assert "changed by someone else" in response.get_data(as_text=True)


def test_cluster_decision_errors_are_shown_not_500(client, session, campaign):
    login(client, session, "moderator")
    url = f"/en/moderate/clusters/{campaign['cluster']}"
    html = client.get(url).get_data(as_text=True)
    response = client.post(url + "/decision", data={"csrf_token": csrf_token(html),
                                                    "action": "approve"})
    assert response.status_code == 422
    assert "Select at least one pending submission." in response.get_data(as_text=True)
    response = client.post(url + "/decision", data={"action": "approve", "selected": ["1:1"]})
    assert response.status_code == 400


def test_review_page_and_queue_show_the_campaign(client, session, campaign):
    login(client, session, "moderator")
    member = campaign["members"][0]
    html = client.get(f"/en/moderate/submissions/{member.id}").get_data(as_text=True)
    assert "Part of a campaign of 4 near-identical submissions" in html
    assert f"/en/moderate/clusters/{campaign['cluster']}" in html
    alone = client.get(f"/en/moderate/submissions/{campaign['loner'].id}").get_data(as_text=True)
    assert "Part of a campaign" not in alone
    queue = client.get("/en/moderate").get_data(as_text=True)
    assert queue.count("campaign of 4") == 4


def _count_queries(app, fn):
    statements = []

    def before(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):  # not the tests' SAVEPOINTs
            statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return len(statements)


def test_cluster_list_runs_a_fixed_number_of_queries(app, client, session, open_round):
    login(client, session, "moderator")
    _campaign(session, open_round, 2)
    client.get("/en/moderate/clusters")  # once-per-session lookups out of the count
    few = _count_queries(app, lambda: client.get("/en/moderate/clusters"))
    rng = random.Random(5)
    for _index in range(5):
        body = " ".join(f"{rng.choice('bdfgklmnprstvz')}{rng.choice('aeiou')}"
                        f"{rng.choice('bdfgklmnprstvz')}{rng.choice('aeiou')}" for _ in range(25))
        for _ in range(2):
            factories.make_submission(session, open_round, body=body)
    assert len(session.scalars(select(Cluster.id)).all()) == 6
    many = _count_queries(app, lambda: client.get("/en/moderate/clusters"))
    assert many == few
    token = api_token(session, "moderator", "counter@example.org")
    assert _count_queries(app, lambda: client.get("/api/v1/clusters", headers=bearer(token))) \
        <= few


@pytest.mark.parametrize("role, expected", [("none", 401), ("reference", 403),
                                            ("moderator", 200), ("admin", 200)])
def test_cluster_api_access(client, session, campaign, role, expected):
    headers = {} if role == "none" else bearer(api_token(session, role))
    response = client.get("/api/v1/clusters", headers=headers)
    assert response.status_code == expected
    assert response.is_json


def test_cluster_api_shape_pagination_and_errors(client, session, open_round, campaign):
    _campaign(session, open_round, 2, names=["Zeynep"])
    headers = bearer(api_token(session, "moderator"))
    body = client.get("/api/v1/clusters", headers=headers).get_json()
    item = body["items"][0]
    assert set(item) == {"id", "round_id", "size", "pending", "first_at", "last_at",
                         "languages", "sample"}
    assert item["id"] == campaign["cluster"] and item["size"] == 6
    assert item["languages"] == ["en"]
    assert item["sample"]["text"].startswith("We call on the United Nations")
    assert item["first_at"] <= item["last_at"]
    page = client.get("/api/v1/clusters?limit=1&order=newest", headers=headers).get_json()
    assert len(page["items"]) == 1 and page["next_cursor"] is None
    assert client.get(f"/api/v1/clusters?round_id={open_round.id + 1}",
                      headers=headers).get_json()["items"] == []
    for query in ("limit=0", "limit=abc", "order=random", "round_id=-1", "cursor=%%%"):
        response = client.get(f"/api/v1/clusters?{query}", headers=headers)
        assert response.status_code == 400, query
        assert "errors" in response.get_json()


def test_staff_items_carry_cluster_id(client, session, campaign):
    headers = bearer(api_token(session, "moderator"))
    items = {i["id"]: i for i in client.get("/api/v1/submissions",
                                             headers=headers).get_json()["items"]}
    assert items[campaign["members"][0].id]["cluster_id"] == campaign["cluster"]
    assert items[campaign["loner"].id]["cluster_id"] is None
    single = client.get(f"/api/v1/submissions/{campaign['loner'].id}", headers=headers)
    assert single.get_json()["cluster_id"] is None


def test_stats_and_dashboard_count_unique_voices(client, session, campaign):
    moderator = make_user(session, "moderator", "approver@example.org")
    for submission in (*campaign["members"], campaign["loner"]):
        submission = session.get(Submission, submission.id)
        moderation.decide(session, submission, by=moderator, action="approve",
                          version=submission.version,
                          tags=tagging.TagInput(principles=["P2"]))
    session.commit()
    headers = bearer(api_token(session, "reference"))
    body = client.get("/api/v1/stats?group_by=language", headers=headers).get_json()
    assert (body["submissions"], body["unique_voices"], body["total"]) == (5, 2, 5)
    login(client, session, "reference", "reader@example.org")
    html = client.get("/en/reports/").get_data(as_text=True)
    assert re.search(r"Unique voices[^<]*<strong>2</strong>", html)
    csv_text = client.get("/api/v1/exports/submissions.csv", headers=headers) \
        .get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    # cluster_id, then the channel and source columns (issue #18), then the labels.
    assert list(rows[0])[17:20] == ["cluster_id", "channel", "source"]
    assert sorted(row["cluster_id"] for row in rows) == \
        sorted([str(campaign["cluster"])] * 4 + [""])
