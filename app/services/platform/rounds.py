"""Consultation rounds: creating them and finding the ones open now."""
from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.db import utcnow
from app.i18n import LANGUAGES
from app.i18n import lazy_gettext as _l
from app.models import Answer, Question, Round, StrategyVersion, User
from app.services import NotEditable, NotFound, ValidationFailed
from app.services.accounts import audit
from app.services.platform import taxonomy as taxonomy_service
from app.services.text.multilingual import changes, clean_texts


def list_rounds(session: Session) -> list[Round]:
    return list(session.scalars(select(Round).order_by(Round.opens_at.desc(), Round.id.desc())))


def open_rounds(session: Session, now: dt.datetime | None = None) -> list[Round]:
    now = now or utcnow()
    return list(session.scalars(
        select(Round).options(selectinload(Round.questions))
        .where(Round.opens_at <= now, Round.closes_at > now)
        .order_by(Round.closes_at, Round.id)))


def featured_round(session: Session, now: dt.datetime | None = None) -> Round | None:
    """The round the home page presents: the open one closing soonest, else the next to
    open, else the one that closed last."""
    now = now or utcnow()
    open_now = open_rounds(session, now)
    if open_now:
        return open_now[0]
    upcoming = session.scalar(select(Round).where(Round.opens_at > now)
                              .order_by(Round.opens_at).limit(1))
    if upcoming:
        return upcoming
    return session.scalar(select(Round).order_by(Round.closes_at.desc()).limit(1))


def get_round(session: Session, round_id: int) -> Round:
    found = session.get(Round, round_id)
    if found is None:
        raise NotFound(_l("This consultation round does not exist."))
    return found


def create_round(session: Session, *, title: dict[str, str], description: dict[str, str],
                 questions: Sequence[dict[str, str]], opens_at: dt.datetime,
                 closes_at: dt.datetime, strategy_version: StrategyVersion | None = None
                 ) -> Round:
    errors: dict[str, list] = {}
    if not any(v.strip() for v in title.values()):
        errors["title"] = [_l("A round needs a title in at least one language.")]
    unknown = sorted((set(title) | set(description)) - set(LANGUAGES))
    if unknown:
        errors["lang"] = [_l("Unknown language code: %(codes)s", codes=", ".join(unknown))]
    if opens_at.tzinfo is None or closes_at.tzinfo is None:
        errors["opens_at"] = [_l("Give times with a time zone (UTC).")]
    elif closes_at <= opens_at:
        errors["closes_at"] = [_l("A round must close after it opens.")]
    strategy_version = strategy_version or taxonomy_service.current_version(session)
    if strategy_version is None:
        errors["strategy_version"] = [_l("Load the taxonomy before creating a round.")]
    if errors:
        raise ValidationFailed(errors)
    new_round = Round(strategy_version=strategy_version, title=dict(title),
                      description=dict(description), opens_at=opens_at, closes_at=closes_at)
    new_round.questions = [Question(position=i, text=dict(text))
                           for i, text in enumerate(questions)]
    session.add(new_round)
    session.flush()
    return new_round


DEMO_ROUND_FILE = Path(__file__).resolve().parents[2] / "data" / "demo_round.json"


def ensure_demo_round(session: Session, now: dt.datetime | None = None) -> Round | None:
    """Create one open demo round when there is no round at all; None if there was one."""
    if session.scalar(select(Round.id).limit(1)) is not None:
        return None
    now = now or utcnow()
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    demo = json.loads(DEMO_ROUND_FILE.read_text(encoding="utf-8"))
    return create_round(session, title=demo["title"], description=demo["description"],
                        questions=demo["questions"], opens_at=start,
                        closes_at=start + dt.timedelta(days=90))


# Editing rounds from the admin panel.

ROUND_TITLE_MAX = 200
ROUND_DESCRIPTION_MAX = 5000
QUESTION_MAX = 500


