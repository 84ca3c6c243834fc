""""You said, we did": the response to a closed round, from draft to publication.

A response has a summary and a list of changes, each text kept per UN language. Each
change names taxonomy codes (principles, commitments, themes of the round's strategy
version) and the references of the views that motivated it: only approved views whose
authors consented to publication can be named, and a view erased later simply drops out of
the public page (`visible_references`).

Rules, kept simple: only a draft can be edited; publishing needs a closed round and every
text in the six languages; unpublishing takes the response off the site and back to draft.
Publishing enqueues one email per contributor who left an address (app.services.publishing.outbox),
once per response, however often it is published.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.db import utcnow
from app.i18n import LANGUAGES
from app.i18n import lazy_gettext as _l
from app.models import (
    ItemKind,
    ResponseChange,
    ResponseStatus,
    Round,
    RoundResponse,
    Status,
    Submission,
    TaxonomyItem,
    User,
)
from app.services import NotEditable, ValidationFailed
from app.services.accounts import audit
from app.services.platform.rounds import RoundState, round_state
from app.services.publishing import outbox as outbox_service
from app.services.text.multilingual import changes as text_changes
from app.services.text.multilingual import clean_texts

SUMMARY_MAX = 5000
CHANGE_MAX = 2000
MAX_CHANGES = 50
MAX_CODES = 20
MAX_REFERENCES = 50
CODE_KINDS = (ItemKind.PRINCIPLE, ItemKind.COMMITMENT, ItemKind.THEME)
_REFERENCE = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}$")
_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass
class ChangeEdit:
    """One change as typed by an admin: codes and references as lists or as text."""

    text: dict[str, str] = field(default_factory=dict)
    codes: Any = ""
    references: Any = ""


def split_codes(value: Any) -> list[str]:
    """"P1, TH3; c2" or a list -> ["P1", "TH3", "C2"] (upper case, no repeats)."""
    if isinstance(value, list | tuple):
        value = " ".join(str(v) for v in value)
    return list(dict.fromkeys(p.upper() for p in _SEPARATORS.split(str(value or "")) if p))


def get_response(session: Session, round_id: int) -> RoundResponse | None:
    return session.scalar(select(RoundResponse).options(selectinload(RoundResponse.changes))
                          .where(RoundResponse.round_id == round_id))


def published_response(session: Session, round_id: int) -> RoundResponse | None:
    """The round's response if it is published (what the public may read), else None."""
    response = get_response(session, round_id)
    return response if response is not None and response.is_published else None


def has_published(session: Session, round_id: int) -> bool:
    """Whether the round has a published response (one indexed lookup)."""
    return session.scalar(select(RoundResponse.id).where(
        RoundResponse.round_id == round_id,
        RoundResponse.status == ResponseStatus.PUBLISHED)) is not None


def published_responses(session: Session, round_id: int | None = None, limit: int = 50
                        ) -> list[RoundResponse]:
    """Published responses, latest publication first (for feeds and listings)."""
    query = (select(RoundResponse).options(selectinload(RoundResponse.changes))
             .where(RoundResponse.status == ResponseStatus.PUBLISHED)
             .order_by(RoundResponse.published_at.desc(), RoundResponse.id.desc()).limit(limit))
    if round_id is not None:
        query = query.where(RoundResponse.round_id == round_id)
    return list(session.scalars(query))


def visible_references(session: Session, round_id: int, references: Iterable[str]) -> set[str]:
    """Those of `references` that are published views of the round right now (approved,
    consented to publication, not erased): one query for the whole response."""
    wanted = sorted(set(references))
    if not wanted:
        return set()
    return set(session.scalars(select(Submission.reference).where(
        Submission.round_id == round_id, Submission.reference.in_(wanted),
        Submission.status == Status.APPROVED, Submission.consent_publication.is_(True),
        Submission.erased_at.is_(None))))


def _known_codes(session: Session, round_: Round) -> set[str]:
    return set(session.scalars(select(TaxonomyItem.code).where(
        TaxonomyItem.strategy_version_id == round_.strategy_version_id,
        TaxonomyItem.kind.in_(list(CODE_KINDS)))))


def _snapshot(response: RoundResponse) -> dict[str, Any]:
    return {"summary": dict(response.summary or {}),
            "changes": [{"text": dict(c.text), "codes": list(c.codes),
                         "references": list(c.references)} for c in response.changes]}


