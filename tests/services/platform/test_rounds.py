"""Consultation rounds (app/services/platform/rounds.py), at the service level."""
from __future__ import annotations

import datetime as dt

import pytest

from app.db import utcnow
from app.services import NotFound, ValidationFailed
from app.services.platform import rounds
from tests import factories
from tests.helpers import make_user

NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)


def test_states_and_the_featured_round(session, taxonomy):
    closed = factories.make_round(session, opens_at=NOW - dt.timedelta(days=60),
                                  closes_at=NOW - dt.timedelta(days=30))
    upcoming = factories.make_round(session, opens_at=NOW + dt.timedelta(days=5),
                                    closes_at=NOW + dt.timedelta(days=50))
    assert rounds.round_state(closed, NOW) == rounds.RoundState.CLOSED
    assert rounds.round_state(upcoming, NOW) == rounds.RoundState.UPCOMING
    assert rounds.featured_round(session, NOW).id == upcoming.id  # nothing open: the next
    soon = factories.make_round(session, opens_at=NOW - dt.timedelta(days=1),
                                closes_at=NOW + dt.timedelta(days=3))
    factories.make_round(session, opens_at=NOW - dt.timedelta(days=1),
                         closes_at=NOW + dt.timedelta(days=20))
    assert rounds.round_state(soon, NOW) == rounds.RoundState.OPEN
    assert rounds.featured_round(session, NOW).id == soon.id  # open, closing soonest
    assert len(rounds.open_rounds(session, NOW)) == 2


def test_add_round_names_each_bad_field_by_language(session, taxonomy):
    admin = make_user(session, "admin")
    with pytest.raises(ValidationFailed) as caught:
        rounds.add_round(session, title={"en": "", "fr": "x" * 201}, description={},
                         questions=[{"ar": "؟" * 501}], opens_at=NOW, closes_at=NOW, by=admin)
    errors = caught.value.errors
    assert "title.fr" in errors and "questions.0.ar" in errors
    assert any(key.startswith("closes_at") or key.startswith("opens_at") for key in errors)


def test_add_round_leaves_out_empty_questions_and_is_audited(session, taxonomy):
    admin = make_user(session, "admin")
    created = rounds.add_round(
        session, title={"en": "Round two", "ar": "الجولة الثانية"},
        description={"en": "Tell us."}, questions=[{"en": "What works?"}, {"en": " "}],
        opens_at=NOW, closes_at=NOW + dt.timedelta(days=30), by=admin)
    session.commit()
    assert [q.text for q in created.questions] == [{"en": "What works?"}]
    assert created.title == {"en": "Round two", "ar": "الجولة الثانية"}


def test_a_question_with_answers_cannot_be_emptied(session, open_round):
    admin = make_user(session, "admin")
    factories.make_submission(session, open_round,
                              answers={str(open_round.questions[0].id): "My answer."})
    edits = [rounds.QuestionEdit(id=q.id, text={} if i == 0 else q.text)
             for i, q in enumerate(open_round.questions)]
    with pytest.raises(ValidationFailed):
        rounds.update_round(session, open_round, title=open_round.title,
                            description=open_round.description, questions=edits,
                            opens_at=open_round.opens_at, closes_at=open_round.closes_at,
                            by=admin)


def test_get_round_and_the_demo_round(session, taxonomy):
    with pytest.raises(NotFound):
        rounds.get_round(session, 999_999)
    demo = rounds.ensure_demo_round(session, utcnow())
    assert demo is not None and rounds.round_state(demo) == rounds.RoundState.OPEN
    assert set(demo.title) == {"ar", "en", "es", "fr", "ru", "zh"}
    assert rounds.ensure_demo_round(session) is None  # only on an empty install
