"""Double coding through the pages: blind second coding, reconciliation, alpha on the
dashboard and in the Word summary, the admin share, and who may do what."""
from __future__ import annotations

import io
import re

import pytest
from docx import Document
from sqlalchemy import select

from app.models import AuditEvent, ItemKind, Submission, TagSource
from app.models.coding import CodingState, DoubleCoding
from app.services.review import agreement, moderation, tagging
from tests import factories
from tests.helpers import csrf_token, login, make_user


@pytest.fixture()
def first_coder(session):
    return make_user(session, "moderator", "first@example.org")


@pytest.fixture()
def doubly(session, open_round):
    admin = make_user(session, "admin", "share-admin@example.org")
    agreement.set_share(session, open_round, 100, by=admin)
    session.commit()
    return open_round


def approve(session, round_, by, principles=("P2",), commitments=("C4",), **fields):
    submission, _ = factories.make_submission(session, round_, **fields)
    moderation.decide(session, submission, by=by, action="approve", version=submission.version,
                      tags=tagging.TagInput(principles=list(principles),
                                               commitments=list(commitments),
                                               technologies=["T03"], themes=["TH12"],
                                               keywords=["zebra crossing"]))
    session.commit()
    return submission


def post_form(client, page_url, post_url, data):
    html = client.get(page_url).get_data(as_text=True)
    return client.post(post_url, data={"csrf_token": csrf_token(html), **data})


def test_second_coder_does_not_see_the_first_coders_tags(client, session, doubly, first_coder):
    submission = approve(session, doubly, first_coder, principles=["P2", "P4"],
                         body="Affordable connectivity for every school, please.")
    login(client, session, "moderator", "second@example.org")
    review = client.get(f"/en/moderate/submissions/{submission.id}")
    assert review.status_code == 302
    assert review.headers["Location"].endswith(f"/en/moderate/second-coding/{submission.id}")
    html = client.get(f"/en/moderate/second-coding/{submission.id}").get_data(as_text=True)
    assert "Affordable connectivity for every school" in html
    assert 'name="principles"' in html and 'name="commitments"' in html
    assert " checked" not in html  # no box ticked: not P2, P4 or C4
    assert "TH12" not in html and "T03" not in html  # nor the other tags
    assert "T15 ·" in html  # what the contributor chose is shown, as on the review page
    assert "zebra crossing" not in html  # nor the keywords
    assert "first@example.org" not in html  # nor who coded first
    assert "reveal=1" not in html  # a moderator has no way round it
    assert client.get(f"/en/moderate/submissions/{submission.id}?reveal=1").status_code == 302


def test_an_admin_may_open_the_full_review_page_on_purpose(client, session, doubly,
                                                          first_coder):
    submission = approve(session, doubly, first_coder)
    login(client, session, "admin", "eraser@example.org")
    assert client.get(f"/en/moderate/submissions/{submission.id}").status_code == 302
    html = client.get(f"/en/moderate/second-coding/{submission.id}").get_data(as_text=True)
    link = f"/en/moderate/submissions/{submission.id}?reveal=1"
    assert link in html
    page = client.get(link)
    assert page.status_code == 200
    assert f"/en/moderate/submissions/{submission.id}/erase" in page.get_data(as_text=True)

    queue = client.get("/en/moderate/second-coding").get_data(as_text=True)
    assert f"/en/moderate/second-coding/{submission.id}" in queue


def test_first_coder_is_not_offered_and_cannot_be_the_second(client, session, doubly):
    user = login(client, session, "moderator", "first-coder@example.org")
    submission = approve(session, doubly, user)
    review = client.get(f"/en/moderate/submissions/{submission.id}")
    assert review.status_code == 200  # the first coder sees their own tags
    assert re.search(r'value="P2" checked', review.get_data(as_text=True))
    queue = client.get("/en/moderate/second-coding").get_data(as_text=True)
    assert f"/second-coding/{submission.id}" not in queue
    page = client.get(f"/en/moderate/second-coding/{submission.id}", follow_redirects=True)
    assert "You coded this submission first" in page.get_data(as_text=True)
    token = csrf_token(client.get("/en/moderate").get_data(as_text=True))
    response = client.post(f"/en/moderate/second-coding/{submission.id}",
                           data={"csrf_token": token, "principles": ["P2"],
                                 "commitments": ["C4"]}, follow_redirects=True)
    assert "You coded this submission first" in response.get_data(as_text=True)
    assert session.get(DoubleCoding, submission.id).state == CodingState.AWAITING


