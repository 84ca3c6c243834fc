"""Files a contributor attached to a view (issue #21): position papers in PDF, DOCX, ODT
or plain text.

The row holds what was learnt from the file when it arrived (its type decided by its
content, the text extracted from it, its page count); the bytes live in the attachment
store (`app.storage`), named by their SHA-256, so two views carrying the same PDF share
one file on disk. `Submission.attachments` lists a view's files (this side has no
relationship back: the models' modules import in one direction). `public` is the
moderators' decision: withheld until they mark it.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow

FILENAME_MAX = 200


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    # The order the contributor sent them in.
    position: Mapped[int] = mapped_column(Integer, default=0)
    # The name of the file in the store, and how two rows know they share one.
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    # Decided by the content (magic bytes and a successful parse), never by the name or
    # the declared type: application/pdf, ...wordprocessingml.document,
    # application/vnd.oasis.opendocument.text or text/plain.
    content_type: Mapped[str] = mapped_column(String(100))
    # The name the contributor's file had, sanitised (no path, no control characters);
    # only ever shown, never used to open anything.
    filename: Mapped[str] = mapped_column(String(FILENAME_MAX), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    page_count: Mapped[int | None] = mapped_column(Integer)
    # What app.services.text.langid read in the text (one of the six languages, or None).
    language: Mapped[str | None] = mapped_column(String(8))
    # Moderators mark an attachment public (shown with the published view and given to
    # the reference group) or leave it withheld (it may hold personal data).
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Attachment {self.id} {self.content_type} {self.size}>"
