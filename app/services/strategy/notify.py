""""You said, we did" for the strategy's text: when an edition is published, the
contributors of the views its changes cite, who left an email, are told once, in their
language, through the outbox (app.services.publishing.outbox sends and purges it)."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.db import utcnow
from app.i18n import force_locale, localized
from app.i18n import gettext as _
from app.models import (
    OutboxMessage,
    OutboxStatus,
    PersonalData,
    Status,
    StrategyChange,
    StrategyChangeView,
    StrategyEdition,
    Submission,
)
from app.services.publishing.outbox import message_language


def message(edition: StrategyEdition, lang: str, link: str) -> tuple[str, str]:
    """Subject and body telling a contributor that a revision cites their view."""
    with force_locale(lang):
        title = localized(edition.title, lang) or edition.label
        subject = _("You said, we did: the strategy was revised with your view in mind")
        body = "\n\n".join([
            _("Thank you for the view you sent about the strategy \u201c%(title)s\u201d.",
              title=title),
            _("Version %(label)s of the strategy is published. Your view is one of those "
              "that motivated a change to its text. Read what changed and why:",
              label=edition.label),
            link,
            _("You receive this message once, because you left your email address with your "
              "view. Your view itself is not part of this message."),
        ])
    return subject, body


def key_for(edition: StrategyEdition, submission_id: int) -> str:
    return f"strategy:{edition.id}:submission:{submission_id}"


def enqueue(session: Session, edition: StrategyEdition,
            link_for: Callable[[StrategyEdition, str], str]) -> int:
    """Queue one message per cited view whose author left an email (not erased, not
    withdrawn); a view already told about this edition is skipped."""
    rows = session.execute(
        select(Submission.id, Submission.language, PersonalData.email)
        .join(PersonalData, PersonalData.submission_id == Submission.id)
        .where(Submission.id.in_(
            select(StrategyChangeView.submission_id)
            .join(StrategyChange, StrategyChange.id == StrategyChangeView.change_id)
            .where(StrategyChange.edition_id == edition.id)),
            Submission.erased_at.is_(None), Submission.status != Status.WITHDRAWN,
            PersonalData.email.is_not(None))
        .order_by(Submission.id)).all()
    if not rows:
        return 0
    keys = {sid: key_for(edition, sid) for sid, _lang, _email in rows}
    done = set(session.scalars(select(OutboxMessage.key)
                               .where(OutboxMessage.key.in_(list(keys.values())))))
    rendered: dict[str, tuple[str, str]] = {}
    now = utcnow()
    values = []
    for sid, language, email in rows:
        if keys[sid] in done:
            continue
        lang = message_language(language)
        if lang not in rendered:
            rendered[lang] = message(edition, lang, link_for(edition, lang))
        subject, body = rendered[lang]
        values.append({"key": keys[sid], "submission_id": sid, "to_address": email,
                       "subject": subject[:300], "body": body, "language": lang,
                       "status": OutboxStatus.QUEUED, "attempts": 0, "created_at": now})
    if values:
        session.execute(insert(OutboxMessage), values)
    session.flush()
    return len(values)
