"""Double coding and coder agreement (Krippendorff's alpha).

Why: the reference group quotes counts per principle and commitment; they can only trust
them if two moderators, coding the same text independently, would tag it the same way.
Admins set a share of each round's approved submissions to be coded twice; a second
moderator codes those without seeing the first one's tags; agreement is measured per code
with Krippendorff's alpha; disagreements go to a reconciliation queue where a moderator
sets the final tags.

How it fits moderation: the approving decision (`moderation.decide`) is the first coding.
When it approves a submission of a round with a share above 0, `after_approval` decides
(deterministically, from the submission id) whether it is selected and, if so, keeps the
first coder's principle and commitment codes in `codings`. The first decision's status and
tags stay as they are: double coding is about the tags, and an agreement changes nothing.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, tuple_, update
from sqlalchemy.orm import Session, joinedload, selectinload

from app.db import utcnow
from app.i18n import lazy_gettext as _l
from app.models import (
    ItemKind,
    Round,
    Status,
    Submission,
    TagSource,
    TaxonomyItem,
    User,
)
from app.models.coding import Coding, CodingState, DoubleCoding, DoubleCodingShare
from app.services import NotEditable, StaleVersion, ValidationFailed, cursors
from app.services.accounts import audit
from app.services.review import tagging

CODED_KINDS = (ItemKind.PRINCIPLE, ItemKind.COMMITMENT)
MIN_UNITS = 2  # below this, alpha says nothing: "not enough data"
_BUCKETS = 10_000  # selection resolution: 0.01 %


# The share and the selection.

def is_selected(submission_id: int, percent: int) -> bool:
    """Whether a submission falls in the double-coded `percent` (0 to 100).

    A hash of the id rather than a random draw: the same submission is always in or out
    for a given share (decided again after a crash or a retry, nothing stored until it is
    selected), raising the share only adds submissions, and consecutive ids (a campaign
    arriving in a burst) do not land in or out together."""
    if percent <= 0:
        return False
    if percent >= 100:
        return True
    digest = hashlib.sha256(f"double-coding:{submission_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % _BUCKETS < percent * (_BUCKETS // 100)


def share_of(session: Session, round_id: int) -> int:
    """The percent of the round's approved submissions coded twice (0 without a setting)."""
    row = session.get(DoubleCodingShare, round_id)
    return row.percent if row is not None else 0


def shares(session: Session) -> dict[int, int]:
    return {round_id: percent for round_id, percent in session.execute(
        select(DoubleCodingShare.round_id, DoubleCodingShare.percent))}


def parse_percent(value: Any) -> int:
    """A whole percent from untrusted input, else ValidationFailed on "percent"."""
    if isinstance(value, str):
        value = value.strip().rstrip("%").strip()
        value = int(value) if value.isascii() and value.isdigit() and len(value) <= 3 else None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise ValidationFailed({"percent": [_l("Give a whole number from 0 to 100.")]})
    return value


def set_share(session: Session, round_: Round, percent: Any, *, by: User) -> DoubleCodingShare:
    """Set the share of `round_` (audited). Submissions approved before keep their state:
    the share applies to decisions from now on."""
    value = parse_percent(percent)
    row = session.get(DoubleCodingShare, round_.id)
    before = {"percent": row.percent if row is not None else 0}
    if row is None:
        row = DoubleCodingShare(round_id=round_.id, percent=value)
        session.add(row)
    row.percent = value
    row.updated_by_id = by.id
    session.flush()
    audit.record(session, "coding.share", actor=by, target=round_, before=before,
                 after={"percent": value})
    return row


def _codes(submission: Submission) -> list[str]:
    return sorted(code for kind in CODED_KINDS
                  for code in submission.tag_codes(TagSource.MODERATOR, kind))


