"""The strategy and its taxonomy: principles, commitments, technology areas, themes."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow


class ItemKind(enum.StrEnum):
    PRINCIPLE = "principle"
    COMMITMENT = "commitment"
    TECHNOLOGY = "technology"
    THEME = "theme"

    @property
    def group(self) -> str:
        """The plural key of the kind's codes in forms, JSON, exports and the taxonomy file:
        "principles", "commitments", "technologies", "themes"."""
        return _GROUPS[self]


_GROUPS = {ItemKind.PRINCIPLE: "principles", ItemKind.COMMITMENT: "commitments",
           ItemKind.TECHNOLOGY: "technologies", ItemKind.THEME: "themes"}
# The other way: "principles" -> ItemKind.PRINCIPLE, in the kinds' order.
KIND_OF_GROUP = {group: kind for kind, group in _GROUPS.items()}


def enum_column(enum_class: type[enum.Enum], length: int = 32) -> Enum:
    """Store an enum as its value in a VARCHAR, the same on SQLite and PostgreSQL."""
    return Enum(enum_class, native_enum=False, length=length, validate_strings=True,
                values_callable=lambda members: [m.value for m in members])


class StrategyVersion(Base):
    """One edition of the strategy. Its taxonomy can grow or retire items in a revision
    without rewriting how earlier submissions were coded."""

    __tablename__ = "strategy_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    issued: Mapped[str | None] = mapped_column(String(16))
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    items: Mapped[list[TaxonomyItem]] = relationship(
        back_populates="strategy_version", order_by="TaxonomyItem.position")


class TaxonomyItem(Base):
    __tablename__ = "taxonomy_items"
    __table_args__ = (UniqueConstraint("strategy_version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_version_id: Mapped[int] = mapped_column(ForeignKey("strategy_versions.id"))
    kind: Mapped[ItemKind] = mapped_column(enum_column(ItemKind), index=True)
    code: Mapped[str] = mapped_column(String(16))
    slug: Mapped[str | None] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)
    labels: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    descriptions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Per language: is the label the UN's own wording (True) or a working translation?
    official: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict)
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    strategy_version: Mapped[StrategyVersion] = relationship(back_populates="items")

    @property
    def is_active(self) -> bool:
        return self.retired_at is None

    def __repr__(self) -> str:
        return f"<TaxonomyItem {self.code}>"
