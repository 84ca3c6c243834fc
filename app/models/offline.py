"""Submissions collected offline (workshops, paper forms) and imported from a file.

`OfflineImport` is one run of the import (file, source, who, counts, the error report);
`SubmissionProvenance` is where one imported submission came from. `row_key` (a hash of
the round, the source and the row's own id, or of the row's content) makes a second import
of the same file add nothing. The channel itself is `Submission.channel` (workshop, paper),
so that every count by channel reads one column.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models.submission import Channel, Submission
from app.models.taxonomy import enum_column


class OfflineImport(Base):
    __tablename__ = "offline_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"),
                                          index=True)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel))
    source: Mapped[str] = mapped_column(String(200))
    facilitator: Mapped[str | None] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200), default="")
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    repeated: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    # [[row number, column, message], ...], the messages in the importer's language.
    errors: Mapped[list[list]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class SubmissionProvenance(Base):
    __tablename__ = "submission_provenance"

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True)
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("offline_imports.id", ondelete="SET NULL"), index=True)
    row_key: Mapped[str] = mapped_column(String(64), unique=True)
    row_number: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(200))
    facilitator: Mapped[str | None] = mapped_column(String(200))

    submission: Mapped[Submission] = relationship()
