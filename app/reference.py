"""Reference data that nearly every request reads and that rarely changes: the rounds with
their questions, the taxonomy (the current strategy version and its items), and the
paragraphs of the strategy's current text (what a view can be about).

Each worker builds a read-only copy of them as frozen dataclasses and keeps it while the
version of its kind stored in the database (app.models.reference) stays the same: one
small query per request tells whether a round or the taxonomy changed anywhere, and a
change shows at once in every worker and on every node. The copies are plain values, not
ORM objects: read them, and hand services their ids.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session, selectinload

from app.db import db, utcnow
from app.models import (
    ItemKind,
    ReferenceVersion,
    Round,
    StrategyParagraph,
    StrategyVersion,
    TaxonomyItem,
)
from app.models.reference import CHANGED, ROUNDS, STRATEGY, TAXONOMY
from app.models.strategy_text import current_edition_id


def _texts(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


@dataclasses.dataclass(frozen=True)
class QuestionData:
    id: int
    position: int
    text: Mapping[str, str]


@dataclasses.dataclass(frozen=True)
class RoundData:
    id: int
    strategy_version_id: int
    title: Mapping[str, str]
    description: Mapping[str, str]
    opens_at: dt.datetime
    closes_at: dt.datetime
    created_at: dt.datetime
    questions: tuple[QuestionData, ...]

    def is_open_at(self, when: dt.datetime) -> bool:
        return self.opens_at <= when < self.closes_at

    @property
    def is_open(self) -> bool:
        return self.is_open_at(utcnow())


@dataclasses.dataclass(frozen=True)
class ItemData:
    id: int
    strategy_version_id: int
    kind: ItemKind
    code: str
    slug: str | None
    position: int
    labels: Mapping[str, str]
    descriptions: Mapping[str, str]
    official: Mapping[str, bool]

    is_active = True  # only active items are kept


@dataclasses.dataclass(frozen=True)
class Taxonomy:
    current_version_id: int | None
    items: Mapping[int, Mapping[ItemKind, tuple[ItemData, ...]]]  # by strategy version


@dataclasses.dataclass(frozen=True)
class ParagraphData:
    key: str
    code: str | None
    title: Mapping[str, str]
    text: Mapping[str, str]


def _round_data(round_: Round) -> RoundData:
    return RoundData(
        id=round_.id, strategy_version_id=round_.strategy_version_id,
        title=_texts(round_.title), description=_texts(round_.description),
        opens_at=round_.opens_at, closes_at=round_.closes_at, created_at=round_.created_at,
        questions=tuple(QuestionData(q.id, q.position, _texts(q.text))
                        for q in round_.questions))


def _load_rounds() -> tuple[RoundData, ...]:
    """Every round with its questions, newest first."""
    found = db.session.scalars(select(Round).options(selectinload(Round.questions))
                               .order_by(Round.opens_at.desc(), Round.id.desc()))
    return tuple(_round_data(r) for r in found)


def _load_taxonomy() -> Taxonomy:
    current = db.session.scalar(select(StrategyVersion.id).where(StrategyVersion.is_current))
    grouped: dict[int, dict[ItemKind, list[ItemData]]] = {}
    for item in db.session.scalars(select(TaxonomyItem)
                                   .where(TaxonomyItem.retired_at.is_(None))
                                   .order_by(TaxonomyItem.kind, TaxonomyItem.position)):
        by_kind = grouped.setdefault(item.strategy_version_id, {k: [] for k in ItemKind})
        by_kind[item.kind].append(ItemData(
            id=item.id, strategy_version_id=item.strategy_version_id, kind=item.kind,
            code=item.code, slug=item.slug, position=item.position,
            labels=_texts(item.labels), descriptions=_texts(item.descriptions),
            official=_texts(item.official)))
    return Taxonomy(current, MappingProxyType({
        version: MappingProxyType({kind: tuple(items) for kind, items in by_kind.items()})
        for version, by_kind in grouped.items()}))


def _load_paragraphs() -> tuple[ParagraphData, ...]:
    """The paragraphs of the current (latest published) edition, in order."""
    rows = db.session.execute(
        select(StrategyParagraph.key, StrategyParagraph.code, StrategyParagraph.title,
               StrategyParagraph.text)
        .where(StrategyParagraph.edition_id == current_edition_id())
        .order_by(StrategyParagraph.position))
    return tuple(ParagraphData(key, code, _texts(title), _texts(text))
                 for key, code, title, text in rows)


_LOADERS: dict[str, Callable[[], Any]] = {ROUNDS: _load_rounds, TAXONOMY: _load_taxonomy,
                                          STRATEGY: _load_paragraphs}


class _Store:
    """This app's copies in this process: kind -> (version, value)."""

    def __init__(self) -> None:
        self.copies: dict[str, tuple[int, Any]] = {}
        self.lock = threading.Lock()