def after_approval(session: Session, submission: Submission, *, by: User) -> DoubleCoding | None:
    """Called by `moderation.decide` after an approval: select the submission for double
    coding if its round's share says so, and keep this decision as the first coding.

    Costs one primary-key read when the round has no share, so approving stays cheap."""
    percent = share_of(session, submission.round_id)
    if not is_selected(submission.id, percent):
        return None
    if session.get(DoubleCoding, submission.id) is not None:
        return None  # already selected by an earlier approval: that one is the first coding
    unit = DoubleCoding(submission_id=submission.id, state=CodingState.AWAITING,
                        first_coder_id=by.id, selected_at=utcnow())
    session.add(unit)
    session.add(Coding.of(submission.id, by.id, _codes(submission)))
    session.flush()
    audit.record(session, "coding.select", actor=by, target=submission, percent=percent)
    return unit


def get_unit(session: Session, submission_id: int) -> DoubleCoding | None:
    return session.scalar(
        select(DoubleCoding)
        .options(joinedload(DoubleCoding.first_coder), joinedload(DoubleCoding.second_coder),
                 selectinload(DoubleCoding.codings).joinedload(Coding.coder))
        .where(DoubleCoding.submission_id == submission_id))


def is_blind(session: Session, submission: Submission, user: User) -> bool:
    """Whether `user` must not see the moderator tags of `submission` yet: it waits for a
    second coding and `user` is not its first coder (so may be the second)."""
    unit = session.get(DoubleCoding, submission.id)
    return (unit is not None and unit.state == CodingState.AWAITING
            and unit.first_coder_id != user.id)


def blind_ids(session: Session, submission_ids: Iterable[int], user: User) -> set[int]:
    """Of `submission_ids`, those whose moderator tags `user` must not see yet (see
    `is_blind`), in one query: the staff API hides them as the review page does."""
    ids = list(submission_ids)
    if not ids:
        return set()
    return set(session.scalars(select(DoubleCoding.submission_id).where(
        DoubleCoding.submission_id.in_(ids), DoubleCoding.state == CodingState.AWAITING,
        DoubleCoding.first_coder_id != user.id)))


# The queues.

@dataclass
class UnitPage:
    items: list[DoubleCoding]
    next_cursor: str | None


def encode_cursor(unit: DoubleCoding) -> str:
    return cursors.encode(unit.selected_at, unit.submission_id)


def decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    return cursors.decode(cursor)


def queue_statement(state: CodingState, conditions: list, *, limit: int,
                    after: tuple[dt.datetime, int] | None = None) -> Any:
    """Oldest selected first, keyset-paginated on the (state, selected_at, submission_id)
    index; only approved submissions (a withdrawn or rejected one has nothing to code)."""
    query = (select(DoubleCoding)
             .join(Submission, Submission.id == DoubleCoding.submission_id)
             .where(DoubleCoding.state == state, Submission.status == Status.APPROVED,
                    *conditions)
             .order_by(DoubleCoding.selected_at, DoubleCoding.submission_id).limit(limit))
    if after is not None:
        query = query.where(tuple_(DoubleCoding.selected_at, DoubleCoding.submission_id)
                            > tuple_(*after))
    return query


def _page(session: Session, state: CodingState, conditions: list, cursor: str | None,
          limit: int) -> UnitPage:
    limit = max(1, min(limit, 200))
    query = queue_statement(state, conditions, limit=limit + 1,
                            after=decode_cursor(cursor) if cursor else None)
    query = query.options(joinedload(DoubleCoding.submission),
                          joinedload(DoubleCoding.first_coder),
                          joinedload(DoubleCoding.second_coder))
    items = list(session.scalars(query).unique())
    next_cursor = encode_cursor(items[limit - 1]) if len(items) > limit else None
    return UnitPage(items=items[:limit], next_cursor=next_cursor)


def second_coding_queue(session: Session, user: User, *, cursor: str | None = None,
                        limit: int = 50) -> UnitPage:
    """Submissions waiting for a second coding that `user` did not code first."""
    return _page(session, CodingState.AWAITING, [DoubleCoding.first_coder_id != user.id],
                 cursor, limit)


def reconciliation_queue(session: Session, *, cursor: str | None = None,
                         limit: int = 50) -> UnitPage:
    """Submissions whose two codings disagree on a principle or commitment."""
    return _page(session, CodingState.DISAGREED, [], cursor, limit)


