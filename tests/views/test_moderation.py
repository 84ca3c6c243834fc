"""The moderation workspace through its pages."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.models import AuditEvent, Status, Submission
from tests import factories
from tests.helpers import csrf_token, login


def review_page(client, submission_id):
    return client.get(f"/en/moderate/submissions/{submission_id}").get_data(as_text=True)


def decide(client, submission_id, **data):
    html = review_page(client, submission_id)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', html) or \
        re.search(r'id="version" name="version" type="hidden" value="(\d+)"', html)
    payload = {"csrf_token": csrf_token(html), "version": version.group(1) if version else "",
               **data}
    return client.post(f"/en/moderate/submissions/{submission_id}/decision", data=payload)


def test_queue_lists_pending_oldest_first_with_counts(client, session, open_round):
    _first, _ = factories.make_submission(session, open_round, title="First view")
    _second, _ = factories.make_submission(session, open_round, title="Second view",
                                          language="ar", country="EG")
    login(client, session, "moderator")
    html = client.get("/en/moderate").get_data(as_text=True)
    assert html.index("First view") < html.index("Second view")
    assert 'aria-current="page">Waiting for review <span class="count">2</span>' in html
    filtered = client.get("/en/moderate?language=ar").get_data(as_text=True)
    assert "Second view" in filtered and "First view" not in filtered
    by_region = client.get("/en/moderate?region=002").get_data(as_text=True)  # Africa
    assert "Second view" in by_region and "First view" in by_region  # KE and EG
    by_text = client.get("/en/moderate?q=second").get_data(as_text=True)
    assert "Second view" in by_text and "First view" not in by_text


def test_queue_pagination_by_cursor(client, session, open_round):
    for i in range(55):
        factories.make_submission(session, open_round, title=f"View number {i:02d}")
    login(client, session, "moderator")
    html = client.get("/en/moderate").get_data(as_text=True)
    assert "View number 49" in html and "View number 50" not in html
    cursor = re.search(r'href="([^"]*cursor=[^"]+)" rel="next"', html).group(1)
    page2 = client.get(cursor.replace("&amp;", "&")).get_data(as_text=True)
    assert "View number 50" in page2 and "View number 54" in page2
    assert "View number 49" not in page2
    assert client.get("/en/moderate?cursor=garbage!").status_code == 400


def test_review_page_highlights_personal_data(client, session, open_round):
    submission, _ = factories.make_submission(
        session, open_round, body="Call me on +254 712 345 678 or write to amina@example.org")
    login(client, session, "moderator")
    html = review_page(client, submission.id)
    assert html.count('<mark class="pii"') == 2
    assert 'data-kind="email"' in html and 'data-kind="phone"' in html


def test_approve_with_tags_redaction_and_highlight(client, session, open_round):
    submission, _ = factories.make_submission(
        session, open_round, body="I am Amina from Kisumu. Internet access is the first "
                                  "barrier to any UN digital service.")
    login(client, session, "moderator")
    response = decide(client, submission.id, action="approve", principles=["P2"],
                      commitments=["C4"], technologies=["T15"], themes=["TH12"],
                      keywords="Connectivity, rural areas ,connectivity",
                      redacted_text="I am [name] from [place]. Internet access is the first "
                                    "barrier to any UN digital service.",
                      highlight="Internet access is the first barrier")
    assert response.status_code == 303
    session.expire_all()
    stored = session.get(Submission, submission.id)
    assert stored.status == Status.APPROVED
    assert stored.body.startswith("I am Amina")  # the original is unchanged
    assert stored.redacted_text.startswith("I am [name]")
    assert stored.highlight == "Internet access is the first barrier"
    assert [k.text for k in stored.keywords] == ["connectivity", "rural areas"]
    assert stored.decided_at is not None and stored.version == submission.version + 1


def test_approve_needs_a_principle_or_commitment(client, session, open_round):
    submission, _ = factories.make_submission(session, open_round)
    login(client, session, "moderator")
    response = decide(client, submission.id, action="approve", technologies=["T01"])
    assert response.status_code == 422
    assert "Tag at least one principle or commitment." in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Submission, submission.id).status == Status.PENDING


def test_highlight_must_come_from_the_public_text(client, session, open_round):
    submission, _ = factories.make_submission(session, open_round)
    login(client, session, "moderator")
    response = decide(client, submission.id, action="approve", principles=["P1"],
                      highlight="words the contributor never wrote")
    assert response.status_code == 422
    assert "must be a passage of the text" in response.get_data(as_text=True)


def test_reject_with_reason_shows_on_receipt(client, session, open_round):
    submission, token = factories.make_submission(session, open_round)
    login(client, session, "moderator")
    missing = decide(client, submission.id, action="reject")
    assert missing.status_code == 422
    other = decide(client, submission.id, action="reject", reason="other")
    assert "Explain the reason in a note." in other.get_data(as_text=True)
    response = decide(client, submission.id, action="reject", reason="off_topic")
    assert response.status_code == 303
    receipt = client.get(f"/en/manage/{token}").get_data(as_text=True)
    assert "Not accepted" in receipt
    assert "Not about the UN and new technologies" in receipt


def test_stale_decision_is_refused_and_nothing_overwritten(client, session, open_round):
    submission, _ = factories.make_submission(session, open_round)
    login(client, session, "moderator")
    html = review_page(client, submission.id)
    token = csrf_token(html)
    first = client.post(f"/en/moderate/submissions/{submission.id}/decision", data={
        "csrf_token": token, "version": str(submission.version), "action": "approve",
        "principles": ["P1"]})
    assert first.status_code == 303
    second = client.post(f"/en/moderate/submissions/{submission.id}/decision", data={
        "csrf_token": token, "version": str(submission.version), "action": "reject",
        "reason": "spam"})
    assert second.status_code == 303
    assert "Someone else changed this submission" in client.get(
        second.headers["Location"]).get_data(as_text=True)
    session.expire_all()
    assert session.get(Submission, submission.id).status == Status.APPROVED


def test_bulk_approve_skips_stale_items(client, session, open_round):
    a, _ = factories.make_submission(session, open_round, title="Bulk A")
    b, _ = factories.make_submission(session, open_round, title="Bulk B")
    login(client, session, "moderator")
    html = client.get("/en/moderate").get_data(as_text=True)
    response = client.post("/en/moderate/bulk", data={
        "csrf_token": csrf_token(html), "action": "approve", "principles": ["P3"],
        "selected": [f"{a.id}:{a.version}", f"{b.id}:{b.version + 7}"]})
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Submission, a.id).status == Status.APPROVED
    assert session.get(Submission, b.id).status == Status.PENDING
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 submission updated." in page
    assert "changed by someone else and was skipped" in page


def test_bulk_reject_and_tag(client, session, open_round):
    a, _ = factories.make_submission(session, open_round)
    b, _ = factories.make_submission(session, open_round)
    login(client, session, "moderator")
    html = client.get("/en/moderate").get_data(as_text=True)
    client.post("/en/moderate/bulk", data={"csrf_token": csrf_token(html), "action": "tag",
                                          "themes": ["TH03"], "selected": [f"{a.id}:{a.version}"]})
    client.post("/en/moderate/bulk", data={"csrf_token": csrf_token(html), "action": "reject",
                                          "reason": "spam", "selected": [f"{b.id}:{b.version}"]})
    session.expire_all()
    assert [t.item.code for t in session.get(Submission, a.id).tags
            if t.source.value == "moderator"] == ["TH03"]
    assert session.get(Submission, b.id).status == Status.REJECTED


def test_claims_are_visible_to_colleagues(client, session, app, open_round):
    factories.make_submission(session, open_round, title="To claim")
    login(client, session, "moderator", "first@example.org")
    html = client.get("/en/moderate").get_data(as_text=True)
    client.post("/en/moderate/claim", data={"csrf_token": csrf_token(html)})
    assert "claimed by you" in client.get("/en/moderate").get_data(as_text=True)
    colleague = app.test_client()
    login(colleague, session, "moderator", "second@example.org")
    assert "claimed by first@example.org" in colleague.get("/en/moderate").get_data(as_text=True)
    unclaimed = colleague.get("/en/moderate?claimed=unclaimed").get_data(as_text=True)
    assert "To claim" not in unclaimed


def test_notes_are_internal(client, session, open_round):
    submission, token = factories.make_submission(session, open_round)
    login(client, session, "moderator")
    html = review_page(client, submission.id)
    client.post(f"/en/moderate/submissions/{submission.id}/notes",
                data={"csrf_token": csrf_token(html), "note": "Check with the Nairobi team"})
    assert "Check with the Nairobi team" in review_page(client, submission.id)
    assert "Check with the Nairobi team" not in client.get(
        f"/en/manage/{token}").get_data(as_text=True)


def test_full_review_leaves_an_audit_trail(client, session, open_round):
    submission, _ = factories.make_submission(session, open_round)
    user = login(client, session, "moderator")
    decide(client, submission.id, action="reject", reason="spam")
    decide(client, submission.id, action="approve", principles=["P2"], keywords="youth")
    events = list(session.scalars(select(AuditEvent).where(
        AuditEvent.target_type == "submissions", AuditEvent.target_id == submission.id)
        .order_by(AuditEvent.id)))
    assert [e.action for e in events] == ["submission.reject", "submission.approve"]
    assert all(e.actor_id == user.id for e in events)
    assert events[0].before["status"] == "pending" and events[0].after["status"] == "rejected"
    assert events[1].after["tags"]["principles"] == ["P2"]
    assert events[1].after["keywords"] == ["youth"]
    # No text or personal data in the log.
    assert submission.body not in str(events[1].before) + str(events[1].after)


def test_withdrawn_submission_cannot_be_decided(client, session, open_round):
    from app.services.contributions import intake
    submission, _ = factories.make_submission(session, open_round)
    login(client, session, "moderator")
    html = review_page(client, submission.id)
    intake.erase(session, session.get(Submission, submission.id))
    session.commit()
    response = client.post(f"/en/moderate/submissions/{submission.id}/decision", data={
        "csrf_token": csrf_token(html), "version": str(submission.version),
        "action": "approve", "principles": ["P1"]})
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Submission, submission.id).status == Status.WITHDRAWN


def test_review_in_arabic_and_chinese(client, session, open_round):
    ar, _ = factories.make_submission(session, open_round, language="ar",
                                      title="الاتصال أولا", body="نص عربي")
    zh, _ = factories.make_submission(session, open_round, language="zh",
                                      title="连接优先", body="中文文本")
    login(client, session, "moderator")
    assert decide(client, ar.id, action="approve", principles=["P2"]).status_code == 303
    assert decide(client, zh.id, action="approve", commitments=["C2"]).status_code == 303
    page = client.get(f"/ar/moderate/submissions/{ar.id}").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page and "الاتصال أولا" in page
