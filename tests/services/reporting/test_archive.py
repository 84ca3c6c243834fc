"""Archiving rounds with frozen counts, and comparing rounds."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from app.db import utcnow
from app.models import AuditEvent, ItemKind, Round, RoundSnapshot
from app.services import NotEditable, NotFound, ValidationFailed
from app.services.reporting import archive
from app.services.review import moderation, tagging
from tests import factories
from tests.helpers import make_user


@dataclass
class Rounds:
    first: Round
    second: Round
    late: Any  # a submission of the first round still pending when it is archived
    moderator: Any


def approve(session, moderator, submission, principles=(), commitments=()):
    moderation.decide(session, submission, by=moderator, action="approve",
                      version=submission.version,
                      tags=tagging.TagInput(principles=list(principles),
                                               commitments=list(commitments)))
    session.commit()


def build_rounds(session) -> Rounds:
    """First round: 4 approved (P2 x3, one also C4; P1 x1) and one pending.
    Second round, opened later: 2 approved (P2, P3)."""
    factories.load_taxonomy(session)
    now = utcnow()
    first = factories.make_round(session, opens_at=now - dt.timedelta(days=60),
                                 title={"en": "First round", "ar": "الجولة الأولى"})
    second = factories.make_round(session, opens_at=now - dt.timedelta(days=1),
                                  title={"en": "Second round"})
    moderator = make_user(session, "moderator", "decides@example.org")
    for principles, commitments, country in ((["P2"], ["C4"], "KE"), (["P2"], [], "EG"),
                                             (["P2"], [], "FR"), (["P1"], [], "BR")):
        submission, _ = factories.make_submission(session, first, country=country)
        approve(session, moderator, submission, principles, commitments)
    late, _ = factories.make_submission(session, first)
    for principles in (["P2"], ["P3"]):
        submission, _ = factories.make_submission(session, second)
        approve(session, moderator, submission, principles)
    return Rounds(first, second, late, moderator)


@pytest.fixture()
def two_rounds(session) -> Rounds:
    return build_rounds(session)


def test_archive_closes_the_round_and_freezes_counts(session, two_rounds):
    admin = make_user(session, "admin")
    before = utcnow()
    snapshot = archive.archive_round(session, two_rounds.first, by=admin)
    session.commit()
    assert two_rounds.first.closes_at <= utcnow() and two_rounds.first.closes_at >= \
        before.replace(microsecond=0)
    assert not two_rounds.first.is_open
    assert snapshot.total == 4 and snapshot.created_by_id == admin.id
    assert snapshot.counts["principles"] == {"P2": 3, "P1": 1}
    assert snapshot.counts["commitments"] == {"C4": 1}
    assert snapshot.counts["actor_types"] == {"youth": 4}
    assert snapshot.counts["regions"] == {"002": 2, "150": 1, "019": 1}
    assert snapshot.counts["languages"] == {"en": 4}
    assert set(snapshot.counts) == {"principles", "commitments", "technologies", "themes",
                                    "actor_types", "regions", "languages"}
    actions = list(session.scalars(select(AuditEvent.action).where(
        AuditEvent.target_type == "rounds", AuditEvent.target_id == two_rounds.first.id)
        .order_by(AuditEvent.id)))
    assert actions[-2:] == ["round.close", "round.archive"]


def test_snapshot_stays_frozen_after_later_approvals(session, two_rounds):
    archive.archive_round(session, two_rounds.first, by=None)
    session.commit()
    approve(session, two_rounds.moderator, two_rounds.late, ["P1"])  # after archiving
    total, live = archive.live_counts(session, two_rounds.first.id)
    assert total == 5 and live["principles"] == {"P2": 3, "P1": 2}
    session.expire_all()
    snapshot = archive.get_snapshot(session, two_rounds.first.id)
    assert snapshot.total == 4 and snapshot.counts["principles"] == {"P2": 3, "P1": 1}
    result = archive.compare(session, [two_rounds.first.id, two_rounds.second.id])
    assert result.rounds[0].archived and result.rounds[0].total == 4
    p1 = next(r for r in result.rows[ItemKind.PRINCIPLE] if r.code == "P1")
    assert p1.counts[0] == 1 and p1.shares[0] == pytest.approx(0.25)


def test_a_round_is_archived_once(session, two_rounds):
    archive.archive_round(session, two_rounds.first, by=None)
    session.commit()
    with pytest.raises(NotEditable, match="already archived"):
        archive.archive_round(session, two_rounds.first, by=None)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(RoundSnapshot).where(
        RoundSnapshot.round_id == two_rounds.first.id)) == 1


def test_a_closed_round_keeps_its_closing_time(session, two_rounds):
    closed_at = utcnow().replace(microsecond=0) - dt.timedelta(hours=1)
    two_rounds.second.closes_at = closed_at
    session.commit()
    archive.archive_round(session, two_rounds.second, by=None)
    assert two_rounds.second.closes_at == closed_at


def test_an_upcoming_round_cannot_be_archived(session, taxonomy):
    upcoming = factories.make_round(session, opens_at=utcnow() + dt.timedelta(days=3),
                                    closes_at=utcnow() + dt.timedelta(days=30))
    with pytest.raises(NotEditable, match="not opened yet"):
        archive.archive_round(session, upcoming, by=None)


def test_compare_shares_and_changes(session, two_rounds):
    # Given in reverse order: rounds come out oldest first.
    result = archive.compare(session, [two_rounds.second.id, two_rounds.first.id])
    assert [c.round.id for c in result.rounds] == [two_rounds.first.id, two_rounds.second.id]
    assert [c.total for c in result.rounds] == [4, 2]
    assert not any(c.archived for c in result.rounds)
    principles = {r.code: r for r in result.rows[ItemKind.PRINCIPLE]}
    assert list(principles) == ["P1", "P2", "P3", "P4", "P5"]  # the strategy's order
    assert principles["P2"].counts == [3, 1]
    assert principles["P2"].shares == pytest.approx([0.75, 0.5])
    assert principles["P2"].changes == pytest.approx([-25.0])
    assert principles["P1"].changes == pytest.approx([-25.0])
    assert principles["P3"].shares == pytest.approx([0.0, 0.5])
    assert principles["P3"].changes == pytest.approx([50.0])
    assert principles["P4"].changes == pytest.approx([0.0])
    commitments = {r.code: r for r in result.rows[ItemKind.COMMITMENT]}
    assert list(commitments) == ["C1", "C2", "C3", "C4"]
    assert commitments["C4"].shares == pytest.approx([0.25, 0.0])
    assert commitments["C4"].changes == pytest.approx([-25.0])
    assert principles["P2"].labels["en"] == "Foster inclusion and transparency"


def test_compare_three_rounds_mixes_frozen_and_live(session, two_rounds):
    archive.archive_round(session, two_rounds.first, by=None)
    session.commit()
    third = factories.make_round(session, title={"en": "Third round"})
    submission, _ = factories.make_submission(session, third)
    approve(session, two_rounds.moderator, submission, ["P2"])
    result = archive.compare(session, [two_rounds.first.id, two_rounds.second.id, third.id])
    assert [c.archived for c in result.rounds] == [True, False, False]
    p2 = next(r for r in result.rows[ItemKind.PRINCIPLE] if r.code == "P2")
    assert p2.shares == pytest.approx([0.75, 0.5, 1.0])
    assert p2.changes == pytest.approx([-25.0, 50.0])


def test_compare_needs_two_known_rounds(session, two_rounds):
    with pytest.raises(ValidationFailed) as excinfo:
        archive.compare(session, [two_rounds.first.id, two_rounds.first.id])
    assert "round" in excinfo.value.errors
    with pytest.raises(NotFound):
        archive.compare(session, [two_rounds.first.id, 99999])


def test_compare_an_empty_round(session, two_rounds):
    empty = factories.make_round(session, title={"en": "Nobody came"})
    result = archive.compare(session, [two_rounds.first.id, empty.id])
    p2 = next(r for r in result.rows[ItemKind.PRINCIPLE] if r.code == "P2")
    assert result.rounds[1].total == 0
    assert p2.shares == pytest.approx([0.75, 0.0]) and p2.changes == pytest.approx([-75.0])


def test_cli_archive(runner, session, two_rounds):
    result = runner.invoke(args=["rounds", "archive", str(two_rounds.first.id)])
    assert result.exit_code == 0, result.output
    assert f"Archived round {two_rounds.first.id}: 4 approved submissions" in result.output
    session.expire_all()
    assert archive.get_snapshot(session, two_rounds.first.id).total == 4
    again = runner.invoke(args=["rounds", "archive", str(two_rounds.first.id)])
    assert again.exit_code != 0 and "already archived" in again.output
    missing = runner.invoke(args=["rounds", "archive", "99999"])
    assert missing.exit_code != 0 and "does not exist" in missing.output
