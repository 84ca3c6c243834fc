"""Writing to the audit log. Every service that changes something staff-visible calls
`record` in the same transaction, so the log and the change commit or fail together."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session, joinedload

from app.models import AuditEvent, User
from app.services import cursors
from app.services.filters import day_start
from app.services.text.textnorm import normalize_email


def record(session: Session, action: str, *, actor: User | None = None,
           target: Any = None, before: dict[str, Any] | None = None,
           after: dict[str, Any] | None = None, **details: Any) -> AuditEvent:
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None else None,
        target_type=getattr(target, "__tablename__", None),
        target_id=getattr(target, "id", None),
        before=before,
        after=after,
        details=details or None,
    )
    session.add(event)
    return event


# Reading the log (the admin panel).

@dataclass
class AuditFilter:
    action: str | None = None  # a prefix: "submission." finds every moderation event
    actor_email: str | None = None
    target_type: str | None = None
    target_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None  # inclusive


@dataclass
class EventPage:
    items: list[AuditEvent]
    next_cursor: str | None



def encode_cursor(event: AuditEvent) -> str:
    return cursors.encode(event.at, event.id)


def decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    return cursors.decode(cursor)


def events(session: Session, f: AuditFilter, *, cursor: str | None = None,
           limit: int = 50) -> EventPage:
    """One page of the log, newest first, keyset-paginated on (at, id)."""

    limit = max(1, min(limit, 200))
    query = (select(AuditEvent).options(joinedload(AuditEvent.actor))
             .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit + 1))
    if f.action:
        pattern = re.sub(r"([%_\\])", r"\\\1", f.action.strip()) + "%"
        query = query.where(AuditEvent.action.like(pattern, escape="\\"))
    if f.actor_email:
        query = query.where(AuditEvent.actor_id.in_(
            select(User.id).where(User.email == normalize_email(f.actor_email))))
    if f.target_type:
        query = query.where(AuditEvent.target_type == f.target_type)
    if f.target_id is not None:
        query = query.where(AuditEvent.target_id == f.target_id)
    if f.date_from:
        query = query.where(AuditEvent.at >= day_start(f.date_from))
    if f.date_to:
        query = query.where(AuditEvent.at < day_start(f.date_to) + dt.timedelta(days=1))
    if cursor:
        at, ident = decode_cursor(cursor)
        query = query.where(tuple_(AuditEvent.at, AuditEvent.id) < tuple_(at, ident))
    items = list(session.scalars(query).unique())
    next_cursor = encode_cursor(items[limit - 1]) if len(items) > limit else None
    return EventPage(items=items[:limit], next_cursor=next_cursor)
