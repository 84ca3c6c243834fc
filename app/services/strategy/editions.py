"""Editions of the strategy's text: reading them, drafting the next one, publishing.

Rules, kept simple: published editions never change; the current edition is the one
published last; a draft starts as a copy of the current edition (`based_on`), and its
changes are explained against it, one `StrategyChange` per paragraph key (a removed
paragraph can be explained too). Publishing is for admins, audit-logged, and tells the
contributors of the views a change cites, in their language (app.services.strategy.notify).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session, selectinload

from app.db import utcnow
from app.i18n import lazy_gettext as _l
from app.i18n import localized
from app.models import (
    EditionStatus,
    Status,
    StrategyChange,
    StrategyChangeView,
    StrategyEdition,
    StrategyParagraph,
    Submission,
    User,
)
from app.models.strategy_text import current_edition_id
from app.services import NotEditable, NotFound, ValidationFailed
from app.services.accounts import audit
from app.services.publishing import publication
from app.services.strategy import rules
from app.services.strategy.rules import fail

# Reading.

def published_editions(session: Session) -> list[StrategyEdition]:
    """Published editions, first published first."""
    return list(session.scalars(
        select(StrategyEdition).where(StrategyEdition.status == EditionStatus.PUBLISHED)
        .order_by(StrategyEdition.published_at, StrategyEdition.id)))


def all_editions(session: Session) -> list[StrategyEdition]:
    """Drafts first (newest first), then published editions, latest first."""
    return list(session.scalars(select(StrategyEdition).order_by(
        StrategyEdition.status, StrategyEdition.published_at.desc().nulls_first(),
        StrategyEdition.id.desc())))


def current_edition(session: Session) -> StrategyEdition | None:
    """The edition published last, or None before any."""
    return session.scalar(
        select(StrategyEdition).where(StrategyEdition.status == EditionStatus.PUBLISHED)
        .order_by(StrategyEdition.published_at.desc(), StrategyEdition.id.desc()).limit(1))


def get_edition(session: Session, label: str, *, drafts: bool = False) -> StrategyEdition:
    """The edition of `label` with its paragraphs and changes; NotFound for an unknown
    label (and for a draft unless `drafts`)."""
    edition = None
    if isinstance(label, str) and len(label) <= 64:
        edition = session.scalar(
            select(StrategyEdition)
            .options(selectinload(StrategyEdition.paragraphs),
                     selectinload(StrategyEdition.changes))
            .where(StrategyEdition.label == label))
    if edition is None or (not drafts and not edition.is_published):
        raise NotFound(_l("There is no version of the strategy called “%(label)s”.",
                          label=str(label)[:40]))
    return edition


def previous_edition(session: Session, edition: StrategyEdition) -> StrategyEdition | None:
    """What `edition` is compared with by default: the one it was based on, else the
    published edition before it."""
    if edition.based_on_id is not None:
        return session.get(StrategyEdition, edition.based_on_id)
    if edition.published_at is None:
        return current_edition(session)
    return session.scalar(
        select(StrategyEdition).where(StrategyEdition.status == EditionStatus.PUBLISHED,
                                      StrategyEdition.published_at < edition.published_at)
        .order_by(StrategyEdition.published_at.desc(), StrategyEdition.id.desc()).limit(1))


def paragraph_label(paragraph: Any, lang: str) -> str:
    """"P2 · Foster inclusion and transparency", or the key of a paragraph (the reference
    copy of one, app.reference.ParagraphData, or a stored paragraph) without either."""
    parts = [part for part in (paragraph.code, localized(paragraph.title, lang)[:80]) if part]
    return " · ".join(parts) if parts else paragraph.key


def is_current_key(session: Session, key: str) -> bool:
    """Whether the current edition has a paragraph of this key."""
    return session.scalar(select(StrategyParagraph.id).where(
        StrategyParagraph.edition_id == current_edition_id(),
        StrategyParagraph.key == key)) is not None


def published_view_counts(session: Session) -> dict[str, int]:
    """Published views (approved, consented, not erased) per paragraph key."""
    rows = session.execute(
        select(Submission.paragraph_key, func.count())
        .where(Submission.paragraph_key.is_not(None), *publication.published())
        .group_by(Submission.paragraph_key))
    return dict(rows.all())


def in_section_order(paragraphs: list[Any], sections: list[dict[str, Any]]) -> list[Any]:
    """Paragraphs (objects or dicts) sorted by their section's order, stable within one."""
    order = {section["key"]: index for index, section in enumerate(sections)}

    def section_of(p: Any) -> str:
        return p["section"] if isinstance(p, dict) else p.section

    return sorted(paragraphs, key=lambda p: order.get(section_of(p), len(order)))