def test_disagreement_is_reconciled_through_the_pages(client, session, doubly, first_coder):
    submission = approve(session, doubly, first_coder, principles=["P2"], commitments=["C4"])
    login(client, session, "moderator", "second@example.org")
    url = f"/en/moderate/second-coding/{submission.id}"
    empty = post_form(client, url, url, {})
    assert empty.status_code == 422
    assert "Tag at least one principle or commitment." in empty.get_data(as_text=True)
    response = post_form(client, url, url, {"principles": ["P2", "P3"]})
    assert response.status_code == 303
    queue = client.get("/en/moderate/reconcile").get_data(as_text=True)
    assert f"/en/moderate/reconcile/{submission.id}" in queue
    # Once coded, the review page shows the tags again.
    assert client.get(f"/en/moderate/submissions/{submission.id}").status_code == 200

    page_url = f"/en/moderate/reconcile/{submission.id}"
    page = client.get(page_url).get_data(as_text=True)
    assert "first@example.org" in page and "second@example.org" in page
    assert re.search(r'value="P2" checked', page)  # both chose P2
    assert not re.search(r'value="P3" checked', page)  # only one chose P3
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page) or \
        re.search(r'id="version" name="version" type="hidden" value="(\d+)"', page)
    response = client.post(page_url, data={"csrf_token": csrf_token(page),
                                           "version": version.group(1),
                                           "principles": ["P3"], "commitments": ["C4"]})
    assert response.status_code == 303
    session.expire_all()
    stored = session.get(Submission, submission.id)
    assert stored.tag_codes(TagSource.MODERATOR, ItemKind.PRINCIPLE) == ["P3"]
    assert stored.tag_codes(TagSource.MODERATOR, ItemKind.THEME) == ["TH12"]
    assert stored.status.value == "approved"  # the first decision stands
    assert session.get(DoubleCoding, submission.id).state == CodingState.RECONCILED
    assert f"/reconcile/{submission.id}" not in client.get(
        "/en/moderate/reconcile").get_data(as_text=True)
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "coding.reconcile",
                                                   AuditEvent.target_id == submission.id))
    # Reconciled: the page is no longer offered.
    assert client.get(page_url).status_code == 303


def test_agreement_through_the_page_changes_no_tag(client, session, doubly, first_coder):
    submission = approve(session, doubly, first_coder, principles=["P2"], commitments=["C4"])
    before = sorted(t.item.code for t in submission.tags)
    login(client, session, "moderator", "second@example.org")
    url = f"/en/moderate/second-coding/{submission.id}"
    assert post_form(client, url, url, {"principles": ["P2"],
                                        "commitments": ["C4"]}).status_code == 303
    session.expire_all()
    assert sorted(t.item.code for t in session.get(Submission, submission.id).tags) == before
    assert session.get(DoubleCoding, submission.id).state == CodingState.AGREED
    assert f"/reconcile/{submission.id}" not in client.get(
        "/en/moderate/reconcile").get_data(as_text=True)


def code_twice(session, round_, first, second, pairs):
    """One doubly coded submission per (first coder's principles, second coder's)."""
    for mine, theirs in pairs:
        submission = approve(session, round_, first, principles=mine, commitments=[])
        agreement.second_code(session, agreement.get_unit(session, submission.id), by=second,
                              principles=theirs, commitments=[])
        session.commit()