# Built once, of the table's columns (a plain Core statement): 0.13 -> 0.05 ms of the
# query that every request makes (measured in process, 3 x 3,000 reads).
_READ_VERSIONS = select(ReferenceVersion.__table__.c.kind, ReferenceVersion.__table__.c.version)


def _versions() -> dict[str, int]:
    """The stored version of each kind, read once per request."""
    if has_request_context() and "reference_versions" in g:
        return g.reference_versions
    found = dict(db.session.execute(_READ_VERSIONS).all())
    if has_request_context():
        g.reference_versions = found
    return found


def _get(kind: str) -> Any:
    # Read afresh while this transaction has changed reference data, and outside an app
    # (a script or a service test with a bare session: no app to keep a copy in).
    if db.session.info.get(CHANGED) or not has_app_context():
        return _LOADERS[kind]()
    version = _versions().get(kind, 0)
    store: _Store = current_app.extensions.setdefault("reference", _Store())
    held = store.copies.get(kind)
    if held is not None and held[0] == version:
        return held[1]
    with store.lock:  # one build per process when the version moves
        held = store.copies.get(kind)
        if held is not None and held[0] == version:
            return held[1]
        value = _LOADERS[kind]()
        store.copies[kind] = (version, value)
        return value


def version_key() -> tuple[tuple[str, int], ...] | None:
    """The versions of every kind, to key what is derived from the copies (markup of a
    form made of them); None while this transaction has changed reference data."""
    if db.session.info.get(CHANGED):
        return None
    return tuple(sorted(_versions().items()))


def all_rounds() -> tuple[RoundData, ...]:
    """Every round, newest first, with its questions."""
    return _get(ROUNDS)


def get_round(round_id: int | None) -> RoundData | None:
    return next((r for r in all_rounds() if r.id == round_id), None)


def open_rounds(now: dt.datetime | None = None) -> list[RoundData]:
    """The rounds open now, closing soonest first."""
    now = now or utcnow()
    return sorted((r for r in all_rounds() if r.is_open_at(now)),
                  key=lambda r: (r.closes_at, r.id))


def current_taxonomy_version_id() -> int | None:
    """The id of the strategy version marked current, if any."""
    return _get(TAXONOMY).current_version_id


def items_by_kind(strategy_version_id: int | None) -> dict[ItemKind, list[ItemData]]:
    """The active taxonomy items of a version, grouped by kind, in their order."""
    found = _get(TAXONOMY).items.get(strategy_version_id, {})
    return {kind: list(found.get(kind, ())) for kind in ItemKind}


def current_paragraphs() -> tuple[ParagraphData, ...]:
    """The paragraphs of the strategy's current text, in order: what a view can be about."""
    return _get(STRATEGY)


def report_items(round_id: int | None) -> dict[ItemKind, list[ItemData]]:
    """The taxonomy a report speaks of: that of its round, else the current version.
    `services.reporting.reports.items_for` answers the same from a session (for the CLI and
    the Word summary); this one reads the copies, for pages and downloads."""
    round_ = get_round(round_id) if round_id is not None else None
    version_id = round_.strategy_version_id if round_ is not None else None
    if version_id is None:
        version_id = current_taxonomy_version_id()
    if version_id is None:
        return {kind: [] for kind in ItemKind}
    return items_by_kind(version_id)


@event.listens_for(Session, "before_commit")
def _forget_versions_read(session: Session) -> None:
    """A request that changed reference data reads the versions again after committing."""
    if session.info.get(CHANGED) and has_request_context():
        g.pop("reference_versions", None)
