"""Workshop links: a round's form at `/<lang>/w/<code>` for the people in one room.

A view sent through the link spends one unit of the workshop's budget (twice the expected
participants) instead of counting against the per-address limit that a room behind one
shared address would exhaust in a minute. It carries channel `workshop` and the
workshop's name as its provenance, like views imported from a workshop's paper forms.
"""
from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.db import utcnow
from app.i18n import lazy_gettext as _l
from app.models import Channel, Round, SubmissionProvenance, User, Workshop
from app.models.workshop import BUDGET_PER_PARTICIPANT
from app.security import UnsafeText, clean_text
from app.services import DomainError, NotFound, ValidationFailed
from app.services.accounts import audit
from app.services.contributions import intake

NAME_MAX = 200
PARTICIPANTS_MAX = 5000
WINDOW_MAX = dt.timedelta(days=14)
CODE_LENGTH = 10
# Read aloud or copied from a whiteboard: no 0/O, 1/I/L or U (as references).
CODE_ALPHABET = "23456789abcdefghjkmnpqrstvwxyz"


class WorkshopClosed(DomainError):
    """The link is outside its window, closed early, or its round is closed."""


class BudgetSpent(DomainError):
    """The workshop received as many views as its budget allows."""


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _text(errors: dict[str, list[Any]], name: str, value: Any) -> str:
    try:
        cleaned = clean_text(value or "", multiline=False) if isinstance(value, str) else ""
    except UnsafeText:
        errors.setdefault(name, []).append(_l("This text contains characters that could "
                                              "not be read."))
        return ""
    if not cleaned:
        errors.setdefault(name, []).append(_l("This field is required."))
    elif len(cleaned) > NAME_MAX:
        errors.setdefault(name, []).append(_l("Use at most 200 characters."))
    return cleaned


def create(session: Session, *, round_id: int | None, name: Any, facilitator: Any,
           participants: Any, starts_at: dt.datetime | None, ends_at: dt.datetime | None,
           by: User | None) -> Workshop:
    """A new workshop link; ValidationFailed names each field that is wrong."""
    errors: dict[str, list[Any]] = {}
    round_ = session.get(Round, round_id) if round_id is not None else None
    if round_ is None:
        errors["round_id"] = [_l("Choose a consultation round.")]
    clean_name = _text(errors, "name", name)
    clean_facilitator = _text(errors, "facilitator", facilitator)
    if not isinstance(participants, int) or isinstance(participants, bool) \
            or not 1 <= participants <= PARTICIPANTS_MAX:
        errors["participants"] = [_l("Enter a whole number from 1 to 5,000.")]
    if starts_at is None:
        errors["starts_at"] = [_l("Enter a date and time.")]
    if ends_at is None:
        errors["ends_at"] = [_l("Enter a date and time.")]
    if starts_at is not None and ends_at is not None:
        if ends_at <= starts_at:
            errors["ends_at"] = [_l("The end must come after the start.")]
        elif ends_at - starts_at > WINDOW_MAX:
            errors["ends_at"] = [_l("A workshop link stays open for 14 days at most.")]
        elif ends_at <= utcnow():
            errors["ends_at"] = [_l("The end must be in the future.")]
    if errors:
        raise ValidationFailed(errors)
    code = new_code()
    while session.scalar(select(Workshop.id).where(Workshop.code == code)):
        code = new_code()
    workshop = Workshop(code=code, round_id=round_.id, name=clean_name,
                        facilitator=clean_facilitator, participants=participants,
                        starts_at=starts_at, ends_at=ends_at, used=0,
                        created_by_id=by.id if by is not None else None)
    session.add(workshop)
    session.flush()
    audit.record(session, "workshop.create", actor=by, target=workshop,
                 after={"name": clean_name, "round_id": round_.id, "participants": participants,
                        "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()})
    return workshop


def close(session: Session, workshop: Workshop, *, by: User | None) -> None:
    """Close the link before its window ends (nothing happens if it is closed already)."""
    if workshop.closed_at is not None:
        return
    workshop.closed_at = utcnow()
    session.flush()
    audit.record(session, "workshop.close", actor=by, target=workshop,
                 after={"name": workshop.name, "used": workshop.used})


def find(session: Session, code: str) -> Workshop:
    """The workshop of a link, open or not; NotFound for a code that names none."""
    code = (code or "").strip().lower()
    workshop = None
    # Only codes that could exist reach the database (PostgreSQL refuses a NUL in text).
    if 0 < len(code) <= 16 and code.isascii() and code.isalnum():
        workshop = session.scalar(select(Workshop).where(Workshop.code == code))
    if workshop is None:
        raise NotFound(_l("This workshop link is not valid. Check that you copied all of it."))
    return workshop


def check_open(workshop: Workshop, now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    if not workshop.is_open_at(now) or not workshop.round.is_open_at(now):
        raise WorkshopClosed(_l("This workshop link is not open at the moment."))


def list_workshops(session: Session, *, limit: int = 200) -> list[Workshop]:
    return list(session.scalars(select(Workshop).order_by(Workshop.starts_at.desc(),
                                                          Workshop.id.desc()).limit(limit)))


def submit(session: Session, workshop: Workshop, data: intake.SubmissionInput, *,
           flag: str | None = None) -> tuple[Any, str]:
    """Store a view sent through the workshop's link, spending one unit of its budget.

    The view is validated and stored first; then one conditional UPDATE takes the unit if
    the link is still open and the budget not spent. Concurrent posts queue on the
    workshop's row (PostgreSQL) or on the write lock (SQLite, BEGIN IMMEDIATE), and each
    re-reads `used` before taking its unit, so the budget is never overspent. Raises
    BudgetSpent or WorkshopClosed (the caller rolls back: nothing is stored)."""
    check_open(workshop)
    data.round_id = workshop.round_id
    submission, token = intake.submit(session, data, channel=Channel.WORKSHOP,
                                      flag=flag)
    now = utcnow()
    taken = session.execute(
        update(Workshop)
        .where(Workshop.id == workshop.id, Workshop.closed_at.is_(None),
               Workshop.starts_at <= now, Workshop.ends_at > now,
               Workshop.used < Workshop.participants * BUDGET_PER_PARTICIPANT)
        .values(used=Workshop.used + 1)
        .returning(Workshop.used)
        .execution_options(synchronize_session=False)).scalar()
    if taken is None:
        session.refresh(workshop)
        check_open(workshop, now)
        raise BudgetSpent(_l("This workshop has received all the views it was set up for. "
                             "Ask the facilitator, or send your view from the main form "
                             "later."))
    session.add(SubmissionProvenance(
        submission_id=submission.id, import_id=None, row_number=taken,
        row_key=f"workshop:{workshop.id}:{submission.id}", source=workshop.name,
        facilitator=workshop.facilitator))
    session.flush()
    return submission, token
