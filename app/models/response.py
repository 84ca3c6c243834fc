""""You said, we did": an admin's public response to a closed round.

One response per round. Its texts are dictionaries keyed by language code, like the
round's. A response is a `draft` until an admin publishes it; only a draft can be edited:
to change a published response, unpublish it (back to draft, off the public site), edit,
and publish again. Contributors are told once per response, whatever the number of
publications (see app.services.publishing.outbox).

For readers of the model (the public page, the Atom feed of responses): a round's
published response is `RoundResponse` with `status == PUBLISHED`; `published_at` is the
time of its latest publication, `summary[lang]` its introduction, and `changes` the list of
`ResponseChange` in order, each with `text[lang]`, taxonomy `codes` (principles,
commitments, themes) and the `references` of published views that motivated it.
`app.services.publishing.responses.published_responses(session, round_id=None)` lists them.
"""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models.consultation import Round
from app.models.taxonomy import enum_column


class ResponseStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class RoundResponse(Base):
    __tablename__ = "round_responses"
    __table_args__ = (Index("ix_round_responses_status_published_at", "status", "published_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"),
                                          unique=True)
    status: Mapped[ResponseStatus] = mapped_column(enum_column(ResponseStatus),
                                                   default=ResponseStatus.DRAFT)
    summary: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The latest publication, and the first (kept when it is unpublished and published again).
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    first_published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    round: Mapped[Round] = relationship()
    changes: Mapped[list[ResponseChange]] = relationship(
        back_populates="response", order_by="ResponseChange.position",
        cascade="all, delete-orphan")

    @property
    def is_published(self) -> bool:
        return self.status == ResponseStatus.PUBLISHED

    def __repr__(self) -> str:
        return f"<RoundResponse round={self.round_id} {self.status.value}>"


class ResponseChange(Base):
    """One change in the revised strategy, and what motivated it."""

    __tablename__ = "response_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("round_responses.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Taxonomy codes of the round's strategy version ("P2", "TH3").
    codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    # References of approved views whose authors consented to publication ("ABCD-EFGH").
    # Shown only while they stay published: an erased view drops out of the page.
    references: Mapped[list[str]] = mapped_column(JSON, default=list)

    response: Mapped[RoundResponse] = relationship(back_populates="changes")
