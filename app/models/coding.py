"""Double coding: a share of submissions coded independently by two moderators, so that
the reference group can say how reliable the coding is (Krippendorff's alpha)."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models.submission import Submission
from app.models.taxonomy import enum_column
from app.models.user import User


class CodingState(enum.StrEnum):
    AWAITING = "awaiting"  # coded once; waits for a second, independent coder
    AGREED = "agreed"  # both coders chose the same principles and commitments
    DISAGREED = "disagreed"  # in the reconciliation queue
    RECONCILED = "reconciled"  # a moderator set the final tags after a disagreement


class DoubleCodingShare(Base):
    """The share of a round's approved submissions that a second moderator codes again.

    A row of its own rather than a column of `rounds`: the setting belongs to the coding
    study, and a round without a row codes nothing twice (0 %)."""

    __tablename__ = "double_coding_shares"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"),
                                          primary_key=True)
    percent: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class DoubleCoding(Base):
    """One submission selected for double coding (the "unit" of the agreement measure).

    Its state drives the second-coding and reconciliation queues, which page on
    (state, selected_at, submission_id) with the index below."""

    __tablename__ = "double_codings"
    __table_args__ = (
        Index("ix_double_codings_state_selected_at_submission_id",
              "state", "selected_at", "submission_id"),
    )

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[CodingState] = mapped_column(enum_column(CodingState),
                                               default=CodingState.AWAITING)
    first_coder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    second_coder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    selected_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    final_codes: Mapped[list[str] | None] = mapped_column(JSON)

    submission: Mapped[Submission] = relationship()
    first_coder: Mapped[User | None] = relationship(foreign_keys=[first_coder_id])
    second_coder: Mapped[User | None] = relationship(foreign_keys=[second_coder_id])
    codings: Mapped[list[Coding]] = relationship(
        primaryjoin="DoubleCoding.submission_id == foreign(Coding.submission_id)",
        order_by="Coding.id", viewonly=True)


class Coding(Base):
    """One moderator's independent coding of a submission: the principle and commitment
    codes they chose, kept as they chose them (the final tags may change later).

    The codes are rows of `coding_codes` rather than a list in a column, so that alpha's
    counts per code are GROUP BYs in the database instead of a loop over every coding."""

    __tablename__ = "codings"
    __table_args__ = (UniqueConstraint("submission_id", "coder_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"))
    coder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    coder: Mapped[User | None] = relationship()
    entries: Mapped[list[CodingCode]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="CodingCode.code")

    @classmethod
    def of(cls, submission_id: int, coder_id: int, codes: list[str]) -> Coding:
        return cls(submission_id=submission_id, coder_id=coder_id,
                   entries=[CodingCode(code=code) for code in sorted(set(codes))])

    @property
    def codes(self) -> list[str]:
        return [entry.code for entry in self.entries]


class CodingCode(Base):
    """A principle or commitment code chosen in one coding (by code, not item id: alpha is
    reported per code, and a code keeps its meaning across strategy versions)."""

    __tablename__ = "coding_codes"

    coding_id: Mapped[int] = mapped_column(ForeignKey("codings.id", ondelete="CASCADE"),
                                           primary_key=True)
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
