"""The files the reference group gets (issue #21): the attachments a moderator marked
public, of approved views, never of an erased one. Withheld files never pass here.

`public_files` lists them for a batch of views (exports, the Word summaries, the views of
a code); `for_reference_group` finds one to download.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Attachment, Status, Submission
from app.services import parse_id


@dataclass(frozen=True)
class PublicFile:
    """A file as the reference group sees it: no text, no hash."""

    id: int
    submission_id: int
    filename: str
    content_type: str
    size: int
    page_count: int | None


def _approved() -> list[Any]:
    return [Submission.status == Status.APPROVED, Submission.erased_at.is_(None)]


def public_files(session: Session | Any, submission_ids: Iterable[int]
                 ) -> dict[int, list[PublicFile]]:
    """{submission id: its public files, in the contributor's order} for those of
    `submission_ids` that are approved. `session` may be a Session or a Connection."""
    ids = list(submission_ids)
    out: dict[int, list[PublicFile]] = defaultdict(list)
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(Attachment.id, Attachment.submission_id, Attachment.filename,
                   Attachment.content_type, Attachment.size, Attachment.page_count)
            .join(Submission, Submission.id == Attachment.submission_id)
            .where(Attachment.submission_id.in_(ids[start:start + 500]),
                   Attachment.public.is_(True), *_approved())
            .order_by(Attachment.submission_id, Attachment.position, Attachment.id))
        for row in rows:
            out[row.submission_id].append(PublicFile(*row))
    return dict(out)


def for_reference_group(session: Session, attachment_id: Any) -> Attachment | None:
    """The attachment `attachment_id` if it is public and its view approved, else None."""
    ident = parse_id(str(attachment_id))
    if ident is None:
        return None
    return session.scalar(
        select(Attachment).join(Submission, Submission.id == Attachment.submission_id)
        .where(Attachment.id == ident, Attachment.public.is_(True), *_approved()))