# Coding and reconciling.

def _resolve(session: Session, submission: Submission, principles: Iterable[str],
             commitments: Iterable[str]) -> list[TaxonomyItem]:
    """The chosen codes as items of the round's taxonomy, with the same checks and
    messages as a decision (at least one principle or commitment)."""
    items, _keywords = tagging.resolve_tags(  # same validation as the review page
        session, submission, tagging.TagInput(principles=list(principles),
                                                 commitments=list(commitments)))
    if not items:
        raise ValidationFailed({"principles": [_l("Tag at least one principle or commitment.")]})
    return items


def second_code(session: Session, unit: DoubleCoding, *, by: User,
                principles: Iterable[str], commitments: Iterable[str]) -> DoubleCoding:
    """Record the second, independent coding and compare it with the first: the same
    codes make the unit "agreed" (the tags stay as they are), any difference sends it to
    the reconciliation queue. The first coder cannot be the second."""
    if unit.first_coder_id == by.id:
        raise NotEditable(_l("You coded this submission first: another moderator must code "
                             "it the second time."))
    if unit.state != CodingState.AWAITING:
        raise StaleVersion(_l("Someone else already coded this submission a second time."))
    submission = unit.submission
    if submission.status != Status.APPROVED:
        raise NotEditable(_l("This submission is no longer published: there is nothing to "
                             "code."))
    items = _resolve(session, submission, principles, commitments)
    codes = sorted(item.code for item in items)
    first = session.scalar(select(Coding).where(Coding.submission_id == unit.submission_id,
                                                Coding.coder_id == unit.first_coder_id))
    first_codes = sorted(first.codes) if first is not None else []
    state = CodingState.AGREED if codes == first_codes else CodingState.DISAGREED
    # A conditional update: of two moderators coding at once, only one becomes the second.
    claimed = session.execute(
        update(DoubleCoding)
        .where(DoubleCoding.submission_id == unit.submission_id,
               DoubleCoding.state == CodingState.AWAITING)
        .values(state=state, second_coder_id=by.id)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise StaleVersion(_l("Someone else already coded this submission a second time."))
    session.add(Coding.of(unit.submission_id, by.id, codes))
    session.flush()
    session.refresh(unit)
    audit.record(session, "coding.second", actor=by, target=submission,
                 after={"first": first_codes, "second": codes, "state": state.value})
    return unit


def reconcile(session: Session, unit: DoubleCoding, *, by: User, version: Any,
              principles: Iterable[str], commitments: Iterable[str]) -> DoubleCoding:
    """Set the final principles and commitments of a disagreed submission through the
    usual retagging (version-checked, audited as "submission.tags"), keeping its
    technologies, themes and keywords, and take it out of the reconciliation queue."""
    if unit.state != CodingState.DISAGREED:
        raise StaleVersion(_l("This submission is not waiting for reconciliation any more."))
    submission = tagging.get_for_review(session, unit.submission_id)
    chosen = _resolve(session, submission, principles, commitments)
    tags = tagging.TagInput(
        principles=[i.code for i in chosen if i.kind == ItemKind.PRINCIPLE],
        commitments=[i.code for i in chosen if i.kind == ItemKind.COMMITMENT],
        technologies=submission.tag_codes(TagSource.MODERATOR, ItemKind.TECHNOLOGY),
        themes=submission.tag_codes(TagSource.MODERATOR, ItemKind.THEME),
        keywords=[k.text for k in submission.keywords])
    tagging.retag(session, submission, by=by, version=version, tags=tags)
    unit.state = CodingState.RECONCILED
    unit.resolved_at = utcnow()
    unit.resolved_by_id = by.id
    unit.final_codes = sorted(i.code for i in chosen)
    session.flush()
    audit.record(session, "coding.reconcile", actor=by, target=submission,
                 after={"codings": {str(c.coder_id): sorted(c.codes) for c in unit.codings},
                        "final": unit.final_codes})
    return unit
