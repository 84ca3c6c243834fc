"""Receiving views from the public: validation, storage, the receipt, correction, erasure.

One set of rules for the web form, the JSON API and any later import: callers turn their
input into a `SubmissionInput` and get back either a stored submission or a
`ValidationFailed` whose `errors` map field names to localized messages.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

# As reference_data: in this module a "reference" is a view's receipt code.
from app import reference as reference_data
from app.db import utcnow
from app.i18n import country_codes, language_codes, lazy_ngettext
from app.i18n import lazy_gettext as _l
from app.models import (
    ActorType,
    AgeRange,
    Answer,
    Channel,
    Gender,
    ItemKind,
    PersonalData,
    Round,
    Status,
    Submission,
    SubmissionTag,
    TagSource,
)
from app.security import UnsafeText, clean_text, hash_token, new_token
from app.services import NotEditable, NotFound, StaleVersion, ValidationFailed, parse_id
from app.services.assist import clusters, search, stored_suggestions
from app.services.contributions import attachments, organisations
from app.services.publishing import outbox
from app.services.strategy import editions as strategy_editions
from app.services.text import langid

TITLE_MAX = 200
TEXT_MAX = 5000
EMAIL_MAX = 254
# No 0/O, 1/I/L or U: a reference read aloud over a phone line or copied by hand survives.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
ENCODING_ERROR = _l("This text contains characters that could not be read. "
                    "Check that it was typed or pasted as plain text.")
# The codes a contributor may pick on the form (themes are the moderators').
TAG_FIELDS = {kind.group: kind for kind in (ItemKind.PRINCIPLE, ItemKind.COMMITMENT,
                                            ItemKind.TECHNOLOGY)}


@dataclass
class SubmissionInput:
    """What a contributor sent, not yet trusted: values may have any type."""

    round_id: Any = None
    language: Any = None
    title: Any = None
    body: Any = ""
    answers: Any = field(default_factory=dict)
    actor_type: Any = None
    country: Any = None
    age_range: Any = None
    gender: Any = None
    email: Any = None
    technologies: Any = field(default_factory=list)
    principles: Any = field(default_factory=list)
    commitments: Any = field(default_factory=list)
    consent_processing: Any = False
    consent_publication: Any = False
    anonymous: Any = True
    # The key of a paragraph of the current strategy text ("principles.p2"), or nothing.
    paragraph: Any = None
    # Sent on behalf of an organisation (issue #21): see services.contributions.organisations.
    on_behalf_of_organisation: Any = False
    organisation_name: Any = None
    organisation_website: Any = None
    publish_organisation: Any = False
    # Attached files (attachments.Upload): read and checked before anything is stored.
    files: Any = field(default_factory=list)


@dataclass
class _Clean:
    round: Round | reference_data.RoundData
    language: str
    title: str
    body: str
    answers: dict[int, str]
    actor_type: ActorType
    country: str
    age_range: AgeRange | None
    gender: Gender | None
    email: str | None
    items: list[int]  # taxonomy item ids
    consent_processing: bool
    consent_publication: bool
    anonymous: bool
    paragraph: str | None = None
    organisation: organisations.OrganisationInput | None = None


class _Checker:
    """Collects field errors while turning raw values into clean ones."""

    def __init__(self) -> None:
        self.errors: dict[str, list[Any]] = {}

    def fail(self, name: str, message: Any) -> None:
        self.errors.setdefault(name, []).append(message)

    def text(self, name: str, value: Any, *, maximum: int, required: bool,
             multiline: bool = True) -> str:
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.fail(name, _l("Must be text."))
            return ""
        try:
            cleaned = clean_text(value, multiline=multiline)
        except UnsafeText as exc:
            if exc.reason == "encoding":
                self.fail(name, ENCODING_ERROR)
            else:
                self.fail(name, _l("This text contains invisible control characters. "
                                   "Remove them and try again."))
            return ""
        if required and not cleaned:
            self.fail(name, _l("This field is required."))
        if len(cleaned) > maximum:
            self.fail(name, lazy_ngettext(
                "Use at most %(num)d character (you used %(used)d).",
                "Use at most %(num)d characters (you used %(used)d).",
                maximum, used=len(cleaned)))
        return cleaned

    def choice(self, name: str, value: Any, enum_class: type, *, required: bool) -> Any:
        if value in (None, ""):
            if required:
                self.fail(name, _l("Choose one of the options."))
            return None
        try:
            return enum_class(value)
        except (ValueError, TypeError):
            self.fail(name, _l("Choose one of the options."))
            return None

    def code(self, name: str, value: Any, allowed: frozenset[str] | tuple[str, ...], *,
             required: bool, normalize: Any = str.upper) -> str | None:
        if value in (None, ""):
            if required:
                self.fail(name, _l("Choose one of the options."))
            return None
        if not isinstance(value, str) or normalize(value.strip()) not in allowed:
            self.fail(name, _l("This is not a code we know."))
            return None
        return normalize(value.strip())

    def flag(self, name: str, value: Any, default: bool) -> bool:
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        self.fail(name, _l("Must be true or false."))
        return default

    def codes(self, name: str, value: Any) -> list[str]:
        if value in (None, ""):
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            self.fail(name, _l("Must be a list of codes."))
            return []
        return list(dict.fromkeys(v.strip().upper() for v in value if v.strip()))


def _validate(session: Session, data: SubmissionInput, *,
              round_: Round | reference_data.RoundData | None, check_open: bool,
              has_files: bool = False) -> _Clean:
    check = _Checker()

    if round_ is None:
        round_id = parse_id(data.round_id)
        if round_id is None:
            check.fail("round_id", _l("Choose a consultation round."))
        else:
            # The rounds and the taxonomy come from this worker's copies (app.reference):
            # two queries fewer per post than loading the round and its items.
            round_ = reference_data.get_round(round_id)
            if round_ is None:
                check.fail("round_id", _l("This consultation round does not exist."))
    if round_ is not None and check_open and not round_.is_open:
        check.fail("round_id", _l("This consultation round is not open for views at the moment."))

    language = check.code("language", data.language, language_codes(), required=True,
                          normalize=str.lower)
    title = check.text("title", data.title, maximum=TITLE_MAX, required=True, multiline=False)
    body = check.text("body", data.body, maximum=TEXT_MAX, required=False)

    answers: dict[int, str] = {}
    raw_answers = data.answers if data.answers is not None else {}
    if not isinstance(raw_answers, dict):
        check.fail("answers", _l("Must be an object of question numbers and answers."))
        raw_answers = {}
    question_ids = {q.id for q in round_.questions} if round_ is not None else set()
    for key, value in raw_answers.items():
        question_id = parse_id(key) or -1
        if round_ is not None and question_id not in question_ids:
            check.fail("answers", _l("This question is not part of the round."))
            continue
        text = check.text(f"answer_{question_id}", value, maximum=TEXT_MAX, required=False)
        if text:
            answers[question_id] = text
    if not body and not answers and not has_files and "body" not in check.errors:
        check.fail("body", _l("Write your view, or answer at least one of the questions."))

    actor_type = check.choice("actor_type", data.actor_type, ActorType, required=True)
    country = check.code("country", data.country, country_codes(), required=True)
    age_range = check.choice("age_range", data.age_range, AgeRange, required=False)
    gender = check.choice("gender", data.gender, Gender, required=False)

    email = None
    if data.email not in (None, ""):
        if not isinstance(data.email, str):
            check.fail("email", _l("Must be text."))
        else:
            email = data.email.strip()
            if len(email) > EMAIL_MAX or not _EMAIL.match(email) or _has_control(email):
                check.fail("email", _l("Enter an email address like name@example.org, "
                                       "or leave this field empty."))
                email = None
            email = email or None

    items: list[int] = []
    codes = {name: check.codes(name, getattr(data, name)) for name in TAG_FIELDS}
    if round_ is not None and any(codes.values()):
        active = reference_data.items_by_kind(round_.strategy_version_id)
        known = {item.code: (item.id, kind)
                 for kind in TAG_FIELDS.values() for item in active[kind]}
        for name, kind in TAG_FIELDS.items():
            for code in codes[name]:
                found = known.get(code)
                if found is None or found[1] != kind:
                    check.fail(name, _l("This is not a code we know: %(code)s", code=code[:16]))
                else:
                    items.append(found[0])

    paragraph = _paragraph(session, check, data.paragraph)

    consent_processing = check.flag("consent_processing", data.consent_processing, False)
    if not consent_processing and "consent_processing" not in check.errors:
        check.fail("consent_processing", _l(
            "We can only receive your view if you agree to its processing."))
    consent_publication = check.flag("consent_publication", data.consent_publication, False)
    anonymous = check.flag("anonymous", data.anonymous, True)
    organisation = organisations.check(
        check, actor_type, data.on_behalf_of_organisation, data.organisation_name,
        data.organisation_website, data.publish_organisation)

    if check.errors:
        raise ValidationFailed(check.errors)
    return _Clean(round=round_, language=language, title=title, body=body, answers=answers,
                  actor_type=actor_type, country=country, age_range=age_range, gender=gender,
                  email=email, items=items, consent_processing=consent_processing,
                  consent_publication=consent_publication, anonymous=anonymous,
                  paragraph=paragraph, organisation=organisation)


def _paragraph(session: Session, check: _Checker, value: Any) -> str | None:
    """A paragraph key of the current edition of the strategy's text, or None."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        check.fail("paragraph", _l("Must be text."))
        return None
    key = value.strip()
    if len(key) > 64 or not strategy_editions.is_current_key(session, key):
        check.fail("paragraph", _l("This paragraph is not in the current version of the "
                                   "strategy."))
        return None
    return key


