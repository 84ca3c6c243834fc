"""SQL conditions on submissions shared by the review queue and the reports, so that a
filter means the same thing on every page (and an index fix lands in one place)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from app.models import Submission, SubmissionTag, TagSource, TaxonomyItem
from app.regions import countries_in_region


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def common(*, round_id: int | None = None, date_from: dt.date | None = None,
           date_to: dt.date | None = None, language: str | None = None,
           actor_type: Any = None, region: str | None = None) -> list:
    """Round, dates of receipt (UTC days, both included), language, actor type, region."""
    where: list = []
    if round_id is not None:
        where.append(Submission.round_id == round_id)
    if date_from:
        where.append(Submission.created_at >= day_start(date_from))
    if date_to:
        where.append(Submission.created_at < day_start(date_to) + dt.timedelta(days=1))
    if language:
        where.append(Submission.language == language)
    if actor_type is not None:
        where.append(Submission.actor_type == actor_type)
    if region:
        where.append(Submission.country.in_(countries_in_region(region)))
    return where


def tagged_with(code: str, *, counting: bool = False) -> Any:
    """Submissions a moderator tagged with `code`. Aliases: the outer query may itself join
    these tables (the counts by tag).

    A page or a batch read in index order stops after a few rows: a correlated EXISTS,
    checked row by row, suits it. A count reads every matching row: `counting` gives an IN
    over that code's tags instead, materialized once through their item_id index (a themed
    summary's counts at a million rows on SQLite: 1.5 s -> 0.6 s each; the same IN on a
    page took 400 ms instead of 3)."""
    tag, item = aliased(SubmissionTag), aliased(TaxonomyItem)
    if counting:
        return Submission.id.in_(
            select(tag.submission_id).join(item, item.id == tag.item_id)
            .where(tag.source == TagSource.MODERATOR, item.code == code.upper()))
    return exists().where(tag.submission_id == Submission.id, tag.source == TagSource.MODERATOR,
                          tag.item_id == item.id, item.code == code.upper())