def save_draft(session: Session, round_: Round, *, summary: dict[str, Any],
               changes: list[ChangeEdit], by: User | None) -> RoundResponse:
    """Create or replace the round's draft response. Empty change slots are ignored.

    Errors are keyed `summary.fr`, `changes.2.text.ar`, `changes.2.codes`,
    `changes.2.references` (the index counts every slot sent, empty ones included).
    """
    response = get_response(session, round_.id)
    if response is not None and response.is_published:
        raise NotEditable(_l("This response is published. Unpublish it to edit it."))
    errors: dict[str, list[Any]] = {}
    clean_summary = clean_texts(summary, "summary", errors, maximum=SUMMARY_MAX,
                                multiline=True)
    known = _known_codes(session, round_)
    kept: list[tuple[int, dict[str, str], list[str], list[str]]] = []
    for index, edit in enumerate(changes):
        text = clean_texts(edit.text, f"changes.{index}.text", errors, maximum=CHANGE_MAX,
                           multiline=True)
        codes = split_codes(edit.codes)
        references = split_codes(edit.references)
        if not text and not codes and not references:
            continue
        unknown = [c for c in codes if c not in known]
        if unknown:
            errors.setdefault(f"changes.{index}.codes", []).append(
                _l("This is not a code we know: %(code)s", code=", ".join(unknown)[:100]))
        if len(codes) > MAX_CODES:
            errors.setdefault(f"changes.{index}.codes", []).append(
                _l("Name at most %(num)d codes.", num=MAX_CODES))
        if len(references) > MAX_REFERENCES:
            errors.setdefault(f"changes.{index}.references", []).append(
                _l("Name at most %(num)d views.", num=MAX_REFERENCES))
        kept.append((index, text, codes, references[:MAX_REFERENCES]))
    if len(kept) > MAX_CHANGES:
        errors.setdefault("changes", []).append(
            _l("Describe at most %(num)d changes.", num=MAX_CHANGES))
    wanted = {ref for _i, _t, _c, refs in kept for ref in refs if _REFERENCE.match(ref)}
    published = visible_references(session, round_.id, wanted)
    for index, _text, _codes, references in kept:
        missing = [ref for ref in references if ref not in published]
        if missing:
            errors.setdefault(f"changes.{index}.references", []).append(_l(
                "Not a published view of this round (approved, and its author agreed to "
                "publication): %(refs)s", refs=", ".join(missing)[:200]))
    if errors:
        raise ValidationFailed(errors)

    before = _snapshot(response) if response is not None else None
    if response is None:
        response = RoundResponse(round_id=round_.id, round=round_, status=ResponseStatus.DRAFT,
                                 summary={}, changes=[])
        session.add(response)
    response.summary = clean_summary
    response.changes = [ResponseChange(position=position, text=text, codes=codes,
                                       references=references)
                        for position, (_i, text, codes, references) in enumerate(kept)]
    response.updated_at = utcnow()
    session.flush()
    after = _snapshot(response)
    _old, new = text_changes(before["summary"] if before else {}, after["summary"], "summary")
    audit.record(session, "response.save", actor=by, target=response, before=before,
                 after=after, round_id=round_.id, summary_changed=sorted(new) or None,
                 changes=len(response.changes))
    return response


def missing_for_publication(response: RoundResponse) -> dict[str, list[Any]]:
    """What stops publication: a text missing in one of the six languages, or no change."""
    errors: dict[str, list[Any]] = {}
    for code in LANGUAGES:
        if not (response.summary or {}).get(code):
            errors.setdefault(f"summary.{code}", []).append(
                _l("Write this text in every language before publishing."))
    if not response.changes:
        errors["changes"] = [_l("Describe at least one change before publishing.")]
    for index, change in enumerate(response.changes):
        for code in LANGUAGES:
            if not (change.text or {}).get(code):
                errors.setdefault(f"changes.{index}.text.{code}", []).append(
                    _l("Write this text in every language before publishing."))
    return errors


def publish(session: Session, response: RoundResponse, *, by: User | None,
            link_for: Callable[[str], str]) -> int:
    """Publish the response and tell the round's contributors who left an email (once).

    `link_for(lang)` is the public address of the response in that language. Returns the
    number of messages enqueued now (0 when it was published before).
    """
    if round_state(response.round) != RoundState.CLOSED:
        raise NotEditable(_l("A response can be published once the round has closed."))
    errors = missing_for_publication(response)
    if errors:
        raise ValidationFailed(errors)
    now = utcnow()
    response.status = ResponseStatus.PUBLISHED
    response.published_at = now
    response.first_published_at = response.first_published_at or now
    session.flush()
    enqueued = outbox_service.enqueue_response(session, response, link_for)
    audit.record(session, "response.publish", actor=by, target=response,
                 round_id=response.round_id, enqueued=enqueued)
    return enqueued


def unpublish(session: Session, response: RoundResponse, *, by: User | None) -> RoundResponse:
    """Take the response off the public site; it becomes a draft again."""
    if not response.is_published:
        raise NotEditable(_l("This response is not published."))
    response.status = ResponseStatus.DRAFT
    response.updated_at = utcnow()
    session.flush()
    audit.record(session, "response.unpublish", actor=by, target=response,
                 round_id=response.round_id)
    return response
