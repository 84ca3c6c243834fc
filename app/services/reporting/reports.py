"""Counts and summaries of approved submissions for the reference group.

Everything here reads approved submissions only and returns aggregates, codes and the
moderators' public excerpts: never an email, a name field or a non-redacted text.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from app.db import utc_date
from app.i18n import lazy_gettext as _l
from app.models import (
    ActorType,
    AgeRange,
    Channel,
    Gender,
    ItemKind,
    Keyword,
    Organisation,
    PersonalData,
    Round,
    Status,
    Submission,
    SubmissionKeyword,
    SubmissionProvenance,
    SubmissionTag,
    TagSource,
    TaxonomyItem,
)
from app.regions import region_of
from app.services import ValidationFailed, filters
from app.services.assist import clusters, search
from app.services.platform import taxonomy as taxonomy_service

YOUTH_AGES = (AgeRange.UNDER_18, AgeRange.AGE_18_24)
GROUPS = ("principle", "commitment", "technology", "theme", "keyword", "actor_type", "region",
          "language", "detected_language", "channel", "paragraph",
          "organisations_by_actor_type", "organisations_by_region")


@dataclass
class ReportFilter:
    round_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    language: str | None = None
    actor_type: ActorType | None = None
    region: str | None = None
    youth: bool | None = None
    gender: Gender | None = None
    age_range: AgeRange | None = None
    code: str | None = None  # only submissions a moderator tagged with this code
    q: str | None = None  # full-text search (app.services.assist.search)
    channel: Channel | None = None  # web, api, workshop, paper
    source: str | None = None  # provenance: a workshop's name or an import's source
    paragraph: str | None = None  # views about this paragraph of the strategy's text

    def to_args(self) -> dict[str, str]:
        """Query-string form, for links and the audit log."""
        out: dict[str, str] = {}
        for key, value in asdict(self).items():
            if value is None:
                continue
            if isinstance(value, bool):
                out[key] = "yes" if value else "no"
            elif hasattr(value, "value"):
                out[key] = value.value
            else:
                out[key] = str(value)
        return out

    @classmethod
    def from_args(cls, args: Any, *, blank_is_error: bool = False) -> ReportFilter:
        """Parse query arguments (`filters.parse`); raise ValidationFailed naming each bad one.

        A blank value means "no filter" for the dashboard's form, which sends every field;
        `blank_is_error` refuses it instead (the API: `date_to=` there is a client's bug,
        and leaving the parameter out is the way to ask for no filter)."""
        values, errors = filters.parse(args, [f.name for f in fields(cls)],
                                       blank_is_error=blank_is_error)
        if errors:
            raise ValidationFailed(errors)
        return cls(**values)


DEMOGRAPHIC_FILTERS = ("gender", "age_range", "youth")


def demographic_filters(f: ReportFilter) -> list[str]:
    """The filters of `f` on personal data (gender, age range, youth). For the reference
    group they apply to counts only: rows listed by one of them would give each row's
    gender or age back, one export per value."""
    return [name for name in DEMOGRAPHIC_FILTERS if getattr(f, name) is not None]


def small(count: int, min_cell: int) -> bool:
    """A count small enough to point to a person (0 < count < min_cell): shown as
    "< min_cell". Zero says nobody, and is shown."""
    return bool(min_cell) and 0 < count < min_cell


def suppressed(body: dict[str, Any], min_cell: int) -> dict[str, Any]:
    """A stats API answer with each small count (see `small`) as the string "< N", and
    `min_cell_count` saying so; a copy, the cached answer stays whole."""
    def cell(count: Any) -> Any:
        return f"< {min_cell}" if isinstance(count, int) and small(count, min_cell) else count

    out = {**body, "counts": {key: cell(n) for key, n in body["counts"].items()},
           "min_cell_count": min_cell}
    for key in ("total", "submissions", "unique_voices"):
        if key in out:
            out[key] = cell(out[key])
    return out


def conditions(f: ReportFilter, *, counting: bool = False) -> list:
    """SQL conditions on Submission for approved submissions matching `f`. `counting`: for
    a query that reads every match (a count) rather than a page or batch in index order
    (see filters.tagged_with)."""
    where = [Submission.status == Status.APPROVED,
             *filters.common(round_id=f.round_id, date_from=f.date_from, date_to=f.date_to,
                             language=f.language, actor_type=f.actor_type, region=f.region)]
    if f.youth is not None:
        young = exists().where(PersonalData.submission_id == Submission.id,
                               PersonalData.age_range.in_(YOUTH_AGES))
        where.append(young if f.youth else ~young)
    if f.gender is not None:
        where.append(exists().where(PersonalData.submission_id == Submission.id,
                                    PersonalData.gender == f.gender))
    if f.age_range is not None:
        where.append(exists().where(PersonalData.submission_id == Submission.id,
                                    PersonalData.age_range == f.age_range))
    if f.code:
        where.append(filters.tagged_with(f.code, counting=counting))
    if f.channel is not None:
        where.append(Submission.channel == f.channel)
    if f.source:
        where.append(exists().where(SubmissionProvenance.submission_id == Submission.id,
                                    SubmissionProvenance.source == f.source))
    if f.paragraph:
        where.append(Submission.paragraph_key == f.paragraph)
    if f.q:
        text_match = search.condition(None, f.q)
        if text_match is not None:
            where.append(text_match)
    return where


def total(session: Session, f: ReportFilter) -> int:
    return session.scalar(select(func.count()).select_from(Submission)
                          .where(*conditions(f, counting=True)))


def totals(session: Session, f: ReportFilter) -> dict[str, int]:
    """Submissions and unique voices (a campaign of near-identical texts counts once: see
    app.services.assist.clusters), in one query. `total` repeats `submissions` for older clients."""
    count, voices = session.execute(select(func.count(), clusters.unique_voices_column())
                                    .select_from(Submission)
                                    .where(*conditions(f, counting=True))).one()
    return {"total": count, "submissions": count, "unique_voices": int(voices or 0)}


def items_for(session: Session, f: ReportFilter) -> dict[ItemKind, list[TaxonomyItem]]:
    """The taxonomy the report speaks of: that of the round, else the current version."""
    version_id = None
    if f.round_id is not None:
        version_id = session.scalar(select(Round.strategy_version_id)
                                    .where(Round.id == f.round_id))
    if version_id is None:
        version = taxonomy_service.current_version(session)
        version_id = version.id if version else None
    if version_id is None:
        return {kind: [] for kind in ItemKind}
    return taxonomy_service.items_by_kind(session, version_id)


def count_by_tag(session: Session, f: ReportFilter, kind: ItemKind) -> dict[str, int]:
    rows = session.execute(
        select(TaxonomyItem.code, func.count())
        .select_from(Submission)
        .join(SubmissionTag, and_(SubmissionTag.submission_id == Submission.id,
                                  SubmissionTag.source == TagSource.MODERATOR))
        .join(TaxonomyItem, and_(TaxonomyItem.id == SubmissionTag.item_id,
                                 TaxonomyItem.kind == kind))
        .where(*conditions(f, counting=True)).group_by(TaxonomyItem.code))
    return dict(rows.all())


def count_by_keyword(session: Session, f: ReportFilter, limit: int = 30) -> list[tuple[str, int]]:
    rows = session.execute(
        select(Keyword.text, func.count().label("n"))
        .select_from(Submission)
        .join(SubmissionKeyword, SubmissionKeyword.submission_id == Submission.id)
        .join(Keyword, Keyword.id == SubmissionKeyword.keyword_id)
        .where(*conditions(f, counting=True)).group_by(Keyword.text)
        .order_by(func.count().desc(), Keyword.text).limit(limit))
    return [(text, n) for text, n in rows]


def count_by_column(session: Session, f: ReportFilter, column: Any) -> dict[Any, int]:
    rows = session.execute(select(column, func.count()).select_from(Submission)
                           .where(*conditions(f, counting=True)).group_by(column))
    return {key: n for key, n in rows if key is not None}


def count_by_actor_type(session: Session, f: ReportFilter) -> dict[str, int]:
    return {k.value: n for k, n in count_by_column(session, f, Submission.actor_type).items()}


def count_by_language(session: Session, f: ReportFilter) -> dict[str, int]:
    return count_by_column(session, f, Submission.language)


def count_by_channel(session: Session, f: ReportFilter) -> dict[str, int]:
    """Web form, API, workshop, paper: how the views came in."""
    return {k.value: n for k, n in count_by_column(session, f, Submission.channel).items()}


def count_by_region(session: Session, f: ReportFilter) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for country, n in count_by_column(session, f, Submission.country).items():
        counts[region_of(country) or "unknown"] += n
    return dict(counts)


def _tag_cells(session: Session, f: ReportFilter) -> Any:
    """Moderators' tags of the approved submissions matching `f`, counted by (kind, code,
    actor type, country): one pass over the tags for every tag count and cross-tab."""
    return session.execute(
        select(TaxonomyItem.kind, TaxonomyItem.code, Submission.actor_type,
               Submission.country, func.count())
        .select_from(Submission)
        .join(SubmissionTag, and_(SubmissionTag.submission_id == Submission.id,
                                  SubmissionTag.source == TagSource.MODERATOR))
        .join(TaxonomyItem, TaxonomyItem.id == SubmissionTag.item_id)
        .where(*conditions(f, counting=True))
        .group_by(TaxonomyItem.kind, TaxonomyItem.code, Submission.actor_type,
                  Submission.country))


def tag_counts(session: Session, f: ReportFilter) -> dict[str, Any]:
    """The dashboard's tag counts in one pass over the tags: per kind {code: n}, and the
    principles by actor type and commitments by region.

    At a million rows each of those six queries read every approved submission's tags
    (1.5 s apiece on SQLite); grouping once by (kind, code, actor type, country) and
    summing here reads them once."""
    by_kind: dict[str, Counter[str]] = {kind.value: Counter() for kind in ItemKind}
    by_actor: dict[str, Counter[str]] = defaultdict(Counter)
    by_region: dict[str, Counter[str]] = defaultdict(Counter)
    for kind, code, actor_type, country, n in _tag_cells(session, f):
        by_kind[kind.value][code] += n
        if kind == ItemKind.PRINCIPLE:
            by_actor[code][actor_type.value if actor_type is not None else "unknown"] += n
        elif kind == ItemKind.COMMITMENT:
            by_region[code][region_of(country) or "unknown"] += n
    return {
        "by_kind": {kind: dict(counter) for kind, counter in by_kind.items()},
        "principle_by_actor": {code: dict(c) for code, c in by_actor.items()},
        "commitment_by_region": {code: dict(c) for code, c in by_region.items()},
    }


def code_crosstabs(session: Session, f: ReportFilter
                   ) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    """Every code (all four kinds) by actor type and by region ("unknown" where not
    given): {code: {actor type: n}}, {code: {region: n}}; the workbook's cross-tabs."""
    by_actor: dict[str, Counter[str]] = defaultdict(Counter)
    by_region: dict[str, Counter[str]] = defaultdict(Counter)
    for _kind, code, actor_type, country, n in _tag_cells(session, f):
        by_actor[code][actor_type.value if actor_type is not None else "unknown"] += n
        by_region[code][region_of(country) or "unknown"] += n
    return ({code: dict(c) for code, c in by_actor.items()},
            {code: dict(c) for code, c in by_region.items()})


