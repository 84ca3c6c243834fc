"""Reference data that nearly every request reads and that rarely changes: the rounds (the
open ones with their questions), and the taxonomy of a strategy version.

Each worker keeps them for REFERENCE_CACHE_SECONDS (app.cache.local) instead of loading and
decoding them on every request. The objects are detached from the session: read them, and
link new rows to them by id (`round_id=`, `item_id=`), never through a relationship, or
the session would try to take over an object that other threads share.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app import cache
from app.db import db
from app.models import ItemKind, Round, TaxonomyItem
from app.services.platform import rounds as rounds_service
from app.services.platform import taxonomy as taxonomy_service


def _detached(objects: Iterable[Any]) -> None:
    for obj in objects:
        if obj in db.session:
            db.session.expunge(obj)


def open_rounds() -> list[Round]:
    """The rounds open now, closing soonest first, with their questions loaded."""
    def load() -> list[Round]:
        found = rounds_service.open_rounds(db.session)
        for round_ in found:
            _detached(round_.questions)
        _detached(found)
        return found
    return cache.local("open_rounds", [], load)


def all_rounds() -> list[Round]:
    """Every round, newest first (for the filter forms of staff pages; questions not loaded)."""
    def load() -> list[Round]:
        found = rounds_service.list_rounds(db.session)
        _detached(found)
        return found
    return cache.local("all_rounds", [], load)


def current_taxonomy_version_id() -> int | None:
    """The id of the strategy version marked current, if any."""
    def load() -> int | None:
        version = taxonomy_service.current_version(db.session)
        return version.id if version is not None else None
    return cache.local("current_taxonomy_version", [], load)


def items_by_kind(strategy_version_id: int) -> dict[ItemKind, list[TaxonomyItem]]:
    """The active taxonomy items of a version, grouped by kind, in their order."""
    def load() -> dict[ItemKind, list[TaxonomyItem]]:
        grouped = taxonomy_service.items_by_kind(db.session, strategy_version_id)
        _detached(item for items in grouped.values() for item in items)
        return grouped
    return cache.local("items_by_kind", [strategy_version_id], load)


def report_items(round_id: int | None) -> dict[ItemKind, list[TaxonomyItem]]:
    """The taxonomy a report speaks of: that of its round, else the current version.
    `services.reports.items_for` answers the same from a session (for the CLI and the
    Word summary); this one reads the per-process copies, for pages and downloads."""
    version_id = None
    if round_id is not None:
        version_id = next((r.strategy_version_id for r in all_rounds() if r.id == round_id),
                          None)
    if version_id is None:
        version_id = current_taxonomy_version_id()
    if version_id is None:
        return {kind: [] for kind in ItemKind}
    return items_by_kind(version_id)
