"""The outbox: emails to contributors, written in one transaction with what caused them
and sent later by `flask --app wsgi outbox send` (SMTP), or read by admins in the panel
when no mail server is configured.

A message is the same for every contributor of a language (no one's text, no personal data
but the address it goes to), so it is rendered six times per response, not once per row.
Addresses never go to the logs in full (`mask_address`); a message sent, or failed for good,
keeps only the masked address; a queued message whose view was erased, or whose address was
purged, is deleted instead of sent.
"""
from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from sqlalchemy import delete, exists, func, insert, select
from sqlalchemy.orm import Session

from app.db import utcnow
from app.i18n import LANGUAGES, force_locale, localized
from app.i18n import gettext as _
from app.models import (
    OutboxMessage,
    OutboxStatus,
    PersonalData,
    RoundResponse,
    Status,
    Submission,
)

log = logging.getLogger(__name__)
BATCH = 500
MAX_ATTEMPTS = 5


def mask_address(address: str | None) -> str:
    """"amina.k@example.org" -> "a***@example.org", for logs and sent messages."""
    if not address or "@" not in address:
        return "***"
    local, _at, domain = address.rpartition("@")
    return f"{local[:1]}***@{domain}"


def message_language(language: str | None) -> str:
    """The UN language to write to someone who wrote in `language` (English otherwise)."""
    return language if language in LANGUAGES else "en"


def response_message(response: RoundResponse, lang: str, link: str) -> tuple[str, str]:
    """Subject and body telling a contributor that the round's response is published."""
    with force_locale(lang):
        title = localized(response.round.title, lang)
        subject = _("The response to the consultation \u201c%(title)s\u201d is published",
                    title=title)
        body = "\n\n".join([
            _("Thank you for sending your view to the consultation \u201c%(title)s\u201d.",
              title=title),
            _("The United Nations University has published its response: what changed in "
              "the strategy, and which views motivated each change. Read it here:"),
            link,
            _("You receive this message once, because you left your email address with your "
              "view. Your view itself is not part of this message."),
        ])
    return subject, body


RECEIPT_KEY_PREFIX = "receipt:"
# What stays of a receipt's body once it is sent: the private link is a secret that only
# its owner should hold, not a table admins and backups read.
SENT_RECEIPT_BODY = "(private link removed after sending)"


def receipt_message(lang: str, reference: str, link: str) -> tuple[str, str]:
    """Subject and body giving a contributor the private link to their view."""
    with force_locale(lang):
        subject = _("Your view %(reference)s: your private link", reference=reference)
        body = "\n\n".join([
            _("Thank you for your view. Its reference code is %(reference)s.",
              reference=reference),
            _("With this private link you can read your view, correct it while it waits for "
              "review, download a copy, or withdraw and erase it:"),
            link,
            _("Keep this message and do not forward it: anyone with the link can change or "
              "erase your view. You receive this message once, because you left your email "
              "address with your view."),
        ])
    return subject, body


def is_receipt(message: OutboxMessage) -> bool:
    return message.key.startswith(RECEIPT_KEY_PREFIX)


def enqueue_receipt(session: Session, submission: Submission, lang: str, link: str) -> bool:
    """Queue the private link for the submission's author when they left an email, once
    per submission (the key); True when a message was queued."""
    personal = submission.personal
    if personal is None or not personal.email:
        return False
    key = f"{RECEIPT_KEY_PREFIX}submission:{submission.id}"
    if session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)):
        return False
    lang = message_language(lang)
    subject, body = receipt_message(lang, submission.reference, link)
    session.add(OutboxMessage(key=key, submission_id=submission.id, to_address=personal.email,
                              subject=subject[:300], body=body, language=lang,
                              status=OutboxStatus.QUEUED, attempts=0))
    session.flush()
    return True


def last_failure(session: Session) -> OutboxMessage | None:
    """The message whose delivery failed most recently (for the admin page)."""
    return session.scalar(select(OutboxMessage).where(OutboxMessage.last_error.is_not(None))
                          .order_by(OutboxMessage.last_attempt_at.desc().nulls_last(),
                                    OutboxMessage.id.desc()).limit(1))


def _response_key(response: RoundResponse, submission_id: int) -> str:
    return f"response:{response.id}:submission:{submission_id}"


def enqueue_response(session: Session, response: RoundResponse,
                     link_for: Callable[[str], str]) -> int:
    """Queue one message per submission of the round that left an email and is not
    erased or withdrawn; a submission already told about this response is skipped.

    Reads the addresses by keyset in batches, checks existing keys once per batch and
    inserts each batch in one statement."""
    rendered = {lang: response_message(response, lang, link_for(lang)) for lang in LANGUAGES}
    added = 0
    last_id = 0
    while True:
        rows = session.execute(
            select(Submission.id, Submission.language, PersonalData.email)
            .join(PersonalData, PersonalData.submission_id == Submission.id)
            .where(Submission.round_id == response.round_id, Submission.id > last_id,
                   Submission.erased_at.is_(None), Submission.status != Status.WITHDRAWN,
                   PersonalData.email.is_not(None))
            .order_by(Submission.id).limit(BATCH)).all()
        if not rows:
            return added
        last_id = rows[-1][0]
        keys = {sid: _response_key(response, sid) for sid, _lang, _email in rows}
        done = set(session.scalars(select(OutboxMessage.key)
                                   .where(OutboxMessage.key.in_(list(keys.values())))))
        now = utcnow()
        values = []
        for sid, language, email in rows:
            if keys[sid] in done or not email:
                continue
            lang = message_language(language)
            subject, body = rendered[lang]
            values.append({"key": keys[sid], "submission_id": sid, "to_address": email,
                           "subject": subject[:300], "body": body, "language": lang,
                           "status": OutboxStatus.QUEUED, "attempts": 0, "created_at": now})
        if values:
            session.execute(insert(OutboxMessage), values)
            added += len(values)
        session.flush()


