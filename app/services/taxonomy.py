"""Loading and reading the strategy's taxonomy."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ItemKind, StrategyVersion, TaxonomyItem

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "data" / "taxonomy.json"
DEFAULT_VERSION = "2018"

_SECTIONS = {
    "principles": ItemKind.PRINCIPLE,
    "commitments": ItemKind.COMMITMENT,
    "technologies": ItemKind.TECHNOLOGY,
    "themes": ItemKind.THEME,
}


@dataclass
class LoadResult:
    version: StrategyVersion
    added: int
    updated: int


def load(session: Session, path: Path = DEFAULT_FILE, version_code: str = DEFAULT_VERSION
         ) -> LoadResult:
    """Create or update the strategy version and its items from a taxonomy file.

    Idempotent: items are matched by code; labels are refreshed; nothing is deleted (an
    item missing from the file is left alone, since submissions may be coded with it).
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    version = session.scalar(select(StrategyVersion).where(StrategyVersion.code == version_code))
    if version is None:
        version = StrategyVersion(code=version_code)
        session.add(version)
    version.title = dict(data.get("source", {}).get("title", {}))
    version.issued = data.get("source", {}).get("issued")
    if session.scalar(select(StrategyVersion).where(StrategyVersion.is_current)) is None:
        version.is_current = True
    session.flush()

    existing = {item.code: item for item in session.scalars(
        select(TaxonomyItem).where(TaxonomyItem.strategy_version_id == version.id))}
    added = updated = 0
    for section, kind in _SECTIONS.items():
        for position, entry in enumerate(data.get(section, [])):
            item = existing.get(entry["code"])
            if item is None:
                item = TaxonomyItem(strategy_version_id=version.id, code=entry["code"], kind=kind)
                session.add(item)
                added += 1
            values = {
                "slug": entry.get("slug"),
                "position": position,
                "labels": dict(entry.get("labels", {})),
                "descriptions": dict(entry.get("descriptions", {})),
                "official": dict(entry.get("official", {})),
            }
            changed = any(getattr(item, key) != value for key, value in values.items())
            for key, value in values.items():
                setattr(item, key, value)
            if changed and item.id is not None:
                updated += 1
    session.flush()
    return LoadResult(version=version, added=added, updated=updated)


def current_version(session: Session) -> StrategyVersion | None:
    return session.scalar(select(StrategyVersion).where(StrategyVersion.is_current))


def active_items(session: Session, strategy_version_id: int,
                 kind: ItemKind | None = None) -> list[TaxonomyItem]:
    query = (select(TaxonomyItem)
             .where(TaxonomyItem.strategy_version_id == strategy_version_id,
                    TaxonomyItem.retired_at.is_(None))
             .order_by(TaxonomyItem.kind, TaxonomyItem.position))
    if kind is not None:
        query = query.where(TaxonomyItem.kind == kind)
    return list(session.scalars(query))


def items_by_kind(session: Session, strategy_version_id: int) -> dict[ItemKind, list[TaxonomyItem]]:
    grouped: dict[ItemKind, list[TaxonomyItem]] = {kind: [] for kind in ItemKind}
    for item in active_items(session, strategy_version_id):
        grouped[item.kind].append(item)
    return grouped