# Evidence of each change.

@dataclass
class Evidence:
    """A change's views: how many are approved (the count shown) and which are
    published (the links shown)."""

    views: int = 0
    published: list[str] = field(default_factory=list)


def evidence(session: Session, changes: Iterable[StrategyChange]) -> dict[int, Evidence]:
    """{change id: Evidence} in one query for all the changes of a page."""
    ids = [change.id for change in changes]
    found: dict[int, Evidence] = {ident: Evidence() for ident in ids}
    if not ids:
        return found
    rows = session.execute(
        select(StrategyChangeView.change_id, Submission.reference, Submission.consent_publication,
               Submission.decided_at)
        .join(Submission, Submission.id == StrategyChangeView.submission_id)
        .where(StrategyChangeView.change_id.in_(ids), Submission.status == Status.APPROVED,
               Submission.erased_at.is_(None))
        .order_by(Submission.decided_at, Submission.id))
    for change_id, reference, consented, decided_at in rows:
        found[change_id].views += 1
        if consented and decided_at is not None:
            found[change_id].published.append(reference)
    return found


def linked_references(session: Session, change: StrategyChange | None) -> list[str]:
    if change is None:
        return []
    return list(session.scalars(
        select(Submission.reference).join(StrategyChangeView,
                                          StrategyChangeView.submission_id == Submission.id)
        .where(StrategyChangeView.change_id == change.id).order_by(Submission.id)))


# Drafting.

def _draft(edition: StrategyEdition) -> None:
    if edition.is_published:
        raise NotEditable(_l("This version is published: published versions never change. "
                             "Start a draft of the next version instead."))


def start_draft(session: Session, *, label: Any, issued: Any, by: User | None
                ) -> StrategyEdition:
    """A draft of the next edition: a copy of the current one, without its changes."""
    errors: dict[str, list[Any]] = {}
    label = rules.check_label(session, label, errors)
    issued = rules.check_issued(issued, errors)
    base = current_edition(session)
    if base is None:
        fail(errors, "form", _l("There is no published version to start from: import one "
                                "first."))
    if errors:
        raise ValidationFailed(errors)
    draft = StrategyEdition(label=label, issued=issued, title=dict(base.title),
                            sections=[dict(s) for s in base.sections],
                            status=EditionStatus.DRAFT, based_on_id=base.id)
    draft.paragraphs = [StrategyParagraph(key=p.key, section=p.section, position=p.position,
                                          code=p.code, title=dict(p.title), text=dict(p.text),
                                          placeholder=p.placeholder) for p in base.paragraphs]
    session.add(draft)
    session.flush()
    audit.record(session, "strategy.draft", actor=by, target=draft, label=label,
                 based_on=base.label)
    return draft


def paragraph_of(edition: StrategyEdition, key: str) -> StrategyParagraph | None:
    return next((p for p in edition.paragraphs if p.key == key), None)


def change_of(edition: StrategyEdition, key: str) -> StrategyChange | None:
    return next((c for c in edition.changes if c.paragraph_key == key), None)


def set_change(session: Session, edition: StrategyEdition, key: str, *,
               explanation: dict[str, str], codes: list[str], view_ids: list[int]
               ) -> StrategyChange | None:
    """Create, replace or (when all is empty) delete the change note of `key`."""
    change = change_of(edition, key)
    if not explanation and not codes and not view_ids:
        if change is not None:
            edition.changes.remove(change)
            session.flush()
        return None
    if change is None:
        change = StrategyChange(paragraph_key=key)
        edition.changes.append(change)
    change.explanation = explanation
    change.codes = codes
    session.flush()
    session.execute(delete(StrategyChangeView).where(StrategyChangeView.change_id == change.id))
    wanted = list(dict.fromkeys(view_ids))
    if wanted:
        session.execute(insert(StrategyChangeView),
                        [{"change_id": change.id, "submission_id": ident} for ident in wanted])
    session.expire(change, ["views"])
    return change


