"""\"You said, we did\": drafts, publication, and the outbox it fills and sends."""
from __future__ import annotations

import smtplib

import pytest
from sqlalchemy import func, select

from app.i18n import LANGUAGES
from app.models import AuditEvent, OutboxMessage, OutboxStatus, ResponseStatus
from app.services import NotEditable, ValidationFailed
from app.services.publishing import outbox, responses
from tests import outreach_data as data


@pytest.fixture()
def views(app, session):
    with app.test_request_context("/en/"):
        yield data.round_with_views(session)


def _messages(session):
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_draft_validates_codes_and_published_references(app, session, views):
    round_ = views["round"]
    with app.test_request_context("/en/"):
        with pytest.raises(ValidationFailed) as caught:
            responses.save_draft(session, round_, summary=data.six("S"), changes=[
                responses.ChangeEdit(text={}, codes="", references=""),  # empty slot: ignored
                responses.ChangeEdit(text=data.six("c"), codes="P2, ZZ9",
                                     references=[views["private"].reference,
                                                 views["pending"].reference,
                                                 views["published"].reference]),
            ], by=None)
        session.rollback()
    errors = caught.value.errors
    assert set(errors) == {"changes.1.codes", "changes.1.references"}
    message = str(errors["changes.1.references"][0])
    assert views["private"].reference in message and views["pending"].reference in message
    assert views["published"].reference not in message

    with app.test_request_context("/en/"):
        response = data.draft(session, round_, references=[views["published"].reference])
    assert response.status == ResponseStatus.DRAFT
    assert [c.codes for c in response.changes] == [["P2", "TH03"]]
    assert response.changes[0].references == [views["published"].reference]
    assert session.scalar(select(func.count()).select_from(AuditEvent)
                          .where(AuditEvent.action == "response.save")) == 1


def test_publish_needs_a_closed_round_and_six_languages(app, session, views):
    round_ = views["round"]
    with app.test_request_context("/en/"):
        response = responses.save_draft(
            session, round_, summary={"en": "Only English"},
            changes=[responses.ChangeEdit(text={"en": "x"}, codes="P2")], by=None)
        with pytest.raises(ValidationFailed) as caught:
            responses.publish(session, response, by=None, link_for=data.link_for(round_.id))
    assert "summary.fr" in caught.value.errors and "changes.0.text.ar" in caught.value.errors
    assert "summary.en" not in caught.value.errors
    session.rollback()

    round_.closes_at = round_.closes_at.replace(year=round_.closes_at.year + 1)
    session.commit()
    with app.test_request_context("/en/"):
        response = data.draft(session, round_)
        with pytest.raises(NotEditable):
            responses.publish(session, response, by=None, link_for=data.link_for(round_.id))


def test_publish_enqueues_once_per_contributor_and_never_the_erased(app, session, views):
    round_ = views["round"]
    with app.test_request_context("/en/"):
        response = data.draft(session, round_, references=[views["published"].reference])
        assert responses.publish(session, response, by=None,
                                 link_for=data.link_for(round_.id)) == 3
        session.commit()
        # Publishing again (after unpublishing) tells no one twice.
        responses.unpublish(session, response, by=None)
        with pytest.raises(NotEditable):
            responses.unpublish(session, response, by=None)
        assert responses.publish(session, response, by=None,
                                 link_for=data.link_for(round_.id)) == 0
        session.commit()
    messages = _messages(session)
    assert sorted(m.to_address for m in messages) == [
        "amina@example.org", "fatou@example.org", "li@example.org"]
    assert {m.language for m in messages} == {"fr", "ar", "zh"}
    assert all(m.status == OutboxStatus.QUEUED and m.attempts == 0 for m in messages)
    for message in messages:
        assert f"/{message.language}/rounds/{round_.id}/response" in message.body
        # Nothing the contributor wrote, nor anyone else's address.
        assert "Connectivity first" not in message.body
        assert "affordable internet" not in message.body
        assert "@" not in message.body
    assert responses.published_response(session, round_.id) is response
    assert [r.id for r in responses.published_responses(session)] == [response.id]
    actions = session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like("response.%")).order_by(AuditEvent.id)).all()
    assert actions == ["response.save", "response.publish", "response.unpublish",
                       "response.publish"]


def test_a_published_response_cannot_be_edited(app, session, views):
    round_ = views["round"]
    with app.test_request_context("/en/"):
        response = data.draft(session, round_)
        responses.publish(session, response, by=None, link_for=data.link_for(round_.id))
        session.commit()
        with pytest.raises(NotEditable):
            data.draft(session, round_)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_message_in_each_language_uses_its_locale_and_link(app, session, views, lang,
                                                           monkeypatch):
    """The message is rendered under force_locale(lang) with that language's link and the
    round's title in that language (the catalogs give the rest once translated)."""
    round_ = views["round"]
    forced: list[str] = []
    real = outbox.force_locale

    def spy(locale):
        forced.append(str(locale))
        return real(locale)

    monkeypatch.setattr(outbox, "force_locale", spy)
    views["published"].language = lang
    session.commit()
    with app.test_request_context("/en/"):
        response = data.draft(session, round_)
        responses.publish(session, response, by=None, link_for=data.link_for(round_.id))
        session.commit()
    assert sorted(forced) == sorted(LANGUAGES)  # one rendering per language, not per row
    mine = session.scalar(select(OutboxMessage).where(
        OutboxMessage.submission_id == views["published"].id))
    assert mine.language == lang
    assert f"https://consult.example.org/{lang}/rounds/{round_.id}/response" in mine.body
    assert data.TITLES[lang] in mine.subject and data.TITLES[lang] in mine.body
    with app.test_request_context("/en/"):
        subject, _body = outbox.response_message(response, lang, "L")
    assert subject == mine.subject