def _has_control(value: str) -> bool:
    return any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in value)


def _apply(submission: Submission, clean: _Clean) -> None:
    submission.language = clean.language
    submission.title = clean.title
    submission.body = clean.body
    submission.actor_type = clean.actor_type
    submission.country = clean.country
    submission.consent_processing = clean.consent_processing
    submission.consent_publication = clean.consent_publication
    submission.anonymous = clean.anonymous
    submission.paragraph_key = clean.paragraph
    submission.detected_language = langid.detect(clean.title, *clean.answers.values(), clean.body,
                                                 submission.attachment_text)

    order = {q.id: q.position for q in clean.round.questions}
    existing = {a.question_id: a for a in submission.answers}
    submission.answers = [
        _answer(existing.get(qid), qid, order.get(qid, 0), text)
        for qid, text in sorted(clean.answers.items(), key=lambda kv: order.get(kv[0], 0))
    ]

    keep = [t for t in submission.tags if t.source != TagSource.CONTRIBUTOR]
    current = {t.item_id: t for t in submission.tags if t.source == TagSource.CONTRIBUTOR}
    submission.tags = keep + [
        current.get(item_id) or SubmissionTag(item_id=item_id, source=TagSource.CONTRIBUTOR)
        for item_id in clean.items
    ]

    if clean.email or clean.age_range or clean.gender:
        personal = submission.personal or PersonalData()
        personal.email = clean.email
        personal.age_range = clean.age_range
        personal.gender = clean.gender
        submission.personal = personal
    else:
        submission.personal = None
    organisations.apply(submission, clean.organisation)


