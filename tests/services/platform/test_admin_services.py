"""The services behind the admin panel: rounds, taxonomy, site texts and the audit log."""
from __future__ import annotations

import base64
import datetime as dt

import pytest
from sqlalchemy import select

from app.db import utcnow
from app.models import AuditEvent, ItemKind, Question, SiteText, TaxonomyItem
from app.services import NotEditable, NotFound, ValidationFailed
from app.services.accounts import audit as audit_service
from app.services.platform import rounds as rounds_service
from app.services.platform import site_texts
from app.services.platform import taxonomy as taxonomy_service
from app.services.platform.rounds import QuestionEdit, RoundState
from tests import factories
from tests.helpers import make_user

NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture()
def admin(session):
    return make_user(session, "admin")


def events(session, action):
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                .order_by(AuditEvent.id)))


def round_texts(**overrides):
    data = {
        "title": {"en": "Digital public goods", "ar": "المنافع العامة الرقمية", "fr": ""},
        "description": {"en": "What should the UN do?\nTell us."},
        "questions": [{"en": "First?", "ar": "أولا؟"}, {"en": "", "fr": ""}, {"zh": "第二？"}],
        "opens_at": NOW,
        "closes_at": NOW + dt.timedelta(days=30),
    }
    data.update(overrides)
    return data


# Rounds.

def test_add_round_cleans_texts_skips_empty_questions_and_is_audited(session, taxonomy, admin):
    created = rounds_service.add_round(session, **round_texts(), by=admin)
    assert created.title == {"ar": "المنافع العامة الرقمية", "en": "Digital public goods"}
    assert created.description == {"en": "What should the UN do?\nTell us."}
    assert [q.text for q in created.questions] == [{"ar": "أولا؟", "en": "First?"},
                                                    {"zh": "第二？"}]
    [event] = events(session, "round.create")
    assert event.actor_id == admin.id
    assert (event.target_type, event.target_id) == ("rounds", created.id)
    assert event.after["questions"] == 2


def test_add_round_reports_every_problem_by_field(session, taxonomy, admin):
    with pytest.raises(ValidationFailed) as caught:
        rounds_service.add_round(session, **round_texts(
            title={"en": "  ", "de": "Titel"}, description={"fr": "x" * 5001},
            questions=[{"ar": "bad\x00"}], opens_at=NOW.replace(tzinfo=None),
            closes_at=NOW), by=admin)
    errors = caught.value.errors
    assert {"title", "description.fr", "questions.0.ar", "opens_at"} <= set(errors)


def test_add_round_needs_a_title_and_closes_after_it_opens(session, taxonomy, admin):
    with pytest.raises(ValidationFailed) as caught:
        rounds_service.add_round(session, **round_texts(title={}, closes_at=NOW), by=admin)
    assert set(caught.value.errors) == {"title", "closes_at"}


def test_round_state(session, taxonomy):
    round_ = factories.make_round(session, opens_at=NOW, closes_at=NOW + dt.timedelta(days=1))
    assert rounds_service.round_state(round_, NOW - dt.timedelta(seconds=1)) == RoundState.UPCOMING
    assert rounds_service.round_state(round_, NOW) == RoundState.OPEN
    assert rounds_service.round_state(round_, NOW + dt.timedelta(days=1)) == RoundState.CLOSED


def test_update_round_changes_texts_times_and_questions(session, open_round, admin):
    first, second = open_round.questions
    closes = (utcnow() + dt.timedelta(days=60)).replace(second=0, microsecond=0)
    rounds_service.update_round(
        session, open_round, title={**open_round.title, "fr": "Nouveau titre"},
        description=open_round.description,
        questions=[QuestionEdit(first.id, {"en": "Question 1, reworded?"}),
                   QuestionEdit(second.id, {}),
                   QuestionEdit(None, {"es": "¿Nueva pregunta?"}),
                   QuestionEdit(None, {"en": ""})],
        opens_at=open_round.opens_at, closes_at=closes, by=admin)
    session.commit()
    session.expire_all()
    assert open_round.title["fr"] == "Nouveau titre"
    assert open_round.closes_at == closes
    assert [q.text for q in open_round.questions] == [{"en": "Question 1, reworded?"},
                                                      {"es": "¿Nueva pregunta?"}]
    assert session.get(Question, second.id) is None
    [event] = events(session, "round.update")
    assert event.before["title.fr"] is None and event.after["title.fr"] == "Nouveau titre"
    assert event.before[f"question.{first.id}.ar"] == "السؤال 1؟"
    assert event.after[f"question.{first.id}.ar"] is None
    assert event.after[f"question.{second.id}"] is None
    assert "closes_at" in event.after and "opens_at" not in event.after