def organisation_counts(session: Session, f: ReportFilter) -> dict[str, Any]:
    """Distinct organisations that sent approved views matching `f` (issue #21), by actor
    type, by region and both: {"total": n, "by_actor_type": {actor: n}, "by_region":
    {region: n}, "cells": {actor: {region: n}}}. A name counts once however it was typed
    ("UNESCO", " unesco ": `Organisation.name_key`); one named under two actor types or
    regions counts in each, and once in the total. Plain data, so that it can be cached.

    One query for the distinct (actor type, country, name) triples: there are at most as
    many as organisations times countries, a few thousand, summed here by region."""
    rows = session.execute(
        select(Submission.actor_type, Submission.country, Organisation.name_key)
        .join(Organisation, Organisation.submission_id == Submission.id)
        .where(*conditions(f, counting=True)).distinct())
    everyone: set[str] = set()
    by_actor: dict[str, set[str]] = defaultdict(set)
    by_region: dict[str, set[str]] = defaultdict(set)
    cells: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for actor_type, country, key in rows:
        actor = actor_type.value if actor_type is not None else "unknown"
        region = region_of(country) or "unknown"
        everyone.add(key)
        by_actor[actor].add(key)
        by_region[region].add(key)
        cells[actor][region].add(key)
    return {"total": len(everyone),
            "by_actor_type": {actor: len(keys) for actor, keys in by_actor.items()},
            "by_region": {region: len(keys) for region, keys in by_region.items()},
            "cells": {actor: {region: len(keys) for region, keys in regions.items()}
                      for actor, regions in cells.items()}}