def _answer(existing: Answer | None, question_id: int, position: int, text: str) -> Answer:
    answer = existing or Answer(question_id=question_id)
    answer.position = position
    answer.text = text
    return answer


def new_reference() -> str:
    raw = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"



def submit(session: Session, data: SubmissionInput, *, channel: Channel = Channel.WEB,
           token: str | None = None, idempotency_key_hash: str | None = None,
           idempotency_body_hash: str | None = None, flag: str | None = None,
           ) -> tuple[Submission, str]:
    """Validate and store a new submission; return it with the secret of its private link.

    The secret is returned once and stored only as a hash. `token` lets the caller choose
    it (an API retry derives the same one from its Idempotency-Key).
    """
    clean, files = _validate_with_files(session, data, round_=None)
    token = token or new_token()
    reference = new_reference()
    while session.scalar(select(Submission.id).where(Submission.reference == reference)):
        reference = new_reference()
    submission = Submission(reference=reference, manage_token_hash=hash_token(token),
                            round_id=clean.round.id, status=Status.PENDING,
                            channel=channel, idempotency_key_hash=idempotency_key_hash,
                            idempotency_body_hash=idempotency_body_hash, flag=flag,
                            # A new view's files are all here: a loaded (maybe empty) list,
                            # so indexing after the flush asks the database for none
                            # (a SELECT per post: form post 13.5 -> 12.9-13.4 ms CPU).
                            attachments=[])
    session.add(submission)
    attachments.attach(session, submission, files)
    _apply(submission, clean)
    session.flush()
    search.index(session, submission)
    clusters.fold(session, submission)
    stored_suggestions.store(session, submission, new=True)
    return submission, token


def _validate_with_files(session: Session, data: SubmissionInput, *,
                         round_: Round | reference_data.RoundData | None
                         ) -> tuple[_Clean, list[attachments.Checked]]:
    """The fields and the files, each checked, with the errors of both in one refusal:
    a file that cannot be read is reported with the fields to correct."""
    errors: dict[str, list[Any]] = {}
    uploads = data.files if isinstance(data.files, list) else []
    clean = None
    try:
        clean = _validate(session, data, round_=round_, check_open=True,
                          has_files=bool(uploads))
    except ValidationFailed as failed:
        errors.update(failed.errors)
    files: list[attachments.Checked] = []
    if uploads:
        try:
            files = attachments.check(uploads, attachments.limits())
        except ValidationFailed as failed:
            errors.update(failed.errors)
    if errors or clean is None:
        raise ValidationFailed(errors)
    return clean, files