def test_message_language_falls_back_to_english():
    assert outbox.message_language("sw") == "en"
    assert outbox.message_language(None) == "en"
    assert outbox.message_language("zh") == "zh"
    assert outbox.mask_address("amina.k@example.org") == "a***@example.org"


class FakeSMTP:
    """Records what would be sent; refuses addresses listed in `refuse`."""

    sent: list = []
    refuse: set = set()
    down = False

    def __init__(self, host, port, timeout=None):
        if FakeSMTP.down:
            raise OSError("connection refused")
        self.host, self.port = host, port
        self.tls = False

    def starttls(self):
        self.tls = True

    def login(self, user, password):
        self.user = user

    def send_message(self, message):
        if message["To"] in FakeSMTP.refuse:
            raise smtplib.SMTPRecipientsRefused({message["To"]: (550, b"no such user")})
        FakeSMTP.sent.append(message)

    def quit(self):
        pass


@pytest.fixture()
def fake_smtp(monkeypatch):
    FakeSMTP.sent, FakeSMTP.refuse, FakeSMTP.down = [], set(), False
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    return FakeSMTP


MAIL = {"MAIL_SERVER": "smtp.example.org", "MAIL_PORT": 587, "MAIL_USE_TLS": True,
        "MAIL_USERNAME": "u", "MAIL_PASSWORD": "p", "MAIL_SENDER": "consult@example.org"}


def test_send_marks_sent_retries_then_fails_and_drops_erased(app, session, views, fake_smtp,
                                                             caplog):
    round_ = views["round"]
    with app.test_request_context("/en/"):
        response = data.draft(session, round_)
        responses.publish(session, response, by=None, link_for=data.link_for(round_.id))
        session.commit()
    # Li erases her view after the response was published: her message goes with it.
    from app.services.contributions import intake
    intake.erase(session, views["pending"])
    session.commit()
    assert "li@example.org" not in [m.to_address for m in _messages(session)]
    fake_smtp.refuse = {"amina@example.org"}
    result = outbox.send_batch(session, MAIL)
    session.commit()
    assert (result.sent, result.retry, result.failed, result.dropped) == (1, 1, 0, 0)
    assert [m["To"] for m in fake_smtp.sent] == ["fatou@example.org"]
    sent_message = fake_smtp.sent[0]
    assert sent_message["Content-Language"] == "fr"
    assert f"/fr/rounds/{round_.id}/response" in sent_message.get_content()
    by_lang = {m.language: m for m in _messages(session)}
    assert set(by_lang) == {"fr", "ar"}  # the erased one's message is gone
    assert by_lang["fr"].status == OutboxStatus.SENT and by_lang["fr"].sent_at is not None
    assert by_lang["fr"].to_address == "f***@example.org"  # only a masked address is kept
    assert by_lang["ar"].status == OutboxStatus.QUEUED and by_lang["ar"].attempts == 1
    assert "amina@example.org" not in by_lang["ar"].last_error
    assert "amina@example.org" not in caplog.text
    for _attempt in range(outbox.MAX_ATTEMPTS - 1):
        outbox.send_batch(session, MAIL)
        session.commit()
    session.refresh(by_lang["ar"])
    assert by_lang["ar"].status == OutboxStatus.FAILED
    assert by_lang["ar"].attempts == outbox.MAX_ATTEMPTS
    assert by_lang["ar"].to_address == "a***@example.org"
    assert outbox.send_batch(session, MAIL).sent == 0  # nothing queued any more


def test_purged_addresses_are_not_used(app, session, views, fake_smtp):
    round_ = views["round"]
    with app.test_request_context("/en/"):
        response = data.draft(session, round_)
        responses.publish(session, response, by=None, link_for=data.link_for(round_.id))
        session.commit()
    views["private"].personal.email = None  # as `privacy purge` leaves it
    session.commit()
    result = outbox.send_batch(session, MAIL)
    session.commit()
    assert (result.sent, result.dropped) == (2, 1)
    assert "amina@example.org" not in [m["To"] for m in fake_smtp.sent]
    assert len(_messages(session)) == 2


def test_send_when_the_server_is_down_keeps_messages_queued(app, session, views, fake_smtp):
    round_ = views["round"]
    with app.test_request_context("/en/"):
        response = data.draft(session, round_)
        responses.publish(session, response, by=None, link_for=data.link_for(round_.id))
        session.commit()
    fake_smtp.down = True
    result = outbox.send_batch(session, MAIL)
    session.commit()
    assert result.retry == 3 and result.sent == 0
    assert all(m.status == OutboxStatus.QUEUED and m.attempts == 1 for m in _messages(session))