def test_posting_the_same_minute_back_is_not_a_change(session, open_round, admin):
    rounds_service.update_round(
        session, open_round, title=open_round.title, description=open_round.description,
        questions=[], opens_at=open_round.opens_at.replace(second=0, microsecond=0),
        closes_at=open_round.closes_at.replace(second=0, microsecond=0), by=admin)
    assert events(session, "round.update") == []


def test_a_question_with_answers_cannot_be_removed(session, open_round, admin):
    question = open_round.questions[0]
    factories.make_submission(session, open_round, answers={str(question.id): "My answer."})
    with pytest.raises(ValidationFailed) as caught:
        rounds_service.update_round(
            session, open_round, title=open_round.title, description=open_round.description,
            questions=[QuestionEdit(question.id, {"en": " ", "ar": ""})],
            opens_at=open_round.opens_at, closes_at=open_round.closes_at, by=admin)
    assert "questions.0" in caught.value.errors
    session.rollback()
    assert session.get(Question, question.id) is not None


def test_a_question_of_another_round_is_refused(session, open_round, admin):
    other = factories.make_round(session)
    with pytest.raises(ValidationFailed) as caught:
        rounds_service.update_round(
            session, open_round, title=open_round.title, description=open_round.description,
            questions=[QuestionEdit(other.questions[0].id, {"en": "Stolen?"}),
                       QuestionEdit(-1, {"en": "Forged?"})],
            opens_at=open_round.opens_at, closes_at=open_round.closes_at, by=admin)
    assert {"questions.0", "questions.1"} <= set(caught.value.errors)


def test_open_now_and_close_now(session, taxonomy, admin):
    round_ = factories.make_round(session, opens_at=utcnow() + dt.timedelta(days=2),
                                  closes_at=utcnow() + dt.timedelta(days=9))
    with pytest.raises(NotEditable):
        rounds_service.close_now(session, round_, by=admin)
    rounds_service.open_now(session, round_, by=admin)
    assert rounds_service.round_state(round_) == RoundState.OPEN
    with pytest.raises(NotEditable):
        rounds_service.open_now(session, round_, by=admin)
    rounds_service.close_now(session, round_, by=admin, now=utcnow() + dt.timedelta(seconds=2))
    assert rounds_service.round_state(round_, utcnow() + dt.timedelta(seconds=3)) == \
        RoundState.CLOSED
    with pytest.raises(NotEditable):
        rounds_service.open_now(session, round_, by=admin, now=utcnow() + dt.timedelta(seconds=3))
    assert [e.action for e in session.scalars(select(AuditEvent).where(
        AuditEvent.target_type == "rounds").order_by(AuditEvent.id))] == ["round.open",
                                                                           "round.close"]


# Taxonomy.

def test_add_item_checks_kind_code_and_labels(session, taxonomy, admin):
    item = taxonomy_service.add_item(session, taxonomy, kind="theme", code=" th18 ",
                                     labels={"en": "Space", "fr": "Espace"},
                                     descriptions={"en": "Satellites and more."},
                                     official={"en"}, by=admin)
    assert (item.code, item.kind) == ("TH18", ItemKind.THEME)
    assert item.official == {"en": True, "fr": False}
    assert item in taxonomy_service.active_items(session, taxonomy.id, ItemKind.THEME)
    assert events(session, "taxonomy.add")[0].target_id == item.id

    for kind, code, field in (("principle", "C9", "code"), ("commitment", "C1", "code"),
                              ("theme", "T5", "code"), ("nonsense", "P9", "kind"),
                              ("technology", "T1234", "code")):
        with pytest.raises(ValidationFailed) as caught:
            taxonomy_service.add_item(session, taxonomy, kind=kind, code=code,
                                      labels={"en": "Label"}, by=admin)
        assert field in caught.value.errors, (kind, code)
    with pytest.raises(ValidationFailed) as caught:
        taxonomy_service.add_item(session, taxonomy, kind="principle", code="P6",
                                  labels={"en": ""}, by=admin)
    assert "labels" in caught.value.errors


def test_renaming_marks_changed_languages_as_working_translations(session, taxonomy, admin):
    item = session.scalar(select(TaxonomyItem).where(TaxonomyItem.code == "P1"))
    assert item.official["en"] and item.official["ar"]
    labels = {**item.labels, "en": "A new English label", "ar": item.labels["ar"] + "!"}
    taxonomy_service.update_item(session, item, labels=labels, descriptions=item.descriptions,
                                 official={"ar"}, by=admin)
    assert item.official["en"] is False  # changed, not confirmed
    assert item.official["ar"] is True   # changed and confirmed
    assert item.official["es"] is True   # unchanged
    [event] = events(session, "taxonomy.update")
    assert event.after["labels.en"] == "A new English label"
    assert event.after["official.en"] is False
    assert "labels.es" not in event.after