def forget(session: Session, submission_id: int) -> None:
    """Delete the queued messages to a submission's author (on erasure): the address goes
    with the view."""
    session.execute(delete(OutboxMessage).where(OutboxMessage.submission_id == submission_id,
                                                OutboxMessage.status == OutboxStatus.QUEUED)
                    .execution_options(synchronize_session=False))


def queued(session: Session, *, after_id: int = 0, limit: int = 100) -> list[OutboxMessage]:
    """Queued messages in order, by keyset (`after_id`)."""
    return list(session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.QUEUED,
                                    OutboxMessage.id > after_id)
        .order_by(OutboxMessage.id).limit(limit)))


def count_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(OutboxMessage.status, func.count())
                           .group_by(OutboxMessage.status))
    return {status.value: n for status, n in rows}


@dataclass
class SendResult:
    sent: int = 0
    retry: int = 0
    failed: int = 0
    dropped: int = 0
    last_id: int = 0


def _drop_erased(session: Session, messages: list[OutboxMessage]) -> list[OutboxMessage]:
    """Delete the queued messages whose view was erased or withdrawn since, or whose
    address was dropped from it (`privacy purge`); keep the rest."""
    ids = [m.submission_id for m in messages if m.submission_id is not None]
    still_held = exists().where(PersonalData.submission_id == Submission.id,
                                PersonalData.email.is_not(None))
    gone = set(session.scalars(select(Submission.id).where(
        Submission.id.in_(ids),
        Submission.erased_at.is_not(None) | (Submission.status == Status.WITHDRAWN)
        | ~still_held))) if ids else set()
    if gone:
        session.execute(delete(OutboxMessage).where(OutboxMessage.submission_id.in_(gone),
                                                    OutboxMessage.status == OutboxStatus.QUEUED)
                        .execution_options(synchronize_session=False))
    return [m for m in messages if m.submission_id not in gone]


def _error_text(exc: BaseException, address: str) -> str:
    return f"{type(exc).__name__}: {exc}".replace(address, mask_address(address))[:500]


def _failed_attempt(message: OutboxMessage, error: str, result: SendResult) -> None:
    message.attempts += 1
    message.last_error = error
    message.last_attempt_at = utcnow()
    if message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxStatus.FAILED
        message.to_address = mask_address(message.to_address)  # no longer needed in full
        result.failed += 1
    else:
        result.retry += 1


def send_batch(session: Session, config: dict[str, Any], *, after_id: int = 0,
               limit: int = 100, smtp_class: Any = None) -> SendResult:
    """Send up to `limit` queued messages with ids above `after_id` over one SMTP
    connection. A message that fails stays queued for a later run until it has failed
    MAX_ATTEMPTS times, then is `failed`. The caller commits after each batch."""
    result = SendResult(last_id=after_id)
    messages = queued(session, after_id=after_id, limit=limit)
    if not messages:
        return result
    result.last_id = messages[-1].id
    kept = _drop_erased(session, messages)
    result.dropped = len(messages) - len(kept)
    if not kept:
        session.flush()
        return result
    smtp_class = smtp_class or smtplib.SMTP
    try:
        connection = smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30)
        if config.get("MAIL_USE_TLS"):
            connection.starttls()
        if config.get("MAIL_USERNAME"):
            connection.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("outbox: cannot reach the mail server: %s", type(exc).__name__)
        for message in kept:
            _failed_attempt(message, f"{type(exc).__name__}: {exc}"[:500], result)
        session.flush()
        return result
    try:
        for message in kept:
            email = EmailMessage()
            email["From"] = config["MAIL_SENDER"]
            email["To"] = message.to_address
            email["Subject"] = message.subject
            email["Message-ID"] = make_msgid(domain=config["MAIL_SENDER"].rpartition("@")[2]
                                             or None)
            email.set_content(message.body)
            email["Content-Language"] = message.language  # after: set_content clears Content-*
            try:
                connection.send_message(email)
            except (smtplib.SMTPException, OSError) as exc:
                log.warning("outbox: message %s to %s failed: %s", message.id,
                            mask_address(message.to_address), type(exc).__name__)
                _failed_attempt(message, _error_text(exc, message.to_address), result)
                continue
            message.attempts += 1
            message.status = OutboxStatus.SENT
            message.sent_at = message.last_attempt_at = utcnow()
            message.last_error = None
            message.to_address = mask_address(message.to_address)
            if is_receipt(message):
                message.body = SENT_RECEIPT_BODY
            result.sent += 1
    finally:
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            pass
    session.flush()
    return result
