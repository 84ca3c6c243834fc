"""The admin panel: access by role, and each area's create, edit and error paths."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import event, select

from app.db import db, utcnow
from app.models import ApiToken, AuditEvent, Question, Role, Round, TaxonomyItem, User
from app.services.accounts import users as users_service
from app.services.platform import site_texts
from tests import factories
from tests.helpers import csrf_token, form_post, login, make_user

CSRF_MESSAGE = "This form has expired or was sent from another page."
PAGES = ["/en/admin/", "/en/admin/users", "/en/admin/users/new", "/en/admin/rounds",
         "/en/admin/rounds/new", "/en/admin/taxonomy", "/en/admin/taxonomy/new",
         "/en/admin/texts", "/en/admin/texts/home_intro", "/en/admin/audit"]


@pytest.fixture()
def admin(client, session, taxonomy):
    return login(client, session, "admin")


def text(response) -> str:
    return response.get_data(as_text=True)


def actions(session, prefix):
    session.expire_all()
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action.startswith(prefix))
                                .order_by(AuditEvent.id)))


def input_value(html: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', html) or \
        re.search(rf'value="([^"]*)"[^>]*name="{re.escape(name)}"', html)
    assert match, name
    return match.group(1)


# Access.

def _detail_pages(session, open_round, user):
    item = session.scalar(select(TaxonomyItem).where(TaxonomyItem.code == "P1"))
    return [f"/en/admin/users/{user.id}", f"/en/admin/rounds/{open_round.id}",
            f"/en/admin/taxonomy/{item.id}"]


def test_every_page_renders_for_an_admin(client, session, admin, open_round):
    for url in PAGES + _detail_pages(session, open_round, admin):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store"
    index = text(client.get("/en/admin/"))
    for label in ("Users and roles", "Consultation rounds", "Taxonomy", "Site texts",
                  "Audit log"):
        assert label in index


def test_pages_render_right_to_left_in_arabic(client, session, admin, open_round):
    html = text(client.get(f"/ar/admin/rounds/{open_round.id}"))
    assert '<html lang="ar" dir="rtl">' in html
    assert re.search(r'<input[^>]*lang="ar"[^>]*name="title_ar"|<input[^>]*name="title_ar"'
                     r'[^>]*lang="ar"', html)
    assert 'dir="auto"' in html


@pytest.mark.parametrize("role", ["moderator", "reference"])
def test_other_staff_roles_are_refused(client, session, taxonomy, open_round, role):
    user = login(client, session, role)
    for url in PAGES + _detail_pages(session, open_round, user):
        assert client.get(url).status_code == 403, url
    token = csrf_token(text(client.get("/en/account")))
    for url in (f"/en/admin/users/{user.id}/role", f"/en/admin/rounds/{open_round.id}/close",
                "/en/admin/texts/home_intro", "/en/admin/users/new"):
        assert client.post(url, data={"csrf_token": token, "role": "admin"}).status_code == 403
    session.expire_all()
    assert session.get(User, user.id).role.value == role
    assert session.get(Round, open_round.id).is_open


def test_anonymous_visitors_are_sent_to_sign_in(client, taxonomy):
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/en/login?next=")
    assert client.post("/en/admin/users/new", data={}).status_code == 302


# Users.

def test_admin_creates_an_account(client, session, admin):
    response = form_post(client, "/en/admin/users/new", {
        "email": " New.Moderator@Example.org ", "name": "Amina", "role": "moderator",
        "password": "a long enough passphrase"})
    assert response.status_code == 303
    user = session.scalar(select(User).where(User.email == "new.moderator@example.org"))
    assert user.role == Role.MODERATOR and user.name == "Amina"
    assert response.headers["Location"].endswith(f"/en/admin/users/{user.id}")
    assert "Account created for new.moderator@example.org" in text(client.get(
        response.headers["Location"]))
    created = actions(session, "user.create")[-1]
    assert (created.actor_id, created.target_id) == (admin.id, user.id)
    assert "new.moderator@example.org" in text(client.get("/en/admin/users"))


def test_account_errors_show_next_to_fields_and_keep_what_was_typed(client, session, admin):
    response = form_post(client, "/en/admin/users/new", {
        "email": "admin@example.org", "name": "Twice", "role": "superuser",
        "password": "short"})
    assert response.status_code == 422
    html = text(response)
    assert "An account with this email already exists." in html
    assert "Choose one of the options." in html
    assert "Use at least 12 characters." in html
    assert 'id="email-error"' in html and 'id="password-error"' in html
    assert input_value(html, "email") == "admin@example.org"
    assert input_value(html, "name") == "Twice"

    response = form_post(client, "/en/admin/users/new", {
        "email": "x\x00@example.org", "name": "a\x00b", "role": "moderator",
        "password": "a long enough passphrase"})
    assert response.status_code == 422
    assert "invisible control characters" in text(response)


def test_expired_form_is_refused_with_what_was_typed(client, session, admin):
    response = client.post("/en/admin/users/new", data={
        "csrf_token": "stale", "email": "kept@example.org", "name": "Kept",
        "role": "reference", "password": "a long enough passphrase"})
    assert response.status_code == 400
    assert CSRF_MESSAGE in text(response)
    assert input_value(text(response), "email") == "kept@example.org"
    assert session.scalar(select(User).where(User.email == "kept@example.org")) is None


def test_role_change_disable_enable_reset_and_revoke(client, session, admin):
    other = make_user(session, "moderator")
    users_service.issue_token(session, other)
    session.commit()
    page = f"/en/admin/users/{other.id}"

    response = form_post(client, f"{page}/role", {"role": "reference"}, page=page)
    assert response.status_code == 303
    assert form_post(client, f"{page}/role", {"role": "root"}, page=page).status_code == 422
    assert form_post(client, f"{page}/reset-2fa", {}, page=page).status_code == 303
    assert form_post(client, f"{page}/revoke-tokens", {}, page=page).status_code == 303
    assert form_post(client, f"{page}/active", {"active": "0"}, page=page).status_code == 303
    session.expire_all()
    other = session.get(User, other.id)
    assert other.role == Role.REFERENCE and not other.active and other.totp_secret is None
    assert all(t.revoked_at for t in session.scalars(select(ApiToken)))
    assert "Disabled" in text(client.get("/en/admin/users"))

    assert form_post(client, f"{page}/active", {"active": "1"}, page=page).status_code == 303
    session.expire_all()
    assert session.get(User, other.id).active
    done = [e.action for e in actions(session, "") if e.actor_id == admin.id and
            e.target_id == other.id]
    assert done == ["user.role", "auth.2fa_reset", "token.revoke", "user.disable", "user.enable"]


def test_an_admin_cannot_disable_demote_or_reset_themselves(client, session, admin):
    page = f"/en/admin/users/{admin.id}"
    response = form_post(client, f"{page}/active", {"active": "0"}, page=page)
    assert response.status_code == 422
    assert "You cannot disable your own account." in text(response)
    response = form_post(client, f"{page}/role", {"role": "moderator"}, page=page)
    assert response.status_code == 422
    assert "You cannot change your own role." in text(response)
    response = form_post(client, f"{page}/reset-2fa", {}, page=page)
    assert response.status_code == 422
    session.expire_all()
    me = session.get(User, admin.id)
    assert me.active and me.role == Role.ADMIN and me.totp_secret
    assert client.get("/en/admin/users").status_code == 200  # still signed in


def test_button_forms_refuse_a_bad_token(client, session, admin):
    other = make_user(session, "moderator")
    response = client.post(f"/en/admin/users/{other.id}/active", data={"csrf_token": "x",
                                                                        "active": "0"})
    assert response.status_code == 400
    assert CSRF_MESSAGE in text(response)
    session.expire_all()
    assert session.get(User, other.id).active


# Rounds.

def round_form(**overrides):
    data = {
        "title_en": "Open data for development", "title_ar": "البيانات المفتوحة للتنمية",
        "description_en": "Tell us about open data.",
        "questions-0-question_id": "", "questions-0-en": "What data matters?",
        "questions-0-ar": "ما البيانات المهمة؟",
        "questions-1-question_id": "", "questions-1-en": "",
        "opens_at": "2027-01-01T09:00", "closes_at": "2027-02-01T18:30",
    }
    data.update(overrides)
    return data


def edit_form(round_, **overrides):
    data = {f"title_{code}": text_ for code, text_ in round_.title.items()}
    data.update({f"description_{code}": text_ for code, text_ in round_.description.items()})
    for i, question in enumerate(round_.questions):
        data[f"questions-{i}-question_id"] = str(question.id)
        data.update({f"questions-{i}-{code}": t for code, t in question.text.items()})
    data["opens_at"] = round_.opens_at.strftime("%Y-%m-%dT%H:%M")
    data["closes_at"] = round_.closes_at.strftime("%Y-%m-%dT%H:%M")
    data.update(overrides)
    return data


def test_admin_creates_a_round_with_utc_times(client, session, admin):
    response = form_post(client, "/en/admin/rounds/new", round_form())
    assert response.status_code == 303
    created = session.scalar(select(Round).order_by(Round.id.desc()))
    assert created.title == {"ar": "البيانات المفتوحة للتنمية", "en": "Open data for development"}
    assert created.opens_at == dt.datetime(2027, 1, 1, 9, 0, tzinfo=dt.UTC)
    assert created.closes_at == dt.datetime(2027, 2, 1, 18, 30, tzinfo=dt.UTC)
    assert [q.text for q in created.questions] == [{"ar": "ما البيانات المهمة؟",
                                                    "en": "What data matters?"}]
    assert response.headers["Location"].endswith(f"/en/admin/rounds/{created.id}")
    html = text(client.get("/en/admin/rounds"))
    assert "Open data for development" in html and "Upcoming" in html
    assert actions(session, "round.create")[0].actor_id == admin.id


def test_round_errors_are_shown_by_field(client, session, admin):
    response = form_post(client, "/en/admin/rounds/new", round_form(
        title_en="", title_ar="", opens_at="tomorrow", closes_at="2020-01-01T00:00",
        **{"questions-0-fr": "x" * 501}))
    assert response.status_code == 422
    html = text(response)
    assert "A round needs a title in at least one language." in html
    assert "Enter a date and time in UTC" in html
    assert "Use at most 500 characters" in html
    assert 'id="questions-0-fr-error"' in html
    assert input_value(html, "opens_at") == "tomorrow"  # what was typed is kept

    response = form_post(client, "/en/admin/rounds/new", round_form(
        closes_at="2026-12-31T09:00"))
    assert response.status_code == 422
    assert "A round must close after it opens." in text(response)


def test_admin_edits_texts_and_adds_a_question(client, session, admin, open_round):
    page = f"/en/admin/rounds/{open_round.id}"
    html = text(client.get(page))
    assert input_value(html, "title_ar") == open_round.title["ar"]
    assert input_value(html, "opens_at") == open_round.opens_at.strftime("%Y-%m-%dT%H:%M")
    n = len(open_round.questions)
    response = form_post(client, page, edit_form(open_round, title_fr="Les nouvelles "
                                                 "technologies", **{
        f"questions-{n}-question_id": "", f"questions-{n}-es": "¿Qué más?"}), page=page)
    assert response.status_code == 303
    session.expire_all()
    round_ = session.get(Round, open_round.id)
    assert round_.title["fr"] == "Les nouvelles technologies"
    assert round_.questions[-1].text == {"es": "¿Qué más?"}
    assert round_.opens_at == open_round.opens_at  # same minute posted back: unchanged
    [change] = actions(session, "round.update")
    assert change.after["title.fr"] == "Les nouvelles technologies"
    assert "opens_at" not in change.after


def test_a_question_with_answers_is_not_removed(client, session, admin, open_round):
    question = open_round.questions[0]
    factories.make_submission(session, open_round, answers={str(question.id): "An answer."})
    page = f"/en/admin/rounds/{open_round.id}"
    response = form_post(client, page, edit_form(
        open_round, **{"questions-0-en": "", "questions-0-ar": ""}), page=page)
    assert response.status_code == 422
    assert "already has answers, so it cannot be removed" in text(response)
    session.expire_all()
    assert session.get(Question, question.id) is not None


def test_open_now_and_close_now(client, session, admin):
    upcoming = factories.make_round(session, opens_at=utcnow() + dt.timedelta(days=3),
                                    closes_at=utcnow() + dt.timedelta(days=10))
    page = f"/en/admin/rounds/{upcoming.id}"
    assert "Open now" in text(client.get(page))
    response = form_post(client, f"{page}/open", {}, page=page)
    assert response.status_code == 303
    assert "The round is open" in text(client.get(page))
    session.expire_all()
    assert session.get(Round, upcoming.id).is_open
    response = form_post(client, f"{page}/open", {}, page=page)
    assert "This round is already open." in text(client.get(response.headers["Location"]))
    assert form_post(client, f"{page}/close", {}, page=page).status_code == 303
    session.expire_all()
    assert not session.get(Round, upcoming.id).is_open
    assert [e.action for e in actions(session, "round.")] == ["round.open", "round.close"]


def test_round_form_keeps_input_on_a_bad_token(client, session, admin, open_round):
    response = client.post(f"/en/admin/rounds/{open_round.id}", data=edit_form(
        open_round, csrf_token="bad", title_en="Typed but not saved"))
    assert response.status_code == 400
    assert CSRF_MESSAGE in text(response)
    assert input_value(text(response), "title_en") == "Typed but not saved"


# Taxonomy.

def test_taxonomy_is_grouped_by_kind(client, session, admin):
    html = text(client.get("/en/admin/taxonomy"))
    for heading in ("Principles", "Commitments", "Technology areas", "Themes"):
        assert f">{heading}</h2>" in html
    assert "TH01" in html and "P5" in html


def test_admin_adds_an_item_and_errors_are_shown(client, session, admin, taxonomy):
    response = form_post(client, "/en/admin/taxonomy/new", {
        "kind": "principle", "code": "p6", "label_en": "Sustainability",
        "label_fr": "Durabilité", "official_en": "y"})
    assert response.status_code == 303
    item = session.scalar(select(TaxonomyItem).where(TaxonomyItem.code == "P6"))
    assert item.official == {"en": True, "fr": False}
    assert actions(session, "taxonomy.add")[0].target_id == item.id

    for data, message in (
            ({"kind": "principle", "code": "P6", "label_en": "Again"},
             "Another item of this strategy version already has this code."),
            ({"kind": "theme", "code": "T7", "label_en": "Wrong prefix"},
             "Use a code like TH18 for this kind of item."),
            ({"kind": "commitment", "code": "C9"}, "Give the item a label in at least one"),
            ({"kind": "planet", "code": "C9", "label_en": "x"}, "Choose one of the options.")):
        response = form_post(client, "/en/admin/taxonomy/new", data)
        assert response.status_code == 422, data
        assert message in text(response)
        assert input_value(text(response), "code") == data["code"]


def test_renaming_an_item_and_retiring_it(client, session, admin):
    item = session.scalar(select(TaxonomyItem).where(TaxonomyItem.code == "P1"))
    page = f"/en/admin/taxonomy/{item.id}"
    html = text(client.get(page))
    assert input_value(html, "label_ar") == item.labels["ar"]
    data = {f"label_{code}": label for code, label in item.labels.items()}
    data.update({f"description_{code}": d for code, d in (item.descriptions or {}).items()})
    data["label_en"] = "Reworded English label"
    response = form_post(client, page, data, page=page)
    assert response.status_code == 303
    session.expire_all()
    item = session.get(TaxonomyItem, item.id)
    assert item.labels["en"] == "Reworded English label" and item.official["en"] is False
    assert item.official["ar"] is True

    response = form_post(client, page, {**data, "label_en": "x" * 201}, page=page)
    assert response.status_code == 422
    assert 'id="label_en-error"' in text(response)

    assert form_post(client, f"{page}/retire", {"retire": "1"}, page=page).status_code == 303
    session.expire_all()
    assert session.get(TaxonomyItem, item.id).retired_at is not None
    assert "Retired" in text(client.get("/en/admin/taxonomy"))
    assert form_post(client, f"{page}/retire", {"retire": "0"}, page=page).status_code == 303
    session.expire_all()
    assert session.get(TaxonomyItem, item.id).retired_at is None


# Site texts.

def test_site_texts_show_on_the_public_pages(client, session, admin, open_round):
    page = "/en/admin/texts/home_intro"
    response = form_post(client, page, {"text_en": "Fish & chips <b>bold</b>",
                                        "text_ar": "مرحبا بكم"})
    assert response.status_code == 303
    home = text(client.get("/en/"))
    assert '<p class="user-text" dir="auto" lang="en">Fish &amp; chips bold</p>' in home
    assert "مرحبا بكم" in text(client.get("/ar/"))
    assert "مرحبا بكم" not in text(client.get("/fr/"))
    assert "Fish &amp; chips" in text(client.get("/fr/"))  # English when French is missing
    assert "privacy@" not in text(client.get("/en/privacy"))
    form_post(client, "/en/admin/texts/privacy_contact", {"text_en": "privacy@unu.edu"})
    assert "privacy@unu.edu" in text(client.get("/es/privacy"))
    assert [e.details["key"] for e in actions(session, "site_text.")] == ["home_intro",
                                                                          "privacy_contact"]
    assert "English" in text(client.get("/en/admin/texts"))


def test_site_text_is_read_with_one_query_per_page(app, client, session, taxonomy):
    site_texts.set_texts(session, "privacy_contact", {"en": "dpo@unu.edu"})
    session.commit()
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert "dpo@unu.edu" in text(client.get("/en/privacy"))
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert sum("site_texts" in s for s in statements) == 1


def test_site_text_errors_and_unknown_keys(client, session, admin):
    response = form_post(client, "/en/admin/texts/home_intro", {"text_fr": "bad\x01",
                                                                "text_en": "kept"})
    assert response.status_code == 422
    assert 'id="text_fr-error"' in text(response)
    assert "kept</textarea>" in text(response)
    assert client.get("/en/admin/texts/footer").status_code == 404


# The audit log.

def test_audit_log_lists_and_filters(client, session, admin):
    other = make_user(session, "moderator")
    page = f"/en/admin/users/{other.id}"
    form_post(client, f"{page}/role", {"role": "reference"}, page=page)
    # Each event reads as a sentence (issue #18): who did what to what.
    role_change = f"admin@example.org changed the role of {other.email}"
    sign_in = "admin@example.org signed in"

    def log(query: str = "") -> str:
        return text(client.get(f"/en/admin/audit{query}"))

    html = log()
    assert role_change in html and sign_in in html
    assert '<code dir="ltr">role</code>: <bdi>moderator</bdi>' in html
    assert '<code dir="ltr">role</code>: <bdi>reference</bdi>' in html
    assert '<option value="user." selected>Accounts</option>' in log("?action=user.")
    assert "UTC" in html
    filtered = log("?action=user.")
    assert role_change in filtered and sign_in not in filtered
    assert role_change in log("?actor=ADMIN@example.org&action=user.role")
    assert role_change not in log("?actor=moderator@example.org")
    target = log(f"?target_type=users&target_id={other.id}")
    assert role_change in target and sign_in not in target
    today = utcnow().date().isoformat()
    assert role_change in log(f"?date_from={today}&date_to={today}")
    assert role_change not in log("?date_to=2020-01-01")


def test_audit_log_pages_and_bad_filters(client, session, admin):
    for i in range(55):
        session.add(AuditEvent(action="test.bulk", details={"n": i}))
    session.commit()
    first = text(client.get("/en/admin/audit?action=test."))
    assert first.count('<code dir="ltr">test.bulk</code>') == 50
    next_url = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert "action=test." in next_url
    assert text(client.get(next_url)).count('<code dir="ltr">test.bulk</code>') == 5

    for query in ("target_id=abc", "target_id=99999999999", "target_type=planets",
                  "date_from=yesterday"):
        response = client.get(f"/en/admin/audit?{query}")
        assert response.status_code == 422, query
        assert "Correct the filters above" in text(response)
    for query in ("action=%00", "actor=a%00b"):  # refused for every page before the view
        assert client.get(f"/en/admin/audit?{query}").status_code == 400, query
    assert client.get("/en/admin/audit?cursor=nonsense").status_code == 400


def test_no_input_gives_a_server_error(client, session, admin, open_round):
    other = make_user(session, "moderator")
    item = session.scalar(select(TaxonomyItem).where(TaxonomyItem.code == "C1"))
    token = csrf_token(text(client.get("/en/admin/users/new")))
    junk = {"csrf_token": token, "email": "\ufffd@x", "role": "\x00", "active": "maybe",
            "title_en": "\x00", "questions-7-question_id": "9" * 30, "questions-7-en": "x",
            "questions-0-question_id": "abc", "opens_at": "2027-13-45T99:99",
            "closes_at": "\x00", "kind": "\x00", "code": "P" + "9" * 40, "label_en": "ok",
            "text_en": "x" * 100_000, "retire": "2", "password": "\x00" * 20}
    urls = ["/en/admin/users/new", f"/en/admin/users/{other.id}/role",
            f"/en/admin/users/{other.id}/active", f"/en/admin/rounds/{open_round.id}",
            "/en/admin/rounds/new", f"/en/admin/rounds/{open_round.id}/open",
            "/en/admin/taxonomy/new", f"/en/admin/taxonomy/{item.id}",
            f"/en/admin/taxonomy/{item.id}/retire", "/en/admin/texts/privacy_contact"]
    for url in urls:
        assert client.post(url, data=junk).status_code < 500, url
    for url in ("/en/admin/users/99999999999", "/en/admin/rounds/99999999999",
                "/en/admin/taxonomy/0"):
        assert client.get(url).status_code == 404, url
