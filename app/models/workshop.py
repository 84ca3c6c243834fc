"""Workshop links: `/<lang>/w/<code>`, the submission form of one round for the people in
one room, open for a time window.

Participants behind one shared (NAT) address would hit the per-address limit; through
the link they spend the workshop's own budget instead: `used` counts the views received,
and a view is refused once `used` reaches `budget` (twice the expected participants).
`used` is raised by one conditional UPDATE, so concurrent posts cannot overspend it.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models.consultation import Round
from app.models.user import User

BUDGET_PER_PARTICIPANT = 2


class Workshop(Base):
    __tablename__ = "workshops"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"),
                                          index=True)
    name: Mapped[str] = mapped_column(String(200))
    facilitator: Mapped[str] = mapped_column(String(200))
    participants: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used: Mapped[int] = mapped_column(Integer, default=0)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    round: Mapped[Round] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def budget(self) -> int:
        return self.participants * BUDGET_PER_PARTICIPANT

    def is_open_at(self, now: dt.datetime) -> bool:
        return self.closed_at is None and self.starts_at <= now < self.ends_at

    def __repr__(self) -> str:
        return f"<Workshop {self.code}>"
