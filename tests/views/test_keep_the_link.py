"""Keep the link (issue #18 items 1 and 7): the private link emailed once through the
outbox in the contributor's language, the plain-text copy, and `flask outbox send`
against a real SMTP server (aiosmtpd), failing loudly when mail cannot go out."""
from __future__ import annotations

import email
import email.policy
import re
import socket

import pytest
from sqlalchemy import func, select

from app.models import OutboxMessage, OutboxStatus
from tests.helpers import csrf_token, login, web_form


def _send_arabic_view(client, open_round, **overrides):
    html = client.get("/ar/submit").get_data(as_text=True)
    response = client.post("/ar/submit", data={"csrf_token": csrf_token(html), **web_form(
        open_round, language="ar", title="الاتصال أولا", email="amina@example.org",
        **overrides)})
    assert response.status_code == 303, response.get_data(as_text=True)
    token = re.search(r"/ar/manage/([^?]+)", response.headers["Location"]).group(1)
    return token


def test_the_private_link_is_queued_once_in_arabic(client, session, open_round):
    token = _send_arabic_view(client, open_round)
    receipt = client.get(f"/ar/manage/{token}?new=1").get_data(as_text=True)
    assert "نرسل أيضًا الرابط الخاص" in receipt  # told that it is on its way
    messages = session.scalars(select(OutboxMessage)).all()
    assert len(messages) == 1
    message = messages[0]
    reference = re.search(r'class="reference"><bdi>([A-Z0-9-]+)<', receipt).group(1)
    assert (message.language, message.to_address) == ("ar", "amina@example.org")
    assert reference in message.subject and "رابطك الخاص" in message.subject
    assert f"http://localhost/ar/manage/{token}" in message.body
    assert reference in message.body
    # Correcting the view sends nothing more.
    edit = client.get(f"/ar/manage/{token}/edit").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', edit).group(1)
    response = client.post(f"/ar/manage/{token}/edit", data={
        "csrf_token": csrf_token(edit), "version": version, **web_form(
            open_round, language="ar", title="الاتصال أولا وأخيرا", email="amina@example.org")})
    assert response.status_code == 303
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    # Without an address, nothing is queued.
    html = client.get("/en/submit").get_data(as_text=True)
    client.post("/en/submit", data={"csrf_token": csrf_token(html), **web_form(open_round)})
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_admins_do_not_read_the_private_link_in_the_outbox(client, session, open_round):
    token = _send_arabic_view(client, open_round)
    login(client, session, "admin")
    html = client.get("/en/admin/outbox").get_data(as_text=True)
    assert "amina@example.org" in html
    assert token not in html and "private link (not shown" in html


def test_the_receipt_offers_text_json_copy_and_print(client, session, open_round):
    token = _send_arabic_view(client, open_round)
    html = client.get(f"/ar/manage/{token}?new=1").get_data(as_text=True)
    assert f"/ar/manage/{token}/copy.txt" in html and f"/ar/manage/{token}/copy.json" in html
    assert "data-copy-target=\"private-url\"" in html and "data-print" in html
    assert "/static/js/site.js" in html
    response = client.get(f"/ar/manage/{token}/copy.txt")
    assert response.status_code == 200
    assert response.content_type == "text/plain; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff") and "\r\n" in text
    assert "الاتصال أولا" in text and f"/ar/manage/{token}" in text
    assert "الحالة: في انتظار المراجعة" in text  # labels in the page's language
    assert "amina@example.org" in text  # what the contributor gave, for them alone


# A real SMTP server.

class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content,
                                                      policy=email.policy.default))
        return "250 OK"


@pytest.fixture()
def smtp_server():
    from aiosmtpd.controller import Controller

    inbox = _Inbox()
    port = _closed_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_outbox_send_delivers_and_fails_loudly(app, client, runner, session, open_round,
                                              smtp_server):
    token = _send_arabic_view(client, open_round)
    inbox, port = smtp_server
    # The mail server is down: the messages stay queued, the command exits non-zero and
    # the admin page shows the failure.
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port(), MAIL_USE_TLS=False,
                      MAIL_SENDER="consult@example.org", MAIL_USERNAME=None)
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 1, result.output
    assert "1 to retry later" in result.output
    session.expire_all()
    queued = session.scalar(select(OutboxMessage))
    assert queued.status == OutboxStatus.QUEUED and queued.last_attempt_at is not None
    login(client, session, "admin")
    html = client.get("/en/admin/outbox").get_data(as_text=True)
    assert "Last delivery failure" in html and "ConnectionRefusedError" in html
    # The server is back: delivered, in Arabic, and the link no longer kept.
    app.config.update(MAIL_PORT=port)
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "Sent 1;" in result.output
    assert len(inbox.messages) == 1
    sent = inbox.messages[0]
    assert sent["To"] == "amina@example.org" and sent["Content-Language"] == "ar"
    assert f"/ar/manage/{token}" in sent.get_content()
    assert "رابطك الخاص" in sent["Subject"]
    session.expire_all()
    done = session.scalar(select(OutboxMessage))
    assert done.status == OutboxStatus.SENT and token not in done.body


def test_the_api_queues_the_link_once_in_the_views_language(client, session, open_round):
    from tests.factories import submission_data

    payload = submission_data(open_round, language="fr", email="claire@example.org")
    headers = {"Idempotency-Key": "retry-safe-key-0001"}
    first = client.post("/api/v1/submissions", json=payload, headers=headers)
    assert first.status_code == 201
    again = client.post("/api/v1/submissions", json=payload, headers=headers)  # a retry
    assert again.status_code == 201
    messages = session.scalars(select(OutboxMessage)).all()
    assert len(messages) == 1
    assert messages[0].language == "fr" and "votre lien privé" in messages[0].subject
    assert first.get_json()["manage_url"] in messages[0].body