class RoundState(enum.StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


def round_state(round_: Round, now: dt.datetime | None = None) -> RoundState:
    now = now or utcnow()
    if round_.opens_at > now:
        return RoundState.UPCOMING
    return RoundState.OPEN if round_.is_open_at(now) else RoundState.CLOSED


@dataclass
class QuestionEdit:
    """A guiding question as edited: `id` is None for a new one; no text removes it."""

    id: int | None
    text: Mapping[str, Any]


def _check_times(opens_at: Any, closes_at: Any, errors: dict[str, list]) -> None:
    message = _l("Enter a date and time in UTC, for example 2027-03-31 18:00.")
    valid = True
    for name, value in (("opens_at", opens_at), ("closes_at", closes_at)):
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            errors.setdefault(name, []).append(message)
            valid = False
    if valid and closes_at <= opens_at:
        errors.setdefault("closes_at", []).append(_l("A round must close after it opens."))


def _clean_round_texts(title: Any, description: Any, errors: dict[str, list]
                       ) -> tuple[dict[str, str], dict[str, str]]:
    title = clean_texts(title, "title", errors, maximum=ROUND_TITLE_MAX)
    description = clean_texts(description, "description", errors,
                              maximum=ROUND_DESCRIPTION_MAX, multiline=True)
    if not title and not any(key.startswith("title") for key in errors):
        errors["title"] = [_l("A round needs a title in at least one language.")]
    return title, description


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat()


def add_round(session: Session, *, title: Mapping[str, Any], description: Mapping[str, Any],
              questions: Sequence[Mapping[str, Any]], opens_at: Any, closes_at: Any,
              by: User | None = None) -> Round:
    """Create a round from what staff typed: texts cleaned per language, errors keyed
    `title.fr`, `questions.2.ar`...; questions with no text are left out. Audited."""
    errors: dict[str, list] = {}
    title, description = _clean_round_texts(title, description, errors)
    texts = [clean_texts(text, f"questions.{i}", errors, maximum=QUESTION_MAX)
             for i, text in enumerate(questions)]
    _check_times(opens_at, closes_at, errors)
    if errors:
        raise ValidationFailed(errors)
    created = create_round(session, title=title, description=description,
                           questions=[text for text in texts if text], opens_at=opens_at,
                           closes_at=closes_at)
    audit.record(session, "round.create", actor=by, target=created, after={
        "title": created.title, "opens_at": _iso(opens_at), "closes_at": _iso(closes_at),
        "questions": len(created.questions)})
    return created


def _has_answers(session: Session, question: Question) -> bool:
    return session.scalar(
        select(Answer.id).where(Answer.question_id == question.id).limit(1)) is not None


def _same_minute(stored: dt.datetime, given: dt.datetime) -> bool:
    """Forms show times to the minute: posting one back unchanged is not a change."""
    return stored.replace(second=0, microsecond=0) == given


def update_round(session: Session, round_: Round, *, title: Mapping[str, Any],
                 description: Mapping[str, Any], questions: Sequence[QuestionEdit],
                 opens_at: Any, closes_at: Any, by: User | None = None) -> Round:
    """Change a round's texts, questions and times.

    A question whose texts are all emptied is removed, unless contributors have answered
    it: their answers would lose their question, so that is refused. Questions not listed
    are left as they are. The change is audited with the values before and after.
    """
    errors: dict[str, list] = {}
    new_title, new_description = _clean_round_texts(title, description, errors)
    _check_times(opens_at, closes_at, errors)
    existing = {question.id: question for question in round_.questions}
    plan: list[tuple[Question | None, dict[str, str]]] = []
    seen: set[int] = set()
    for i, edit in enumerate(questions):
        text = clean_texts(edit.text, f"questions.{i}", errors, maximum=QUESTION_MAX)
        if edit.id is None:
            if text:
                plan.append((None, text))
            continue
        question = existing.get(edit.id)
        if question is None or edit.id in seen:
            errors.setdefault(f"questions.{i}", []).append(
                _l("This question is not part of the round."))
            continue
        seen.add(edit.id)
        if not text and _has_answers(session, question):
            errors.setdefault(f"questions.{i}", []).append(
                _l("This question already has answers, so it cannot be removed. You can "
                   "change its wording instead."))
        plan.append((question, text))
    if errors:
        raise ValidationFailed(errors)

    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for prefix, old, new in (("title", round_.title, new_title),
                             ("description", round_.description, new_description)):
        old_diff, new_diff = changes(old or {}, new, prefix)
        before.update(old_diff)
        after.update(new_diff)
    round_.title = new_title
    round_.description = new_description
    for name, value in (("opens_at", opens_at), ("closes_at", closes_at)):
        stored = getattr(round_, name)
        if stored != value and not _same_minute(stored, value):
            before[name], after[name] = _iso(stored), _iso(value)
            setattr(round_, name, value)

    position = max((q.position for q in round_.questions), default=-1) + 1
    added: list[Question] = []
    for question, text in plan:
        if question is None:
            added.append(Question(position=position, text=text))
            round_.questions.append(added[-1])
            position += 1
        elif not text:
            before[f"question.{question.id}"] = question.text
            after[f"question.{question.id}"] = None
            round_.questions.remove(question)
        else:
            old_diff, new_diff = changes(question.text or {}, text, f"question.{question.id}")
            before.update(old_diff)
            after.update(new_diff)
            question.text = text
    session.flush()
    for question in added:
        before[f"question.{question.id}"] = None
        after[f"question.{question.id}"] = question.text
    if before or after:
        audit.record(session, "round.update", actor=by, target=round_, before=before,
                     after=after)
    return round_


def open_now(session: Session, round_: Round, *, by: User | None = None,
             now: dt.datetime | None = None) -> Round:
    """Open an upcoming round at once (its closing time stays)."""
    now = (now or utcnow()).replace(microsecond=0)
    state = round_state(round_, now)
    if state == RoundState.OPEN:
        raise NotEditable(_l("This round is already open."))
    if state == RoundState.CLOSED:
        raise NotEditable(_l("This round has closed. To open it again, set a closing time "
                             "in the future."))
    before = {"opens_at": _iso(round_.opens_at)}
    round_.opens_at = now
    audit.record(session, "round.open", actor=by, target=round_, before=before,
                 after={"opens_at": _iso(now)})
    session.flush()
    return round_


def close_now(session: Session, round_: Round, *, by: User | None = None,
              now: dt.datetime | None = None) -> Round:
    """Close an open round at once: views sent from now on are refused."""
    now = (now or utcnow()).replace(microsecond=0)
    if round_state(round_, now) != RoundState.OPEN:
        raise NotEditable(_l("This round is not open."))
    before = {"closes_at": _iso(round_.closes_at)}
    round_.closes_at = now
    audit.record(session, "round.close", actor=by, target=round_, before=before,
                 after={"closes_at": _iso(now)})
    session.flush()
    return round_
