"""Campaigns as moderators see them: pages of campaigns, their members, one decision for
many members, and the API's serialisation. Campaigns are formed at intake by
`app.services.assist.clusters`; deciding goes through `moderation.bulk`."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from app.i18n import lazy_gettext as _l
from app.models import Status, Submission, User
from app.models.cluster import Cluster
from app.services import ValidationFailed, cursors
from app.services.accounts import audit
from app.services.review import moderation, tagging

ORDERS = ("size", "newest")


@dataclass
class ClusterRow:
    cluster: Cluster
    sample_title: str
    sample_text: str
    pending: int


@dataclass
class ClusterPage:
    items: list[ClusterRow]
    next_cursor: str | None


def _encode(key: Any, ident: int) -> str:
    return cursors.encode(key, ident)


def _decode(cursor: str, order: str) -> tuple[Any, int]:
    return cursors.decode(cursor, numeric=order == "size")


def excerpt(text: str, length: int = 240) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[:length - 1].rstrip() + "…"


def list_clusters(session: Session, *, round_id: int | None = None, order: str = "size",
                  cursor: str | None = None, limit: int = 50) -> ClusterPage:
    """A page of campaigns, biggest (or newest) first, keyset-paginated, in three queries
    whatever the page size: the clusters with their sample, then the pending counts."""
    if order not in ORDERS:
        raise ValidationFailed({"order": [_l("Use one of: %(codes)s", codes=", ".join(ORDERS))]})
    limit = max(1, min(limit, 200))
    key_column = Cluster.size if order == "size" else Cluster.last_at
    query = (select(Cluster, Submission.title, Submission.body)
             .outerjoin(Submission, Submission.id == Cluster.sample_submission_id)
             .where(Cluster.size >= 2)
             .order_by(key_column.desc(), Cluster.id.desc()).limit(limit + 1))
    if round_id is not None:
        query = query.where(Cluster.round_id == round_id)
    if cursor:
        key, ident = _decode(cursor, order)
        query = query.where(or_(key_column < key, and_(key_column == key, Cluster.id < ident)))
    rows = session.execute(query).all()
    more = len(rows) > limit
    rows = rows[:limit]
    pending = pending_counts(session, [row[0].id for row in rows])
    items = [ClusterRow(cluster=cluster, sample_title=title or "",
                        sample_text=excerpt(body or ""), pending=pending.get(cluster.id, 0))
             for cluster, title, body in rows]
    next_cursor = None
    if more and items:
        last = items[-1].cluster
        next_cursor = _encode(last.size if order == "size" else last.last_at, last.id)
    return ClusterPage(items=items, next_cursor=next_cursor)


def pending_counts(session: Session, cluster_ids: Sequence[int]) -> dict[int, int]:
    if not cluster_ids:
        return {}
    return dict(session.execute(
        select(Submission.cluster_id, func.count())
        .where(Submission.cluster_id.in_(list(cluster_ids)), Submission.status == Status.PENDING)
        .group_by(Submission.cluster_id)).all())


MEMBERS_SHOWN = 500  # as many as one bulk decision takes (moderation.bulk)


@dataclass
class Members:
    pending: list[Submission]
    others: list[Submission]
    pending_total: int
    counts: dict[Status, int]


def members(session: Session, cluster: Cluster, *, limit: int = MEMBERS_SHOWN) -> Members:
    """The members of a cluster: pending ones first (oldest first, up to `limit`), then
    up to 100 already decided, and the count per status; four queries."""
    counts = {status: 0 for status in Status}
    counts.update(dict(session.execute(
        select(Submission.status, func.count()).where(Submission.cluster_id == cluster.id)
        .group_by(Submission.status)).all()))
    base = select(Submission).where(Submission.cluster_id == cluster.id)
    pending = list(session.scalars(base.where(Submission.status == Status.PENDING)
                                   .order_by(Submission.created_at, Submission.id)
                                   .limit(limit)))
    others = list(session.scalars(base.where(Submission.status != Status.PENDING)
                                  .order_by(Submission.created_at.desc(), Submission.id.desc())
                                  .limit(100)))
    return Members(pending=pending, others=others, pending_total=counts[Status.PENDING],
                   counts=counts)


def decide(session: Session, cluster: Cluster, *, by: User, action: str,
           selection: Sequence[tuple[int, int]], tags: tagging.TagInput | None = None,
           reason: Any = None) -> moderation.BulkResult:
    """One decision for the selected pending members of a cluster: the moderator unticks
    the exceptions. Each member goes through moderation.bulk (its version checked, its own
    audit event); one more event records the cluster decision and its exceptions."""
    if action not in ("approve", "reject"):
        raise ValidationFailed({"action": [_l("Choose approve or reject.")]})
    selection = list(dict(selection).items())[:MEMBERS_SHOWN]
    table = Submission.__table__.c
    pending_ids = set(session.scalars(
        select(table.id).where(table.cluster_id == cluster.id,
                               table.status == Status.PENDING.value)))
    chosen = [(ident, version) for ident, version in selection if ident in pending_ids]
    if not chosen:
        raise ValidationFailed({"selected": [_l("Select at least one pending submission.")]})
    result = moderation.bulk(session, by=by, selection=chosen, action=action, tags=tags,
                             reason=reason)
    chosen_ids = {ident for ident, _version in chosen}
    audit.record(session, "cluster.decide", actor=by, target=cluster, decision=action,
                 done=len(result.done), stale=len(result.stale), invalid=len(result.invalid),
                 exceptions=sorted(pending_ids - chosen_ids)[:MEMBERS_SHOWN])
    return result


def get(session: Session, cluster_id: int) -> Cluster | None:
    return session.get(Cluster, cluster_id)


def serialize(row: ClusterRow) -> dict[str, Any]:
    cluster = row.cluster
    return {
        "id": cluster.id,
        "round_id": cluster.round_id,
        "size": cluster.size,
        "pending": row.pending,
        "first_at": cluster.first_at.isoformat(),
        "last_at": cluster.last_at.isoformat(),
        "languages": list(cluster.languages or []),
        "sample": {"submission_id": cluster.sample_submission_id, "title": row.sample_title,
                   "text": row.sample_text},
    }