def over_time(session: Session, f: ReportFilter) -> list[tuple[dt.date, int]]:
    """Approved submissions per day of receipt (UTC)."""
    day = utc_date(Submission.created_at)
    rows = session.execute(select(day, func.count()).where(*conditions(f, counting=True))
                           .group_by(day).order_by(day))
    return [(value if isinstance(value, dt.date) else dt.date.fromisoformat(value), n)
            for value, n in rows]


def co_occurring(session: Session, f: ReportFilter) -> list[tuple[str, int]]:
    """With `f.code` set: the other codes tagged on the same submissions, most frequent first."""
    if not f.code:
        return []
    other = aliased(TaxonomyItem)
    rows = session.execute(
        select(other.code, func.count().label("n"))
        .select_from(Submission)
        .join(SubmissionTag, and_(SubmissionTag.submission_id == Submission.id,
                                  SubmissionTag.source == TagSource.MODERATOR))
        .join(other, other.id == SubmissionTag.item_id)
        .where(*conditions(f, counting=True), other.code != f.code)
        .group_by(other.code).order_by(func.count().desc(), other.code))
    return [(code, n) for code, n in rows]


@dataclass
class Quote:
    reference: str
    language: str | None
    country: str | None
    actor_type: str | None
    text: str
    organisation: str | None = None  # the organisation the view was sent on behalf of


