"""The public pages: home, submission form, receipt, correction, copy and erasure."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from sqlalchemy import func, select

from app.db import utcnow
from app.i18n import LANGUAGES
from app.models import Answer, PersonalData, Status, Submission, SubmissionTag
from tests import factories
from tests.helpers import csrf_token, form_post, web_form


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def manage_token(response) -> str:
    match = re.search(r"/manage/([A-Za-z0-9_-]+)", response.headers["Location"])
    assert match
    return match.group(1)


def test_root_redirects_to_best_language(client):
    response = client.get("/", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/ru/")
    response = client.get("/", headers={"Accept-Language": "de-DE"})
    assert response.headers["Location"].endswith("/en/")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_has_lang_and_direction(client, open_round, lang):
    for path in (f"/{lang}/", f"/{lang}/submit", f"/{lang}/privacy"):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        direction = "rtl" if lang == "ar" else "ltr"
        assert f'<html lang="{lang}" dir="{direction}">' in html
        # The language switcher keeps the page.
        page = path.split("/", 2)[2]
        for other in LANGUAGES:
            assert f'href="/{other}/{page}' in html


def test_unknown_language_is_404(client, open_round):
    assert client.get("/de/submit").status_code == 404


def test_pages_request_nothing_from_other_hosts(client, open_round):
    for path in ("/en/", "/ar/submit", "/en/privacy"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r'(src|href)="(https?:)?//', html), path


def test_home_shows_round_in_arabic(client, open_round):
    html = client.get("/ar/").get_data(as_text=True)
    assert "كيف ينبغي للأمم المتحدة أن تستخدم التكنولوجيات الجديدة؟" in html
    assert "السؤال 1؟" in html


def test_round_text_falls_back_to_english_marked_as_such(client, session, taxonomy):
    factories.make_round(session, title={"en": "English only round"})
    html = client.get("/zh/").get_data(as_text=True)
    assert '<h1 lang="en" dir="auto">English only round</h1>' in html


def test_submit_in_arabic_then_receipt(client, session, open_round):
    question = open_round.questions[0]
    body = "أرى أن الأمم المتحدة يجب أن تستثمر في ربط القرى بالإنترنت.\nسطر ثانٍ."
    response = form_post(client, "/ar/submit", web_form(
        open_round, title="الاتصال أولا", body=body, language="ar", country="EG",
        **{f"answer_{question.id}": "الذكاء الاصطناعي في الزراعة"}))
    assert response.status_code == 303
    token = manage_token(response)

    submission = session.scalar(select(Submission))
    assert submission.title == "الاتصال أولا"
    assert submission.body == body
    assert submission.language == "ar"
    assert submission.status == Status.PENDING
    assert [a.text for a in submission.answers] == ["الذكاء الاصطناعي في الزراعة"]
    assert submission.manage_token_hash != token and token not in submission.manage_token_hash
    assert re.fullmatch(r"[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}", submission.reference)

    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert submission.reference in html
    assert "سطر ثانٍ." in html
    assert 'class="user-text" dir="auto" lang="ar"' in html


def test_form_errors_are_shown_next_to_fields_and_nothing_is_stored(client, session, open_round):
    response = form_post(client, "/en/submit", web_form(
        open_round, title="", body="", actor_type="alien", country="XX",
        technologies=["T77"], consent_processing=None))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="error-summary"' in html
    assert 'id="title-error"' in html and 'aria-describedby="title-hint title-error"' in html
    assert "This field is required." in html
    assert "Write your view, or answer at least one of the questions." in html
    assert "We can only receive your view if you agree to its processing." in html
    assert "This is not a code we know: T77" in html
    assert 'id="actor_type-error"' in html and 'id="country-error"' in html
    assert count(session, Submission) == 0


def test_form_errors_in_arabic(client, session, open_round):
    response = form_post(client, "/ar/submit", web_form(open_round, title=""))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "This field is required." not in html  # translated
    assert count(session, Submission) == 0


def test_typed_text_is_kept_when_the_form_is_refused(client, open_round):
    response = form_post(client, "/en/submit", web_form(
        open_round, body="My long considered view", consent_processing=None))
    assert response.status_code == 422
    assert "My long considered view" in response.get_data(as_text=True)


def test_missing_csrf_token_is_refused_and_text_kept(client, session, open_round):
    response = client.post("/en/submit", data=web_form(open_round, body="Kept text"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "This form has expired" in html
    assert "Kept text" in html
    assert csrf_token(html)
    assert count(session, Submission) == 0


def test_markup_is_stored_as_plain_text_and_rendered_escaped(client, session, open_round):
    response = form_post(client, "/en/submit", web_form(
        open_round, title="<b>Bold</b> claim", body='<script>alert(1)</script>5 < 6 & "quotes"'))
    assert response.status_code == 303
    submission = session.scalar(select(Submission))
    assert submission.title == "Bold claim"
    assert "<script>" not in submission.body
    assert submission.body.endswith('5 < 6 & "quotes"')
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert" not in html
    assert "5 &lt; 6 &amp; &#34;quotes&#34;" in html


def test_control_characters_get_a_message(client, session, open_round):
    response = form_post(client, "/en/submit", web_form(open_round, body="bad\x07bell"))
    assert response.status_code == 422
    assert "invisible control characters" in response.get_data(as_text=True)
    assert count(session, Submission) == 0


def test_invalid_utf8_in_form_gets_a_message(client, session, open_round):
    html = client.get("/en/submit").get_data(as_text=True)
    raw = (f"csrf_token={csrf_token(html)}&title=ok&body=%FF%FEbroken&language=en"
           "&actor_type=youth&country=KE&consent_processing=y").encode()
    response = client.post("/en/submit", data=raw,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 422
    assert "could not be read" in response.get_data(as_text=True)
    assert count(session, Submission) == 0


def test_oversize_body_is_refused_with_message(client, session, open_round):
    response = form_post(client, "/en/submit", web_form(open_round, body="x" * 5001))
    assert response.status_code == 422
    assert "Use at most 5000 characters (you used 5001)." in response.get_data(as_text=True)
    assert count(session, Submission) == 0


def test_oversize_request_is_413(client, open_round):
    response = form_post(client, "/en/submit", web_form(open_round, body="x" * 600_000))
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_closed_round_shows_closed_page_and_refuses_posts(client, session, taxonomy):
    closed = factories.make_round(session, opens_at=utcnow() - dt.timedelta(days=10),
                                  closes_at=utcnow() - dt.timedelta(days=1))
    response = client.get(f"/en/submit?round={closed.id}")
    assert response.status_code == 200
    assert "not open for views" in response.get_data(as_text=True)
    factories.make_round(session)  # any form page gives a session CSRF token
    html = client.get("/en/submit").get_data(as_text=True)
    response = client.post(f"/en/submit?round={closed.id}",
                           data={"csrf_token": csrf_token(html), **web_form(closed)})
    assert response.status_code == 422
    assert "not open for views" in response.get_data(as_text=True)
    assert count(session, Submission) == 0


def test_no_open_round(client, taxonomy):
    response = client.get("/en/submit")
    assert response.status_code == 200
    assert "No consultation round is open" in response.get_data(as_text=True)


def test_unknown_round_is_404(client, open_round):
    assert client.get("/en/submit?round=99999").status_code == 404
    assert client.get("/en/submit?round=abc").status_code == 404


def test_edit_while_pending(client, session, open_round):
    submission, token = factories.make_submission(session, open_round)
    page = client.get(f"/en/manage/{token}/edit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Connectivity first" in html
    response = client.post(f"/en/manage/{token}/edit", data={
        "csrf_token": csrf_token(html), "version": str(submission.version),
        **web_form(open_round, title="Connectivity, corrected", principles=["P2", "P5"],
                   email="me@example.org")})
    assert response.status_code == 303
    session.expire_all()
    stored = session.get(Submission, submission.id)
    assert stored.title == "Connectivity, corrected"
    assert stored.personal.email == "me@example.org"
    assert sorted(t.item.code for t in stored.tags) == ["P2", "P5", "T15"]


def test_edit_with_stale_version_changes_nothing(client, session, open_round):
    submission, token = factories.make_submission(session, open_round)
    html = client.get(f"/en/manage/{token}/edit").get_data(as_text=True)
    response = client.post(f"/en/manage/{token}/edit", data={
        "csrf_token": csrf_token(html), "version": str(submission.version + 5),
        **web_form(open_round, title="Overwrite")})
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Submission, submission.id).title == "Connectivity first"
    assert "changed since you opened it" in client.get(
        response.headers["Location"]).get_data(as_text=True)


def test_edit_after_review_is_refused(client, session, open_round):
    submission, token = factories.make_submission(session, open_round)
    submission = session.get(Submission, submission.id)
    submission.status = Status.APPROVED
    session.commit()
    response = client.get(f"/en/manage/{token}/edit")
    assert response.status_code == 303
    assert "can no longer be changed" in client.get(
        response.headers["Location"]).get_data(as_text=True)


def test_download_copy(client, session, open_round):
    _, token = factories.make_submission(session, open_round, email="a@example.org",
                                         age_range="18_24")
    response = client.get(f"/en/manage/{token}/copy.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    copy = json.loads(response.get_data(as_text=True))
    assert copy["title"] == "Connectivity first"
    assert copy["email"] == "a@example.org"
    assert copy["age_range"] == "18_24"
    assert copy["technologies"] == ["T15"]


def test_withdraw_and_erase(client, session, open_round):
    submission, token = factories.make_submission(
        session, open_round, email="a@example.org", gender="female",
        answers={str(open_round.questions[0].id): "An answer"})
    html = client.get(f"/en/manage/{token}/erase").get_data(as_text=True)
    refused = client.post(f"/en/manage/{token}/erase", data={"csrf_token": csrf_token(html)})
    assert refused.status_code == 422
    assert session.get(Submission, submission.id).erased_at is None

    html = refused.get_data(as_text=True)
    response = client.post(f"/en/manage/{token}/erase",
                           data={"csrf_token": csrf_token(html), "confirm": "y"})
    assert response.status_code == 303
    session.expire_all()
    stored = session.get(Submission, submission.id)
    assert stored.status == Status.WITHDRAWN
    assert stored.title == "" and stored.body == "" and stored.country is None
    assert count(session, PersonalData) == 0
    assert count(session, Answer) == 0
    assert count(session, SubmissionTag) == 0
    page = client.get(f"/en/manage/{token}").get_data(as_text=True)
    assert "withdrawn" in page and "Connectivity first" not in page


def test_bad_token_is_404(client, open_round):
    assert client.get("/en/manage/not-a-real-token").status_code == 404
    assert client.get("/en/manage/" + "x" * 200).status_code == 404
