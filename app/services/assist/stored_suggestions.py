"""Each submission's top suggested tags, kept for the queue.

The review page scores a text afresh (`app.services.assist.suggest.suggestions`); the queue lists
fifty or a hundred rows and shows each one's top principle and commitment, which it reads
from `submission_suggestions` in one query per page. They are stored when a view arrives or
is corrected, and `flask --app wsgi suggest store` fills them for views received before.
The suggestion engine itself is not changed here: this module only keeps what it says.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session, selectinload

from app import reference
from app.models import (
    ItemKind,
    Status,
    Submission,
    SubmissionSuggestion,
    TaxonomyItem,
)
from app.services.assist import suggest

# What the queue shows of each row (the groups a moderator must tag to approve).
QUEUE_KINDS = (ItemKind.PRINCIPLE, ItemKind.COMMITMENT)


@dataclass(frozen=True)
class TopSuggestion:
    code: str
    confidence: float


def store(session: Session, submission: Submission, *, new: bool = False) -> None:
    """Score `submission` and keep the top suggestion of each code group (none for an
    erased text). `new`: it was just inserted, so it has none to replace."""
    if not new:
        session.execute(delete(SubmissionSuggestion)
                        .where(SubmissionSuggestion.submission_id == submission.id))
    if submission.erased_at is not None:
        return
    version_id = suggest.strategy_version_of(submission)
    found = suggest.suggestions(session, submission, version_id)
    # A low-confidence top (no keyword fired: only the closest description) is no
    # suggestion a moderator should triage by; the review page still ranks it.
    codes = {items[0].code: items[0].confidence for items in found.values()
             if items and not items[0].low}
    if not codes:
        return
    ids = {item.code: item.id for items in reference.items_by_kind(version_id).values()
           for item in items if item.code in codes}
    session.add_all(SubmissionSuggestion(submission_id=submission.id, item_id=ids[code],
                                         confidence=confidence)
                    for code, confidence in codes.items() if code in ids)
    session.flush()


def forget(session: Session, submission_id: int) -> None:
    session.execute(delete(SubmissionSuggestion)
                    .where(SubmissionSuggestion.submission_id == submission_id))


def top_for(session: Session, submission_ids: Iterable[int]
            ) -> dict[int, dict[ItemKind, TopSuggestion]]:
    """{submission id: {kind: its top suggestion}} for the principles and commitments of
    the given submissions, in one query."""
    ids = list(submission_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(SubmissionSuggestion.submission_id, TaxonomyItem.kind, TaxonomyItem.code,
               SubmissionSuggestion.confidence)
        .join(TaxonomyItem, TaxonomyItem.id == SubmissionSuggestion.item_id)
        .where(SubmissionSuggestion.submission_id.in_(ids),
               TaxonomyItem.kind.in_(QUEUE_KINDS)))
    result: dict[int, dict[ItemKind, TopSuggestion]] = {}
    for submission_id, kind, code, confidence in rows:
        per_kind = result.setdefault(submission_id, {})
        known = per_kind.get(kind)
        if known is None or confidence > known.confidence:
            per_kind[kind] = TopSuggestion(code, confidence)
    return result


def backfill(session: Session, *, batch: int = 500, refresh: bool = False,
             after_id: int = 0) -> tuple[int, int]:
    """Store the suggestions of one batch of pending submissions (all of them with
    `refresh`, else those without any stored), in id order after `after_id`.
    Returns (how many were scored, the last id seen)."""
    query = (select(Submission)
             .options(selectinload(Submission.answers))
             .where(Submission.status == Status.PENDING, Submission.id > after_id)
             .order_by(Submission.id).limit(batch))
    if not refresh:
        query = query.where(~exists().where(
            SubmissionSuggestion.submission_id == Submission.id))
    submissions = list(session.scalars(query))
    for submission in submissions:
        store(session, submission)
    return len(submissions), (submissions[-1].id if submissions else 0)
