"""The strategy's revision cycle: archiving a round with a frozen snapshot of its counts,
and comparing rounds side by side.

A snapshot holds what the reference group saw when the round was archived: decisions
taken later on the round's submissions (a late approval, a withdrawal) change the live
counts, never the snapshot. Comparisons use the snapshot of an archived round and live
counts for the others, and say which.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import utcnow
from app.i18n import lazy_gettext as _l
from app.models import KIND_OF_GROUP, ItemKind, Round, RoundSnapshot, TaxonomyItem, User
from app.services import NotEditable, NotFound, ValidationFailed
from app.services.accounts import audit
from app.services.platform import rounds as rounds_service
from app.services.platform import taxonomy as taxonomy_service
from app.services.platform.rounds import RoundState
from app.services.reporting import reports

COMPARED_KINDS = (ItemKind.PRINCIPLE, ItemKind.COMMITMENT)


def live_counts(session: Session, round_id: int) -> tuple[int, dict[str, dict[str, int]]]:
    """The approved submissions of a round now: their total, and the counts a snapshot
    keeps (by tag kind, actor type, region and language)."""
    f = reports.ReportFilter(round_id=round_id)
    counts = {key: reports.count_by_tag(session, f, kind) for key, kind in KIND_OF_GROUP.items()}
    counts["actor_types"] = reports.count_by_actor_type(session, f)
    counts["regions"] = reports.count_by_region(session, f)
    counts["languages"] = reports.count_by_language(session, f)
    return reports.total(session, f), counts


def get_snapshot(session: Session, round_id: int) -> RoundSnapshot | None:
    return session.scalar(select(RoundSnapshot).where(RoundSnapshot.round_id == round_id))


def snapshots_by_round(session: Session) -> dict[int, RoundSnapshot]:
    return {s.round_id: s for s in session.scalars(select(RoundSnapshot))}


def archive_round(session: Session, round_: Round, *, by: User | None,
                  now: dt.datetime | None = None) -> RoundSnapshot:
    """Close the round if it is still open, and freeze its counts. A round is archived
    once; one that has not opened yet cannot be."""
    now = (now or utcnow()).replace(microsecond=0)
    if get_snapshot(session, round_.id) is not None:
        raise NotEditable(_l("This round is already archived: its counts are frozen."))
    state = rounds_service.round_state(round_, now)
    if state == RoundState.UPCOMING:
        raise NotEditable(_l("This round has not opened yet, so there is nothing to archive."))
    if state == RoundState.OPEN:
        rounds_service.close_now(session, round_, by=by, now=now)
    total, counts = live_counts(session, round_.id)
    snapshot = RoundSnapshot(round_id=round_.id, created_at=now,
                             created_by_id=by.id if by is not None else None,
                             total=total, counts=counts)
    try:
        with session.begin_nested():  # two admins at once: the unique round_id decides
            session.add(snapshot)
    except IntegrityError:
        raise NotEditable(_l("This round is already archived: its counts are frozen.")) from None
    audit.record(session, "round.archive", actor=by, target=round_,
                 after={"snapshot_id": snapshot.id, "total": total,
                        "closed_at": round_.closes_at.astimezone(dt.UTC).isoformat()})
    return snapshot


# Comparing rounds.

@dataclass
class RoundColumn:
    round: Round
    total: int
    snapshot: RoundSnapshot | None  # None: live counts, the round is not archived

    @property
    def archived(self) -> bool:
        return self.snapshot is not None


@dataclass
class Row:
    """One principle or commitment across the rounds (in the rounds' order).

    `shares[i]` is None when round i's strategy version has no item with this code;
    `changes[i]` is the change in percentage points from round i to round i + 1."""

    code: str
    labels: dict[str, str]
    counts: list[int | None] = field(default_factory=list)
    shares: list[float | None] = field(default_factory=list)
    changes: list[float | None] = field(default_factory=list)


@dataclass
class Comparison:
    rounds: list[RoundColumn]
    rows: dict[ItemKind, list[Row]]


def compare(session: Session, round_ids: list[int]) -> Comparison:
    """The share of approved submissions tagged with each principle and commitment, per
    round (oldest first), and its change in percentage points between consecutive rounds."""
    ids = list(dict.fromkeys(round_ids))
    if len(ids) < 2:
        raise ValidationFailed({"round": [_l("Choose at least two rounds to compare.")]})
    found = {r.id: r for r in session.scalars(select(Round).where(Round.id.in_(ids)))}
    if missing := [i for i in ids if i not in found]:
        raise NotFound(_l("This consultation round does not exist.") if len(missing) == 1
                       else _l("These consultation rounds do not exist."))
    chosen = sorted(found.values(), key=lambda r: (r.opens_at, r.id))
    snapshots = {s.round_id: s for s in session.scalars(
        select(RoundSnapshot).where(RoundSnapshot.round_id.in_(ids)))}

    columns: list[RoundColumn] = []
    counts: list[dict[str, dict[str, int]]] = []
    for round_ in chosen:
        snapshot = snapshots.get(round_.id)
        if snapshot is not None:
            total, by_key = snapshot.total, snapshot.counts
        else:
            f = reports.ReportFilter(round_id=round_.id)
            total = reports.total(session, f)
            by_key = {kind.group: reports.count_by_tag(session, f, kind)
                      for kind in COMPARED_KINDS}
        columns.append(RoundColumn(round_, total, snapshot))
        counts.append(by_key)

    by_version: dict[int, dict[ItemKind, list[TaxonomyItem]]] = {}
    for round_ in chosen:
        if round_.strategy_version_id not in by_version:
            by_version[round_.strategy_version_id] = taxonomy_service.items_by_kind(
                session, round_.strategy_version_id)
    versions = [by_version[r.strategy_version_id] for r in chosen]
    rows: dict[ItemKind, list[Row]] = {}
    for kind in COMPARED_KINDS:
        key = kind.group
        rows[kind] = []
        for code, labels in _codes(versions, [c.get(key, {}) for c in counts], kind):
            row = Row(code=code, labels=labels)
            for index, column in enumerate(columns):
                count = counts[index].get(key, {}).get(code, 0)
                # A code the round's version does not have (and nobody was tagged with)
                # has no share there, rather than a misleading 0 %.
                applies = count > 0 or any(item.code == code for item in versions[index][kind])
                row.counts.append(count if applies else None)
                row.shares.append((count / column.total if column.total else 0.0)
                                  if applies else None)
            row.changes = [(after - before) * 100
                           if before is not None and after is not None else None
                           for before, after in zip(row.shares, row.shares[1:], strict=False)]
            rows[kind].append(row)
    return Comparison(rounds=columns, rows=rows)


def _codes(versions: list[dict[ItemKind, list[TaxonomyItem]]],
           counts: list[dict[str, int]], kind: ItemKind) -> list[tuple[str, dict[str, str]]]:
    """Codes of `kind` in any of the versions, in the newest round's order then the older
    ones', with labels from the newest version that has the code; then codes counted but
    no longer in any version (retired), without labels."""
    labels: dict[str, dict[str, str]] = {}
    for items in reversed(versions):
        for item in items[kind]:
            labels.setdefault(item.code, item.labels)
    for counted in counts:
        for code in sorted(counted):
            labels.setdefault(code, {})
    return list(labels.items())
