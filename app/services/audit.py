"""Writing to the audit log. Every service that changes something staff-visible calls
`record` in the same transaction, so the log and the change commit or fail together."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.models import AuditEvent, User


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