def highlights(session: Session, f: ReportFilter, *, per_group: int = 5
               ) -> dict[str, list[Quote]]:
    """The moderators' highlight excerpts, grouped by actor type, newest decisions first.

    Only the excerpt (checked at decision time to come from the public text), the reference
    code, language, country and the organisation it was sent on behalf of (the reference
    group reads it; issue #21): never a person's name or an email."""
    rows = session.execute(
        select(Submission.reference, Submission.language, Submission.country,
               Submission.actor_type, Submission.highlight, Organisation.name)
        .outerjoin(Organisation, Organisation.submission_id == Submission.id)
        .where(*conditions(f, counting=True), Submission.highlight.is_not(None))
        .order_by(Submission.decided_at.desc(), Submission.id.desc()).limit(per_group * 40))
    grouped: dict[str, list[Quote]] = defaultdict(list)
    for reference, language, country, actor, text, organisation in rows:
        key = actor.value if actor else "unknown"
        if len(grouped[key]) < per_group:
            grouped[key].append(Quote(reference, language, country, key, text, organisation))
    return dict(grouped)


@dataclass
class Dashboard:
    total: int
    by_kind: dict[str, dict[str, int]]
    keywords: list[tuple[str, int]]
    actor_types: dict[str, int]
    regions: dict[str, int]
    languages: dict[str, int]
    principle_by_actor: dict[str, dict[str, int]]
    commitment_by_region: dict[str, dict[str, int]]
    timeline: list[tuple[dt.date, int]]
    items: dict[ItemKind, list[TaxonomyItem]] = field(default_factory=dict)
    channels: dict[str, int] = field(default_factory=dict)
    submissions: int = 0  # the same as total (see `totals`)
    unique_voices: int | None = None  # None in a cached copy from before campaign folding
    paragraphs: dict[str, int] = field(default_factory=dict)  # by paragraph key
    # Distinct organisations (see `organisation_counts`); {} in a cached copy from before.
    organisations: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_counts(cls, counts: dict[str, Any], items: dict[ItemKind, list[TaxonomyItem]]
                    ) -> Dashboard:
        """From `dashboard_counts` (possibly a cached JSON copy of it)."""
        return cls(**{**counts,
                      "keywords": [tuple(pair) for pair in counts["keywords"]],
                      "timeline": [(dt.date.fromisoformat(str(day)), n)
                                   for day, n in counts["timeline"]]},
                   items=items)