def test_alpha_shows_on_the_dashboard_and_in_the_docx(client, session, doubly, first_coder):
    second = make_user(session, "moderator", "second@example.org")
    # P2 per submission, first coder vs second: 1/1, 1/0, 0/0, 0/0, 1/1 -> alpha 0.64
    # (tests/services/review/test_agreement.py works it out by hand); P1 fills the empty codings.
    code_twice(session, doubly, first_coder, second, [
        (["P2"], ["P2"]), (["P2"], ["P1"]), (["P1"], ["P1"]), (["P1"], ["P1"]),
        (["P2"], ["P2"])])
    login(client, session, "reference", "reader@example.org")
    html = client.get("/en/reports/").get_data(as_text=True)
    section = html[html.index('id="coder-agreement"'):]
    assert "Coder agreement (Krippendorff" in section
    assert "Submissions coded independently by two moderators: <strong>5</strong>" in section
    assert re.search(r"P2 · [^<]+</th><td class=\"num\">0\.64</td>", section)
    assert re.search(r"C4 · [^<]+</th><td class=\"num\">not enough data</td>", section)

    response = client.get("/en/reports/summary/P2.docx")
    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(response.get_data())).paragraphs)
    assert "Coder agreement" in text
    assert ("Krippendorff's alpha for P2: 0.64, over 5 submissions coded independently by "
            "two moderators.") in text
    c4 = client.get("/en/reports/summary/C4.docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(c4.get_data())).paragraphs)
    assert "Krippendorff's alpha for C4: not enough data" in text


def test_dashboard_without_double_coding_says_not_enough_data(client, session, open_round):
    login(client, session, "reference", "reader@example.org")
    html = client.get("/en/reports/").get_data(as_text=True)
    assert "Submissions coded independently by two moderators: <strong>0</strong>" in html
    assert "not enough data" in html


def test_admin_sets_the_share(client, session, open_round):
    login(client, session, "admin", "admin@example.org")
    page = client.get("/en/admin/double-coding")
    assert page.status_code == 200
    assert 'href="/en/admin/double-coding"' in client.get("/en/admin/").get_data(as_text=True)
    url = f"/en/admin/double-coding/{open_round.id}"
    bad = post_form(client, "/en/admin/double-coding", url, {"percent": "150"})
    assert bad.status_code == 422
    assert "Give a whole number from 0 to 100." in bad.get_data(as_text=True)
    assert post_form(client, "/en/admin/double-coding", url,
                     {"percent": "20"}).status_code == 303
    assert agreement.share_of(session, open_round.id) == 20
    assert 'value="20"' in client.get("/en/admin/double-coding").get_data(as_text=True)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "coding.share"))
    assert event.after == {"percent": 20} and event.target_id == open_round.id
    assert post_form(client, "/en/admin/double-coding", "/en/admin/double-coding/999999",
                     {"percent": "5"}).status_code == 404
    assert client.post(url, data={"percent": "5"}).status_code == 400  # no CSRF token


@pytest.mark.parametrize("role", ["reference", "moderator"])
def test_role_access(client, session, doubly, first_coder, role):
    submission = approve(session, doubly, first_coder)
    login(client, session, role, f"{role}-access@example.org")
    token = csrf_token(client.get("/en/reports/").get_data(as_text=True))
    coding_urls = ["/en/moderate/second-coding", "/en/moderate/reconcile",
                   f"/en/moderate/second-coding/{submission.id}"]
    expected = 403 if role == "reference" else 200
    for url in coding_urls:
        assert client.get(url).status_code == expected, url
    posted = client.post(f"/en/moderate/second-coding/{submission.id}",
                         data={"csrf_token": token, "principles": ["P1"]})
    assert posted.status_code == (403 if role == "reference" else 303)
    assert session.get(DoubleCoding, submission.id).state == (
        CodingState.AWAITING if role == "reference" else CodingState.DISAGREED)
    assert client.post(f"/en/moderate/reconcile/{submission.id}",
                       data={"csrf_token": token, "principles": ["P1"]}
                       ).status_code == (403 if role == "reference" else 422)
    assert client.get("/en/admin/double-coding").status_code == 403
    assert client.get("/en/moderate/second-coding?cursor=bad!").status_code in (400, 403)
    assert client.get("/en/moderate/second-coding/2147483647").status_code in (403, 404)


def test_anonymous_visitor_is_sent_to_sign_in(client, session, doubly):
    response = client.get("/en/moderate/second-coding")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_staff_api_hides_the_first_coding_from_a_possible_second_coder(
        client, session, doubly, first_coder):
    from tests.helpers import api_token, bearer

    submission = approve(session, doubly, first_coder, principles=["P2", "P4"])
    second = bearer(api_token(session, "moderator", "api-second@example.org"))
    item = client.get(f"/api/v1/submissions/{submission.id}", headers=second).get_json()
    assert item["tags_hidden"] is True
    assert item["tags"]["principles"] == [] and item["tags"]["keywords"] == []
    listed = client.get("/api/v1/submissions?status=approved", headers=second).get_json()
    [mine] = [i for i in listed["items"] if i["id"] == submission.id]
    assert mine["tags_hidden"] is True and mine["tags"]["commitments"] == []
    # The first coder sees their own coding.
    from app.services.accounts import users as users_service
    own_token = users_service.issue_token(session, first_coder)
    session.commit()
    own = client.get(f"/api/v1/submissions/{submission.id}", headers=bearer(own_token))
    assert own.get_json()["tags_hidden"] is False
    assert own.get_json()["tags"]["principles"] == ["P2", "P4"]
