"""What the public may read of a round: its published views, moderation numbers and open data.

A view is *published* when a moderator approved it and its author consented to
publication (`consent_publication`); erasure withdraws it and clears that consent, so an
erased view leaves every page, feed and download at the next request. What leaves the
platform is the public text only (`Submission.public_text`: the moderator's redacted
version when there is one), the moderators' tags, and context that identifies no one:
the actor type, the UN M49 region (never the country), the language and the dates.
Never an email, an age range, a gender or a manage token.

The organisation a view was sent on behalf of (issue #21) is published only when its
author also ticked `publish_organisation`; otherwise nothing says there was one.

The title follows the same rule (`Submission.public_title`): a redacted view is published
with the title the moderator wrote for it, and with none when they wrote none.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, func, select, tuple_
from sqlalchemy.orm import Session

from app.i18n import lazy_gettext as _l
from app.models import (
    KIND_OF_GROUP,
    Answer,
    Attachment,
    ItemKind,
    Organisation,
    RejectReason,
    Status,
    Submission,
    SubmissionTag,
    TagSource,
    TaxonomyItem,
)
from app.models.submission import public_title
from app.regions import region_of
from app.services import ValidationFailed, cursors, filters, parse_id
from app.services.assist import clusters, search
from app.services.reporting import attachments, reports

PAGE_SIZE = 20
BATCH = 1000
# The open data columns, in order (the data dictionary on the open data page describes each).
COLUMNS = ("reference", "round", "language", "title", "text", "actor_type", "region",
           "principles", "commitments", "technologies", "themes", "published_at", "paragraph",
           "organisation", "organisation_website")
LIST_COLUMNS = tuple(KIND_OF_GROUP)
# The dimensions of the aggregated counts of all approved views.
AGGREGATES = ("principles", "commitments", "technologies", "themes", "actor_types", "regions",
              "languages")
Q_MAX = 200
_REFERENCE = re.compile(r"[A-Z0-9-]{1,16}")


def published(round_id: int | None = None) -> list:
    """SQL conditions for the published views (of one round). `decided_at` is set by every
    decision; requiring it keeps the keyset order total."""
    where = [Submission.status == Status.APPROVED, Submission.consent_publication.is_(True),
             Submission.decided_at.is_not(None), Submission.erased_at.is_(None)]
    if round_id is not None:
        where.insert(0, Submission.round_id == round_id)
    return where


def _known_code(codes: set[str]) -> Any:
    def read(text: str) -> str:
        return filters.one_of(codes)(text.upper())
    return read


def _query(text: str) -> str | None:
    q = " ".join(text.split())
    if len(q) > Q_MAX:
        raise filters.Refused(_l("Use at most %(num)d characters.", num=Q_MAX))
    if "\x00" in q:
        raise filters.Refused(_l("This text contains invisible control characters. Remove "
                                 "them and try again."))
    return q or None


@dataclass
class PublicFilter:
    """What a reader can narrow a round's published views by: one code of each kind of
    moderator tag, and a search text."""

    principle: str | None = None
    commitment: str | None = None
    technology: str | None = None
    theme: str | None = None
    q: str | None = None

    KINDS = {kind.value: kind for kind in ItemKind}  # "principle": ItemKind.PRINCIPLE

    @classmethod
    def from_args(cls, args: Any, items: dict[ItemKind, list[TaxonomyItem]]) -> PublicFilter:
        """Parse query arguments (`filters.parse`), codes against the round's taxonomy
        `items`; raise ValidationFailed naming each bad one."""
        rules = {name: filters.Rule(_known_code({item.code for item in items.get(kind, [])}),
                                    typed=False)
                 for name, kind in cls.KINDS.items()}
        values, errors = filters.parse(args, (*cls.KINDS, "q"),
                                       rules={**rules, "q": filters.Rule(_query, typed=False)})
        if errors:
            raise ValidationFailed(errors)
        return cls(**values)

    def to_args(self) -> dict[str, str]:
        out = {name: getattr(self, name) for name in (*self.KINDS, "q")}
        return {key: value for key, value in out.items() if value}

    def conditions(self, session: Session) -> list:
        where = [filters.tagged_with(getattr(self, name)) for name in self.KINDS
                 if getattr(self, name)]
        # The index holds only the redacted version of a redacted view (search.document):
        # nothing redaction removed, nor its hidden title, can find it.
        text_match = search.condition(session, self.q)
        if text_match is not None:
            where.append(text_match)
        return where


@dataclass
class PublishedView:
    reference: str
    round_id: int
    language: str | None
    title: str | None  # the public title (see the module docstring); None when there is none
    text: str
    actor_type: str | None
    region: str | None
    decided_at: dt.datetime
    tags: dict[str, list[str]] = field(default_factory=dict)
    paragraph: str | None = None  # the key of the strategy paragraph it is about
    # Only when its author agreed that the name be published (issue #21).
    organisation: str | None = None
    organisation_website: str | None = None
    # The files a moderator marked public (issue #21); filled for the view's own page.
    attachments: list[attachments.PublicFile] = field(default_factory=list)

    def record(self) -> dict[str, Any]:
        """The open data row."""
        return {"reference": self.reference, "round": self.round_id,
                "language": self.language, "title": self.title or "", "text": self.text,
                "actor_type": self.actor_type, "region": self.region,
                **{key: self.tags.get(key, []) for key in LIST_COLUMNS},
                "published_at": self.decided_at.isoformat(), "paragraph": self.paragraph,
                "organisation": self.organisation,
                "organisation_website": self.organisation_website}


_VIEW_COLUMNS = (Submission.id, Submission.reference, Submission.round_id, Submission.language,
                 Submission.title, Submission.body, Submission.redacted_text,
                 Submission.redacted_title, Submission.actor_type, Submission.country,
                 Submission.decided_at, Submission.paragraph_key,
                 Organisation.name.label("organisation"),
                 Organisation.website.label("organisation_website"))


def _select_views() -> Select:
    """The columns of a PublishedView; an organisation's only with consent to publish it."""
    return select(*_VIEW_COLUMNS).outerjoin(Organisation, and_(
        Organisation.submission_id == Submission.id, Organisation.publish.is_(True)))


