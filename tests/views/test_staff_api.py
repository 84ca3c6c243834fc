"""The staff API (bearer tokens) and the role x URL access table for staff pages."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.models import Status, Submission
from app.services.review import moderation, tagging
from tests import factories
from tests.helpers import api_token, bearer, login


def approve(session, submission, moderator, **kwargs):
    submission = session.get(Submission, submission.id)
    moderation.decide(session, submission, by=moderator, action="approve",
                      version=submission.version,
                      tags=tagging.TagInput(principles=["P2"], themes=["TH06"]), **kwargs)
    session.commit()
    return submission


@pytest.fixture()
def seeded(session, open_round):
    """One pending, one approved-and-redacted, one rejected submission, all with an email."""
    from tests.helpers import make_user
    moderator = make_user(session, "moderator", "seed-moderator@example.org")
    pending, _ = factories.make_submission(session, open_round, title="Pending one",
                                           email="pending@example.org")
    approved, _ = factories.make_submission(
        session, open_round, title="Approved one", email="approved@example.org",
        body="My name is Layla Haddad and I want open data.")
    approve(session, approved, moderator,
            redacted_text="My name is [removed] and I want open data.")
    rejected, _ = factories.make_submission(session, open_round, title="Rejected one",
                                            email="rejected@example.org")
    rejected = session.get(Submission, rejected.id)
    moderation.decide(session, rejected, by=moderator, action="reject",
                      version=rejected.version, reason="spam")
    session.commit()
    return {"pending": pending.id, "approved": approved.id, "rejected": rejected.id}


# Role x URL x expected status, for every staff page and endpoint.
PAGE_ACCESS = [
    ("/en/moderate", {"anonymous": 302, "reference": 403, "moderator": 200, "admin": 200}),
    ("/en/moderate/submissions/{pending}", {"anonymous": 302, "reference": 403,
                                           "moderator": 200, "admin": 200}),
    ("/en/admin/", {"anonymous": 302, "reference": 403, "moderator": 403, "admin": 200}),
    ("/en/admin/suggestions", {"anonymous": 302, "reference": 403, "moderator": 403,
                               "admin": 200}),
    ("/en/account", {"anonymous": 302, "reference": 200, "moderator": 200, "admin": 200}),
]
API_ACCESS = [
    ("GET", "/api/v1/submissions", {"none": 401, "reference": 200, "moderator": 200,
                                    "admin": 200}),
    ("GET", "/api/v1/submissions/{approved}", {"none": 401, "reference": 200,
                                               "moderator": 200, "admin": 200}),
    ("GET", "/api/v1/submissions/{pending}", {"none": 401, "reference": 404,
                                              "moderator": 200, "admin": 200}),
    ("POST", "/api/v1/submissions/{pending}/decision", {"none": 401, "reference": 403,
                                                       "moderator": 422, "admin": 422}),
    ("GET", "/api/v1/submissions/{pending}/suggestions", {"none": 401, "reference": 403,
                                                         "moderator": 200, "admin": 200}),
]


@pytest.mark.parametrize("role", ["anonymous", "reference", "moderator", "admin"])
def test_page_access_table(client, session, seeded, role):
    if role != "anonymous":
        login(client, session, role)
    for url, expected in PAGE_ACCESS:
        response = client.get(url.format(**seeded))
        assert response.status_code == expected[role], (role, url)


@pytest.mark.parametrize("role", ["none", "reference", "moderator", "admin"])
def test_api_access_table(client, session, seeded, role):
    headers = {} if role == "none" else bearer(api_token(session, role))
    for method, url, expected in API_ACCESS:
        response = client.open(url.format(**seeded), method=method, headers=headers,
                               data="{}" if method == "POST" else None,
                               content_type="application/json" if method == "POST" else None)
        assert response.status_code == expected[role], (role, method, url)
        assert response.is_json


def test_invalid_and_revoked_tokens_are_401(client, session, seeded):
    from app.services.accounts import users as users_service
    from tests.helpers import make_user
    assert client.get("/api/v1/submissions", headers=bearer("unu_nope")).status_code == 401
    assert client.get("/api/v1/submissions",
                      headers={"Authorization": "Basic abc"}).status_code == 401
    user = make_user(session, "moderator", "revoked@example.org", with_2fa=False)
    token = users_service.issue_token(session, user)
    session.commit()
    assert client.get("/api/v1/submissions", headers=bearer(token)).status_code == 200
    from app.models import User
    users_service.revoke_tokens(session, session.get(User, user.id))
    session.commit()
    response = client.get("/api/v1/submissions", headers=bearer(token))
    assert response.status_code == 401
    assert "WWW-Authenticate" in response.headers


def test_moderator_lists_everything_with_email(client, session, seeded):
    token = api_token(session, "moderator")
    body = client.get("/api/v1/submissions", headers=bearer(token)).get_json()
    assert {i["status"] for i in body["items"]} == {"pending", "approved", "rejected"}
    assert {i["email"] for i in body["items"]} >= {"pending@example.org"}
    item = next(i for i in body["items"] if i["status"] == "approved")
    assert item["body"].startswith("My name is Layla Haddad")
    assert item["redacted_body"].startswith("My name is [removed]")
    assert item["tags"]["principles"] == ["P2"] and item["tags"]["themes"] == ["TH06"]
    assert set(item) >= {"id", "reference", "status", "language", "title", "body",
                         "actor_type", "country", "created_at", "tags", "version"}
    pending = client.get("/api/v1/submissions?status=pending",
                         headers=bearer(token)).get_json()["items"]
    assert [i["title"] for i in pending] == ["Pending one"]


def test_reference_role_never_sees_email_unapproved_or_unredacted_text(client, session, seeded):
    token = api_token(session, "reference")
    responses = [
        client.get("/api/v1/submissions", headers=bearer(token)),
        client.get(f"/api/v1/submissions/{seeded['approved']}", headers=bearer(token)),
        client.get("/api/v1/submissions?principle=P2", headers=bearer(token)),
    ]
    for response in responses:
        text = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "@example.org" not in text
        assert "Layla Haddad" not in text
        assert '"email"' not in text
    items = responses[0].get_json()["items"]
    assert [i["status"] for i in items] == ["approved"]
    assert items[0]["body"] == "My name is [removed] and I want open data."
    forbidden = client.get("/api/v1/submissions?status=pending", headers=bearer(token))
    assert forbidden.status_code == 403


def test_filters_and_cursor(client, session, open_round):
    token = api_token(session, "moderator")
    for i in range(5):
        factories.make_submission(session, open_round, title=f"Item {i}",
                                  language="ar" if i % 2 else "en")
    first = client.get("/api/v1/submissions?limit=2", headers=bearer(token)).get_json()
    assert [i["title"] for i in first["items"]] == ["Item 0", "Item 1"]
    second = client.get(f"/api/v1/submissions?limit=2&cursor={first['next_cursor']}",
                        headers=bearer(token)).get_json()
    assert [i["title"] for i in second["items"]] == ["Item 2", "Item 3"]
    arabic = client.get("/api/v1/submissions?language=ar", headers=bearer(token)).get_json()
    assert [i["title"] for i in arabic["items"]] == ["Item 1", "Item 3"]
    bad = client.get("/api/v1/submissions?limit=5000&status=nope", headers=bearer(token))
    assert bad.status_code == 400
    assert set(bad.get_json()["errors"]) == {"limit", "status"}
    assert client.get("/api/v1/submissions?cursor=%%%", headers=bearer(token)).status_code == 400


def post_decision(client, token, submission_id, payload, lang="en"):
    return client.post(f"/api/v1/submissions/{submission_id}/decision",
                       data=json.dumps(payload, ensure_ascii=False),
                       content_type="application/json",
                       headers={**bearer(token), "Accept-Language": lang})


@pytest.mark.parametrize("language,title", [("ar", "الاتصال أولا"), ("zh", "连接优先"),
                                            ("en", "Connectivity first")])
def test_decide_through_the_api(client, session, open_round, language, title):
    submission, _ = factories.make_submission(session, open_round, language=language,
                                              title=title)
    token = api_token(session, "moderator")
    seen = submission.version
    response = post_decision(client, token, submission.id, {
        "action": "approve", "version": seen,
        "tags": {"principles": ["P2"], "commitments": ["C2"], "technologies": ["T01"],
                 "themes": ["TH12"], "keywords": ["Inclusion"]}})
    assert response.status_code == 200, response.get_data(as_text=True)
    item = response.get_json()
    assert item["status"] == "approved" and item["title"] == title
    assert item["version"] == seen + 1
    assert item["tags"]["keywords"] == ["inclusion"]


def test_stale_decision_is_409_and_changes_nothing(client, session, open_round):
    submission, _ = factories.make_submission(session, open_round)
    token = api_token(session, "moderator")
    seen = submission.version
    ok = post_decision(client, token, submission.id, {"action": "reject", "reason": "spam",
                                                      "version": seen})
    assert ok.status_code == 200
    stale = post_decision(client, token, submission.id, {
        "action": "approve", "version": seen, "tags": {"principles": ["P1"]}})
    assert stale.status_code == 409
    assert "version" in stale.get_json()["errors"]
    session.expire_all()
    assert session.get(Submission, submission.id).status == Status.REJECTED


def test_unknown_codes_are_422_with_field_errors(client, session, open_round):
    submission, _ = factories.make_submission(session, open_round)
    submission_id, version = submission.id, submission.version
    token = api_token(session, "moderator")
    response = post_decision(client, token, submission_id, {
        "action": "approve", "version": version,
        "tags": {"principles": ["P9"], "themes": ["T01"], "keywords": "not-a-list"}})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert "keywords" in errors
    response = post_decision(client, token, submission_id, {
        "action": "approve", "version": version,
        "tags": {"principles": ["P9"], "themes": ["T01"]}})
    errors = response.get_json()["errors"]
    assert "P9" in errors["principles"][0] and "T01" in errors["themes"][0]
    response = post_decision(client, token, submission_id, {"action": "maybe",
                                                           "version": version})
    assert response.status_code == 422 and "action" in response.get_json()["errors"]
    response = post_decision(client, token, submission_id, {"action": "reject",
                                                           "version": version,
                                                           "reason": "boring"})
    assert "reason" in response.get_json()["errors"]


def test_no_query_per_row_in_the_list(client, session, open_round):
    """Listing 30 items costs the same number of queries as listing 3 (no N+1)."""
    from sqlalchemy import event

    from app.db import db

    token = api_token(session, "moderator")
    for _ in range(3):
        factories.make_submission(session, open_round, email="x@example.org")

    def count_queries(url: str) -> int:
        statements: list[str] = []

        def before(conn, cursor, statement, *args):
            if statement.lstrip().upper().startswith("SELECT"):
                statements.append(statement)
        event.listen(db.engine, "before_cursor_execute", before)
        try:
            assert client.get(url, headers=bearer(token)).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
        return len(statements)

    few = count_queries("/api/v1/submissions")
    for _ in range(27):
        factories.make_submission(session, open_round, email="x@example.org")
    many = count_queries("/api/v1/submissions")
    assert many == few
    assert session.scalar(select(Submission.id).limit(1)) is not None


def test_reading_with_a_token_writes_nothing(client, session, open_round):
    from app.models import ApiToken
    submission, _ = factories.make_submission(session, open_round)
    seen = submission.version
    token = api_token(session, "moderator")
    assert client.get("/api/v1/submissions", headers=bearer(token)).status_code == 200
    session.expire_all()
    assert session.scalar(select(ApiToken)).last_used_at is None  # a GET stays a read
    post_decision(client, token, submission.id, {"action": "reject", "reason": "spam",
                                                 "version": seen})
    session.expire_all()
    assert session.scalar(select(ApiToken)).last_used_at is not None
