"""The strategy's own text, edition by edition, and why each paragraph changed (issue #20).

An *edition* is what the public pages call a version of the strategy ("2018"): a label, a
date, a status and an ordered list of sections and paragraphs. It is a different thing
from `StrategyVersion`, the edition of the taxonomy (principles, commitments, themes) that
rounds and tags refer to: the text can be revised without renumbering any code.

A paragraph keeps a stable `key` across editions (`principles.p2`); its texts are
dictionaries keyed by language code like a round's, a missing language falling back as
`app.i18n.pick` does. Published editions never change (`app.services.strategy.editions`
refuses); the current edition is the one published last.

Why a paragraph changed is a `StrategyChange` of the edition that changed it, keyed by the
paragraph's key (so a removed paragraph can be explained too): an explanation per
language, the taxonomy codes and the views (`StrategyChangeView`) that motivated it.
"""
from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models.submission import Submission
from app.models.taxonomy import enum_column

KEY_MAX = 64
LABEL_MAX = 32


class EditionStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class StrategyEdition(Base):
    __tablename__ = "strategy_editions"
    __table_args__ = (Index("ix_strategy_editions_status_published_at", "status",
                            "published_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(LABEL_MAX), unique=True)
    # "2018", "2018-09" or "2018-09-24": as precise as the source says.
    issued: Mapped[str | None] = mapped_column(String(10))
    title: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # In order: [{"key": "principles", "title": {"en": "Principles", ...}}, ...]
    sections: Mapped[list[dict]] = mapped_column(JSON, default=list)
    status: Mapped[EditionStatus] = mapped_column(enum_column(EditionStatus),
                                                  default=EditionStatus.DRAFT)
    # The edition a draft was copied from: what its changes are explained against.
    based_on_id: Mapped[int | None] = mapped_column(
        ForeignKey("strategy_editions.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    based_on: Mapped[StrategyEdition | None] = relationship(remote_side=[id])
    paragraphs: Mapped[list[StrategyParagraph]] = relationship(
        back_populates="edition", order_by="StrategyParagraph.position",
        cascade="all, delete-orphan")
    changes: Mapped[list[StrategyChange]] = relationship(
        back_populates="edition", order_by="StrategyChange.id", cascade="all, delete-orphan")

    @property
    def is_published(self) -> bool:
        return self.status == EditionStatus.PUBLISHED

    def __repr__(self) -> str:
        return f"<StrategyEdition {self.label} {self.status.value}>"


def current_edition_id() -> Any:
    """The id of the current edition, the one published last, as a scalar subquery (one
    round trip for its paragraphs)."""
    return (select(StrategyEdition.id)
            .where(StrategyEdition.status == EditionStatus.PUBLISHED)
            .order_by(StrategyEdition.published_at.desc(), StrategyEdition.id.desc())
            .limit(1).scalar_subquery())


class StrategyParagraph(Base):
    __tablename__ = "strategy_paragraphs"
    __table_args__ = (UniqueConstraint("edition_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("strategy_editions.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(KEY_MAX))
    section: Mapped[str] = mapped_column(String(KEY_MAX))
    # Across the whole edition, sections in order (not restarted per section).
    position: Mapped[int] = mapped_column(Integer, default=0)
    # A principle or commitment code of the taxonomy ("P2"), when the paragraph is one.
    code: Mapped[str | None] = mapped_column(String(16))
    title: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    text: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Stand-in wording (the sample edition) until an admin imports the official text.
    placeholder: Mapped[bool] = mapped_column(Boolean, default=False)

    edition: Mapped[StrategyEdition] = relationship(back_populates="paragraphs")

    def __repr__(self) -> str:
        return f"<StrategyParagraph {self.key}>"


class StrategyChange(Base):
    """Why the edition changed (added, revised, moved or removed) one paragraph."""

    __tablename__ = "strategy_changes"
    __table_args__ = (UniqueConstraint("edition_id", "paragraph_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("strategy_editions.id", ondelete="CASCADE"), index=True)
    paragraph_key: Mapped[str] = mapped_column(String(KEY_MAX))
    explanation: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Taxonomy codes (principles, commitments, themes) behind the change.
    codes: Mapped[list[str]] = mapped_column(JSON, default=list)

    edition: Mapped[StrategyEdition] = relationship(back_populates="changes")
    views: Mapped[list[Submission]] = relationship(
        secondary="strategy_change_views", order_by="Submission.id")

    def __repr__(self) -> str:
        return f"<StrategyChange {self.paragraph_key}>"


class StrategyChangeView(Base):
    """A view that motivated a change. The public sees its link while the view is
    published; its count includes approved views whose authors did not consent to
    publication (they motivated the change all the same)."""

    __tablename__ = "strategy_change_views"

    change_id: Mapped[int] = mapped_column(
        ForeignKey("strategy_changes.id", ondelete="CASCADE"), primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True, index=True)