@dataclass
class ParagraphEdit:
    """A paragraph and its change note as typed in the browser; values untrusted."""

    section: Any = None
    code: Any = None
    title: Any = None
    text: Any = None
    placeholder: Any = False
    explanation: Any = None
    codes: Any = ""
    views: Any = ""


def _snapshot(paragraph: StrategyParagraph | None, change: StrategyChange | None,
              references: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if paragraph is not None:
        out.update(section=paragraph.section, code=paragraph.code, title=dict(paragraph.title),
                   text=dict(paragraph.text), placeholder=paragraph.placeholder)
    if change is not None:
        out.update(explanation=dict(change.explanation), codes=list(change.codes),
                   views=references)
    return out


def save_paragraph(session: Session, edition: StrategyEdition, key: str, edit: ParagraphEdit,
                   *, by: User | None) -> StrategyParagraph | None:
    """Save a paragraph of a draft and why it changed (for a removed paragraph, only why).

    Errors are keyed `text.fr`, `title.ar`, `section`, `code`, `explanation.zh`, `codes`,
    `views`."""
    _draft(edition)
    paragraph = paragraph_of(edition, key)
    change = change_of(edition, key)
    errors: dict[str, list[Any]] = {}
    values: dict[str, Any] = {}
    if paragraph is not None:
        if edit.section not in [s["key"] for s in edition.sections]:
            fail(errors, "section", _l("Choose one of the options."))
        values = {
            "section": edit.section,
            "code": rules.check_code(edit.code, rules.known_codes(
                session, rules.PARAGRAPH_CODE_KINDS), errors, "code"),
            "title": rules.check_texts(edit.title, "title", errors, maximum=rules.TITLE_MAX,
                                       multiline=False),
            "text": rules.check_texts(edit.text, "text", errors, maximum=rules.TEXT_MAX,
                                      required=True),
            "placeholder": bool(edit.placeholder),
        }
    explanation = rules.check_texts(edit.explanation, "explanation", errors,
                                    maximum=rules.EXPLANATION_MAX)
    codes = rules.check_codes(edit.codes, rules.known_codes(session, rules.CHANGE_CODE_KINDS),
                              errors, "codes")
    view_ids = rules.check_views(session, edit.views, errors, "views")
    if errors:
        raise ValidationFailed(errors)
    before = _snapshot(paragraph, change, linked_references(session, change))
    if paragraph is not None:
        moved = values["section"] != paragraph.section
        for name, value in values.items():
            setattr(paragraph, name, value)
        if moved:
            _renumber(edition, last=paragraph)
    change = set_change(session, edition, key, explanation=explanation, codes=codes,
                        view_ids=view_ids)
    edition.updated_at = utcnow()
    session.flush()
    after = _snapshot(paragraph, change, linked_references(session, change))
    audit.record(session, "strategy.paragraph", actor=by, target=edition, key=key,
                 before=before, after=after)
    return paragraph


def _renumber(edition: StrategyEdition, last: StrategyParagraph | None = None) -> None:
    """Positions 0.. in section order; `last` goes to the end of its section."""
    ordered = sorted(edition.paragraphs, key=lambda p: (p is last, p.position))
    for position, paragraph in enumerate(in_section_order(ordered, edition.sections)):
        paragraph.position = position


def add_paragraph(session: Session, edition: StrategyEdition, *, key: Any, section: Any,
                  text: Any, by: User | None) -> StrategyParagraph:
    """A new paragraph at the end of `section` of a draft."""
    _draft(edition)
    errors: dict[str, list[Any]] = {}
    if not isinstance(key, str) or len(key) > 64 or not rules.PARAGRAPH_KEY.fullmatch(key):
        fail(errors, "key", _l("Use lower-case letters, digits, hyphens and underscores in "
                               "parts separated by dots, like principles.p2 (64 at most)."))
    elif paragraph_of(edition, key) is not None:
        fail(errors, "key", _l("This key is used twice: %(key)s", key=key))
    if section not in [s["key"] for s in edition.sections]:
        fail(errors, "section", _l("Choose one of the options."))
    texts = rules.check_texts(text, "text", errors, maximum=rules.TEXT_MAX, required=True)
    if errors:
        raise ValidationFailed(errors)
    paragraph = StrategyParagraph(key=key, section=section, title={}, text=texts,
                                  placeholder=False, position=len(edition.paragraphs))
    edition.paragraphs.append(paragraph)
    _renumber(edition, last=paragraph)
    edition.updated_at = utcnow()
    session.flush()
    audit.record(session, "strategy.paragraph.add", actor=by, target=edition, key=key)
    return paragraph


def remove_paragraph(session: Session, edition: StrategyEdition, key: str, *,
                     by: User | None) -> None:
    """Take a paragraph out of a draft; its change note stays, to explain the removal."""
    _draft(edition)
    paragraph = paragraph_of(edition, key)
    if paragraph is None:
        raise NotFound(_l("This paragraph is not in the draft."))
    edition.paragraphs.remove(paragraph)
    _renumber(edition)
    edition.updated_at = utcnow()
    session.flush()
    audit.record(session, "strategy.paragraph.remove", actor=by, target=edition, key=key,
                 before=_snapshot(paragraph, None, []))


def restore_paragraph(session: Session, edition: StrategyEdition, key: str, *,
                      by: User | None) -> StrategyParagraph:
    """Put a removed paragraph back as it is in the edition the draft is based on."""
    _draft(edition)
    base = session.get(StrategyEdition, edition.based_on_id) if edition.based_on_id else None
    original = paragraph_of(base, key) if base is not None else None
    if original is None or paragraph_of(edition, key) is not None:
        raise NotFound(_l("This paragraph is not in the draft."))
    section = original.section if original.section in [s["key"] for s in edition.sections] \
        else edition.sections[0]["key"]
    paragraph = StrategyParagraph(key=key, section=section, position=original.position,
                                  code=original.code, title=dict(original.title),
                                  text=dict(original.text), placeholder=original.placeholder)
    edition.paragraphs.append(paragraph)
    _renumber(edition)
    edition.updated_at = utcnow()
    session.flush()
    audit.record(session, "strategy.paragraph.restore", actor=by, target=edition, key=key)
    return paragraph


def delete_draft(session: Session, edition: StrategyEdition, *, by: User | None) -> None:
    _draft(edition)
    audit.record(session, "strategy.delete", actor=by, target=edition, label=edition.label)
    session.delete(edition)
    session.flush()


def publish(session: Session, edition: StrategyEdition, *, by: User | None,
            link_for: Callable[[StrategyEdition, str], str]) -> int:
    """Publish a draft: it becomes the current edition and never changes again. The
    contributors of the views its changes cite who left an email are told (once), in
    their language; `link_for(edition, lang)` is the public address of what changed.
    Returns the number of messages queued."""
    from app.services.strategy import notify

    _draft(edition)
    if not edition.paragraphs:
        raise ValidationFailed({"form": [_l("A version needs one paragraph at least.")]})
    empty = [p.key for p in edition.paragraphs if not any((p.text or {}).values())]
    if empty:
        raise ValidationFailed({"form": [_l("These paragraphs have no text: %(keys)s",
                                            keys=", ".join(empty)[:300])]})
    now = utcnow()
    edition.status = EditionStatus.PUBLISHED
    edition.published_at = now
    edition.updated_at = now
    session.flush()
    queued = notify.enqueue(session, edition, link_for)
    audit.record(session, "strategy.publish", actor=by, target=edition, label=edition.label,
                 paragraphs=len(edition.paragraphs), changes=len(edition.changes),
                 enqueued=queued)
    return queued


@dataclass(frozen=True)
class ViewAbout:
    reference: str
    title: str
    language: str | None
    text_start: str


def views_about(session: Session, key: str, *, also: Iterable[str] = (), limit: int = 50
                ) -> list[ViewAbout]:
    """Approved views about the paragraph `key`, newest decision first, and those of
    `also` (references already linked to its change): what the reference group picks the
    evidence from. Public titles and texts only (what the reference group may read)."""
    wanted = list(also)
    query = (select(Submission).options(selectinload(Submission.answers))
             .where(Submission.status == Status.APPROVED, Submission.erased_at.is_(None))
             .order_by(Submission.decided_at.desc(), Submission.id.desc()))
    about = list(session.scalars(query.where(Submission.paragraph_key == key).limit(limit)))
    seen = {s.reference for s in about}
    extra = [ref for ref in wanted if ref not in seen]
    if extra:
        about += list(session.scalars(query.where(Submission.reference.in_(extra))))
    return [ViewAbout(reference=s.reference, title=s.public_title, language=s.language,
                      text_start=s.public_text[:160]) for s in about]
