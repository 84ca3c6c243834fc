"""The review queue and the decisions on submissions.

Every decision checks the version the moderator saw (two moderators never overwrite each
other), keeps the original text untouched, and writes an audit event in the same
transaction. Audit snapshots hold codes and flags, never the text or personal data, so that
erasure leaves nothing behind in the log.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, tuple_
from sqlalchemy.orm import Session, joinedload, load_only, selectinload

from app.db import utcnow
from app.i18n import lazy_gettext as _l
from app.models import (
    ActorType,
    Answer,
    Attachment,
    ItemKind,
    Keyword,
    Note,
    PersonalData,
    RejectReason,
    Status,
    Submission,
    SubmissionKeyword,
    TaxonomyItem,
    User,
)
from app.security import UnsafeText, clean_text
from app.services import NotEditable, StaleVersion, ValidationFailed, cursors, filters
from app.services.accounts import audit
from app.services.assist import search
from app.services.review import agreement
from app.services.review.tagging import (
    TagInput,
    apply_tags,
    check_version,
    flush,
    resolve_tags,
    retag,
    snapshot,
)
from app.services.text import langid

HIGHLIGHT_MAX = 600
NOTE_MAX = 2000
REDACTED_MAX = 12000
TITLE_MAX = 200


# The queue.

@dataclass
class QueueFilter:
    status: Status | None = Status.PENDING
    round_id: int | None = None
    language: str | None = None
    actor_type: ActorType | None = None
    country: str | None = None
    region: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    has_email: bool | None = None
    q: str | None = None
    principle: str | None = None
    commitment: str | None = None
    claimed: str | None = None  # "mine", "unclaimed"
    viewer_id: int | None = None
    detected: str | None = None  # a language code, or "differs" (from the declared one)
    paragraph: str | None = None  # views about this paragraph of the strategy's text


@dataclass
class Page:
    items: list[Submission]
    next_cursor: str | None


def _conditions(session: Session, f: QueueFilter, *, with_status: bool = True,
                ordered: bool = False) -> list:
    """The SQL conditions of `f`. `ordered`: for a page read in index order (see
    search.condition); counts leave it off."""
    conditions = filters.common(round_id=f.round_id, date_from=f.date_from,
                                date_to=f.date_to, language=f.language,
                                actor_type=f.actor_type, region=f.region)
    if with_status and f.status is not None:
        conditions.append(Submission.status == f.status)
    if f.country:
        conditions.append(Submission.country == f.country)
    if f.has_email is not None:
        has = exists().where(PersonalData.submission_id == Submission.id,
                             PersonalData.email.is_not(None))
        conditions.append(has if f.has_email else ~has)
    if f.q:
        # The session tells the engine (and on SQLite reads the first matches: see search).
        text_match = search.condition(session, f.q, ordered=ordered)
        if text_match is not None:
            conditions.append(text_match)
    conditions.extend(filters.tagged_with(code) for code in (f.principle, f.commitment) if code)
    if f.detected:
        conditions.append(langid.condition(f.detected))
    if f.paragraph:
        conditions.append(Submission.paragraph_key == f.paragraph)
    if f.claimed == "mine" and f.viewer_id:
        conditions.append(and_(Submission.claimed_by_id == f.viewer_id,
                               Submission.claimed_until > utcnow()))
    elif f.claimed == "unclaimed":
        conditions.append(or_(Submission.claimed_by_id.is_(None),
                              Submission.claimed_until <= utcnow()))
    return conditions


def encode_cursor(submission: Submission) -> str:
    return cursors.encode(submission.created_at, submission.id)


def decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    return cursors.decode(cursor)


# What a queue page shows of each submission (`queue(listing=True)`): loading the other
# columns (the body above all) and building them into objects was half the cost of a
# filtered queue page at a million rows.
LISTING_COLUMNS = (
    Submission.id, Submission.version, Submission.reference, Submission.title,
    Submission.language, Submission.actor_type, Submission.country, Submission.status,
    Submission.created_at, Submission.flag, Submission.cluster_id, Submission.claimed_by_id,
    Submission.claimed_until, Submission.detected_language,
)


def queue(session: Session, f: QueueFilter, *, cursor: str | None = None, limit: int = 50,
          newest_first: bool = False, with_details: bool = False,
          with_text: bool = False, listing: bool = False) -> Page:
    """One page of submissions, oldest first by default, with keyset pagination: the
    cost of a page does not grow with how far into the queue it is. `with_details` loads
    tags, keywords, answers, personal data and attachments in a fixed number of queries (no N+1);
    `with_text` the answers and body, for `full_text` (search snippets); `listing` only
    LISTING_COLUMNS (and the text with `with_text`), for a page that lists them."""
    limit = max(1, min(limit, 200))
    order = (Submission.created_at.desc(), Submission.id.desc()) if newest_first else \
        (Submission.created_at, Submission.id)
    options = [joinedload(Submission.claimed_by)]
    if with_details:
        options += [selectinload(Submission.tags), selectinload(Submission.keywords),
                    selectinload(Submission.answers), selectinload(Submission.personal),
                    selectinload(Submission.organisation),
                    # Their files without the text read from them (the API lists them).
                    selectinload(Submission.attachments).defer(Attachment.text)]
    elif with_text:
        options.append(selectinload(Submission.answers))
    if listing:
        options.append(load_only(*LISTING_COLUMNS, *((Submission.body,) if with_text else ())))
    query = (select(Submission).options(*options)
             .where(*_conditions(session, f, ordered=True)).order_by(*order).limit(limit + 1))
    if cursor:
        created, ident = decode_cursor(cursor)
        key = tuple_(Submission.created_at, Submission.id)
        query = query.where(key < tuple_(created, ident) if newest_first
                            else key > tuple_(created, ident))
    items = list(session.scalars(query).unique())
    next_cursor = encode_cursor(items[limit - 1]) if len(items) > limit else None
    return Page(items=items[:limit], next_cursor=next_cursor)


def status_counts(session: Session, f: QueueFilter) -> dict[Status, int]:
    """How many submissions of each status match the filter (ignoring its status)."""
    rows = session.execute(select(Submission.status, func.count())
                           .where(*_conditions(session, f, with_status=False))
                           .group_by(Submission.status))
    counts = {status: 0 for status in Status}
    counts.update({status: n for status, n in rows})
    return counts


def claim_next(session: Session, user: User, *, count: int = 20, minutes: int = 30,
               f: QueueFilter | None = None) -> list[Submission]:
    """Claim the oldest unclaimed pending submissions matching the filter."""
    f = f or QueueFilter()
    f.status = Status.PENDING
    f.claimed = "unclaimed"
    page = queue(session, f, limit=count)
    return claim(session, user, page.items, minutes=minutes)


def claim(session: Session, user: User, submissions: Iterable[Submission], *,
          minutes: int = 30) -> list[Submission]:
    now = utcnow()
    claimed = []
    for submission in submissions:
        taken = (submission.claimed_by_id not in (None, user.id)
                 and submission.claimed_until and submission.claimed_until > now)
        if submission.status == Status.PENDING and not taken:
            submission.claimed_by_id = user.id
            submission.claimed_until = now + dt.timedelta(minutes=minutes)
            claimed.append(submission)
    session.flush()
    if claimed:
        audit.record(session, "submission.claim", actor=user,
                     ids=[s.id for s in claimed], minutes=minutes)
    return claimed


def release_claims(session: Session, user: User) -> int:
    mine = session.scalars(select(Submission).where(Submission.claimed_by_id == user.id))
    count = 0
    for submission in mine:
        submission.claimed_by_id = None
        submission.claimed_until = None
        count += 1
    session.flush()
    return count


def neighbour(session: Session, submission: Submission, f: QueueFilter, *,
              newest_first: bool = False) -> Submission | None:
    """The next submission in the queue after this one (for "next" in the review page),
    in the queue's order."""
    key = tuple_(Submission.created_at, Submission.id)
    here = tuple_(submission.created_at, submission.id)
    order = (Submission.created_at.desc(), Submission.id.desc()) if newest_first else \
        (Submission.created_at, Submission.id)
    return session.scalar(select(Submission)
                          .where(*_conditions(session, f, ordered=True),
                                 key < here if newest_first else key > here)
                          .order_by(*order).limit(1))


