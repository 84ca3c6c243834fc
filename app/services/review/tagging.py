"""The codes and keywords a moderator puts on a submission: checking them against the
round's taxonomy, applying them, changing them later (`retag`), and the snapshot of a
submission's moderation state that the audit log keeps. `moderation` (decisions) and
`agreement` (double coding) both build on it.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from app.i18n import lazy_gettext as _l
from app.models import (
    KIND_OF_GROUP,
    ItemKind,
    Keyword,
    Status,
    Submission,
    SubmissionTag,
    TagSource,
    TaxonomyItem,
    User,
)
from app.services import NotEditable, StaleVersion, ValidationFailed
from app.services.accounts import audit
from app.services.assist import suggest

KEYWORD_MAX = 64


KEYWORDS_PER_SUBMISSION = 20




@dataclass
class TagInput:
    principles: list[str] = field(default_factory=list)
    commitments: list[str] = field(default_factory=list)
    technologies: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)

    @classmethod
    def from_mapping(cls, data: Any) -> TagInput:
        """From JSON or form data; raises ValidationFailed on wrong shapes."""
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise ValidationFailed({"tags": [_l("Must be an object of code lists.")]})
        values: dict[str, list[str]] = {}
        errors: dict[str, list] = {}
        for name in (*KIND_OF_GROUP, "keywords"):
            raw = data.get(name) or []
            if not isinstance(raw, list | tuple) or not all(isinstance(v, str) for v in raw):
                errors[name] = [_l("Must be a list of codes.")]
                continue
            values[name] = list(raw)
        if errors:
            raise ValidationFailed(errors)
        return cls(**values)


def get_for_review(session: Session, submission_id: int) -> Submission | None:
    return session.scalar(
        select(Submission)
        .options(selectinload(Submission.answers), selectinload(Submission.tags),
                 selectinload(Submission.keywords), selectinload(Submission.notes),
                 joinedload(Submission.personal), joinedload(Submission.organisation),
                 joinedload(Submission.round))
        .where(Submission.id == submission_id))


def snapshot(submission: Submission) -> dict[str, Any]:
    """The moderation state of a submission, for the audit log (no text, no personal data)."""
    return {
        "status": submission.status.value,
        "version": submission.version,
        "tags": {name: submission.tag_codes(TagSource.MODERATOR, kind)
                 for name, kind in KIND_OF_GROUP.items()},
        "keywords": [k.text for k in submission.keywords],
        "reject_reason": submission.reject_reason.value if submission.reject_reason else None,
        "redacted": submission.redacted_text is not None or submission.redacted_title is not None,
        "highlight": submission.highlight is not None,
    }


def normalize_keyword(value: str) -> str:
    value = "".join(ch for ch in value if ch.isprintable() or ch == " ")
    value = unicodedata.normalize("NFKC", value).casefold()
    value = " ".join(value.split())
    return value.strip(" .,;:!?\"'()[]{}،؛؟。，；：！？")


def resolve_tags(session: Session, submission: Submission, tags: TagInput
                  ) -> tuple[list[TaxonomyItem], list[str]]:
    known = {item.code: item for item in session.scalars(
        select(TaxonomyItem).where(
            TaxonomyItem.strategy_version_id == submission.round.strategy_version_id,
            TaxonomyItem.retired_at.is_(None)))}
    errors: dict[str, list] = {}
    items: list[TaxonomyItem] = []
    for name, kind in KIND_OF_GROUP.items():
        for code in dict.fromkeys(c.strip().upper() for c in getattr(tags, name) if c.strip()):
            item = known.get(code)
            if item is None or item.kind != kind:
                errors.setdefault(name, []).append(
                    _l("This is not a code we know: %(code)s", code=code[:16]))
            else:
                items.append(item)
    keywords = list(dict.fromkeys(k for k in (normalize_keyword(v) for v in tags.keywords) if k))
    if any(len(k) > KEYWORD_MAX for k in keywords):
        errors.setdefault("keywords", []).append(
            _l("Keep each keyword under %(num)d characters.", num=KEYWORD_MAX))
    if len(keywords) > KEYWORDS_PER_SUBMISSION:
        errors.setdefault("keywords", []).append(
            _l("Use at most %(num)d keywords.", num=KEYWORDS_PER_SUBMISSION))
    if errors:
        raise ValidationFailed(errors)
    return items, keywords


def apply_tags(session: Session, submission: Submission, items: list[TaxonomyItem],
                keywords: list[str]) -> None:
    wanted = {item.id: item for item in items}
    kept = [t for t in submission.tags
            if t.source != TagSource.MODERATOR or t.item_id in wanted]
    present = {t.item_id for t in kept if t.source == TagSource.MODERATOR}
    submission.tags = kept + [SubmissionTag(item=item, item_id=item.id, source=TagSource.MODERATOR)
                              for item_id, item in wanted.items() if item_id not in present]
    existing = {k.text: k for k in session.scalars(
        select(Keyword).where(Keyword.text.in_(keywords)))} if keywords else {}
    resolved = []
    for text in keywords:
        keyword = existing.get(text)
        if keyword is None:
            keyword = Keyword(text=text)
            session.add(keyword)
        resolved.append(keyword)
    submission.keywords = resolved


def check_version(submission: Submission, version: Any) -> None:
    if submission.status == Status.WITHDRAWN:
        raise NotEditable(_l("This view was withdrawn by its author and cannot be reviewed."))
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValidationFailed({"version": [_l("Give the version of the submission you "
                                               "reviewed.")]})
    if version != submission.version:
        raise StaleVersion(_l("Someone else changed this submission. Review it again."))


def retag(session: Session, submission: Submission, *, by: User, version: Any,
          tags: TagInput, add_only: bool = False) -> Submission:
    """Change the moderator tags without changing the status (bulk tagging)."""
    check_version(submission, version)
    before = snapshot(submission)
    if add_only:
        tags = TagInput(**{
            name: submission.tag_codes(TagSource.MODERATOR, kind) + getattr(tags, name)
            for name, kind in KIND_OF_GROUP.items()},
            keywords=[k.text for k in submission.keywords] + tags.keywords)
    items, keywords = resolve_tags(session, submission, tags)
    if submission.status == Status.APPROVED and not any(
            i.kind in (ItemKind.PRINCIPLE, ItemKind.COMMITMENT) for i in items):
        raise ValidationFailed({"principles": [_l("Tag at least one principle or commitment.")]})
    with session.no_autoflush:
        apply_tags(session, submission, items, keywords)
    flush(session)
    audit.record(session, "submission.tags", actor=by, target=submission, before=before,
                 after=snapshot(submission))
    return submission


def flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError as exc:
        raise StaleVersion(_l("Someone else changed this submission. Review it again.")) from exc


def _suggested_by_group(codes: Iterable[Any]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for raw in list(codes)[:200]:
        code = str(raw).strip().upper()[:16]
        group = suggest.group_of_code(code)
        if group is not None and code not in grouped.setdefault(group, []):
            grouped[group].append(code)
    return {group: codes for group, codes in grouped.items() if codes}


def with_accepted(tags: TagInput, shown: Iterable[Any], accepted: Iterable[Any]
                  ) -> tuple[TagInput, dict[str, Any] | None]:
    """The decision's tags with the accepted suggestions added, and what to record in the
    audit event (codes shown and codes accepted, by group), or None when none was shown."""
    shown_groups = _suggested_by_group(shown)
    accepted_groups = _suggested_by_group(accepted)
    for group, codes in accepted_groups.items():
        current = getattr(tags, group)
        setattr(tags, group, current + [c for c in codes if c not in current])
    if not shown_groups and not accepted_groups:
        return tags, None
    return tags, {"shown": shown_groups, "accepted": accepted_groups}
