"""The version of each kind of reference data (rounds, taxonomy, the strategy's text).

Every worker keeps its own read-only copy of the rounds, the taxonomy and the current
edition's paragraphs (app.reference) and rebuilds it when the version stored here has
moved. The version of a kind goes up in the same transaction as any change to its rows:
the flush that writes a Round, Question, StrategyVersion, TaxonomyItem, StrategyEdition or
StrategyParagraph also writes `version + 1` here (`bump_on_flush`), whoever makes the
change (admin panel, API, CLI, demo seeding, tests).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, String, event, insert, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.db import Base
from app.models.consultation import Question, Round
from app.models.strategy_text import StrategyEdition, StrategyParagraph
from app.models.taxonomy import StrategyVersion, TaxonomyItem

ROUNDS = "rounds"
TAXONOMY = "taxonomy"
STRATEGY = "strategy"  # the strategy's text: editions and their paragraphs
KINDS = (ROUNDS, TAXONOMY, STRATEGY)
_KIND_OF_MODEL: dict[type, str] = {Round: ROUNDS, Question: ROUNDS,
                                   StrategyVersion: TAXONOMY, TaxonomyItem: TAXONOMY,
                                   StrategyEdition: STRATEGY, StrategyParagraph: STRATEGY}
# Set in a session's `info` once it has changed reference data: until its transaction
# ends, what it reads may never be committed, so app.reference does not keep it.
CHANGED = "reference_changed"


class ReferenceVersion(Base):
    __tablename__ = "reference_versions"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


def bump(session: Session, kind: str) -> None:
    """Move `kind`'s version on, in the session's transaction (a row is made if missing)."""
    table = ReferenceVersion.__table__
    connection = session.connection()  # Core statements: no autoflush inside a flush
    moved = connection.execute(update(table).where(table.c.kind == kind)
                               .values(version=table.c.version + 1))
    if moved.rowcount == 0:
        connection.execute(insert(table).values(kind=kind, version=1))
    session.info[CHANGED] = True


@event.listens_for(Session, "after_flush")
def bump_on_flush(session: Session, _context: Any) -> None:
    kinds = {_KIND_OF_MODEL[type(obj)]
             for obj in (*session.new, *session.dirty, *session.deleted)
             if type(obj) in _KIND_OF_MODEL
             and (obj not in session.dirty or session.is_modified(obj))}
    for kind in sorted(kinds):
        bump(session, kind)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _transaction_ended(session: Session) -> None:
    session.info.pop(CHANGED, None)


@event.listens_for(ReferenceVersion.__table__, "after_create")
def _first_versions(table: Any, connection: Any, **_kw: Any) -> None:
    connection.execute(insert(table), [{"kind": kind, "version": 1} for kind in KINDS])
