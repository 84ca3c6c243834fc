"""Loading and reading the strategy's taxonomy."""
from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import utcnow
from app.i18n import lazy_gettext as _l
from app.models import KIND_OF_GROUP, ItemKind, StrategyVersion, TaxonomyItem, User
from app.services import NotEditable, ValidationFailed
from app.services.accounts import audit
from app.services.platform import lexicon
from app.services.text.multilingual import changes, clean_texts

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "data" / "taxonomy.json"
DEFAULT_VERSION = "2018"



@dataclass
class LoadResult:
    version: StrategyVersion
    added: int
    updated: int


def load(session: Session, path: Path = DEFAULT_FILE, version_code: str = DEFAULT_VERSION,
         *, refresh: bool = False) -> LoadResult:
    """Create or complete the strategy version and its items from a taxonomy file.

    Idempotent: items are matched by code and nothing is deleted (an item missing from the
    file is left alone, since submissions may be coded with it). New items are added, and
    languages an item lacks are filled in; wording already stored is kept, because an
    administrator may have corrected it in the panel, unless `refresh` asks to overwrite
    everything from the file.
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
    for section, kind in KIND_OF_GROUP.items():
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
            if item.id is not None and not refresh:
                # Keep what is stored; only add the languages it does not have yet.
                for key in ("labels", "descriptions", "official"):
                    values[key] = {**values[key], **(getattr(item, key) or {})}
            changed = any(getattr(item, key) != value for key, value in values.items())
            for key, value in values.items():
                setattr(item, key, value)
            if changed and item.id is not None:
                updated += 1
    session.flush()
    # The keyword lexicon of suggested tags, beside the file (same keep-or-refresh rule).
    sibling = Path(path).with_name("lexicon.json")
    lexicon.load(session, version, sibling if sibling.exists() else lexicon.DEFAULT_FILE,
                 refresh=refresh)
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


# Editing the taxonomy from the admin panel.

LABEL_MAX = 200
DESCRIPTION_MAX = 2000
# Codes are what moderators type and reports print: one letter (two for themes) and a number.
CODE_PATTERNS = {
    ItemKind.PRINCIPLE: re.compile(r"P[0-9]{1,3}"),
    ItemKind.COMMITMENT: re.compile(r"C[0-9]{1,3}"),
    ItemKind.TECHNOLOGY: re.compile(r"T[0-9]{1,3}"),
    ItemKind.THEME: re.compile(r"TH[0-9]{1,3}"),
}
CODE_EXAMPLES = {ItemKind.PRINCIPLE: "P6", ItemKind.COMMITMENT: "C5",
                 ItemKind.TECHNOLOGY: "T17", ItemKind.THEME: "TH18"}


def all_items_by_kind(session: Session, strategy_version_id: int
                      ) -> dict[ItemKind, list[TaxonomyItem]]:
    """Every item of a version, retired ones included, grouped by kind."""
    grouped: dict[ItemKind, list[TaxonomyItem]] = {kind: [] for kind in ItemKind}
    for item in session.scalars(
            select(TaxonomyItem).where(TaxonomyItem.strategy_version_id == strategy_version_id)
            .order_by(TaxonomyItem.position, TaxonomyItem.id)):
        grouped[item.kind].append(item)
    return grouped


def _official_after(item_official: Mapping[str, bool], old: Mapping[str, str],
                    labels: Mapping[str, str], old_descriptions: Mapping[str, str],
                    descriptions: Mapping[str, str], confirmed: Collection[str]
                    ) -> dict[str, bool]:
    """A language whose wording changed is a working translation unless the editor
    confirmed it is the UN's official wording; others keep their flag (or gain it)."""
    official: dict[str, bool] = {}
    for code in labels:
        changed = old.get(code) != labels[code] or \
            old_descriptions.get(code) != descriptions.get(code)
        official[code] = code in confirmed or (not changed and item_official.get(code, False))
    return official


