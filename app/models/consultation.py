"""Consultation rounds and their guiding questions."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models.taxonomy import StrategyVersion


class Round(Base):
    """A period during which the platform asks for views, to inform one strategy version.

    Texts are dictionaries keyed by language code; a missing language falls back to
    English when shown.
    """

    __tablename__ = "rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_version_id: Mapped[int] = mapped_column(ForeignKey("strategy_versions.id"))
    title: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    description: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    opens_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    strategy_version: Mapped[StrategyVersion] = relationship()
    questions: Mapped[list[Question]] = relationship(
        back_populates="round", order_by="Question.position", cascade="all, delete-orphan")

    def is_open_at(self, when: dt.datetime) -> bool:
        return self.opens_at <= when < self.closes_at

    @property
    def is_open(self) -> bool:
        return self.is_open_at(utcnow())

    def __repr__(self) -> str:
        return f"<Round {self.id}>"


class Question(Base):
    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)

    round: Mapped[Round] = relationship(back_populates="questions")