def test_retire_and_bring_back(session, taxonomy, admin):
    item = session.scalar(select(TaxonomyItem).where(TaxonomyItem.code == "T02"))
    taxonomy_service.set_retired(session, item, True, by=admin)
    assert item not in taxonomy_service.active_items(session, taxonomy.id)
    assert item in taxonomy_service.all_items_by_kind(session, taxonomy.id)[ItemKind.TECHNOLOGY]
    with pytest.raises(NotEditable):
        taxonomy_service.set_retired(session, item, True, by=admin)
    taxonomy_service.set_retired(session, item, False, by=admin)
    assert item.retired_at is None
    assert [e.action for e in events(session, "taxonomy.retire") +
            events(session, "taxonomy.unretire")] == ["taxonomy.retire", "taxonomy.unretire"]


# Site texts.

def test_site_texts_are_set_changed_removed_and_audited(session, admin):
    site_texts.set_texts(session, "home_intro", {"en": "Hello <b>world</b>", "ar": "مرحبا"},
                         by=admin)
    assert site_texts.texts_of(session, "home_intro") == {"ar": "مرحبا", "en": "Hello world"}
    site_texts.set_texts(session, "home_intro", {"en": "Hello again", "ar": ""}, by=admin)
    assert site_texts.texts_of(session, "home_intro") == {"en": "Hello again"}
    assert session.scalar(select(SiteText).where(SiteText.lang == "ar")) is None
    _first, second = events(session, "site_text.update")
    assert second.before == {"text.ar": "مرحبا", "text.en": "Hello world"}
    assert second.after == {"text.ar": None, "text.en": "Hello again"}
    assert second.details == {"key": "home_intro"}


def test_site_text_falls_back_to_english_then_none(session, admin):
    assert site_texts.text_for(session, "privacy_contact", "fr") is None
    site_texts.set_texts(session, "privacy_contact", {"en": "privacy@unu.edu"}, by=admin)
    shown = site_texts.text_for(session, "privacy_contact", "fr")
    assert (shown.text, shown.lang) == ("privacy@unu.edu", "en")
    assert site_texts.all_texts(session)["privacy_contact"] == {"en": "privacy@unu.edu"}


def test_site_text_rules(session, admin):
    with pytest.raises(NotFound):
        site_texts.set_texts(session, "footer", {"en": "x"}, by=admin)
    with pytest.raises(ValidationFailed) as caught:
        site_texts.set_texts(session, "home_intro", {"en": "a\x07b", "fr": "x" * 2001},
                             by=admin)
    assert set(caught.value.errors) == {"text.en", "text.fr"}


# The audit log.

def _event(session, action, at, actor=None,
           target_type=None, target_id=None):
    event = AuditEvent(action=action, at=at, actor_id=actor.id if actor else None,
                       target_type=target_type, target_id=target_id)
    session.add(event)
    session.flush()
    return event


def test_audit_filters(session, admin):
    other = make_user(session, "moderator")
    base = dt.datetime(2027, 1, 10, 9, 0, tzinfo=dt.UTC)
    a = _event(session, "submission.approve", base, other, "submissions", 7)
    b = _event(session, "submission.reject", base + dt.timedelta(days=1), other, "submissions", 8)
    c = _event(session, "user.role", base + dt.timedelta(days=2), admin, "users", other.id)
    d = _event(session, "submissionXapprove", base + dt.timedelta(days=3), admin)
    f = audit_service.AuditFilter

    def ids(**kwargs):
        return [e.id for e in audit_service.events(session, f(**kwargs)).items
                if e.id in {a.id, b.id, c.id, d.id}]

    assert ids() == [d.id, c.id, b.id, a.id]
    assert ids(action="submission.") == [b.id, a.id]  # "." is literal, "_" too
    assert ids(action="submission_") == []
    assert ids(actor_email=" MODERATOR@example.org ") == [b.id, a.id]
    assert ids(actor_email="nobody@example.org") == []
    assert ids(target_type="submissions", target_id=8) == [b.id]
    assert ids(date_from=dt.date(2027, 1, 11), date_to=dt.date(2027, 1, 12)) == [c.id, b.id]


def test_audit_pages_are_keyset_paginated(session, admin):
    at = dt.datetime(2027, 2, 1, tzinfo=dt.UTC)
    made = [_event(session, "test.same_time", at, admin) for _ in range(5)]
    seen, cursor = [], None
    while True:
        page = audit_service.events(session, audit_service.AuditFilter(action="test."),
                                    cursor=cursor, limit=2)
        seen += [e.id for e in page.items]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == sorted((e.id for e in made), reverse=True)
    too_big = base64.urlsafe_b64encode(b"2027-01-01T00:00:00+00:00|99999999999").decode()
    naive = base64.urlsafe_b64encode(b"2027-01-01T00:00:00|5").decode()
    for bad in ("garbage", too_big, naive, "!!!"):
        with pytest.raises(ValidationFailed):
            audit_service.events(session, audit_service.AuditFilter(), cursor=bad)
