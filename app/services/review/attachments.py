"""Moderators' decision on each file attached to a view (issue #21): public or withheld.

A file arrives withheld: it may hold names, signatures or addresses that the view's text
does not. Marked public, it is given to the reference group with the approved view and
shown with the published view (when its author consented to publication); withheld, it
stays with the moderators. Each change is audit-logged in the same transaction, with the
file's id and SHA-256, never its name or text.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import lazy_gettext as _l
from app.models import Attachment, Submission, User
from app.services import NotFound, parse_id
from app.services.accounts import audit
from app.services.assist import search


def find(session: Session, submission_id: int, attachment_id: Any) -> Attachment | None:
    """The attachment `attachment_id` of submission `submission_id`, or None."""
    ident = parse_id(str(attachment_id))
    if ident is None:
        return None
    return session.scalar(select(Attachment).where(Attachment.id == ident,
                                                   Attachment.submission_id == submission_id))


def set_public(session: Session, submission: Submission, attachment_id: Any, *,
               public: bool, by: User) -> Attachment:
    """Mark one of `submission`'s files public or withheld; NotFound when it has no such
    file. Marking it as it already is changes nothing and logs nothing."""
    attachment = find(session, submission.id, attachment_id)
    if attachment is None:
        raise NotFound(_l("This file is not attached to this view."))
    if attachment.public == public:
        return attachment
    audit.record(session, "attachment.public" if public else "attachment.withheld",
                 actor=by, target=attachment, before={"public": attachment.public},
                 after={"public": public}, submission_id=submission.id,
                 sha256=attachment.sha256)
    attachment.public = public
    session.flush()
    # Once a view is decided, search reads only its public files' text: index it again.
    search.index(session, submission)
    return attachment