def find_by_idempotency_key(session: Session, key_hash: str) -> Submission | None:
    return session.scalar(select(Submission).where(Submission.idempotency_key_hash == key_hash))


def find_by_token(session: Session, token: str) -> Submission:
    """The submission a private link points to, or NotFound."""
    if not token or len(token) > 64:
        raise NotFound(_l("This link is not valid. Check that you copied all of it."))
    submission = session.scalar(
        select(Submission)
        .options(selectinload(Submission.answers), selectinload(Submission.tags),
                 selectinload(Submission.personal), selectinload(Submission.organisation),
                 selectinload(Submission.attachments))
        .where(Submission.manage_token_hash == hash_token(token)))
    if submission is None:
        raise NotFound(_l("This link is not valid. Check that you copied all of it."))
    return submission


def update(session: Session, submission: Submission, data: SubmissionInput, *,
           version: int | None) -> Submission:
    """Correct a submission that is still waiting for review."""
    if not submission.is_editable:
        raise NotEditable(_l("This view has already been reviewed and can no longer be changed."))
    if version is not None and version != submission.version:
        raise StaleVersion(_l("This view changed since you opened it. Review it and try again."))
    clean = _validate(session, data, round_=submission.round, check_open=False,
                      has_files=bool(submission.attachments))
    _apply(submission, clean)
    submission.updated_at = utcnow()
    session.flush()
    search.index(session, submission)
    clusters.refold(session, submission)
    stored_suggestions.store(session, submission)
    return submission


def remove_file(session: Session, submission: Submission, attachment_id: Any) -> None:
    """The contributor takes one attached file off a view still waiting for review (the
    view keeps its text: a view that was only a file keeps its title)."""
    attachments.detach(session, submission, attachment_id)
    submission.detected_language = langid.detect(
        submission.title, *(a.text for a in submission.answers), submission.body,
        submission.attachment_text)
    submission.updated_at = utcnow()
    session.flush()
    search.index(session, submission)
    clusters.refold(session, submission)
    stored_suggestions.store(session, submission)


def erase(session: Session, submission: Submission) -> Submission:
    """Withdraw a submission and erase its text and personal data.

    What stays is a tombstone (reference, round, language, dates, status `withdrawn`) so
    that counts of what was received remain true; nothing in it identifies anyone.
    """
    submission.status = Status.WITHDRAWN
    submission.title = ""
    submission.body = ""
    submission.actor_type = None
    submission.country = None
    submission.paragraph_key = None
    submission.consent_publication = False
    submission.answers = []
    submission.tags = []
    submission.personal = None
    submission.organisation = None
    submission.erased_at = utcnow()
    attachments.detach_all(session, submission)
    session.flush()
    search.remove(session, submission)
    clusters.remove(session, submission)
    stored_suggestions.forget(session, submission.id)
    outbox.forget(session, submission.id)
    return submission


def copy_of(submission: Submission) -> dict[str, Any]:
    """Everything stored about a submission, for its author's download."""
    personal = submission.personal
    return {
        "reference": submission.reference,
        "status": submission.status.value,
        "round_id": submission.round_id,
        "language": submission.language,
        "title": submission.title,
        "body": submission.body,
        "answers": [{"question_id": a.question_id, "text": a.text} for a in submission.answers],
        "actor_type": submission.actor_type.value if submission.actor_type else None,
        "country": submission.country,
        "age_range": personal.age_range.value if personal and personal.age_range else None,
        "gender": personal.gender.value if personal and personal.gender else None,
        "email": personal.email if personal else None,
        "principles": submission.tag_codes(TagSource.CONTRIBUTOR, ItemKind.PRINCIPLE),
        "commitments": submission.tag_codes(TagSource.CONTRIBUTOR, ItemKind.COMMITMENT),
        "technologies": submission.tag_codes(TagSource.CONTRIBUTOR, ItemKind.TECHNOLOGY),
        "consent_processing": submission.consent_processing,
        "consent_publication": submission.consent_publication,
        "anonymous": submission.anonymous,
        "paragraph": submission.paragraph_key,
        "organisation": organisations.as_dict(submission.organisation),
        "attachments": [{"filename": a.filename, "content_type": a.content_type,
                         "size": a.size, "pages": a.page_count, "sha256": a.sha256,
                         "language": a.language, "text": a.text}
                        for a in submission.attachments],
        "created_at": submission.created_at.isoformat(),
        "updated_at": submission.updated_at.isoformat(),
        "erased_at": submission.erased_at.isoformat() if submission.erased_at else None,
    }
