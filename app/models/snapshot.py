"""Frozen counts of an archived round, so that the next revision compares like with like."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models.consultation import Round
from app.models.user import User


class RoundSnapshot(Base):
    """The approved-submission counts of a round at the moment it was archived.

    `counts` maps a dimension to {code: count}: "principles", "commitments",
    "technologies", "themes" (taxonomy codes), "actor_types", "regions" (M49 codes, or
    "unknown") and "languages". Later decisions on the round's submissions leave it as it is.
    """

    __tablename__ = "round_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    total: Mapped[int] = mapped_column(Integer)
    counts: Mapped[dict[str, dict[str, int]]] = mapped_column(JSON, default=dict)

    round: Mapped[Round] = relationship()
    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<RoundSnapshot round {self.round_id}>"
