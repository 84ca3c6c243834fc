"""Counts for the reference group (app/services/reporting/reports.py), at the service level."""
from __future__ import annotations

import datetime as dt

import pytest
from werkzeug.datastructures import MultiDict

from app.models import ActorType, ItemKind
from app.services import ValidationFailed
from app.services.reporting import reports
from app.services.review import moderation, tagging
from tests import factories
from tests.helpers import make_user


@pytest.fixture()
def coded(session, open_round):
    """Three approved views (P2+C1 youth KE ar, P2 academia FR en, P1+C3 youth EG en), one
    pending, one rejected."""
    moderator = make_user(session, "moderator")
    made = []
    for overrides, codes in (
            ({"language": "ar", "actor_type": "youth", "country": "KE"}, ("P2", "C1")),
            ({"actor_type": "academia", "country": "FR"}, ("P2",)),
            ({"actor_type": "youth", "country": "EG"}, ("P1", "C3"))):
        submission, _ = factories.make_submission(session, open_round, **overrides)
        moderation.decide(session, submission, by=moderator, action="approve",
                          version=submission.version,
                          tags=tagging.TagInput(principles=[c for c in codes if c[0] == "P"],
                                                commitments=[c for c in codes if c[0] == "C"]))
        made.append(submission)
    factories.make_submission(session, open_round, body="Still pending.")
    rejected, _ = factories.make_submission(session, open_round, body="Spam spam.")
    moderation.decide(session, rejected, by=moderator, action="reject",
                      version=rejected.version, reason="spam")
    session.commit()
    return made


def test_counts_read_approved_views_only(session, coded):
    f = reports.ReportFilter()
    assert reports.total(session, f) == 3
    assert reports.count_by_tag(session, f, ItemKind.PRINCIPLE) == {"P1": 1, "P2": 2}
    assert reports.count_by_actor_type(session, f) == {"youth": 2, "academia": 1}
    assert reports.count_by_language(session, f) == {"ar": 1, "en": 2}


def test_filters_narrow_every_count(session, coded):
    f = reports.ReportFilter(actor_type=ActorType.YOUTH, code="P2")
    assert reports.total(session, f) == 1
    assert reports.stats(session, f, "commitment") == {"C1": 1}
    europe = reports.ReportFilter(region="150")
    assert reports.total(session, europe) == 1
    today = dt.datetime.now(dt.UTC).date()
    assert reports.total(session, reports.ReportFilter(date_to=today - dt.timedelta(days=1))) == 0


def test_stats_refuses_an_unknown_grouping(session, coded):
    with pytest.raises(ValidationFailed) as caught:
        reports.stats(session, reports.ReportFilter(), "gender")
    assert "group_by" in caught.value.errors


def test_from_args_reads_and_refuses_like_the_api_says(session):
    f = reports.ReportFilter.from_args(MultiDict({
        "round_id": "3", "date_from": "2026-03-01", "actor_type": "youth", "code": "p2",
        "youth": "yes", "language": "AR", "q": " access "}))
    assert (f.round_id, f.date_from, f.actor_type, f.code, f.youth, f.language, f.q) == (
        3, dt.date(2026, 3, 1), ActorType.YOUTH, "P2", True, "ar", "access")
    assert reports.ReportFilter.from_args(MultiDict({"date_to": ""})).date_to is None
    with pytest.raises(ValidationFailed) as caught:
        reports.ReportFilter.from_args(MultiDict({"date_to": ""}), blank_is_error=True)
    assert set(caught.value.errors) == {"date_to"}
    with pytest.raises(ValidationFailed) as caught:
        reports.ReportFilter.from_args(MultiDict({
            "round_id": "-1", "date_from": "20260301", "region": "mars", "gender": "x"}))
    assert set(caught.value.errors) == {"round_id", "date_from", "region", "gender"}
    assert reports.ReportFilter.from_args(MultiDict(f.to_args())) == f


def test_small_counts_are_suppressed_in_a_copy(session):
    body = {"counts": {"P1": 2, "P2": 40, "P3": 0}, "total": 42}
    shown = reports.suppressed(body, 5)
    assert shown["counts"] == {"P1": "< 5", "P2": 40, "P3": 0}
    assert shown["min_cell_count"] == 5 and body["counts"]["P1"] == 2