def _views(session: Session, rows: list[Any]) -> list[PublishedView]:
    """PublishedViews for selected rows, with their answers and tags in two queries."""
    ids = [row.id for row in rows]
    if not ids:
        return []
    answers: dict[int, list[str]] = defaultdict(list)
    needs_answers = [row.id for row in rows if row.redacted_text is None]
    if needs_answers:
        for submission_id, text in session.execute(
                select(Answer.submission_id, Answer.text)
                .where(Answer.submission_id.in_(needs_answers))
                .order_by(Answer.submission_id, Answer.position)):
            answers[submission_id].append(text)
    tags: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for submission_id, kind, code in session.execute(
            select(SubmissionTag.submission_id, TaxonomyItem.kind, TaxonomyItem.code)
            .join(TaxonomyItem, TaxonomyItem.id == SubmissionTag.item_id)
            .where(SubmissionTag.submission_id.in_(ids),
                   SubmissionTag.source == TagSource.MODERATOR)
            .order_by(TaxonomyItem.kind, TaxonomyItem.position, TaxonomyItem.code)):
        tags[submission_id][kind.group].append(code)
    out = []
    for row in rows:
        redacted = row.redacted_text is not None
        text = row.redacted_text if redacted else \
            "\n\n".join(p for p in (*answers.get(row.id, ()), row.body) if p)
        out.append(PublishedView(
            reference=row.reference, round_id=row.round_id, language=row.language,
            title=public_title(row.title, row.redacted_text, row.redacted_title) or None,
            text=text,
            actor_type=row.actor_type.value if row.actor_type else None,
            region=region_of(row.country), decided_at=row.decided_at,
            tags={key: list(codes) for key, codes in tags.get(row.id, {}).items()},
            paragraph=row.paragraph_key,
            organisation=row.organisation, organisation_website=row.organisation_website))
    return out


@dataclass
class Page:
    views: list[PublishedView]
    next_cursor: str | None


def encode_cursor(decided_at: dt.datetime, ident: int) -> str:
    return cursors.encode(decided_at, ident)


def decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    """(decided_at, id) of the last view of the previous page."""
    return cursors.decode(cursor)


def page(session: Session, round_id: int, f: PublicFilter | None = None, *,
         cursor: str | None = None, limit: int = PAGE_SIZE) -> Page:
    """One page of a round's published views, newest decision first, with keyset
    pagination on (decided_at, id): a page costs the same at any depth."""
    f = f or PublicFilter()
    query = (_select_views()
             .where(*published(round_id), *f.conditions(session))
             .order_by(Submission.decided_at.desc(), Submission.id.desc()).limit(limit + 1))
    if cursor:
        decided, ident = decode_cursor(cursor)
        query = query.where(tuple_(Submission.decided_at, Submission.id)
                            < tuple_(decided, ident))
    rows = session.execute(query).all()
    last = rows[limit - 1] if len(rows) > limit else None
    return Page(views=_views(session, rows[:limit]),
                next_cursor=encode_cursor(last.decided_at, last.id) if last else None)