SNIPPET_CHARS = 200


def text_starts(session: Session, submission_ids: list[int],
                length: int = SNIPPET_CHARS) -> dict[int, str]:
    """The first `length` characters or so of each submission's text (answers, then the
    free text), cut at a space when there is one near the end, for the queue's rows.
    Two queries for a page, each reading at most `length` + 40 characters of a text."""
    if not submission_ids:
        return {}
    read = length + 40
    parts: dict[int, list[str]] = {ident: [] for ident in submission_ids}
    for ident, text in session.execute(
            select(Answer.submission_id, func.substr(Answer.text, 1, read))
            .where(Answer.submission_id.in_(submission_ids))
            .order_by(Answer.submission_id, Answer.position)):
        parts[ident].append(text or "")
    for ident, text in session.execute(
            select(Submission.id, func.substr(Submission.body, 1, read))
            .where(Submission.id.in_(submission_ids))):
        parts[ident].append(text or "")
    return {ident: _cut(" ".join(" ".join(p.split()) for p in texts if p.strip()), length)
            for ident, texts in parts.items()}


def _cut(text: str, length: int) -> str:
    if len(text) <= length:
        return text
    space = text.rfind(" ", length * 3 // 4, length + 1)
    return text[:space if space > 0 else length].rstrip(" ,;:.،؛。，") + "…"


# Decisions.


def _clean_optional(name: str, value: Any, maximum: int, errors: dict) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        errors[name] = [_l("Must be text.")]
        return None
    try:
        cleaned = clean_text(value)
    except UnsafeText:
        errors[name] = [_l("This text contains invisible control characters. "
                           "Remove them and try again.")]
        return None
    if len(cleaned) > maximum:
        errors[name] = [_l("Use at most %(num)d characters.", num=maximum)]
    return cleaned


def decide(session: Session, submission: Submission, *, by: User, action: str, version: Any,
           tags: TagInput | None = None, reason: Any = None, note: Any = None,
           redacted_text: Any = None, redacted_title: Any = None, highlight: Any = None,
           suggestions: dict[str, Any] | None = None) -> Submission:
    """Approve (with tags) or reject (with a reason) a submission seen at `version`.

    `suggestions` (codes of suggested tags shown and accepted, by group; see
    `tagging.with_accepted`) goes into the audit event's details."""
    check_version(submission, version)
    before = snapshot(submission)
    errors: dict[str, list] = {}
    if action not in ("approve", "reject"):
        raise ValidationFailed({"action": [_l("Choose approve or reject.")]})

    items: list[TaxonomyItem] | None = None
    keywords: list[str] = []
    if tags is not None:
        try:
            items, keywords = resolve_tags(session, submission, tags)
        except ValidationFailed as exc:
            errors.update(exc.errors)

    reject_reason = None
    note_text = _clean_optional("note", note, NOTE_MAX, errors)
    if action == "approve" and not {"principles", "commitments"} & set(errors):
        if items is None or not any(i.kind in (ItemKind.PRINCIPLE, ItemKind.COMMITMENT)
                                    for i in items):
            errors["principles"] = [_l("Tag at least one principle or commitment.")]
    else:
        try:
            reject_reason = RejectReason(reason)
        except ValueError:
            errors["reason"] = [_l("Choose a reason.")]
        if reject_reason == RejectReason.OTHER and not note_text:
            errors["note"] = [_l("Explain the reason in a note.")]

    redacted = _clean_optional("redacted_text", redacted_text, REDACTED_MAX, errors)
    public_title = _clean_optional("redacted_title", redacted_title, TITLE_MAX, errors)
    excerpt = _clean_optional("highlight", highlight, HIGHLIGHT_MAX, errors)
    if errors:
        raise ValidationFailed(errors)

    with session.no_autoflush:  # one UPDATE, so the version moves by exactly one
        if redacted is not None:
            submission.redacted_text = redacted if redacted and redacted != submission.full_text \
                else None
        if public_title is not None:
            # Kept as given once the text is redacted (the moderator saw the original
            # title and let it stand), or when it differs from the original.
            submission.redacted_title = public_title \
                if submission.redacted_text is not None or public_title != submission.title \
                else None
        elif redacted is not None and submission.redacted_text is None:
            submission.redacted_title = None
        if excerpt is not None:
            if excerpt and _squash(excerpt) not in _squash(submission.public_text):
                raise ValidationFailed({"highlight": [_l(
                    "The highlight must be a passage of the text as published "
                    "(after redaction).")]})
            submission.highlight = excerpt or None

        if items is not None:
            apply_tags(session, submission, items, keywords)
        if action == "approve":
            submission.status = Status.APPROVED
            submission.reject_reason = None
            submission.reject_note = None
        else:
            submission.status = Status.REJECTED
            submission.reject_reason = reject_reason
            submission.reject_note = note_text or None
        submission.decided_at = utcnow()
        submission.decided_by_id = by.id
        submission.claimed_by_id = None
        submission.claimed_until = None
    flush(session)
    # Search follows the public version, and reads only the public attachments of a
    # decided view (search.document).
    if redacted is not None or public_title is not None or submission.attachments:
        search.index(session, submission)
    audit.record(session, f"submission.{action}", actor=by, target=submission,
                 before=before, after=snapshot(submission),
                 **({"suggestions": suggestions} if suggestions else {}))
    if action == "approve":
        agreement.after_approval(session, submission, by=by)  # the first of two codings?
    return submission


def _squash(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def add_note(session: Session, submission: Submission, *, by: User, text: Any) -> Note:
    errors: dict[str, list] = {}
    cleaned = _clean_optional("note", text, NOTE_MAX, errors)
    if not errors and not cleaned:
        errors["note"] = [_l("This field is required.")]
    if errors:
        raise ValidationFailed(errors)
    note = Note(submission_id=submission.id, author_id=by.id, text=cleaned)
    session.add(note)
    session.flush()
    audit.record(session, "submission.note", actor=by, target=submission)
    return note


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)
    invalid: dict[int, dict[str, list]] = field(default_factory=dict)


def bulk(session: Session, *, by: User, selection: Iterable[tuple[int, int]], action: str,
         tags: TagInput | None = None, reason: Any = None, note: Any = None) -> BulkResult:
    """Apply one decision (approve, reject or tag) to many (id, version) pairs. Each item
    succeeds or fails on its own (a SAVEPOINT each): a stale item does not stop the rest."""
    result = BulkResult()
    pairs = list(dict(selection).items())[:500]
    by_id = {s.id: s for s in session.scalars(
        select(Submission).options(selectinload(Submission.tags),
                                   selectinload(Submission.keywords),
                                   selectinload(Submission.answers),
                                   joinedload(Submission.round))
        .where(Submission.id.in_([i for i, _ in pairs])))}
    for submission_id, version in pairs:
        submission = by_id.get(submission_id)
        if submission is None:
            result.stale.append(submission_id)
            continue
        savepoint = session.begin_nested()
        try:
            if action == "tag":
                retag(session, submission, by=by, version=version, tags=tags or TagInput(),
                      add_only=True)
            else:
                decide(session, submission, by=by, action=action, version=version,
                       tags=tags if action == "approve" else None, reason=reason, note=note)
        except (StaleVersion, NotEditable):
            savepoint.rollback()
            result.stale.append(submission_id)
        except ValidationFailed as exc:
            savepoint.rollback()
            result.invalid[submission_id] = exc.errors
        else:
            savepoint.commit()
            result.done.append(submission_id)
    return result


def popular_keywords(session: Session, limit: int = 200) -> list[str]:
    return list(session.scalars(
        select(Keyword.text).join(SubmissionKeyword, SubmissionKeyword.keyword_id == Keyword.id)
        .group_by(Keyword.text).order_by(func.count().desc(), Keyword.text).limit(limit)))