def dashboard_counts(session: Session, f: ReportFilter) -> dict[str, Any]:
    """Every count the dashboard shows, as plain data (JSON-friendly, so it can be cached)."""
    return {
        **totals(session, f),
        **tag_counts(session, f),
        "keywords": count_by_keyword(session, f),
        "actor_types": count_by_actor_type(session, f),
        "regions": count_by_region(session, f),
        "languages": count_by_language(session, f),
        "channels": count_by_channel(session, f),
        "paragraphs": count_by_column(session, f, Submission.paragraph_key),
        "organisations": organisation_counts(session, f),
        "timeline": [(day.isoformat(), n) for day, n in over_time(session, f)],
    }


def dashboard(session: Session, f: ReportFilter) -> Dashboard:
    return Dashboard.from_counts(dashboard_counts(session, f), items_for(session, f))


@dataclass
class Summary:
    item: TaxonomyItem
    total: int
    base_total: int
    actor_types: dict[str, int]
    regions: dict[str, int]
    languages: dict[str, int]
    co_occurring: list[tuple[str, int]]
    keywords: list[tuple[str, int]]
    quotes: dict[str, list[Quote]]
    filter: ReportFilter

    @property
    def share(self) -> float:
        return self.total / self.base_total if self.base_total else 0.0


def find_item(session: Session, code: str, f: ReportFilter) -> TaxonomyItem | None:
    code = (code or "").upper()
    for items in items_for(session, f).values():
        for item in items:
            if item.code == code:
                return item
    return None


def summary(session: Session, code: str, f: ReportFilter) -> Summary | None:
    """Everything the themed summary of one code shows, or None for an unknown code."""
    item = find_item(session, code, f)
    if item is None:
        return None
    base = ReportFilter(**{**asdict(f), "code": None})
    themed = ReportFilter(**{**asdict(f), "code": item.code})
    return Summary(
        item=item,
        total=total(session, themed),
        base_total=total(session, base),
        actor_types=count_by_actor_type(session, themed),
        regions=count_by_region(session, themed),
        languages=count_by_language(session, themed),
        co_occurring=co_occurring(session, themed),
        keywords=count_by_keyword(session, themed, limit=15),
        quotes=highlights(session, themed),
        filter=themed,
    )


def stats(session: Session, f: ReportFilter, group_by: str) -> dict[str, int]:
    """Counts for the stats API, keyed by code."""
    if group_by not in GROUPS:
        raise ValidationFailed({"group_by": [_l("Use one of: %(codes)s",
                                                codes=", ".join(GROUPS))]})
    if group_by == "keyword":
        return dict(count_by_keyword(session, f, limit=200))
    if group_by == "actor_type":
        return count_by_actor_type(session, f)
    if group_by == "region":
        return count_by_region(session, f)
    if group_by == "language":
        return count_by_language(session, f)
    if group_by == "channel":
        return count_by_channel(session, f)
    if group_by == "detected_language":
        return count_by_column(session, f, Submission.detected_language)
    if group_by == "paragraph":
        return count_by_column(session, f, Submission.paragraph_key)
    if group_by == "organisations_by_actor_type":  # organisations, not views (issue #21)
        return organisation_counts(session, f)["by_actor_type"]
    if group_by == "organisations_by_region":
        return organisation_counts(session, f)["by_region"]
    return count_by_tag(session, f, ItemKind(group_by))