def get(session: Session, reference: str) -> PublishedView | None:
    """The published view with this public reference, or None (unknown, not approved, no
    consent, or erased)."""
    reference = (reference or "").strip().upper()
    if not _REFERENCE.fullmatch(reference):
        return None
    row = session.execute(_select_views()
                          .where(Submission.reference == reference, *published())).first()
    if row is None:
        return None
    view = _views(session, [row])[0]
    view.attachments = attachments.public_files(session, [row.id]).get(row.id, [])
    return view


def published_attachment(session: Session, reference: str, attachment_id: Any
                         ) -> Attachment | None:
    """The attachment `attachment_id` of the published view `reference`, if a moderator
    marked it public; None otherwise (whatever else the id names)."""
    reference = (reference or "").strip().upper()
    ident = parse_id(str(attachment_id))
    if ident is None or not _REFERENCE.fullmatch(reference):
        return None
    return session.scalar(
        select(Attachment).join(Submission, Submission.id == Attachment.submission_id)
        .where(Attachment.id == ident, Attachment.public.is_(True),
               Submission.reference == reference, *published()))


def newest(session: Session, round_id: int, limit: int = 50) -> list[PublishedView]:
    """The most recently published views of a round (for its feed)."""
    return page(session, round_id, limit=limit).views


def iter_published(session: Session, round_id: int, *, batch: int = BATCH
                   ) -> Iterator[dict[str, Any]]:
    """Every published view of a round as open data rows, by id in keyset batches: memory
    stays flat and each batch is one short query (plus two for answers and tags)."""
    last_id = 0
    while True:
        rows = session.execute(_select_views()
                               .where(*published(round_id), Submission.id > last_id)
                               .order_by(Submission.id).limit(batch)).all()
        if not rows:
            return
        for view in _views(session, rows):
            yield view.record()
        last_id = rows[-1].id


def count_published(session: Session, round_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Submission)
                          .where(*published(round_id)))


def count_published_by_round(session: Session) -> dict[int, int]:
    """Published views per round, in one grouped query."""
    return dict(session.execute(select(Submission.round_id, func.count())
                                .where(*published()).group_by(Submission.round_id)).all())


def moderation_counts(session: Session, round_id: int) -> dict[str, Any]:
    """What became of everything a round received, in one grouped query on the round's
    rows: received, pending, published, approved but not published (no consent), not
    published by reason, withdrawn and erased. Plain data, so that it can be cached."""
    rows = session.execute(
        select(Submission.status, Submission.reject_reason, Submission.consent_publication,
               func.count())
        .where(Submission.round_id == round_id)
        .group_by(Submission.status, Submission.reject_reason,
                  Submission.consent_publication))
    by_status: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    published_count = 0
    for status, reason, consent, n in rows:
        by_status[status.value] += n
        if status == Status.APPROVED and consent:
            published_count += n
        if status == Status.REJECTED:
            reasons[reason.value if reason else RejectReason.OTHER.value] += n
    return {
        "received": sum(by_status.values()),
        "pending": by_status[Status.PENDING.value],
        "approved": by_status[Status.APPROVED.value],
        "published": published_count,
        "not_published_no_consent": by_status[Status.APPROVED.value] - published_count,
        "rejected": by_status[Status.REJECTED.value],
        "rejected_by_reason": {reason.value: reasons[reason.value] for reason in RejectReason},
        "withdrawn": by_status[Status.WITHDRAWN.value],
    }


def campaign_counts(session: Session, round_id: int) -> dict[str, int]:
    """Campaigns folded by the moderators: {"clusters": n, "folded": n} (issue #8)."""
    stats = clusters.campaign_stats(session, round_id)
    return {"clusters": int(stats["clusters"]), "folded": int(stats["folded"])}


def aggregate_counts(session: Session, round_id: int) -> dict[str, Any]:
    """Counts of ALL approved views of a round (published or not): by each kind of tag,
    actor type, region and language. Aggregates identify no one."""
    f = reports.ReportFilter(round_id=round_id)
    counts: dict[str, dict[str, int]] = {
        key: reports.count_by_tag(session, f, kind) for key, kind in KIND_OF_GROUP.items()}
    counts["actor_types"] = reports.count_by_actor_type(session, f)
    counts["regions"] = reports.count_by_region(session, f)
    counts["languages"] = reports.count_by_language(session, f)
    return {"round": round_id, "total": reports.total(session, f), "counts": counts}