def add_item(session: Session, version: StrategyVersion, *, kind: Any, code: Any,
             labels: Mapping[str, Any], descriptions: Mapping[str, Any] | None = None,
             official: Collection[str] = (), by: User | None = None) -> TaxonomyItem:
    """Add an item at the end of its kind. `official` lists the languages whose label is
    the UN's own wording."""
    errors: dict[str, list] = {}
    try:
        kind = ItemKind(kind)
    except ValueError:
        errors["kind"] = [_l("Choose one of the options.")]
        kind = None
    code = str(code or "").strip().upper()
    if kind is not None and not CODE_PATTERNS[kind].fullmatch(code):
        errors["code"] = [_l("Use a code like %(example)s for this kind of item.",
                             example=CODE_EXAMPLES[kind])]
    elif kind is not None and session.scalar(select(TaxonomyItem.id).where(
            TaxonomyItem.strategy_version_id == version.id, TaxonomyItem.code == code)):
        errors["code"] = [_l("Another item of this strategy version already has this code.")]
    labels = clean_texts(labels, "labels", errors, maximum=LABEL_MAX)
    descriptions = clean_texts(descriptions, "descriptions", errors, maximum=DESCRIPTION_MAX,
                               multiline=True)
    if not labels and not any(key.startswith("labels") for key in errors):
        errors["labels"] = [_l("Give the item a label in at least one language.")]
    if errors:
        raise ValidationFailed(errors)
    position = session.scalar(select(func.max(TaxonomyItem.position)).where(
        TaxonomyItem.strategy_version_id == version.id, TaxonomyItem.kind == kind))
    item = TaxonomyItem(strategy_version_id=version.id, kind=kind, code=code,
                        position=(position or 0) + 1, labels=labels, descriptions=descriptions,
                        official={lang: lang in official for lang in labels})
    session.add(item)
    session.flush()
    audit.record(session, "taxonomy.add", actor=by, target=item, after={
        "kind": kind.value, "code": code, "labels": labels, "official": item.official})
    return item


def update_item(session: Session, item: TaxonomyItem, *, labels: Mapping[str, Any],
                descriptions: Mapping[str, Any] | None = None,
                official: Collection[str] = (), by: User | None = None) -> TaxonomyItem:
    """Rename an item per language. The code and kind never change: submissions and
    reports refer to them."""
    errors: dict[str, list] = {}
    labels = clean_texts(labels, "labels", errors, maximum=LABEL_MAX)
    descriptions = clean_texts(descriptions, "descriptions", errors, maximum=DESCRIPTION_MAX,
                               multiline=True)
    if not labels and not any(key.startswith("labels") for key in errors):
        errors["labels"] = [_l("Give the item a label in at least one language.")]
    if errors:
        raise ValidationFailed(errors)
    new_official = _official_after(item.official or {}, item.labels or {}, labels,
                                   item.descriptions or {}, descriptions, official)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for prefix, old, new in (("labels", item.labels or {}, labels),
                             ("descriptions", item.descriptions or {}, descriptions),
                             ("official", item.official or {}, new_official)):
        old_diff, new_diff = changes(old, new, prefix)
        before.update(old_diff)
        after.update(new_diff)
    item.labels = labels
    item.descriptions = descriptions
    item.official = new_official
    if before or after:
        audit.record(session, "taxonomy.update", actor=by, target=item, before=before,
                     after=after)
    session.flush()
    return item


def set_retired(session: Session, item: TaxonomyItem, retired: bool, *,
                by: User | None = None) -> TaxonomyItem:
    """Retire an item (no longer offered for tagging; past tags stay) or bring it back."""
    if retired == (item.retired_at is not None):
        raise NotEditable(_l("This item is already retired.") if retired
                          else _l("This item is not retired."))
    before = {"retired_at": item.retired_at.isoformat() if item.retired_at else None}
    item.retired_at = utcnow() if retired else None
    audit.record(session, "taxonomy.retire" if retired else "taxonomy.unretire", actor=by,
                 target=item, before=before,
                 after={"retired_at": item.retired_at.isoformat() if item.retired_at else None})
    session.flush()
    return item
