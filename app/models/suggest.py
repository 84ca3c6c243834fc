"""Suggested tags: the keyword lexicon of each taxonomy item and the trained classifiers."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models.taxonomy import TaxonomyItem


class LexiconEntry(Base):
    """The words and phrases that suggest one taxonomy item, per language.

    `terms` maps a language code to a list of terms as an admin wrote them (a trailing *
    marks a prefix); matching folds them with `app.services.text.textnorm`."""

    __tablename__ = "taxonomy_lexicons"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("taxonomy_items.id", ondelete="CASCADE"), primary_key=True)
    terms: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow,
                                                    onupdate=utcnow)

    item: Mapped[TaxonomyItem] = relationship()

    def __repr__(self) -> str:
        return f"<LexiconEntry item {self.item_id}>"


class SuggestModel(Base):
    """A classifier trained from moderators' tags, stored in the database so that every
    node loads the same one. `data` is the pickled model (written only by
    `flask suggest train`); `metrics` holds its size (codes and n-grams). Its quality is
    measured by `flask suggest evaluate` on a labelled set, not stored here."""

    __tablename__ = "suggest_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    trained_on: Mapped[int] = mapped_column(Integer, default=0)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    data: Mapped[bytes] = mapped_column(LargeBinary)

    def __repr__(self) -> str:
        return f"<SuggestModel {self.id}>"


class SubmissionSuggestion(Base):
    """The top suggested tag of each code group for a submission, as the suggestion engine
    scored its text when it arrived or was corrected (`app.services.assist.stored_suggestions`).

    Derived data for the queue, which shows each row's top principle and commitment in one
    query per page instead of scoring fifty texts; the review page still scores the text
    afresh. Erased with the text."""

    __tablename__ = "submission_suggestions"

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("taxonomy_items.id", ondelete="CASCADE"), primary_key=True)
    confidence: Mapped[float] = mapped_column(Float)

    item: Mapped[TaxonomyItem] = relationship()

    def __repr__(self) -> str:
        return f"<SubmissionSuggestion {self.submission_id} {self.item_id}>"
